/// A small JSON value for *writing* documents whose key order matters (generated schemas, reports):
/// objects keep their members in the order given, and the text is deterministic.
package indirect enum JSONOutput: Sendable, Hashable {
    case object([(String, JSONOutput)])
    case array([JSONOutput])
    case string(String)
    /// A number, written exactly as the given decimal text.
    case number(String)
    case bool(Bool)
    case null

    package static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool { lhs.text() == rhs.text() }
    package func hash(into hasher: inout Hasher) { hasher.combine(text()) }

    /// The value as JSON text.
    ///
    /// - Parameter pretty: Indent with two spaces and break lines (`true`), or write compactly.
    /// - Returns: The text; pretty text ends without a newline.
    package func text(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (position, member) in members.enumerated() {
                if position > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                Self.writeString(member.0, into: &out)
                out += pretty ? ": " : ":"
                member.1.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        case .array(let elements):
            guard !elements.isEmpty else {
                out += "[]"
                return
            }
            let scalarsOnly = elements.allSatisfy {
                if case .object = $0 { return false }
                if case .array = $0 { return false }
                return true
            }
            out += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { out += pretty && scalarsOnly ? ", " : "," }
                if pretty && !scalarsOnly { out += "\n" + String(repeating: "  ", count: indent + 1) }
                element.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty && !scalarsOnly { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .string(let value): Self.writeString(value, into: &out)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and control characters.
    package static func writeString(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00" + Hex.encode([UInt8(scalar.value)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
