import ETRMShared

/// The zone's offsets per local day of the data's range, for a branch-free conversion: each day holds the offset
/// at its start (UTC day), the instant of the day's transition (or `Int64.max`) and the offset after it.
struct ZoneDayTable {
    /// Row-major triples: `[offsetBefore, transition, offsetAfter]` in nanoseconds, one triple per day.
    var entries: ContiguousArray<Int64>
    /// The first day's start in nanoseconds since the epoch.
    var base: Int64
    /// The number of days.
    var days: Int

    static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// The table, or `nil` when a day has more than one transition (a zone history no real data needs; the
    /// caller then uses the segment search) or the range does not fit in nanoseconds.
    init?(_ table: ZoneOffsetTable) {
        let dayCount = table.dayBuckets.count
        let (base, overflow) = table.firstDay.multipliedReportingOverflow(by: Self.nanosecondsPerDay)
        guard !overflow, dayCount > 0 else { return nil }
        var entries = ContiguousArray<Int64>(repeating: Int64.max, count: dayCount * 3)
        for day in 0..<dayCount {
            let segment = Int(table.dayBuckets[day])
            let dayEnd = (table.firstDay + Int64(day) + 1) * CivilCalendar.secondsPerDay
            entries[day * 3] = Int64(table.offsets[segment]) * 1_000_000_000
            entries[day * 3 + 2] = entries[day * 3]
            if segment + 1 < table.starts.count, table.starts[segment + 1] < dayEnd {
                if segment + 2 < table.starts.count, table.starts[segment + 2] < dayEnd { return nil }
                let (transition, overflow) = table.starts[segment + 1].multipliedReportingOverflow(by: 1_000_000_000)
                guard !overflow else { return nil }
                entries[day * 3 + 1] = transition
                entries[day * 3 + 2] = Int64(table.offsets[segment + 1]) * 1_000_000_000
            }
        }
        self.entries = entries
        self.base = base
        self.days = dayCount
    }

    /// Adds each value's offset: `target[i] = source[i] + offset(source[i])`. Values outside the table's days
    /// (only null placeholders can be) take the nearest day's offsets.
    func convert(_ source: UnsafeBufferPointer<Int64>, into target: UnsafeMutablePointer<Int64>) {
        entries.withUnsafeBufferPointer { entries in
            let last = UInt64(days - 1)
            let base = self.base
            for row in 0..<source.count {
                let value = source[row]
                let relative = UInt64(bitPattern: max(value &- base, 0))
                let day = Int(truncatingIfNeeded: min(relative / UInt64(Self.nanosecondsPerDay), last)) &* 3
                let offset = value >= entries[day &+ 1] ? entries[day &+ 2] : entries[day]
                target[row] = value &+ offset
            }
        }
    }
}
