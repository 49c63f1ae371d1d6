/// An RFC 9457 problem-details document (`application/problem+json`).
struct ProblemDetails {
    var type: String
    var title: String
    var status: Int
    var detail: String

    static let contentType = "application/problem+json"

    var json: [UInt8] {
        var out = "{\"type\":" + Self.quote(type) + ",\"title\":" + Self.quote(title)
        out += ",\"status\":\(status),\"detail\":" + Self.quote(detail) + "}"
        return Array(out.utf8)
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
