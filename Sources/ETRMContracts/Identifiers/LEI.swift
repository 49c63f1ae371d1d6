/// A Legal Entity Identifier (ISO 17442): 18 upper-case alphanumerics and 2 check digits, valid when the
/// ISO 7064 MOD 97-10 remainder of the whole code (letters as 10...35) is 1.
///
/// ```swift
/// let gleif = try LEI("506700GE1G29325QX363")
/// try LEI("7LTWFZYICNSX8D621K87")   // throws invalid_lei: the check digits do not match
/// ```
///
/// Lower-case letters are rejected, not upper-cased: the standard defines upper case only.
public struct LEI: Hashable, Sendable, CustomStringConvertible, Codable, ValidatedIdentifier {
    private let storage: ASCIIStorage

    /// Validates an LEI.
    ///
    /// - Parameter string: The 20-character code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidLEI``.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates an LEI from its UTF-8 bytes without allocating.
    ///
    /// - Parameter bytes: The 20 bytes of the code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidLEI``.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<LEI, ValidationIssue> { validate(bytes) }

    /// The code.
    public var description: String { storage.string }

    static let issueCode = ValidationIssue.Code.invalidLEI
    static let noun = "an LEI"

    init(validated bytes: UnsafeBufferPointer<UInt8>) { storage = ASCIIStorage(bytes) }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 20 else { return "an LEI has 20 characters" }
        guard ASCII.all(UnsafeBufferPointer(rebasing: bytes[..<18]), ASCII.isUpperAlphanumeric),
            ASCII.isDigit(bytes[18]), ASCII.isDigit(bytes[19])
        else { return "expected 18 characters of 0-9 A-Z and 2 check digits" }
        // Horner's rule over the expanded digits (a letter is two digits), reducing modulo 97 once per six
        // characters (< 97 × 10^12 + 10^12 fits easily) rather than once per character: the division is off the
        // per-character dependency chain.
        var accumulator: UInt64 = 0
        var index = 0
        while index < 20 {
            let chunkEnd = Swift.min(index + 6, 20)
            while index < chunkEnd {
                let value = UInt64(ASCII.base36(bytes[index]))
                accumulator = accumulator &* (value < 10 ? 10 : 100) &+ value
                index += 1
            }
            accumulator %= 97
        }
        return accumulator % 97 == 1 ? nil : "the ISO 7064 MOD 97-10 check digits do not match"
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
