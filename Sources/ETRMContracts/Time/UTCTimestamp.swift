import Foundation

/// An instant in UTC with nanosecond precision: nanoseconds since 1970-01-01T00:00:00Z.
///
/// The range is that of `Int64` nanoseconds: 1677-09-21T00:12:43.145224192Z through
/// 2262-04-11T23:47:16.854775807Z. Leap seconds are not counted (POSIX time), so every day has 86 400 s.
///
/// `+` and `-` with a `Duration` trap when the result leaves that range; they are for durations the program
/// chooses. ``advanced(by:)`` is their throwing form for durations that come from data. Nothing else here
/// traps: parsing and conversion from `Date` or seconds throw.
///
/// Parse one with ``init(rfc3339:)-(String)``, which insists on a zone; format it with ``rfc3339String``.
///
/// ```swift
/// let t = try UTCTimestamp(rfc3339: "2025-03-30T03:15:00+02:00")
/// t.rfc3339String   // "2025-03-30T01:15:00Z"
/// ```
public struct UTCTimestamp: Sendable, Hashable, Comparable {
    /// Nanoseconds since 1970-01-01T00:00:00Z; negative before it.
    public let nanosecondsSinceEpoch: Int64

    /// The earliest representable instant, 1677-09-21T00:12:43.145224192Z.
    public static let min = UTCTimestamp(nanosecondsSinceEpoch: .min)
    /// The latest representable instant, 2262-04-11T23:47:16.854775807Z.
    public static let max = UTCTimestamp(nanosecondsSinceEpoch: .max)

    /// Creates an instant from nanoseconds since the Unix epoch.
    ///
    /// - Parameter nanosecondsSinceEpoch: Nanoseconds since 1970-01-01T00:00:00Z.
    @inlinable
    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// Creates an instant from whole seconds since the Unix epoch.
    ///
    /// - Parameter secondsSinceEpoch: Seconds since 1970-01-01T00:00:00Z.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` outside the representable range.
    public init(secondsSinceEpoch: Int64) throws(ValidationIssue) {
        let (nanoseconds, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { throw Self.outOfRange(String(secondsSinceEpoch)) }
        self.init(nanosecondsSinceEpoch: nanoseconds)
    }

    /// Whole seconds since the epoch, rounded toward negative infinity.
    public var secondsSinceEpoch: Int64 {
        let (seconds, _) = Self.split(nanosecondsSinceEpoch)
        return seconds
    }

    /// The nanoseconds within the second, `0..<1_000_000_000`.
    public var nanosecondOfSecond: Int64 {
        let (_, nanoseconds) = Self.split(nanosecondsSinceEpoch)
        return nanoseconds
    }

    /// Chronological order.
    @inlinable
    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Floor division of nanoseconds into seconds and nanoseconds within the second.
    static func split(_ nanoseconds: Int64) -> (seconds: Int64, nanoseconds: Int64) {
        var seconds = nanoseconds / 1_000_000_000
        var rest = nanoseconds % 1_000_000_000
        if rest < 0 {
            seconds -= 1
            rest += 1_000_000_000
        }
        return (seconds, rest)
    }

    static func outOfRange(_ value: String) -> ValidationIssue {
        ValidationIssue(
            code: .outOfRange,
            message: "the instant is outside 1677-09-21T00:12:43.145224192Z...2262-04-11T23:47:16.854775807Z",
            value: value
        )
    }
}

// MARK: - Durations

extension UTCTimestamp {
    /// The instant `duration` later (earlier for a negative duration), truncated to whole nanoseconds.
    ///
    /// For durations a program chooses; see ``advanced(by:)`` for a checked form.
    ///
    /// - Precondition: The result is within the representable range.
    public static func + (lhs: UTCTimestamp, rhs: Duration) -> UTCTimestamp {
        do {
            return try lhs.advanced(by: rhs)
        } catch {
            preconditionFailure("UTCTimestamp + Duration overflowed: \(error)")
        }
    }

    /// The instant `duration` earlier, truncated to whole nanoseconds.
    ///
    /// - Precondition: The result is within the representable range.
    public static func - (lhs: UTCTimestamp, rhs: Duration) -> UTCTimestamp {
        lhs + (.zero - rhs)
    }

    /// The duration from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Duration {
        .nanoseconds(lhs.nanosecondsSinceEpoch) - .nanoseconds(rhs.nanosecondsSinceEpoch)
    }

    /// The instant `duration` later, checked.
    ///
    /// - Parameter duration: The time to add; sub-nanosecond parts are truncated toward zero.
    /// - Returns: The later (or, for a negative duration, earlier) instant.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` when the result is outside
    ///   the representable range.
    public func advanced(by duration: Duration) throws(ValidationIssue) -> UTCTimestamp {
        let (seconds, attoseconds) = duration.components
        let (whole, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (delta, o2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        let (result, o3) = nanosecondsSinceEpoch.addingReportingOverflow(delta)
        guard !(o1 || o2 || o3) else { throw Self.outOfRange("\(self) + \(duration)") }
        return UTCTimestamp(nanosecondsSinceEpoch: result)
    }
}

// MARK: - Foundation.Date

extension UTCTimestamp {
    /// The same instant as a Foundation `Date` (a `Double` of seconds, so precision near the present is
    /// about a quarter of a microsecond).
    public var date: Date {
        let (seconds, nanoseconds) = Self.split(nanosecondsSinceEpoch)
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    /// The instant of a Foundation `Date`, rounded to the nearest nanosecond of its `Double` value.
    ///
    /// - Parameter date: The date.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/outOfRange`` for a date outside the
    ///   representable range (or not finite).
    public init(_ date: Date) throws(ValidationIssue) {
        let interval = date.timeIntervalSince1970
        let seconds = interval.rounded(.down)
        guard seconds.isFinite, seconds >= -9_223_372_037, seconds <= 9_223_372_036 else {
            throw Self.outOfRange(String(interval))
        }
        let nanoseconds = Int64(((interval - seconds) * 1e9).rounded())
        // Borrow a second when there is a fraction so that the earliest instants do not overflow on the way.
        let borrow: Int64 = nanoseconds > 0 ? 1 : 0
        let (whole, o1) = (Int64(seconds) + borrow).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = whole.addingReportingOverflow(nanoseconds - borrow * 1_000_000_000)
        guard !(o1 || o2) else { throw Self.outOfRange(String(interval)) }
        self.init(nanosecondsSinceEpoch: total)
    }
}

// MARK: - Text

extension UTCTimestamp: CustomStringConvertible, Codable {
    /// The ``rfc3339String``.
    public var description: String { rfc3339String }

    /// Decodes an RFC 3339 string with ``init(rfc3339:)-(String)``.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for a bad timestamp.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(rfc3339: text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error)
            )
        }
    }

    /// Encodes the ``rfc3339String``.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339String)
    }
}
