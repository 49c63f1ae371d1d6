// Proleptic Gregorian calendar arithmetic on day numbers, after Howard Hinnant's `days_from_civil` /
// `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html). Branch-light and allocation-free, so
// it can run per row; zone rules are applied separately as UTC offsets.

/// A calendar date in the proleptic Gregorian calendar.
package struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var year: Int
    package var month: Int
    package var day: Int

    package init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it).
    package var daysSinceEpoch: Int { CivilCalendar.days(fromYear: year, month: month, day: day) }

    /// The date `daysSinceEpoch` days after 1970-01-01.
    package init(daysSinceEpoch: Int) {
        (year, month, day) = CivilCalendar.civil(fromDays: daysSinceEpoch)
    }

    package static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`.
    package var description: String {
        CivilCalendar.pad(year, 4) + "-" + CivilCalendar.pad(month, 2) + "-" + CivilCalendar.pad(day, 2)
    }
}

/// Calendar arithmetic shared by the timestamp parser, delivery periods and TradeFrame's derivations.
package enum CivilCalendar {
    package static let secondsPerDay: Int64 = 86_400
    package static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// Whether `year` is a Gregorian leap year.
    @inline(__always)
    package static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` (1...12) of `year`.
    @inline(__always)
    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Whether year, month and day name a real date.
    @inline(__always)
    package static func isValid(year: Int, month: Int, day: Int) -> Bool {
        month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    /// Days since 1970-01-01 of a civil date. The date need not be valid for the arithmetic to be defined.
    @inline(__always)
    package static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (days since 1970-01-01).
    @inline(__always)
    package static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    @inline(__always)
    package static func isoWeekday(fromDays days: Int) -> Int {
        let weekday = (days + 3) % 7  // 0 = Monday
        return (weekday < 0 ? weekday + 7 : weekday) + 1
    }

    /// Floor division of seconds into (days, second of day), correct for negative instants.
    @inline(__always)
    package static func splitSeconds(_ seconds: Int64) -> (days: Int64, secondOfDay: Int64) {
        var days = seconds / secondsPerDay
        var rest = seconds % secondsPerDay
        if rest < 0 {
            days -= 1
            rest += secondsPerDay
        }
        return (days, rest)
    }

    /// Zero-padded decimal of a non-negative number (negative years keep their sign).
    package static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
