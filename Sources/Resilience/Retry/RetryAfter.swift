import ETRMShared

/// A parsed HTTP `Retry-After` value (RFC 9110 §10.2.3): a number of seconds, or a date.
///
/// ```swift
/// let hint = try RetryAfter(parsing: "120")                              // 120 s
/// let date = try RetryAfter(parsing: "Wed, 21 Oct 2015 07:28:00 GMT")    // an instant
/// let wait = date.delay(nowUnixSeconds: nowSeconds)                      // never negative
/// ```
///
/// Accepted forms: `delta-seconds` (ASCII digits; values above 2³¹ are read as 2³¹, as RFC 9111 asks of
/// delta-seconds) and the preferred `IMF-fixdate` (`Sun, 06 Nov 1994 08:49:37 GMT`: exact spacing, English
/// day and month names as written, `GMT`). The day name must be a day name but is not checked against the
/// date. The obsolete RFC 850 and asctime forms are rejected. Surrounding spaces and tabs are ignored.
/// Parsing uses no `DateFormatter` and no locale.
public struct RetryAfter: Sendable, Hashable, CustomStringConvertible {
    enum Value: Sendable, Hashable {
        case seconds(Int64)
        case date(unixSeconds: Int64)
    }
    let value: Value

    /// The delay in seconds when the header gave `delta-seconds`.
    public var delaySeconds: Int64? {
        if case .seconds(let seconds) = value { return seconds }
        return nil
    }

    /// The instant in seconds since 1970-01-01T00:00:00Z when the header gave a date.
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
                seconds = min(seconds * 10 + Int64(digit - 0x30), 1 << 31)
            }
            value = .seconds(seconds)
        } else {
            value = .date(unixSeconds: try Self.parseIMFFixdate(bytes, header: header))
        }
    }

    /// The wait the header asks for.
    /// - Parameter nowUnixSeconds: The current time in seconds since 1970 (used only for the date form).
    /// - Returns: The delay, zero when the date is already past.
    public func delay(nowUnixSeconds: Int64) -> Duration {
        switch value {
        case .seconds(let seconds): .seconds(seconds)
        case .date(let date): .seconds(max(0, date - nowUnixSeconds))
        }
    }

    public var description: String {
        switch value {
        case .seconds(let seconds): "Retry-After: \(seconds) s"
        case .date(let date): "Retry-After: \(date) (Unix seconds)"
        }
    }

    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    private static func parseIMFFixdate(
        _ bytes: ArraySlice<UInt8>, header: some StringProtocol
    ) throws(ResilienceError)
        -> Int64
    {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        //  0123456789012345678901234567 8
        let b = Array(bytes)
        guard b.count == 29 else {
            throw invalid(header, "it is neither delta-seconds nor an IMF-fixdate (29 characters)")
        }
        func text(_ range: Range<Int>) -> String { String(decoding: b[range], as: UTF8.self) }
        func number(_ range: Range<Int>, _ field: String) throws(ResilienceError) -> Int {
            var value = 0
            for byte in b[range] {
                guard (0x30...0x39).contains(byte) else { throw invalid(header, "its \(field) is not a number") }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard dayNames.contains(text(0..<3)) else { throw invalid(header, "'\(text(0..<3))' is not a day name") }
        for (index, expected) in [
            (3, UInt8(ascii: ",")), (4, 0x20), (7, 0x20), (11, 0x20), (16, 0x20), (19, 0x3A), (22, 0x3A), (25, 0x20),
        ]
        where b[index] != expected {
            throw invalid(header, "character \(index + 1) should be '\(Character(Unicode.Scalar(expected)))'")
        }
        guard text(26..<29) == "GMT" else { throw invalid(header, "the zone must be GMT") }
        let day = try number(5..<7, "day")
        guard let monthIndex = monthNames.firstIndex(of: text(8..<11)) else {
            throw invalid(header, "'\(text(8..<11))' is not a month name")
        }
        let month = monthIndex + 1
        let year = try number(12..<16, "year")
        let hour = try number(17..<19, "hour")
        let minute = try number(20..<22, "minute")
        let second = try number(23..<25, "second")
        guard CivilCalendar.isValid(year: year, month: month, day: day) else {
            throw invalid(header, "\(year)-\(month)-\(day) is not a date")
        }
        // RFC 9110 allows second 60 (a leap second); it is read as the next second.
        guard hour < 24, minute < 60, second <= 60 else { throw invalid(header, "its time of day is out of range") }
        let days = Int64(CivilCalendar.days(fromYear: year, month: month, day: day))
        return days * CivilCalendar.secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func invalid(_ header: some StringProtocol, _ reason: String) -> ResilienceError {
        ResilienceError(code: .invalidRetryAfter, message: "Retry-After value '\(header)' is invalid: \(reason)")
    }
}
