import Foundation

/// Checks an error type's declared codes against the `snake_case` names users and wire formats rely on, and
/// against the module's DocC article of error codes.
package enum ErrorCodeCheck {
    /// What is wrong with the declared codes, empty when nothing is: two codes with one name, a declared code
    /// missing from `expected`, a name other than the expected one (a renamed wire string), or a name the
    /// module's `ErrorCodes.md` does not list.
    ///
    /// - Parameters:
    ///   - declared: Every code the type declares (its `Code.all`).
    ///   - expected: Each code with the name it must have.
    ///   - module: The module whose `ErrorCodes.md` must list every name; nil for a type without a catalog.
    package static func problems<Code: Hashable & CustomStringConvertible>(
        declared: [Code], expected: [(Code, String)], module: String?
    ) -> [String] {
        var problems: [String] = []
        if Set(declared.map(\.description)).count != declared.count { problems.append("two codes share a name") }
        let table = Dictionary(expected, uniquingKeysWith: { first, _ in first })
        for code in declared {
            guard let name = table[code] else {
                problems.append("\(code) is declared but not in the expected table")
                continue
            }
            if code.description != name { problems.append("\(name) is now named \(code.description)") }
        }
        if expected.count != declared.count {
            problems.append("\(expected.count) expected, \(declared.count) declared")
        }
        if let module {
            let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/\(module)/\(module).docc/ErrorCodes.md")
            let text = (try? String(contentsOf: article, encoding: .utf8)) ?? ""
            if text.isEmpty { problems.append("\(article.path) is missing") }
            for code in declared where !text.contains("| `\(code)` |") {
                problems.append("\(module)'s ErrorCodes.md does not list \(code)")
            }
        }
        return problems
    }
}
