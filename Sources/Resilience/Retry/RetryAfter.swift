import ETRMShared

/// A parsed HTTP `Retry-After` value (RFC 9110 §10.2.3): a number of seconds, or a date.
///
/// ```swift
/// let hint = try RetryAfter(parsing: "120")                              // 120 s
/// let date = try RetryAfter(parsing: "Wed, 21 Oct 2015 07:28:00 GMT")    // an instant
/// let wait = date.delay(nowUnixSeconds: nowSeconds)                      // never negative
/// ```
///
/// Accepted forms:
/// - `delta-seconds`: ASCII digits only, so `+5`, `-5`, `1.5` and `1 2` are refused. Values above 2³¹ are
///   read as 2³¹, as RFC 9111 asks of delta-seconds.
/// - The three HTTP-date formats, which RFC 9110 §5.6.7 requires a recipient to accept: the preferred
///   `IMF-fixdate` (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37
///   GMT`) and the obsolete asctime form (`Sun Nov  6 08:49:37 1994`), each with its exact spacing, English day
///   and month names as written, and `GMT` where the form has a zone. The day name must be a day name but is
///   not checked against the date; second 60 (a leap second) is read as the next second. An RFC 850 date's
///   two-digit year is read as the latest year with those digits that is not more than 50 years ahead of
///   the current time (RFC 9110), so it is resolved only by ``delay(nowUnixSeconds:)``.
///
/// Surrounding spaces and tabs are ignored. Parsing uses no `DateFormatter` and no locale. Every delay is
/// between zero and 2³¹ seconds (about 68 years), whatever the header and the current time.
public struct RetryAfter: Sendable, Hashable, CustomStringConvertible {
    enum Value: Sendable, Hashable {
        case seconds(Int64)
        case date(unixSeconds: Int64)
        /// An RFC 850 date: the year's last two digits, the month, the day and the second of the day.
        /// `weekday` indexes Monday...Sunday as received (kept so that ``headerValue`` gives the same field).
        case twoDigitYearDate(yearInCentury: Int, month: Int, day: Int, secondOfDay: Int64, weekday: Int)
    }
    let value: Value

    /// The largest delay, in seconds, a value yields (2³¹).
    static let maximumSeconds: Int64 = 1 << 31

    /// The delay in seconds when the header gave `delta-seconds`.
    public var delaySeconds: Int64? {
        if case .seconds(let seconds) = value { return seconds }
        return nil
    }

    /// The instant in seconds since 1970-01-01T00:00:00Z when the header gave a date with a four-digit year
    /// (IMF-fixdate or asctime); `nil` for delta-seconds and for an RFC 850 date, whose century depends on the
    /// current time (see ``delay(nowUnixSeconds:)``).
    public var unixSeconds: Int64? {
        if case .date(let seconds) = value { return seconds }
        return nil
    }

    /// Parses a header value.
    /// - Parameter header: The field value.
    /// - Throws: ``ResilienceError/Code/invalidRetryAfter`` naming what is wrong.
    public init(parsing header: some StringProtocol) throws(ResilienceError) {
        var bytes = Array(header.utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard !bytes.isEmpty else { throw Self.invalid(header, "it is empty") }
        if bytes.allSatisfy({ (0x30...0x39).contains($0) }) {
            var seconds: Int64 = 0
            for digit in bytes {
                seconds = min(seconds * 10 + Int64(digit - 0x30), Self.maximumSeconds)
            }
            value = .seconds(seconds)
        } else {
            value = try HTTPDate(Array(bytes), header: header).value
        }
    }

    /// The delta-seconds value a server sends for a wait: `delay` in whole seconds rounded up, at least 1 (a
    /// client told 0 retries at once) and at most 2³¹.
    ///
    /// ```swift
    /// RetryAfter(delay: .milliseconds(1500)).headerValue   // "2"
    /// ```
    ///
    /// - Parameter delay: The wait; zero and negative waits give 1 second.
    public init(delay: Duration) {
        let (seconds, attoseconds) = delay.components
        let rounded = attoseconds > 0 ? seconds &+ 1 : seconds
        value = .seconds(min(max(1, rounded), Self.maximumSeconds))
    }

    /// The field value, as a sender writes it: delta-seconds (`120`) or an IMF-fixdate
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`); a value parsed from an RFC 850 date keeps that form as received.
    public var headerValue: String {
        switch value {
        case .seconds(let seconds): String(seconds)
        case .date(let date): HTTPDate.imfFixdate(unixSeconds: date)
        case .twoDigitYearDate(let year, let month, let day, let second, let weekday):
            HTTPDate.rfc850(weekday: weekday, yearInCentury: year, month: month, day: day, secondOfDay: second)
        }
    }

    /// The wait the header asks for.
    /// - Parameter nowUnixSeconds: The current time in seconds since 1970 (used only for the date forms).
    /// - Returns: The delay: zero when the date is already past, at most 2³¹ seconds.
    public func delay(nowUnixSeconds: Int64) -> Duration {
        let seconds: Int64
        switch value {
        case .seconds(let delta):
            seconds = delta
        case .date(let date):
            seconds = Self.secondsUntil(date, now: nowUnixSeconds)
        case .twoDigitYearDate(let yearInCentury, let month, let day, let secondOfDay, _):
            let date = Self.resolve(
                yearInCentury: yearInCentury, month: month, day: day, secondOfDay: secondOfDay, now: nowUnixSeconds)
            seconds = Self.secondsUntil(date, now: nowUnixSeconds)
        }
        return .seconds(seconds)
    }

    public var description: String {
        switch value {
        case .seconds(let seconds): "Retry-After: \(seconds) s"
        case .date(let date): "Retry-After: \(date) (Unix seconds)"
        case .twoDigitYearDate(let year, let month, let day, let second, _):
            "Retry-After: \(CivilCalendar.pad(year, 2))-\(CivilCalendar.pad(month, 2))-\(CivilCalendar.pad(day, 2)) "
                + "+\(second) s (RFC 850, two-digit year)"
        }
    }

    /// `date - now`, clamped to `0...maximumSeconds` without overflowing for any `now`.
    private static func secondsUntil(_ date: Int64, now: Int64) -> Int64 {
        let (difference, overflow) = date.subtractingReportingOverflow(now)
        if overflow { return now < 0 ? maximumSeconds : 0 }
        return min(max(0, difference), maximumSeconds)
    }

    /// The RFC 850 date in the latest year with its two digits that is not more than 50 years after `now`'s
    /// (RFC 9110 §5.6.7). A 29 February that the resolved year lacks reads as 1 March.
    private static func resolve(yearInCentury: Int, month: Int, day: Int, secondOfDay: Int64, now: Int64) -> Int64 {
        // Years 1...9999 bound the arithmetic; a current time outside them resolves as at their edge.
        let clamped = min(max(now, -62_135_596_800), 253_402_300_799)
        let nowYear = CivilCalendar.civil(fromDays: Int(CivilCalendar.splitSeconds(clamped).days)).year
        // The latest year ending in `yearInCentury` that is at most 50 years ahead.
        let latest = nowYear + 50
        let year = latest - ((latest - yearInCentury) % 100 + 100) % 100
        let days = Int64(CivilCalendar.days(fromYear: year, month: month, day: day))
        return days * CivilCalendar.secondsPerDay + secondOfDay
    }

    static func invalid(_ header: some StringProtocol, _ reason: String) -> ResilienceError {
        ResilienceError(code: .invalidRetryAfter, message: "Retry-After value '\(header)' is invalid: \(reason)")
    }
}
