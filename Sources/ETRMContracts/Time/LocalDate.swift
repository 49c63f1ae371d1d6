import ETRMShared

/// A calendar date without a zone (proleptic Gregorian), such as a delivery day or a gas day.
///
/// ```swift
/// let day = try LocalDate(year: 2025, month: 3, day: 30)
/// let berlin = TimeZone(identifier: "Europe/Berlin")!
/// try DeliveryPeriod.deliveryDay(day, in: berlin).duration   // .seconds(82_800): 23 hours
/// ```
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The year, such as 2025.
    public let year: Int
    /// The month, `1...12`.
    public let month: Int
    /// The day of the month, `1...31`.
    public let day: Int

    /// Creates a date, checking that it exists.
    ///
    /// - Parameters:
    ///   - year: The year, `1...9999`.
    ///   - month: The month, `1...12`.
    ///   - day: The day of the month.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidTimestamp`` for a date that does not
    ///   exist (2025-02-29, month 13, day 0).
    public init(year: Int, month: Int, day: Int) throws(ValidationIssue) {
        guard (1...9999).contains(year), CivilCalendar.isValid(year: year, month: month, day: day) else {
            throw ValidationIssue(
                code: .invalidTimestamp,
                message: "the date does not exist",
                value: CivilDate(year: year, month: month, day: day).description
            )
        }
        self.init(unchecked: CivilDate(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// - Parameter string: The date, such as `"2025-10-26"`.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidTimestamp``.
    public init(_ string: String) throws(ValidationIssue) {
        let bytes = Array(string.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else {
            throw ValidationIssue(code: .invalidTimestamp, message: "expected a date YYYY-MM-DD", value: string)
        }
        try self.init(year: year, month: month, day: day)
    }

    init(unchecked civil: CivilDate) {
        year = civil.year
        month = civil.month
        day = civil.day
    }

    /// Days since 1970-01-01.
    var daysSinceEpoch: Int { CivilCalendar.days(fromYear: year, month: month, day: day) }

    /// The date `days` days later (earlier for a negative count).
    ///
    /// - Parameter days: The number of days to move.
    /// - Returns: The new date.
    public func adding(days: Int) -> LocalDate {
        LocalDate(unchecked: CivilDate(daysSinceEpoch: daysSinceEpoch + days))
    }

    /// The ISO weekday: 1 is Monday, 7 is Sunday.
    public var weekday: Int { CivilCalendar.isoWeekday(fromDays: daysSinceEpoch) }

    /// Whether the date is a Saturday or a Sunday.
    public var isWeekend: Bool { weekday >= 6 }

    /// `YYYY-MM-DD`.
    public var description: String { CivilDate(year: year, month: month, day: day).description }

    /// Calendar order.
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes `YYYY-MM-DD`.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for a bad date.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error)
            )
        }
    }

    /// Encodes `YYYY-MM-DD`.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
