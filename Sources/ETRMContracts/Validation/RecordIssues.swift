import ETRMShared

/// Collects every issue of one record, locating each under the record's JSON Pointer
/// (`/trades/12/volume_mwh`). The pointer text is built only when the first issue is recorded, so a valid
/// record costs nothing here.
package struct RecordIssues: Sendable {
    /// The issues found so far, in order.
    package private(set) var issues: [ValidationIssue] = []
    /// The array the record sits in (`trades`), or `nil` for a record at the top level (JSON Lines).
    package let container: String?
    /// The record's index.
    package let index: Int

    /// A pointer that replaces the container/index form (a record decoded through `Codable`).
    let pointer: String?

    package init(container: String?, index: Int) {
        self.container = container
        self.index = index
        pointer = nil
    }

    /// Collects issues for a record located by an arbitrary JSON Pointer (`""` for the top level).
    package init(pointer: String) {
        container = nil
        index = 0
        self.pointer = pointer
    }

    /// Whether no issue has been recorded.
    @inline(__always)
    package var isEmpty: Bool { issues.isEmpty }

    /// The record's own JSON Pointer.
    package var recordPointer: String {
        if let pointer { return pointer }
        if let container { return "/" + JSONPointer.escape(container) + "/" + String(index) }
        return "/" + String(index)
    }

    /// Records an issue about the field `field` (a wire key), or about the record itself when `nil`.
    package mutating func add(field: String?, code: ValidationIssue.Code, message: String, value: String? = nil) {
        let path = field.map { recordPointer + "/" + JSONPointer.escape($0) } ?? recordPointer
        issues.append(ValidationIssue(path: path, code: code, message: message, value: value))
    }

    /// Records an issue a parser threw (with an empty or relative path), locating it under `field`.
    package mutating func add(_ issue: ValidationIssue, field: String?, fallbackValue: @autoclosure () -> String?) {
        var located = issue.prefixed(by: recordPointer + (field.map { "/" + JSONPointer.escape($0) } ?? ""))
        if located.value == nil, let value = fallbackValue() {
            located = ValidationIssue(path: located.path, code: located.code, message: located.message, value: value)
        }
        issues.append(located)
    }

    /// Records a structural JSON problem inside the record.
    package mutating func add(_ error: JSONError, recordStart: Int) {
        let code = ValidationIssue.Code(error.code)
        add(
            field: nil, code: code,
            message: "\(error.message) (byte \(error.offset - recordStart) of the record, \(error.offset) of the input)"
        )
    }
}

/// JSON Pointer (RFC 6901) helpers.
package enum JSONPointer {
    /// Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`.
    package static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
