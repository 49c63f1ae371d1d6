/// A contract identifier: 8 to 32 characters of `A-Z a-z 0-9 _ : -`.
public struct ContractID: Hashable, Sendable, CustomStringConvertible, Codable, ValidatedIdentifier {
    private let storage: ASCIIStorage

    /// Validates a contract id.
    ///
    /// - Parameter string: The id.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a contract id from its UTF-8 bytes.
    ///
    /// - Parameter bytes: The bytes of the id.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<ContractID, ValidationIssue> { validate(bytes) }

    /// The id.
    public var description: String { storage.string }

    static let issueCode = ValidationIssue.Code.invalidIdentifier
    static let noun = "a contract id"

    init(validated bytes: UnsafeBufferPointer<UInt8>) { storage = ASCIIStorage(bytes) }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard (8...32).contains(bytes.count) else { return "a contract id has 8 to 32 characters" }
        let allowed = ASCII.all(bytes) {
            ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-")
        }
        return allowed ? nil : "expected only A-Z a-z 0-9 _ : -"
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
