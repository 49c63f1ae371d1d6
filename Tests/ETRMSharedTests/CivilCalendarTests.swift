import ETRMShared
import Foundation
import Testing

@Suite struct CivilCalendarTests {
    @Test(arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (2000, 3, 1, 11_017), (2024, 2, 29, 19_782), (2262, 4, 11, 106_751),
        (1677, 9, 21, -106_752),
    ])
    func knownDayNumbers(year: Int, month: Int, day: Int, days: Int) {
        #expect(CivilCalendar.days(fromYear: year, month: month, day: day) == days)
        let civil = CivilCalendar.civil(fromDays: days)
        #expect(civil.year == year && civil.month == month && civil.day == day)
    }

    /// Every day from 1900 to 2100 agrees with Foundation's Gregorian calendar in UTC.
    @Test func agreesWithFoundationForTwoCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let start = CivilCalendar.days(fromYear: 1900, month: 1, day: 1)
        let end = CivilCalendar.days(fromYear: 2100, month: 12, day: 31)
        var mismatches = 0
        for days in stride(from: start, through: end, by: 1) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let civil = CivilCalendar.civil(fromDays: days)
            // Foundation: 1 = Sunday … 7 = Saturday; ISO: 1 = Monday … 7 = Sunday.
            let isoFromFoundation = (parts.weekday! + 5) % 7 + 1
            if civil.year != parts.year || civil.month != parts.month || civil.day != parts.day
                || CivilCalendar.isoWeekday(fromDays: days) != isoFromFoundation
            {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [
        (2024, 2, 29, true), (2025, 2, 29, false), (1900, 2, 29, false), (2000, 2, 29, true), (2025, 13, 1, false),
        (2025, 0, 1, false), (2025, 4, 31, false), (2025, 12, 31, true), (2025, 6, 0, false),
    ])
    func validity(year: Int, month: Int, day: Int, valid: Bool) {
        #expect(CivilCalendar.isValid(year: year, month: month, day: day) == valid)
    }

    @Test func splitsNegativeSecondsByFloor() {
        #expect(CivilCalendar.splitSeconds(-1) == (-1, 86_399))
        #expect(CivilCalendar.splitSeconds(86_400) == (1, 0))
        #expect(CivilDate(daysSinceEpoch: 19_782).description == "2024-02-29")
    }
}
