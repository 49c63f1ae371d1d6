import ETRMContracts
import Foundation
import Testing

@Suite struct DeliveryPeriodTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    private func t(_ text: String) throws -> UTCTimestamp { try UTCTimestamp(rfc3339: text) }

    @Test func periodsAreHalfOpenAndNonEmpty() throws {
        let a = try DeliveryPeriod(start: t("2025-01-01T00:00:00Z"), end: t("2025-01-01T01:00:00Z"))
        let b = try DeliveryPeriod(start: t("2025-01-01T01:00:00Z"), end: t("2025-01-01T02:00:00Z"))
        #expect(a.duration == .seconds(3600))
        #expect(a.contains(try t("2025-01-01T00:00:00Z")))
        #expect(a.contains(try t("2025-01-01T00:59:59.999999999Z")))
        #expect(!a.contains(try t("2025-01-01T01:00:00Z")))
        #expect(!a.overlaps(b) && !b.overlaps(a))
        let c = try DeliveryPeriod(start: t("2025-01-01T00:30:00Z"), end: t("2025-01-01T01:30:00Z"))
        #expect(a.overlaps(c) && c.overlaps(b))
        #expect(try DeliveryPeriod(start: t("2025-01-01T00:00:00Z"), end: t("2025-01-01T02:00:00Z")).contains(b))
        #expect(!a.contains(c))
        #expect(a.description == "2025-01-01T00:00:00Z/2025-01-01T01:00:00Z")
    }

    @Test(arguments: [
        ("2025-01-01T01:00:00Z", "2025-01-01T00:00:00Z"), ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
    ])
    func endNotAfterStartIsRejected(start: String, end: String) throws {
        let from = try t(start)
        let to = try t(end)
        #expect {
            try DeliveryPeriod(start: from, end: to)
        } throws: { ($0 as? ValidationIssue)?.code == .endBeforeStart }
    }

    /// Zone, date, UTC start, UTC end, hours, quarter hours.
    static let days: [(String, String, String, String, Int, Int)] = [
        ("Europe/Berlin", "2025-03-30", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", 23, 92),
        ("Europe/Berlin", "2025-10-26", "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z", 25, 100),
        ("Europe/Berlin", "2025-06-15", "2025-06-14T22:00:00Z", "2025-06-15T22:00:00Z", 24, 96),
        ("Europe/Berlin", "2025-01-15", "2025-01-14T23:00:00Z", "2025-01-15T23:00:00Z", 24, 96),
        ("America/New_York", "2025-03-09", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z", 23, 92),
        ("America/New_York", "2025-11-02", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z", 25, 100),
        ("America/New_York", "2025-07-04", "2025-07-04T04:00:00Z", "2025-07-05T04:00:00Z", 24, 96),
        ("UTC", "2024-02-29", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", 24, 96),
    ]

    @Test(arguments: days)
    func deliveryDaysAcrossDaylightSaving(
        zone: String, date: String, start: String, end: String, hours: Int, quarterHours: Int
    ) throws {
        let tz = try #require(TimeZone(identifier: zone))
        let day = try DeliveryPeriod.deliveryDay(LocalDate(date), in: tz)
        #expect(day.start == (try t(start)))
        #expect(day.end == (try t(end)))
        #expect(day.duration == .seconds(hours * 3600))
        #expect(day.count(of: .quarterHour) == quarterHours)
        #expect(day.count(of: .hour) == hours)
        let units = try day.split(into: .quarterHour)
        #expect(units.count == quarterHours)
        #expect(units.first?.start == day.start && units.last?.end == day.end)
        #expect(zip(units, units.dropFirst()).allSatisfy { $0.end == $1.start })
        // Every instant of the day maps back to the same local date.
        #expect(day.start.localDate(in: tz) == (try LocalDate(date)))
        #expect((day.end - .nanoseconds(1)).localDate(in: tz) == (try LocalDate(date)))
        #expect(day.end.localDate(in: tz) == (try LocalDate(date)).adding(days: 1))
    }

    @Test func gasDayRunsFromSixToSixLocal() throws {
        let winter = try DeliveryPeriod.gasDay(LocalDate("2025-01-15"), in: Self.berlin)
        #expect(try winter.start == t("2025-01-15T05:00:00Z") && winter.end == t("2025-01-16T05:00:00Z"))
        let summer = try DeliveryPeriod.gasDay(LocalDate("2025-07-15"), in: Self.berlin)
        #expect(try summer.start == t("2025-07-15T04:00:00Z") && summer.end == t("2025-07-16T04:00:00Z"))
        // The gas day containing the spring change is 23 hours: 05:00Z to 04:00Z.
        let short = try DeliveryPeriod.gasDay(LocalDate("2025-03-29"), in: Self.berlin)
        #expect(try short.start == t("2025-03-29T05:00:00Z") && short.duration == .seconds(23 * 3600))
        // 05:59 local belongs to the previous gas day; 06:00 local starts the new one.
        #expect(try t("2025-01-15T04:59:59Z").gasDay(in: Self.berlin) == (try LocalDate("2025-01-14")))
        #expect(try t("2025-01-15T05:00:00Z").gasDay(in: Self.berlin) == (try LocalDate("2025-01-15")))
        #expect(try t("2025-07-15T03:59:59Z").gasDay(in: Self.berlin) == (try LocalDate("2025-07-14")))
    }

    @Test func peakIsEightToTwentyLocalOnWeekdays() throws {
        // 2025-03-28 is a Friday, 2025-03-29 a Saturday.
        let friday = try #require(try DeliveryPeriod.peak(on: LocalDate("2025-03-28"), in: Self.berlin))
        #expect(try friday.start == t("2025-03-28T07:00:00Z") && friday.end == t("2025-03-28T19:00:00Z"))
        #expect(try DeliveryPeriod.peak(on: LocalDate("2025-03-29"), in: Self.berlin) == nil)
        let summer = try #require(try DeliveryPeriod.peak(on: LocalDate("2025-07-01"), in: Self.berlin))
        #expect(summer.start == (try t("2025-07-01T06:00:00Z")))
        #expect(try t("2025-03-28T07:00:00Z").isPeak(in: Self.berlin))
        #expect(try !t("2025-03-28T06:59:59Z").isPeak(in: Self.berlin))
        #expect(try !t("2025-03-28T19:00:00Z").isPeak(in: Self.berlin))
        #expect(try !t("2025-03-29T12:00:00Z").isPeak(in: Self.berlin))
        #expect(try t("2025-11-03T13:00:00Z").isPeak(in: Self.newYork))  // 08:00 EST, Monday
        #expect(try !t("2025-11-03T12:59:00Z").isPeak(in: Self.newYork))
    }

    @Test func localDatesOfInstants() throws {
        #expect(try t("2025-03-29T23:30:00Z").localDate(in: Self.berlin) == (try LocalDate("2025-03-30")))
        #expect(try t("2025-03-30T03:59:00Z").localDate(in: Self.newYork) == (try LocalDate("2025-03-29")))
        #expect(try LocalDate("2025-03-30").weekday == 7)
        #expect(try LocalDate("2025-03-31").weekday == 1)
    }

    @Test func marketTimeUnitAlignment() throws {
        let aligned = try DeliveryPeriod(start: t("2025-01-01T10:15:00Z"), end: t("2025-01-01T11:00:00Z"))
        #expect(aligned.isAligned(to: .quarterHour) && !aligned.isAligned(to: .halfHour))
        #expect(
            try aligned.split(into: .quarterHour).map(\.start.rfc3339String)
                == ["2025-01-01T10:15:00Z", "2025-01-01T10:30:00Z", "2025-01-01T10:45:00Z"])
        #expect { try aligned.split(into: .hour) } throws: { ($0 as? ValidationIssue)?.code == .invalidValue }
        let odd = try DeliveryPeriod(start: t("2025-01-01T10:07:00Z"), end: t("2025-01-01T11:00:00Z"))
        #expect(odd.count(of: .quarterHour) == nil)
        #expect(try MarketTimeUnit(minutes: 5).minutes == 5)
        #expect(throws: ValidationIssue.self) { try MarketTimeUnit(minutes: 7) }
        #expect(throws: ValidationIssue.self) { try MarketTimeUnit(minutes: 0) }
    }

    @Test(arguments: ["2025-02-29", "2025-13-01", "2025-00-01", "2025-01-32", "2025-1-01", "20250101", ""])
    func invalidLocalDates(text: String) {
        #expect { try LocalDate(text) } throws: { ($0 as? ValidationIssue)?.code == .invalidTimestamp }
    }

    @Test func periodCodableChecksOrder() throws {
        let json = #"{"start":"2025-01-01T00:00:00+01:00","end":"2025-01-01T00:15:00+01:00"}"#
        let period = try JSONDecoder().decode(DeliveryPeriod.self, from: Data(json.utf8))
        #expect(period.start == (try t("2024-12-31T23:00:00Z")))
        let reversed = #"{"start":"2025-01-01T01:00:00Z","end":"2025-01-01T00:00:00Z"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DeliveryPeriod.self, from: Data(reversed.utf8)) }
        let encoded = try JSONEncoder().encode(period)
        #expect(try JSONDecoder().decode(DeliveryPeriod.self, from: encoded) == period)
    }

    /// Pacific/Apia moved across the date line and skipped 2011-12-30: the day has no instants, and every
    /// constructor of a period from local times refuses it instead of returning an empty period.
    @Test func aDayTheZoneSkippedHasNoDeliveryPeriod() throws {
        let apia = try #require(TimeZone(identifier: "Pacific/Apia"))
        let skipped = try LocalDate("2011-12-30")
        #expect(skipped.weekday == 5)  // a Friday, so peak(on:) is asked too
        let constructors: [(String, () throws(ValidationIssue) -> DeliveryPeriod?)] = [
            ("deliveryDay", { () throws(ValidationIssue) in try DeliveryPeriod.deliveryDay(skipped, in: apia) }),
            ("gasDay", { () throws(ValidationIssue) in try DeliveryPeriod.gasDay(skipped, in: apia) }),
            ("peak", { () throws(ValidationIssue) in try DeliveryPeriod.peak(on: skipped, in: apia) }),
        ]
        for (name, make) in constructors {
            do {
                let period = try make()
                Issue.record("\(name) gave \(String(describing: period)) for a day the zone skipped")
            } catch {
                #expect(error.code == .endBeforeStart, "\(name)")
                #expect(error.message.contains("Pacific/Apia"), "\(name)")
            }
        }
        // The days either side are real, 24 hours each, and meet where the skipped day would have been.
        let before = try DeliveryPeriod.deliveryDay(LocalDate("2011-12-29"), in: apia)
        let after = try DeliveryPeriod.deliveryDay(LocalDate("2011-12-31"), in: apia)
        #expect(before.duration == .seconds(86_400) && after.duration == .seconds(86_400))
        #expect(before.end == after.start)
    }
}
