import ETRMShared
import Foundation

/// The UTC offsets of one IANA zone over a range of instants, built once from Foundation's `TimeZone` and then
/// looked up per row with no `TimeZone` call: a per-day bucket gives the offset segment in effect at the start of
/// the day, and at most a step or two forward finds the segment of the instant.
///
/// The table follows the transitions that `TimeZone.nextDaylightSavingTimeTransition(after:)` reports (the
/// daylight-saving changes) plus the offset at the start of the range, which covers every zone rule of the
/// years the data spans as long as the zone does not change its standard offset inside the range.
struct ZoneOffsetTable: Sendable {
    /// The start (seconds since the epoch) of each offset segment; the first is the start of the table.
    let starts: [Int64]
    /// The offset from UTC, in seconds, of each segment.
    let offsets: [Int32]
    /// The first day (days since the epoch) the buckets cover.
    let firstDay: Int64
    /// For each day from `firstDay`, the index of the segment in effect at 00:00 UTC.
    let dayBuckets: [Int32]

    /// Builds the table for the instants `from ... through` (seconds since the epoch), with a day of margin.
    ///
    /// - Parameters:
    ///   - zone: The zone.
    ///   - from: The earliest instant, in seconds since the epoch.
    ///   - through: The latest instant, in seconds since the epoch.
    init(zone: TimeZone, from: Int64, through: Int64) {
        let firstDay = CivilCalendar.splitSeconds(min(from, through)).days - 1
        let lastDay = CivilCalendar.splitSeconds(max(from, through)).days + 1
        let start = firstDay * CivilCalendar.secondsPerDay
        let end = (lastDay + 1) * CivilCalendar.secondsPerDay
        var starts: [Int64] = [start]
        var offsets: [Int32] = [
            Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(start))))
        ]
        var cursor = Date(timeIntervalSince1970: TimeInterval(start))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Double(end)
        {
            let offset = Int32(zone.secondsFromGMT(for: next))
            let instant = Int64(next.timeIntervalSince1970.rounded(.down))
            if offset != offsets[offsets.count - 1] && instant > starts[starts.count - 1] {
                starts.append(instant)
                offsets.append(offset)
            }
            cursor = next
        }
        var buckets: [Int32] = []
        buckets.reserveCapacity(Int(lastDay - firstDay + 1))
        var segment = 0
        for day in firstDay...lastDay {
            let dayStart = day * CivilCalendar.secondsPerDay
            while segment + 1 < starts.count && starts[segment + 1] <= dayStart { segment += 1 }
            buckets.append(Int32(segment))
        }
        self.starts = starts
        self.offsets = offsets
        self.firstDay = firstDay
        self.dayBuckets = buckets
    }

    /// The UTC offset in seconds at an instant (clamped to the table's range).
    ///
    /// - Parameter second: Seconds since the epoch.
    /// - Returns: Seconds to add to UTC for local wall-clock time.
    @inline(__always)
    func offset(atSecond second: Int64) -> Int32 {
        let day = CivilCalendar.splitSeconds(second).days - firstDay
        let bucket = Int(min(max(day, 0), Int64(dayBuckets.count - 1)))
        var segment = Int(dayBuckets[bucket])
        while segment + 1 < starts.count && starts[segment + 1] <= second { segment += 1 }
        return offsets[segment]
    }

    /// Calls `body` with the table's arrays as buffers, for kernels that inline the lookup.
    func withUTF8Buffers<R>(
        _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) throws -> R
    ) rethrows -> R {
        try starts.withUnsafeBufferPointer { starts in
            try offsets.withUnsafeBufferPointer { offsets in
                try dayBuckets.withUnsafeBufferPointer { buckets in try body(starts, offsets, buckets) }
            }
        }
    }
}
