/// The length of the market's smallest traded interval: 15 minutes in SDAC since 2025-10-01, 30 or 60 minutes
/// elsewhere.
public struct MarketTimeUnit: Hashable, Sendable, CustomStringConvertible {
    /// The length in minutes; a divisor of 1440 (a day).
    public let minutes: Int

    /// 15 minutes (a quarter hour).
    public static let quarterHour = MarketTimeUnit(unchecked: 15)
    /// 30 minutes.
    public static let halfHour = MarketTimeUnit(unchecked: 30)
    /// 60 minutes.
    public static let hour = MarketTimeUnit(unchecked: 60)

    /// Creates a market time unit.
    ///
    /// - Parameter minutes: The length in minutes; must divide a day (1440 minutes) evenly.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidValue`` otherwise.
    public init(minutes: Int) throws(ValidationIssue) {
        guard minutes > 0, 1440 % minutes == 0 else {
            throw ValidationIssue(
                code: .invalidValue,
                message: "a market time unit must divide a day evenly",
                value: String(minutes)
            )
        }
        self.init(unchecked: minutes)
    }

    private init(unchecked minutes: Int) { self.minutes = minutes }

    /// The length in nanoseconds.
    var nanoseconds: Int64 { Int64(minutes) * 60_000_000_000 }

    /// The length as a `Duration`.
    public var duration: Duration { .seconds(minutes * 60) }

    /// `"15 min"`.
    public var description: String { "\(minutes) min" }
}
