/// An ACER registration code of a REMIT market participant, such as `C0643278W.EU`.
///
/// ACER's REMIT Table 1 schema types the code as a 12-character string matching
/// `[A-Za-z0-9_]+\.[A-Z][A-Z]`: nine characters of `A-Z a-z 0-9 _`, a point, and two upper-case letters
/// (the registering authority's country, or `EU`). This type checks exactly that: `[A-Za-z0-9_]{9}\.[A-Z]{2}`.
/// The code carries no check digit.
public struct ACERCode: Hashable, Sendable, CustomStringConvertible, Codable, ValidatedIdentifier {
    private let storage: ASCIIStorage

    /// Validates an ACER code.
    ///
    /// - Parameter string: The 12-character code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates an ACER code from its UTF-8 bytes.
    ///
    /// - Parameter bytes: The 12 bytes of the code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidIdentifier``.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<ACERCode, ValidationIssue> { validate(bytes) }

    /// The code.
    public var description: String { storage.string }

    static let issueCode = ValidationIssue.Code.invalidIdentifier
    static let noun = "an ACER code"

    init(validated bytes: UnsafeBufferPointer<UInt8>) { storage = ASCIIStorage(bytes) }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 12,
            ASCII.all(
                UnsafeBufferPointer(rebasing: bytes[..<9]), { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }),
            bytes[9] == UInt8(ascii: "."), ASCII.isUpper(bytes[10]), ASCII.isUpper(bytes[11])
        else { return "expected 9 characters of A-Z a-z 0-9 _, a point and 2 upper-case letters" }
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
