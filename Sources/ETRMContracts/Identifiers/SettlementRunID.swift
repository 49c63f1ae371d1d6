/// A settlement run identifier: exactly 16 characters of `A-Z` and `0-9`.
public struct SettlementRunID: Hashable, Sendable, CustomStringConvertible, Codable, ValidatedIdentifier {
    private let storage: ASCIIStorage

    /// Validates a settlement run id.
    ///
    /// - Parameter string: The 16-character id.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a settlement run id from its UTF-8 bytes.
    ///
    /// - Parameter bytes: The 16 bytes of the id.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<SettlementRunID, ValidationIssue> {
        validate(bytes)
    }

    /// The id.
    public var description: String { storage.string }

    static let issueCode = ValidationIssue.Code.invalidIdentifier
    static let noun = "a settlement run id"

    init(validated bytes: UnsafeBufferPointer<UInt8>) { storage = ASCIIStorage(bytes) }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 16, ASCII.all(bytes, ASCII.isUpperAlphanumeric) else {
            return "expected exactly 16 characters of A-Z and 0-9"
        }
        return nil
    }

    /// Decodes a JSON string through the validating initialiser.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an invalid value.
    public init(from decoder: any Decoder) throws { self = try Self.decode(from: decoder) }

    /// Encodes the value as a JSON string.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws { try encode(description: description, to: encoder) }
}
