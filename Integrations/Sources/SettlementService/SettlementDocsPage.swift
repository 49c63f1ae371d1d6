import Foundation

/// `GET /docs`: the OpenAPI document rendered as one self-contained HTML page (inline CSS, no scripts, no
/// external resources), generated from ``SettlementOpenAPI`` so it cannot drift from the contract.
public enum SettlementDocsPage {
    /// The page.
    public static let html: String = render(SettlementOpenAPI.object)

    static func render(_ document: [String: Any]) -> String {
        let info = document["info"] as? [String: Any] ?? [:]
        let components = document["components"] as? [String: Any] ?? [:]
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        let paths = document["paths"] as? [String: Any] ?? [:]
        var body = "<h1>\(escape(info["title"]))</h1>\n<p class=\"version\">OpenAPI \(escape(document["openapi"])) · "
        body += "version \(escape(info["version"]))</p>\n<p>\(escape(info["description"]))</p>\n"
        if let schemes = components["securitySchemes"] as? [String: Any] {
            body += "<h2>Authentication</h2>\n"
            for (name, scheme) in schemes.sorted(by: { $0.key < $1.key }) {
                let scheme = scheme as? [String: Any] ?? [:]
                body +=
                    "<p><code>\(escape(name))</code>: <code>Authorization: Bearer &lt;\(escape(scheme["bearerFormat"]))&gt;</code>. "
                body += "\(escape(scheme["description"]))</p>\n"
            }
        }
        body += "<h2>Endpoints</h2>\n"
        for (path, item) in paths.sorted(by: {
            ($0.key.hasPrefix("/v1") ? 0 : 1, $0.key) < ($1.key.hasPrefix("/v1") ? 0 : 1, $1.key)
        }) {
            for (method, operation) in (item as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                body += renderOperation(method: method, path: path, operation as? [String: Any] ?? [:])
            }
        }
        body += "<h2>Schemas</h2>\n"
        for (name, schema) in schemas.sorted(by: { $0.key < $1.key }) {
            body += renderSchema(name, schema as? [String: Any] ?? [:])
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(info["title"])) · API</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330;line-height:1.45}
            h1{border-bottom:3px solid #2a6fdb;padding-bottom:.3rem}h2{margin-top:2.2rem;color:#2a3b5c}
            .op{border:1px solid #cfd8e6;border-radius:8px;margin:1.2rem 0;padding:.6rem 1rem;background:#fafcff}
            .method{display:inline-block;font-weight:700;color:#fff;background:#2a6fdb;border-radius:4px;padding:.1rem .5rem;margin-right:.5rem}
            .method.get{background:#1f8a4c}.path{font-family:ui-monospace,monospace;font-size:1.1rem}
            table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d5dce8;padding:.3rem .5rem;text-align:left;vertical-align:top}
            th{background:#eef3fb}code,pre{font-family:ui-monospace,monospace;font-size:.88rem}
            pre{background:#f1f4f9;padding:.6rem;border-radius:6px;white-space:pre-wrap;word-break:break-all}.version{color:#5b667a}
            .s2{color:#1f8a4c;font-weight:700}.s4{color:#b35c00;font-weight:700}.s5{color:#c0262d;font-weight:700}
            </style></head><body>
            \(body)</body></html>

            """
    }

    private static func renderOperation(method: String, path: String, _ operation: [String: Any]) -> String {
        var html = "<div class=\"op\"><p><span class=\"method \(method)\">\(method.uppercased())</span>"
        html += "<span class=\"path\">\(escape(path))</span> — \(escape(operation["summary"]))</p>\n"
        if let parameters = operation["parameters"] as? [[String: Any]], !parameters.isEmpty {
            html += "<table><tr><th>header</th><th>required</th><th>rule</th><th>meaning</th></tr>\n"
            for parameter in parameters {
                html += "<tr><td><code>\(escape(parameter["name"]))</code></td>"
                html += "<td>\((parameter["required"] as? Bool) == true ? "yes" : "no")</td>"
                html += "<td><code>\(escape((parameter["schema"] as? [String: Any])?["pattern"]))</code></td>"
                html += "<td>\(escape(parameter["description"]))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if let request = operation["requestBody"] as? [String: Any],
            let content = (request["content"] as? [String: Any])?["application/json"] as? [String: Any]
        {
            html += "<p>Body (<code>application/json</code>): <code>SettlementInstruction</code>. Example:</p>\n"
            html += "<pre>\(escape(json(content["example"])))</pre>\n"
        }
        if let responses = operation["responses"] as? [String: Any] {
            html += "<table><tr><th>status</th><th>meaning</th><th>headers</th><th>body</th></tr>\n"
            for (status, response) in responses.sorted(by: { $0.key < $1.key }) {
                let response = response as? [String: Any] ?? [:]
                let headers = (response["headers"] as? [String: Any] ?? [:]).keys.sorted().map {
                    "<code>\(escape($0))</code>"
                }
                let content = (response["content"] as? [String: Any] ?? [:]).keys.sorted().map {
                    "<code>\(escape($0))</code>"
                }
                html +=
                    "<tr><td class=\"s\(status.prefix(1))\">\(escape(status))</td><td>\(escape(response["description"]))</td>"
                html += "<td>\(headers.joined(separator: " "))</td><td>\(content.joined(separator: " "))</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</div>\n"
    }

    private static func renderSchema(_ name: String, _ schema: [String: Any]) -> String {
        var html = "<h3><code>\(escape(name))</code></h3>\n"
        if let description = schema["description"] { html += "<p>\(escape(description))</p>\n" }
        guard let properties = schema["properties"] as? [String: Any] else { return html }
        let required = Set(schema["required"] as? [String] ?? [])
        html += "<table><tr><th>field</th><th>required</th><th>rule</th><th>meaning</th></tr>\n"
        for (field, property) in properties.sorted(by: { $0.key < $1.key }) {
            let property = property as? [String: Any] ?? [:]
            let rules = ["type", "const", "enum", "pattern", "minimum", "exclusiveMinimum", "maximum", "format"]
                .compactMap { key in property[key].map { "\(key): \(json($0))" } }
            html += "<tr><td><code>\(escape(field))</code></td><td>\(required.contains(field) ? "yes" : "no")</td>"
            html += "<td><code>\(escape(rules.joined(separator: "; ")))</code></td>"
            html += "<td>\(escape(property["description"] ?? property["$comment"]))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static func json(_ value: Any?) -> String {
        guard let value else { return "" }
        if let text = value as? String { return text }
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func escape(_ value: Any?) -> String {
        guard let value else { return "" }
        return "\(value)".replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
