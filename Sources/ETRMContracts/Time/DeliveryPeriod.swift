/// A half-open delivery interval `[start, end)` in UTC, with `end > start`.
///
/// Half-open intervals tile without overlap: the quarter hours of a day are `[00:00, 00:15)`, `[00:15, 00:30)`,
/// …, and the day itself is `[00:00, next 00:00)` however many hours it has. Zone-aware constructors
/// (``deliveryDay(_:in:)``, ``gasDay(_:in:)``, ``peak(on:in:)``) build periods from local dates.
public struct DeliveryPeriod: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The first instant of the period.
    public let start: UTCTimestamp
    /// The first instant after the period.
    public let end: UTCTimestamp

    /// Creates a period, checking that it is not empty.
    ///
    /// - Parameters:
    ///   - start: The first instant of the period.
    ///   - end: The first instant after the period.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/endBeforeStart`` when `end <= start`.
    public init(start: UTCTimestamp, end: UTCTimestamp) throws(ValidationIssue) {
        guard end > start else {
            throw ValidationIssue(
                code: .endBeforeStart,
                message: "the delivery end must be after its start (periods are half-open [start, end))",
                value: "\(start)/\(end)"
            )
        }
        self.init(unchecked: start, end: end)
    }

    init(unchecked start: UTCTimestamp, end: UTCTimestamp) {
        self.start = start
        self.end = end
    }

    /// The length of the period.
    public var duration: Duration { end - start }

    /// Whether `instant` lies in `[start, end)`.
    ///
    /// - Parameter instant: The instant to test.
    /// - Returns: `true` when `start <= instant < end`.
    public func contains(_ instant: UTCTimestamp) -> Bool { start <= instant && instant < end }

    /// Whether `other` lies entirely within this period.
    ///
    /// - Parameter other: The period to test.
    /// - Returns: `true` when `start <= other.start` and `other.end <= end`.
    public func contains(_ other: DeliveryPeriod) -> Bool { start <= other.start && other.end <= end }

    /// Whether the two periods share at least one instant (touching periods such as `[0, 1)` and `[1, 2)` do
    /// not overlap).
    ///
    /// - Parameter other: The other period.
    /// - Returns: `true` when they overlap.
    public func overlaps(_ other: DeliveryPeriod) -> Bool { start < other.end && other.start < end }

    /// `start/end` in RFC 3339 (the ISO 8601 interval form).
    public var description: String { "\(start.rfc3339String)/\(end.rfc3339String)" }

    private enum CodingKeys: String, CodingKey { case start, end }

    /// Decodes `{"start": "…", "end": "…"}` with RFC 3339 timestamps, checking `end > start`.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an empty or reversed period.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(UTCTimestamp.self, forKey: .start)
        let end = try container.decode(UTCTimestamp.self, forKey: .end)
        do {
            try self.init(start: start, end: end)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container, debugDescription: error.description)
        }
    }

    /// Encodes `{"start": "…", "end": "…"}`.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
    }
}

// MARK: - Market time units

extension DeliveryPeriod {
    /// Whether start and end both fall on boundaries of `unit`, counted in UTC from the epoch.
    ///
    /// UTC boundaries equal local boundaries in every zone whose offset is a multiple of the unit (all of
    /// Europe and North America for 15, 30 and 60 minutes; not India's +05:30 for 60 minutes).
    ///
    /// - Parameter unit: The market time unit.
    /// - Returns: `true` when the period is a whole number of aligned units.
    public func isAligned(to unit: MarketTimeUnit) -> Bool {
        Self.isBoundary(start, unit) && Self.isBoundary(end, unit)
    }

    /// The number of `unit`s in the period, if it is aligned to them.
    ///
    /// - Parameter unit: The market time unit.
    /// - Returns: The count, or `nil` if the period is not aligned.
    public func count(of unit: MarketTimeUnit) -> Int? {
        guard isAligned(to: unit) else { return nil }
        return Int((end.nanosecondsSinceEpoch - start.nanosecondsSinceEpoch) / unit.nanoseconds)
    }

    /// Splits the period into consecutive market time units.
    ///
    /// - Parameter unit: The market time unit.
    /// - Returns: The units, in order; they tile the period exactly.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidValue`` when the period is not
    ///   aligned to `unit`.
    public func split(into unit: MarketTimeUnit) throws(ValidationIssue) -> [DeliveryPeriod] {
        guard let count = count(of: unit) else {
            throw ValidationIssue(
                code: .invalidValue,
                message: "the period is not aligned to \(unit) market time units",
                value: description
            )
        }
        return (0..<count).map { index in
            let from = start.nanosecondsSinceEpoch + Int64(index) * unit.nanoseconds
            return DeliveryPeriod(
                unchecked: UTCTimestamp(nanosecondsSinceEpoch: from),
                end: UTCTimestamp(nanosecondsSinceEpoch: from + unit.nanoseconds)
            )
        }
    }

    private static func isBoundary(_ instant: UTCTimestamp, _ unit: MarketTimeUnit) -> Bool {
        instant.nanosecondsSinceEpoch % unit.nanoseconds == 0
    }
}
