import ETRMShared
import Foundation

// Local views of UTC instants. Zone rules come from Foundation's `TimeZone` (`secondsFromGMT(for:)`); no
// formatter or `Calendar` is created, so these can run per row.

extension UTCTimestamp {
    /// The local calendar date of the instant in `zone`: the delivery day it belongs to.
    ///
    /// - Parameter zone: The market's zone, such as `Europe/Berlin`.
    /// - Returns: The local date.
    public func localDate(in zone: TimeZone) -> LocalDate {
        LocalDate(unchecked: CivilDate(daysSinceEpoch: Int(ZoneArithmetic.local(self, zone).days)))
    }

    /// The gas day the instant belongs to: gas days run from 06:00 local time to 06:00 the next day, so an
    /// instant before 06:00 local belongs to the previous date's gas day.
    ///
    /// - Parameter zone: The market's zone.
    /// - Returns: The date naming the gas day.
    public func gasDay(in zone: TimeZone) -> LocalDate {
        let (days, secondOfDay) = ZoneArithmetic.local(self, zone)
        let day = secondOfDay < ZoneArithmetic.gasDayStartSecond ? days - 1 : days
        return LocalDate(unchecked: CivilDate(daysSinceEpoch: Int(day)))
    }

    /// Whether the instant is in EEX peak hours: 08:00 to 20:00 local time, Monday to Friday (public holidays
    /// are not excluded, as in EEX's peak definition).
    ///
    /// - Parameter zone: The market's zone.
    /// - Returns: `true` in peak hours, `false` off-peak.
    public func isPeak(in zone: TimeZone) -> Bool {
        let (days, secondOfDay) = ZoneArithmetic.local(self, zone)
        return CivilCalendar.isoWeekday(fromDays: Int(days)) <= 5
            && secondOfDay >= ZoneArithmetic.peakStartSecond && secondOfDay < ZoneArithmetic.peakEndSecond
    }
}

extension DeliveryPeriod {
    /// The delivery day of `date` in `zone`: local midnight to the next local midnight, in UTC.
    ///
    /// Around daylight-saving changes the day is 23 or 25 hours: Europe/Berlin 2025-03-30 is 23 h (92 quarter
    /// hours) and 2025-10-26 is 25 h (100 quarter hours).
    ///
    /// - Parameters:
    ///   - date: The local date.
    ///   - zone: The market's zone.
    /// - Returns: The UTC period of the local day.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/endBeforeStart`` for a day the zone
    ///   skipped (Pacific/Apia 2011-12-30): it has no instants, and a period's end is after its start.
    public static func deliveryDay(_ date: LocalDate, in zone: TimeZone) throws(ValidationIssue) -> DeliveryPeriod {
        try localSpan(from: date, second: 0, to: date.adding(days: 1), second: 0, in: zone)
    }

    /// The gas day named by `date`: 06:00 local time on `date` to 06:00 local time the next day (in
    /// Europe/Berlin 05:00Z to 05:00Z in winter, 04:00Z to 04:00Z in summer).
    ///
    /// - Parameters:
    ///   - date: The local date naming the gas day.
    ///   - zone: The market's zone.
    /// - Returns: The UTC period of the gas day.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/endBeforeStart`` when the zone skipped
    ///   the whole span (a period's end is after its start).
    public static func gasDay(_ date: LocalDate, in zone: TimeZone) throws(ValidationIssue) -> DeliveryPeriod {
        let start = ZoneArithmetic.gasDayStartSecond
        return try localSpan(from: date, second: start, to: date.adding(days: 1), second: start, in: zone)
    }

    /// The EEX peak period of `date`: 08:00 to 20:00 local time on Monday to Friday.
    ///
    /// - Parameters:
    ///   - date: The local date.
    ///   - zone: The market's zone.
    /// - Returns: The UTC period, or `nil` on a Saturday or Sunday.
    /// - Throws: ``ValidationIssue`` with code ``ValidationIssue/Code/endBeforeStart`` on a weekday the zone
    ///   skipped (a period's end is after its start).
    public static func peak(on date: LocalDate, in zone: TimeZone) throws(ValidationIssue) -> DeliveryPeriod? {
        guard !date.isWeekend else { return nil }
        return try localSpan(
            from: date, second: ZoneArithmetic.peakStartSecond,
            to: date, second: ZoneArithmetic.peakEndSecond, in: zone
        )
    }

    private static func localSpan(
        from startDate: LocalDate,
        second startSecond: Int64,
        to endDate: LocalDate,
        second endSecond: Int64,
        in zone: TimeZone
    ) throws(ValidationIssue) -> DeliveryPeriod {
        let start = ZoneArithmetic.instant(localDays: Int64(startDate.daysSinceEpoch), second: startSecond, zone)
        let end = ZoneArithmetic.instant(localDays: Int64(endDate.daysSinceEpoch), second: endSecond, zone)
        // A wall time the zone skipped resolves past the gap; if that carries the start into another local date
        // (Pacific/Apia skipped 2011-12-30 entirely), the date has no such span, however long the result.
        guard end > start, start.localDate(in: zone) == startDate else {
            throw ValidationIssue(
                code: .endBeforeStart,
                message: "\(startDate) has no such span in \(zone.identifier): the zone skipped that local time, "
                    + "and a period must start on its date and end after its start",
                value: "\(start)/\(end)")
        }
        return DeliveryPeriod(unchecked: start, end: end)
    }
}

/// Conversions between UTC instants and local wall-clock time through `TimeZone.secondsFromGMT(for:)`.
enum ZoneArithmetic {
    static let gasDayStartSecond: Int64 = 6 * 3600
    static let peakStartSecond: Int64 = 8 * 3600
    static let peakEndSecond: Int64 = 20 * 3600

    /// The UTC offset in seconds in force at `seconds` since the epoch.
    static func offset(atSeconds seconds: Int64, _ zone: TimeZone) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
    }

    /// The local day number and second of day of an instant.
    static func local(_ instant: UTCTimestamp, _ zone: TimeZone) -> (days: Int64, secondOfDay: Int64) {
        let seconds = instant.secondsSinceEpoch
        return CivilCalendar.splitSeconds(seconds + offset(atSeconds: seconds, zone))
    }

    /// The instant at which local wall-clock time reads `second` on day `localDays`.
    ///
    /// A wall time that occurs twice (the repeated hour of a long night) resolves to its first occurrence; a
    /// wall time that does not occur (the skipped hour) resolves to the instant the clocks jumped past it,
    /// shifted forward by the gap, as `Calendar` does.
    static func instant(localDays: Int64, second: Int64, _ zone: TimeZone) -> UTCTimestamp {
        let wall = localDays * CivilCalendar.secondsPerDay + second
        // Offsets a day either side bracket any single transition near the wall time.
        let before = offset(atSeconds: wall - CivilCalendar.secondsPerDay, zone)
        let after = offset(atSeconds: wall + CivilCalendar.secondsPerDay, zone)
        let candidates = [wall - before, wall - after].filter { offset(atSeconds: $0, zone) == wall - $0 }
        let seconds = candidates.min() ?? wall - before
        return UTCTimestamp(nanosecondsSinceEpoch: seconds * CivilCalendar.nanosecondsPerSecond)
    }
}
