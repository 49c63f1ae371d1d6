import ETRMShared

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Local-time views of a ``TimestampColumn`` in one IANA zone, derived in one vectorised pass.
///
/// The zone's UTC offsets over the column's range are read from `TimeZone` once; each row is then a table
/// lookup, so a 23-hour or 25-hour daylight-saving day comes out right with no per-row `TimeZone` call.
public struct LocalCalendar: Sendable {
    /// Local wall-clock time, stored as nanoseconds since 1970-01-01T00:00 *local* (the UTC instant plus the
    /// offset); printed with a `Z` it reads as the local clock.
    public let localTime: TimestampColumn
    /// The offset from UTC in seconds at each instant (`3600` for CET, `7200` for CEST).
    public let utcOffsetSeconds: Column<Int32>
    /// The local delivery date, `YYYY-MM-DD`, as a categorical in date order.
    public let localDate: CategoricalColumn
    /// The settlement cycle, the local `YYYY-MM`, as a categorical in month order.
    public let settlementCycle: CategoricalColumn
    /// Hour ending: the local hour plus one, 1 through 24 (the repeated hour of a 25-hour day shows twice).
    public let hourEnding: Column<Int32>
    /// ISO weekday of the local date: 1 Monday … 7 Sunday.
    public let weekday: Column<Int32>
    /// Whether the instant falls in peak hours (by default EEX: 08:00–20:00 local, Monday to Friday).
    public let isPeak: Column<Bool>

    /// Peak hours: a local hour range on some weekdays.
    public struct PeakHours: Sendable, Hashable {
        /// The first peak hour (local, 0–23).
        public var firstHour: Int
        /// The hour peak ends (exclusive).
        public var endHour: Int
        /// ISO weekdays that have peak hours (1 Monday … 7 Sunday).
        public var weekdays: Set<Int>

        /// Creates a peak definition.
        ///
        /// - Parameters:
        ///   - firstHour: The first peak hour.
        ///   - endHour: The hour peak ends (exclusive).
        ///   - weekdays: ISO weekdays with peak hours.
        public init(firstHour: Int, endHour: Int, weekdays: Set<Int>) {
            self.firstHour = firstHour
            self.endHour = endHour
            self.weekdays = weekdays
        }

        /// EEX peak: 08:00–20:00 local, Monday to Friday.
        public static let eex = PeakHours(firstHour: 8, endHour: 20, weekdays: [1, 2, 3, 4, 5])
    }
}

extension TimestampColumn {
    /// The zone's offset table covering this column's valid instants, or `nil` when every row is null.
    func zoneTable(_ zone: TimeZone) -> ZoneOffsetTable? {
        var low = Int64.max
        var high = Int64.min
        nanoseconds.withUnsafeValues { values in
            if let validity {
                for row in 0..<values.count where validity.isValid(row) {
                    low = min(low, values[row])
                    high = max(high, values[row])
                }
            } else {
                (low, high) = Self.range(values)
            }
        }
        guard low <= high else { return nil }
        return ZoneOffsetTable(zone: zone, from: Self.seconds(low), through: Self.seconds(high))
    }

    @inline(__always)
    /// The smallest and largest of `values` (`Int64.max`, `Int64.min` when empty), eight lanes at a time.
    static func range(_ values: UnsafeBufferPointer<Int64>) -> (Int64, Int64) {
        var low = SIMD8<Int64>(repeating: .max)
        var high = SIMD8<Int64>(repeating: .min)
        var row = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while row + 8 <= values.count {
                let lanes = raw.loadUnaligned(fromByteOffset: row * 8, as: SIMD8<Int64>.self)
                low = pointwiseMin(low, lanes)
                high = pointwiseMax(high, lanes)
                row += 8
            }
        }
        var (least, most) = (low.min(), high.max())
        while row < values.count {
            least = min(least, values[row])
            most = max(most, values[row])
            row += 1
        }
        return (least, most)
    }

    static func seconds(_ nanoseconds: Int64) -> Int64 {
        let seconds = nanoseconds / 1_000_000_000
        return nanoseconds % 1_000_000_000 < 0 ? seconds - 1 : seconds
    }

    /// Local wall-clock time in `zone`: each instant plus the zone's offset at that instant.
    ///
    /// - Parameter zone: An IANA zone such as `Europe/Berlin`.
    /// - Returns: Wall-clock nanoseconds since 1970-01-01T00:00 local, with the same nulls.
    /// - Complexity: One pass; the zone is consulted only to build the offset table.
    public func localWallClock(in zone: TimeZone) -> TimestampColumn {
        guard let table = zoneTable(zone) else { return self }
        let days = ZoneDayTable(table)
        let output = ContiguousArray<Int64>(filling: count) { target, initialized in
            FreshMemory.prepare(UnsafeMutableRawPointer(target.baseAddress), byteCount: count * 8)
            if let days, let base = target.baseAddress {
                nanoseconds.withUnsafeValues { days.convert($0, into: base) }
                initialized = count
                return
            }
            table.withUTF8Buffers { starts, offsets, buckets in
                nanoseconds.withUnsafeValues { values in
                    let firstDay = table.firstDay
                    let lastBucket = Int64(buckets.count - 1)
                    for row in 0..<values.count {
                        let value = values[row]
                        let second = Self.seconds(value)
                        let day = CivilCalendar.splitSeconds(second).days - firstDay
                        var segment = Int(buckets[Int(min(max(day, 0), lastBucket))])
                        while segment + 1 < starts.count && starts[segment + 1] <= second { segment += 1 }
                        target[row] = value &+ Int64(offsets[segment]) &* 1_000_000_000
                    }
                }
            }
            initialized = count
        }
        return TimestampColumn(nanoseconds: Column(storage: output, validity: validity))
    }

    /// Derives local time, offset, date, settlement cycle, hour ending, weekday and peak flag in `zone`.
    ///
    /// - Parameters:
    ///   - zone: An IANA zone such as `Europe/Berlin`.
    ///   - peak: The peak-hours definition; EEX by default.
    /// - Returns: The derived columns, each with this column's nulls.
    public func localCalendar(in zone: TimeZone, peak: LocalCalendar.PeakHours = .eex) -> LocalCalendar {
        let n = count
        var local = ContiguousArray<Int64>(repeating: 0, count: n)
        var offsets = ContiguousArray<Int32>(repeating: 0, count: n)
        var days = ContiguousArray<Int32>(repeating: 0, count: n)
        var months = ContiguousArray<Int32>(repeating: 0, count: n)
        var hours = ContiguousArray<Int32>(repeating: 0, count: n)
        var weekdays = ContiguousArray<Int32>(repeating: 0, count: n)
        var peaks = ContiguousArray<Bool>(repeating: false, count: n)
        var minDay = Int32.max
        var maxDay = Int32.min
        var minMonth = Int32.max
        var maxMonth = Int32.min
        var peakDays = [Bool](repeating: false, count: 8)
        for day in peak.weekdays where (1...7).contains(day) { peakDays[day] = true }
        if let table = zoneTable(zone) {
            for row in 0..<n where validity.valid(row) {
                let value = nanoseconds.value(at: row)
                let offset = table.offset(atSecond: Self.seconds(value))
                let wall = value &+ Int64(offset) &* 1_000_000_000
                let (day, secondOfDay) = CivilCalendar.splitSeconds(Self.seconds(wall))
                let (year, month, _) = CivilCalendar.civil(fromDays: Int(day))
                let hour = Int(secondOfDay / 3600)
                let weekday = CivilCalendar.isoWeekday(fromDays: Int(day))
                let monthIndex = Int32(year * 12 + month - 1)
                local[row] = wall
                offsets[row] = offset
                days[row] = Int32(day)
                months[row] = monthIndex
                hours[row] = Int32(hour + 1)
                weekdays[row] = Int32(weekday)
                peaks[row] = peakDays[weekday] && hour >= peak.firstHour && hour < peak.endHour
                minDay = min(minDay, Int32(day))
                maxDay = max(maxDay, Int32(day))
                minMonth = min(minMonth, monthIndex)
                maxMonth = max(maxMonth, monthIndex)
            }
        }
        let dates = Self.rangeCategorical(days, low: minDay, high: maxDay, validity: validity) { day in
            CivilDate(daysSinceEpoch: Int(day)).description
        }
        let cycles = Self.cycleCategorical(months, low: minMonth, high: maxMonth, validity: validity)
        return LocalCalendar(
            localTime: TimestampColumn(nanoseconds: Column(storage: local, validity: validity)),
            utcOffsetSeconds: Column(storage: offsets, validity: validity), localDate: dates,
            settlementCycle: cycles, hourEnding: Column(storage: hours, validity: validity),
            weekday: Column(storage: weekdays, validity: validity), isPeak: Column(storage: peaks, validity: validity))
    }

    /// The settlement cycle (`YYYY-MM` of the local date in `zone`) of each row: the
    /// ``LocalCalendar/settlementCycle`` column of ``localCalendar(in:peak:)`` without deriving the other six
    /// columns, so it holds 4 bytes a row beside the result instead of about 30.
    ///
    /// ```swift
    /// let starts = try trades.column("delivery_start", as: TimestampColumn.self)
    /// let cycles = starts.settlementCycles(in: TimeZone(identifier: "America/New_York")!)  // "2025-03", …
    /// ```
    ///
    /// - Parameter zone: An IANA zone such as `America/New_York`.
    /// - Returns: The cycles, with this column's nulls; the dictionary is every month from the first to the last
    ///   in order.
    public func settlementCycles(in zone: TimeZone) -> CategoricalColumn {
        let n = count
        guard let table = zoneTable(zone) else {
            return Self.cycleCategorical(
                ContiguousArray(repeating: 0, count: n), low: .max, high: .min, validity: validity)
        }
        // Two passes over the rows (the month range, then the codes at their final width), so that nothing wider
        // than the result is held: a month per row would be 4 bytes beside the 1 of the usual `UInt8` codes.
        var low = Int32.max
        var high = Int32.min
        for row in 0..<n where validity.valid(row) {
            let month = Self.monthIndex(nanoseconds.value(at: row), table)
            low = min(low, month)
            high = max(high, month)
        }
        guard low <= high else {
            return Self.cycleCategorical(
                ContiguousArray(repeating: 0, count: n), low: low, high: high, validity: validity)
        }
        let dictionary = StringColumn((low...high).map(Self.cycleLabel))
        let codes: CategoricalCodes
        if dictionary.count <= 256 {
            codes = .u8(cycleCodes(table, low: low))
        } else if dictionary.count <= 65_536 {
            codes = .u16(cycleCodes(table, low: low))
        } else {
            codes = .u32(cycleCodes(table, low: low))
        }
        return CategoricalColumn(dictionary: dictionary, codes: codes, validity: validity)
    }

    /// Each row's month index less `low` (0 for a null row), at the width `Code`.
    private func cycleCodes<Code: FixedWidthInteger>(_ table: ZoneOffsetTable, low: Int32) -> ContiguousArray<Code> {
        ContiguousArray(filling: count) { codes, initialized in
            for row in 0..<count {
                codes[row] =
                    validity.valid(row)
                    ? Code(truncatingIfNeeded: Self.monthIndex(nanoseconds.value(at: row), table) - low) : 0
            }
            initialized = count
        }
    }

    /// The month index (`year * 12 + month - 1`) of the local date of `value` in the zone of `table`.
    @inline(__always)
    private static func monthIndex(_ value: Int64, _ table: ZoneOffsetTable) -> Int32 {
        let wall = value &+ Int64(table.offset(atSecond: seconds(value))) &* 1_000_000_000
        let (day, _) = CivilCalendar.splitSeconds(seconds(wall))
        let (year, month, _) = CivilCalendar.civil(fromDays: Int(day))
        return Int32(year * 12 + month - 1)
    }

    /// `YYYY-MM` of a month index.
    private static func cycleLabel(_ index: Int32) -> String {
        CivilCalendar.pad(Int(index) / 12, 4) + "-" + CivilCalendar.pad(Int(index) % 12 + 1, 2)
    }

    /// Month indices (`year * 12 + month - 1`) as `YYYY-MM` categories.
    private static func cycleCategorical(
        _ months: ContiguousArray<Int32>, low: Int32, high: Int32, validity: ValidityBitmap?
    ) -> CategoricalColumn {
        rangeCategorical(months, low: low, high: high, validity: validity, label: cycleLabel)
    }

    /// A categorical whose dictionary is every value of `low...high` in order, coded by `value - low`.
    private static func rangeCategorical(
        _ values: ContiguousArray<Int32>, low: Int32, high: Int32, validity: ValidityBitmap?,
        label: (Int32) -> String
    ) -> CategoricalColumn {
        guard low <= high else {
            return CategoricalColumn(
                dictionary: StringColumn([String]()), wideCodes: ContiguousArray(repeating: 0, count: values.count),
                validity: validity)
        }
        let dictionary = StringColumn((low...high).map(label))
        var codes = ContiguousArray<UInt32>(repeating: 0, count: values.count)
        for row in 0..<values.count where validity.valid(row) { codes[row] = UInt32(values[row] - low) }
        return CategoricalColumn(dictionary: dictionary, wideCodes: codes, validity: validity)
    }
}

extension TradeFrame {
    /// Names of the columns ``addingLocalCalendar(from:in:names:peak:)`` adds; a `nil` name skips that column.
    public struct LocalCalendarNames: Sendable, Hashable {
        /// Local wall-clock time.
        public var localTime: String? = "local_time"
        /// Local date `YYYY-MM-DD`.
        public var localDate: String? = "local_date"
        /// Settlement cycle `YYYY-MM`.
        public var settlementCycle: String? = "settlement_cycle"
        /// Hour ending 1–24.
        public var hourEnding: String? = "hour_ending"
        /// ISO weekday 1–7.
        public var weekday: String? = "weekday"
        /// Peak flag.
        public var isPeak: String? = "is_peak"
        /// UTC offset in seconds.
        public var utcOffsetSeconds: String? = nil

        /// The default names.
        public init() {}
    }

    /// Adds local-time derivations of a timestamp column in an IANA zone.
    ///
    /// - Parameters:
    ///   - source: A ``TimestampColumn``'s name, such as `delivery_start`.
    ///   - zone: The market's zone.
    ///   - names: Names of the added columns.
    ///   - peak: The peak-hours definition.
    /// - Returns: The frame with the derived columns appended.
    /// - Throws: ``TradeFrameError`` when `source` is missing or not a timestamp column.
    public func addingLocalCalendar(
        from source: String, in zone: TimeZone, names: LocalCalendarNames = LocalCalendarNames(),
        peak: LocalCalendar.PeakHours = .eex
    ) throws(TradeFrameError) -> TradeFrame {
        let calendar = try column(source, as: TimestampColumn.self).localCalendar(in: zone, peak: peak)
        var frame = self
        let derived: [(String?, any ColumnProtocol)] = [
            (names.localTime, calendar.localTime), (names.utcOffsetSeconds, calendar.utcOffsetSeconds),
            (names.localDate, calendar.localDate), (names.settlementCycle, calendar.settlementCycle),
            (names.hourEnding, calendar.hourEnding), (names.weekday, calendar.weekday),
            (names.isPeak, calendar.isPeak),
        ]
        for case (let name?, let column) in derived { frame = try frame.adding(name, column) }
        return frame
    }
}
