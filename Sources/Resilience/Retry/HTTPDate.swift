import ETRMShared

/// The three HTTP-date formats of RFC 9110 §5.6.7, read at fixed offsets (each format has exact spacing):
///
/// ```
/// IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
/// RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
/// asctime      Sun Nov  6 08:49:37 1994
/// ```
struct HTTPDate {
    let value: RetryAfter.Value

    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// Parses `b` (the trimmed header bytes); `header` is for messages.
    init(_ b: [UInt8], header: some StringProtocol) throws(ResilienceError) {
        func fail(_ reason: String) -> ResilienceError { RetryAfter.invalid(header, reason) }
        func text(_ range: Range<Int>) -> String { String(decoding: b[range], as: UTF8.self) }
        func expect(_ characters: [(Int, Character)]) throws(ResilienceError) {
            for (index, character) in characters where b[index] != character.asciiValue {
                throw fail("character \(index + 1) should be '\(character)'")
            }
        }
        func number(_ range: Range<Int>, _ field: String, leadingSpace: Bool = false) throws(ResilienceError) -> Int {
            var value = 0
            for (offset, byte) in b[range].enumerated() {
                if leadingSpace, offset == 0, byte == 0x20 { continue }
                guard (0x30...0x39).contains(byte) else { throw fail("its \(field) is not a number") }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func month(_ range: Range<Int>) throws(ResilienceError) -> Int {
            guard let index = Self.monthNames.firstIndex(of: text(range)) else {
                throw fail("'\(text(range))' is not a month name")
            }
            return index + 1
        }
        /// `HH:MM:SS` at `start`, as the second of the day.
        func time(at start: Int) throws(ResilienceError) -> Int64 {
            try expect([(start + 2, ":"), (start + 5, ":")])
            let hour = try number(start..<start + 2, "hour")
            let minute = try number(start + 3..<start + 5, "minute")
            let second = try number(start + 6..<start + 8, "second")
            guard hour < 24, minute < 60, second <= 60 else { throw fail("its time of day is out of range") }
            return Int64(hour * 3600 + minute * 60 + second)
        }
        func instant(year: Int, month: Int, day: Int, secondOfDay: Int64) throws(ResilienceError) -> RetryAfter.Value {
            guard CivilCalendar.isValid(year: year, month: month, day: day) else {
                throw fail("\(year)-\(month)-\(day) is not a date")
            }
            let days = Int64(CivilCalendar.days(fromYear: year, month: month, day: day))
            return .date(unixSeconds: days * CivilCalendar.secondsPerDay + secondOfDay)
        }

        guard b.count >= 24 else { throw fail("it is neither delta-seconds nor an HTTP-date") }
        switch b[3] {
        case UInt8(ascii: ","):
            // Sun, 06 Nov 1994 08:49:37 GMT
            guard b.count == 29 else { throw fail("an IMF-fixdate has 29 characters") }
            guard Self.dayNames.contains(text(0..<3)) else { throw fail("'\(text(0..<3))' is not a day name") }
            try expect([(4, " "), (7, " "), (11, " "), (16, " "), (25, " ")])
            guard text(26..<29) == "GMT" else { throw fail("the zone must be GMT") }
            let day = try number(5..<7, "day")
            let month = try month(8..<11)
            let year = try number(12..<16, "year")
            value = try instant(year: year, month: month, day: day, secondOfDay: try time(at: 17))
        case UInt8(ascii: " "):
            // Sun Nov  6 08:49:37 1994
            guard b.count == 24 else { throw fail("an asctime date has 24 characters") }
            guard Self.dayNames.contains(text(0..<3)) else { throw fail("'\(text(0..<3))' is not a day name") }
            try expect([(7, " "), (10, " "), (19, " ")])
            let month = try month(4..<7)
            let day = try number(8..<10, "day", leadingSpace: true)
            let year = try number(20..<24, "year")
            value = try instant(year: year, month: month, day: day, secondOfDay: try time(at: 11))
        default:
            // Sunday, 06-Nov-94 08:49:37 GMT
            guard let comma = b.firstIndex(of: UInt8(ascii: ",")),
                let weekday = Self.longDayNames.firstIndex(of: text(0..<comma))
            else {
                throw fail("it does not start with a day name")
            }
            guard b.count == comma + 24 else { throw fail("an RFC 850 date has 24 characters after the day name") }
            let s = comma + 1
            try expect([(s, " "), (s + 3, "-"), (s + 7, "-"), (s + 10, " "), (s + 19, " ")])
            guard text(s + 20..<s + 23) == "GMT" else { throw fail("the zone must be GMT") }
            let day = try number(s + 1..<s + 3, "day")
            let month = try month(s + 4..<s + 7)
            let year = try number(s + 8..<s + 10, "year")
            let secondOfDay = try time(at: s + 11)
            // Valid in some century: 29 February needs a year divisible by 4 (2000 was a leap year).
            guard CivilCalendar.isValid(year: 2000 + year, month: month, day: day) else {
                throw fail("\(CivilCalendar.pad(year, 2))-\(month)-\(day) is not a date")
            }
            value = .twoDigitYearDate(
                yearInCentury: year, month: month, day: day, secondOfDay: secondOfDay, weekday: weekday)
        }
    }

    /// `unixSeconds` as an IMF-fixdate, the form a sender generates (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func imfFixdate(unixSeconds: Int64) -> String {
        let (days, secondOfDay) = CivilCalendar.splitSeconds(unixSeconds)
        let (year, month, day) = CivilCalendar.civil(fromDays: Int(days))
        let weekday = dayNames[CivilCalendar.isoWeekday(fromDays: Int(days)) - 1]
        return "\(weekday), \(CivilCalendar.pad(day, 2)) \(monthNames[month - 1]) \(CivilCalendar.pad(year, 4)) "
            + "\(clock(secondOfDay)) GMT"
    }

    /// An RFC 850 date as it was received: the day name, `DD-Mon-YY` and the time.
    static func rfc850(weekday: Int, yearInCentury: Int, month: Int, day: Int, secondOfDay: Int64) -> String {
        "\(longDayNames[weekday]), \(CivilCalendar.pad(day, 2))-\(monthNames[month - 1])-"
            + "\(CivilCalendar.pad(yearInCentury, 2)) \(clock(secondOfDay)) GMT"
    }

    /// `HH:MM:SS`; a leap second read as second 86 400 of its day prints as `23:59:60`.
    private static func clock(_ secondOfDay: Int64) -> String {
        let second = Int(min(secondOfDay, 86_399))
        return "\(CivilCalendar.pad(second / 3600, 2)):\(CivilCalendar.pad(second / 60 % 60, 2)):"
            + CivilCalendar.pad(secondOfDay >= 86_400 ? 60 : second % 60, 2)
    }
}
