/// A structural problem in JSON bytes, located by byte offset.
///
/// The ``Kind`` raw values are the wire codes `ETRMContracts` uses for the same problems
/// (`invalid_json`, `invalid_utf8`, `limit_exceeded`, `duplicate_key`), so a caller can map one to the other
/// without a table.
package struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is. An open set of static members over a `String` raw value.
    package struct Kind: RawRepresentable, Hashable, Sendable {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// Bytes that are not JSON (grammar, control character in a string, lone surrogate, rejected BOM, …).
        package static let invalidJSON = Kind(rawValue: "invalid_json")
        /// A string that is not well-formed UTF-8.
        package static let invalidUTF8 = Kind(rawValue: "invalid_utf8")
        /// A document, string or nesting depth over the configured limit.
        package static let limitExceeded = Kind(rawValue: "limit_exceeded")
        /// An object that names the same key twice.
        package static let duplicateKey = Kind(rawValue: "duplicate_key")
    }

    /// What went wrong.
    package var kind: Kind
    /// The byte offset in the scanned buffer where the problem was found.
    package var offset: Int
    /// A human-readable explanation.
    package var message: String

    package init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    package var description: String { "\(kind.rawValue) at byte \(offset): \(message)" }
}
