/// A structural problem in JSON bytes, located by byte offset.
///
/// The ``Code`` names are the wire codes `ETRMContracts` uses for the same problems (`invalid_json`,
/// `invalid_utf8`, `limit_exceeded`, `duplicate_key`): ETRMContracts reports one as a `ValidationIssue` with the
/// issue code of the same name, Idempotency as an `IdempotencyError` with code `invalid_json` and this error as
/// its cause. It is never thrown by public API itself.
package struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is: a closed set of codes, each with a stable `snake_case` name (its
    /// ``description``).
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case invalidJSON = "invalid_json"
            case invalidUTF8 = "invalid_utf8"
            case limitExceeded = "limit_exceeded"
            case duplicateKey = "duplicate_key"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code, for tests.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        package var description: String { value.rawValue }

        /// Bytes that are not JSON (grammar, control character in a string, lone surrogate, rejected BOM, …).
        package static let invalidJSON = Code(.invalidJSON)
        /// A string that is not well-formed UTF-8.
        package static let invalidUTF8 = Code(.invalidUTF8)
        /// A document, string or nesting depth over the configured limit.
        package static let limitExceeded = Code(.limitExceeded)
        /// An object that names the same key twice.
        package static let duplicateKey = Code(.duplicateKey)
    }

    /// What went wrong.
    package var code: Code
    /// The byte offset in the scanned buffer where the problem was found.
    package var offset: Int
    /// A human-readable explanation.
    package var message: String

    package init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    package var description: String { "\(code) at byte \(offset): \(message)" }
}
