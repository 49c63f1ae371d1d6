import ETRMShared

// A strict RFC 3339 (section 5.6 `date-time`) parser and formatter over bytes, without any formatter object.
//
//     date-time = YYYY "-" MM "-" DD ("T" / "t") hh ":" mm ":" ss [ "." 1*9DIGIT ] ( "Z" / "z" / ("+" / "-") hh ":" mm )

extension UTCTimestamp {
    /// Parses an RFC 3339 `date-time` strictly and normalises it to UTC.
    ///
    /// Decisions, all tested:
    /// - A zone is required: `Z`, `z` or a numeric offset `±hh:mm`. A time without one could be UTC or local
    ///   (the seeds' CET-versus-UTC incident shifted a day of trades by an hour), so it is rejected with
    ///   ``ValidationIssue/Code/ambiguousTimezone``.
    /// - `-00:00` (RFC 3339's "UTC, local offset unknown") is accepted as UTC.
    /// - The date/time separator is `T` or `t`; a space (allowed by RFC 3339's note, used by SQL) is
    ///   rejected with ``ValidationIssue/Code/invalidTimestamp``, as are seconds-less times and offsets
    ///   without the colon (`+0100`).
    /// - Impossible dates and times are ``ValidationIssue/Code/invalidTimestamp``: month 0 or 13, day 0,
    ///   30 February, 29 February outside leap years, hour 24, minute 60, offsets beyond 23:59.
    /// - Leap seconds (`:60`) are rejected with ``ValidationIssue/Code/invalidTimestamp``: the type counts
    ///   POSIX seconds and cannot represent them, and neither REMIT nor the exchanges emit them.
    /// - The fraction has 1 to 9 digits and is exact to the nanosecond; a 10th digit is rejected with
    ///   ``ValidationIssue/Code/invalidTimestamp`` rather than silently truncated.
    /// - An instant outside the representable range (see ``UTCTimestamp``) is
    ///   ``ValidationIssue/Code/outOfRange``.
    ///
    /// - Parameter bytes: The UTF-8 bytes of the timestamp, without quotes.
    /// - Throws: ``ValidationIssue`` with an empty path and one of the codes above.
    /// - Complexity: O(n); no allocation for contiguous input.
    @inlinable
    public init(rfc3339 bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable { RFC3339.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { RFC3339.parse($0) }
        guard result.failure == .none else { throw RFC3339.issue(result.failure, input: Array(bytes)) }
        self.init(nanosecondsSinceEpoch: result.nanoseconds)
    }

    /// Parses an RFC 3339 `date-time` strictly; see ``init(rfc3339:)-(Collection<UInt8>)``.
    ///
    /// - Parameter string: The timestamp, such as `"2025-03-30T03:15:00+02:00"`.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/invalidTimestamp``,
    ///   ``ValidationIssue/Code/ambiguousTimezone`` or ``ValidationIssue/Code/outOfRange``.
    @inlinable
    public init(rfc3339 string: String) throws(ValidationIssue) {
        var string = string
        let result = string.withUTF8 { RFC3339.parse($0) }
        guard result.failure == .none else { throw RFC3339.issue(result.failure, input: Array(string.utf8)) }
        self.init(nanosecondsSinceEpoch: result.nanoseconds)
    }

    /// The instant in RFC 3339 form in UTC: `2025-03-30T01:15:00Z`, with a fraction only when it is not zero,
    /// of 3, 6 or 9 digits (the fewest that are exact).
    public var rfc3339String: String {
        let (seconds, nanoseconds) = Self.split(nanosecondsSinceEpoch)
        let (days, secondOfDay) = CivilCalendar.splitSeconds(seconds)
        let (year, month, day) = CivilCalendar.civil(fromDays: Int(days))
        let second = Int(secondOfDay)
        var fraction = Int(nanoseconds)
        var fractionDigits = 0
        if fraction != 0 {
            if fraction % 1_000_000 == 0 {
                fraction /= 1_000_000
                fractionDigits = 3
            } else if fraction % 1000 == 0 {
                fraction /= 1000
                fractionDigits = 6
            } else {
                fractionDigits = 9
            }
        }
        let length = 20 + (fractionDigits > 0 ? fractionDigits + 1 : 0)
        return String(unsafeUninitializedCapacity: length) { out in
            @inline(__always)
            func put(_ value: Int, _ width: Int, at position: Int) {
                var value = value
                for index in stride(from: position + width - 1, through: position, by: -1) {
                    out[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            out[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            out[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(second / 3600, 2, at: 11)
            out[13] = UInt8(ascii: ":")
            put(second / 60 % 60, 2, at: 14)
            out[16] = UInt8(ascii: ":")
            put(second % 60, 2, at: 17)
            var end = 19
            if fractionDigits > 0 {
                out[19] = UInt8(ascii: ".")
                put(fraction, fractionDigits, at: 20)
                end = 20 + fractionDigits
            }
            out[end] = UInt8(ascii: "Z")
            return end + 1
        }
    }
}

/// The byte-level RFC 3339 parser behind ``UTCTimestamp/init(rfc3339:)-(Collection<UInt8>)``.
@usableFromInline
enum RFC3339 {
    @usableFromInline
    enum Failure: UInt8 {
        case none, syntax, space, missingZone, zoneSyntax, month, day, hour, minute, leapSecond, second
        case offset, fractionTooLong, outOfRange
    }

    @usableFromInline
    struct Result {
        @usableFromInline var nanoseconds: Int64
        @usableFromInline var failure: Failure

        @inlinable
        init(_ nanoseconds: Int64, _ failure: Failure) {
            self.nanoseconds = nanoseconds
            self.failure = failure
        }
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> Int? {
        let value = byte &- UInt8(ascii: "0")
        return value < 10 ? Int(value) : nil
    }

    @inline(__always)
    private static func twoDigits(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard let high = digit(p[i]), let low = digit(p[i + 1]) else { return nil }
        return high * 10 + low
    }

    /// Parses `p` completely; see ``UTCTimestamp/init(rfc3339:)-(Collection<UInt8>)``.
    @usableFromInline
    static func parse(_ p: UnsafeBufferPointer<UInt8>) -> Result {
        let n = p.count
        guard n >= 19, let y1 = twoDigits(p, 0), let y2 = twoDigits(p, 2), p[4] == UInt8(ascii: "-"),
            let month = twoDigits(p, 5), p[7] == UInt8(ascii: "-"), let day = twoDigits(p, 8),
            let hour = twoDigits(p, 11), p[13] == UInt8(ascii: ":"), let minute = twoDigits(p, 14),
            p[16] == UInt8(ascii: ":"), let second = twoDigits(p, 17)
        else { return Result(0, .syntax) }
        let separator = p[10]
        if separator == UInt8(ascii: " ") { return Result(0, .space) }
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") else { return Result(0, .syntax) }
        let year = y1 * 100 + y2

        var i = 19
        var fraction: Int64 = 0
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < n, let d = digit(p[i]) {
                count += 1
                if count > 9 { return Result(0, .fractionTooLong) }
                fraction = fraction * 10 + Int64(d)
                i += 1
            }
            guard count > 0 else { return Result(0, .syntax) }
            for _ in count..<9 { fraction *= 10 }
        }
        guard i < n else { return Result(0, .missingZone) }
        var offsetSeconds = 0
        switch p[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard n - i == 6, let offsetHour = twoDigits(p, i + 1), p[i + 3] == UInt8(ascii: ":"),
                let offsetMinute = twoDigits(p, i + 4)
            else { return Result(0, .zoneSyntax) }
            guard offsetHour <= 23, offsetMinute <= 59 else { return Result(0, .offset) }
            offsetSeconds = offsetHour * 3600 + offsetMinute * 60
            if p[i] == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            i += 6
        default:
            return Result(0, .zoneSyntax)
        }
        guard i == n else { return Result(0, .zoneSyntax) }

        guard month >= 1 && month <= 12 else { return Result(0, .month) }
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return Result(0, .day) }
        guard hour <= 23 else { return Result(0, .hour) }
        guard minute <= 59 else { return Result(0, .minute) }
        if second == 60 { return Result(0, .leapSecond) }
        guard second <= 59 else { return Result(0, .second) }

        let days = Int64(CivilCalendar.days(fromYear: year, month: month, day: day))
        let seconds =
            days * CivilCalendar.secondsPerDay + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        // Before 1970 with a fraction, borrow a second so that the earliest instants do not overflow on the way.
        let borrow: Int64 = seconds < 0 && fraction > 0 ? 1 : 0
        let (whole, o1) = (seconds + borrow).multipliedReportingOverflow(by: CivilCalendar.nanosecondsPerSecond)
        let (total, o2) = whole.addingReportingOverflow(fraction - borrow * CivilCalendar.nanosecondsPerSecond)
        guard !(o1 || o2) else { return Result(0, .outOfRange) }
        return Result(total, .none)
    }

    /// The issue for a failed parse (the cold path).
    @usableFromInline
    static func issue(_ failure: Failure, input: [UInt8]) -> ValidationIssue {
        let value = String(decoding: input.prefix(ValidationIssue.maximumValueLength * 4), as: UTF8.self)
        let code: ValidationIssue.Code
        let message: String
        switch failure {
        case .missingZone:
            code = .ambiguousTimezone
            message =
                "the timestamp has no zone: it could be UTC or local time (the CET-versus-UTC incident); "
                + "append Z or an offset such as +01:00"
        case .outOfRange:
            code = .outOfRange
            message = "the instant is outside 1677-09-21...2262-04-11 (nanoseconds since 1970 in 64 bits)"
        case .none, .syntax:
            code = .invalidTimestamp
            message = "not an RFC 3339 date-time: expected YYYY-MM-DDThh:mm:ss[.fraction] and Z or ±hh:mm"
        case .space:
            code = .invalidTimestamp
            message = "a space separates date and time; RFC 3339 date-times here must use 'T'"
        case .zoneSyntax:
            code = .invalidTimestamp
            message = "the zone must be Z or a numeric offset ±hh:mm, and nothing may follow it"
        case .month:
            code = .invalidTimestamp
            message = "the month must be 01...12"
        case .day:
            code = .invalidTimestamp
            message = "the day does not exist in that month"
        case .hour:
            code = .invalidTimestamp
            message = "the hour must be 00...23"
        case .minute:
            code = .invalidTimestamp
            message = "the minute must be 00...59"
        case .leapSecond:
            code = .invalidTimestamp
            message = "leap seconds (:60) are not representable; the type counts POSIX seconds"
        case .second:
            code = .invalidTimestamp
            message = "the second must be 00...59"
        case .offset:
            code = .invalidTimestamp
            message = "the offset must be within ±23:59"
        case .fractionTooLong:
            code = .invalidTimestamp
            message = "more than 9 fraction digits: sub-nanosecond precision is not kept, and is not rounded"
        }
        return ValidationIssue(code: code, message: message, value: value)
    }
}
