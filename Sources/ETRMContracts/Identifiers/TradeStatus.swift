/// The life-cycle status of a trade: `CONFIRMED`, `PENDING`, `CANCELLED` or `AMENDED`.
public struct TradeStatus: Hashable, Sendable, CustomStringConvertible, Codable, EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// Validates a trade status.
    ///
    /// - Parameter string: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a trade status from UTF-8 bytes without allocating.
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
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<TradeStatus, ValidationIssue> { validate(bytes) }

    /// The wire spelling.
    public var description: String { rawValue }

    static let noun = "a trade status"

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

extension TradeStatus {
    /// Confirmed by both parties.
    public static let confirmed = TradeStatus(known: "CONFIRMED")
    /// Awaiting confirmation.
    public static let pending = TradeStatus(known: "PENDING")
    /// Cancelled.
    public static let cancelled = TradeStatus(known: "CANCELLED")
    /// Amended after confirmation.
    public static let amended = TradeStatus(known: "AMENDED")

    /// Every accepted value.
    public static let all: [TradeStatus] = [.confirmed, .pending, .cancelled, .amended]
    static var known: [TradeStatus] { all }
    static let table = CodeTable<TradeStatus>(all, aliases: aliases)
}
