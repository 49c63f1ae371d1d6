/// The side of a trade or order: `BUY` or `SELL`.
///
/// REMIT's one-letter spellings `B` and `S` are accepted too and mean the same value (its ``rawValue`` is then
/// `BUY` or `SELL`); lower case is rejected.
public struct Side: Hashable, Sendable, CustomStringConvertible, Codable, EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// Validates a side.
    ///
    /// - Parameter string: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a side from UTF-8 bytes without allocating.
    ///
    /// - Parameter bytes: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Side, ValidationIssue> { validate(bytes) }

    /// The wire spelling.
    public var description: String { rawValue }

    static let noun = "a side"

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

extension Side {
    /// Buy.
    public static let buy = Side(known: "BUY")
    /// Sell.
    public static let sell = Side(known: "SELL")

    /// Every accepted value.
    public static let all: [Side] = [.buy, .sell]
    static var known: [Side] { all }
    static let table = CodeTable<Side>(all, aliases: aliases)

    static let aliases: [(spelling: String, value: Side)] = [("B", .buy), ("S", .sell)]
}
