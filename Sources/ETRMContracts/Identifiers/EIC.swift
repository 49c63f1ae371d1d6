/// An Energy Identification Code (ENTSO-E EIC): 16 characters of `0-9`, `A-Z` and `-`, the last a check
/// character.
///
/// The check: with `0-9` = 0...9, `A-Z` = 10...35 and `-` = 36, S = Σ value(cᵢ) × (17 − i) over the first 15
/// characters, and the 16th must be the character of 36 − ((S − 1) mod 37). A check value of 36 would be `-`,
/// which is not allowed, so no code with that sum is valid.
///
/// ```swift
/// let biddingZone = try EIC("10Y1001A1001A82H")   // DE-LU
/// ```
public struct EIC: Hashable, Sendable, CustomStringConvertible, Codable, ValidatedIdentifier {
    private let storage: ASCIIStorage

    /// Validates an EIC.
    ///
    /// - Parameter string: The 16-character code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidEIC``.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates an EIC from its UTF-8 bytes without allocating.
    ///
    /// - Parameter bytes: The 16 bytes of the code.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidEIC``.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<EIC, ValidationIssue> { validate(bytes) }

    /// The code.
    public var description: String { storage.string }

    static let issueCode = ValidationIssue.Code.invalidEIC
    static let noun = "an EIC"

    init(validated bytes: UnsafeBufferPointer<UInt8>) { storage = ASCIIStorage(bytes) }

    private static func value(_ byte: UInt8) -> Int? {
        if ASCII.isUpperAlphanumeric(byte) { return ASCII.base36(byte) }
        return byte == UInt8(ascii: "-") ? 36 : nil
    }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 16 else { return "an EIC has 16 characters" }
        var sum = 0
        for index in 0..<15 {
            guard let value = value(bytes[index]) else { return "expected characters 0-9, A-Z and -" }
            sum += value * (16 - index)
        }
        let check = 36 - (sum - 1) % 37
        guard check < 36 else { return "no valid check character exists for these 15 characters" }
        guard let last = value(bytes[15]), last == check else { return "the check character does not match" }
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
