import ETRMShared
import Foundation
import Testing

@testable import TradeFrame

@Suite struct DowncastTests {
    @Test func pandasExampleReportsTheError() {
        let result = Column<Double>([1234.567, 0.5, nil]).downcast(within: .absolute(0.001))
        #expect(result.isDowncast)
        let narrow = result.column as? Column<Float>
        #expect(narrow?.values == [Float(1234.567), 0.5, nil])
        #expect(result.maximumError == abs(Double(Float(1234.567)) - 1234.567))
        #expect(result.maximumError > 0)
        #expect(result.reason == nil)
    }

    /// A column above the size whose output buffer is prepared with `madvise` converts every row like a small one.
    @Test func largeColumnConvertsEveryRow() throws {
        let rows = FreshMemory.threshold / 4 + 1000
        var random = SeededGenerator(seed: 3)
        let values = (0..<rows).map { _ in Double(Int.random(in: 0..<1_000_000, using: &random)) / 1000 }
        let result = Column<Double>(values).downcast(within: .absolute(0.001))
        let narrow = try #require(result.column as? Column<Float>)
        var mismatches = 0
        var largest = 0.0
        for row in 0..<rows {
            if narrow.value(at: row) != Float(values[row]) { mismatches += 1 }
            largest = max(largest, abs(Double(Float(values[row])) - values[row]))
        }
        #expect(mismatches == 0)
        #expect(result.maximumError == largest)
    }

    @Test func columnOverTheBoundStaysFloat64WithTheReason() {
        let column = Column<Double>([1234.567, 1.0])
        let result = column.downcast(within: .absolute(1e-6))
        #expect(!result.isDowncast)
        #expect(result.column as? Column<Double> == column)
        #expect(result.reason?.contains("exceeds") == true)
    }

    @Test func relativeBound() {
        let values = (0..<1000).map { Double($0) * 1.000001 - 400 }
        let result = Column<Double>(values).downcast(within: .relative(1e-7))
        let expected = values.map { $0 == 0 ? 0 : abs(Double(Float($0)) - $0) / abs($0) }.max()!
        #expect(result.isDowncast)
        #expect(result.maximumError == expected)
        #expect(!Column<Double>(values).downcast(within: .relative(expected / 2)).isDowncast)
    }

    @Test func outOfRangeValueRefuses() {
        let result = Column<Double>(repeatElement(1.0, count: 20) + [1e300]).downcast(within: .relative(0.5))
        #expect(!result.isDowncast)
        #expect(result.maximumError.isInfinite)
        #expect(result.reason?.contains("Float32 range") == true)
    }

    @Test func nanAndTailRowsAreHandled() {
        let values: [Double] = [.nan, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0.1]
        let result = Column<Double>(values).downcast(within: .absolute(1e-8))
        #expect(result.isDowncast)
        #expect((result.column as? Column<Float>)?[0]?.isNaN == true)
        #expect(result.maximumError == abs(Double(Float(0.1)) - 0.1))
    }

    @Test func frameDowncastKeepsColumnsThatExceed() throws {
        let frame = try TradeFrame([
            ("volume", Column<Double>([1.5, 2.25])), ("price", Column<Double>([45.123456789, 1])),
            ("id", StringColumn(["a", "b"])),
        ])
        let (result, reports) = try frame.downcastingFloat64(within: .absolute(1e-6))
        #expect(result["volume"]?.kind == .float32)
        #expect(result["price"]?.kind == .float64)
        #expect(reports.map(\.column) == ["volume", "price"])
        #expect(reports[1].result.reason != nil)
        #expect(throws: TradeFrameError.self) { try frame.downcastingFloat64(within: .absolute(1), columns: ["id"]) }
    }

    @Test func sums() {
        let values = (0..<1003).map { Float($0) * 0.5 }
        #expect(Column<Float>(values).sum() == values.reduce(0.0) { $0 + Double($1) })
        #expect(Column<Float>([1, nil, 2]).sum() == 3)
        #expect(Column<Double>([1, nil, 2.5]).sum() == 3.5)
    }
}

@Suite struct ZoneConversionTests {
    static let start = Int64(CivilCalendar.days(fromYear: 2024, month: 1, day: 1)) * 86_400
    static let end = Int64(CivilCalendar.days(fromYear: 2027, month: 1, day: 1)) * 86_400

    /// Random instants (nanosecond precision, many within a minute of a transition, some before 1970) and
    /// nulls, checked against `TimeZone.secondsFromGMT` one by one.
    @Test(arguments: ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"])
    func randomInstantsMatchFoundation(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var random = SeededGenerator(seed: 77)
        var transitions: [Int64] = []
        var cursor = Date(timeIntervalSince1970: -86_400 * 400)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < 1.9e9 {
            transitions.append(Int64(next.timeIntervalSince1970))
            cursor = next
        }
        let values: [Int64?] = (0..<20_000).map { row in
            if row % 50 == 0 { return nil }
            let near = transitions.isEmpty ? 0 : transitions[Int.random(in: 0..<transitions.count, using: &random)]
            let second =
                row % 2 == 0 && !transitions.isEmpty
                ? near + Int64.random(in: -60...60, using: &random)
                : Int64.random(in: -86_400 * 300...1_900_000_000, using: &random)
            return second * 1_000_000_000 + Int64.random(in: 0..<1_000_000_000, using: &random)
        }
        let local = TimestampColumn(values).localWallClock(in: zone)
        var mismatches = 0
        for (row, value) in values.enumerated() {
            guard let value else {
                #expect(local.nanoseconds[row] == nil)
                continue
            }
            let second = value >= 0 ? value / 1_000_000_000 : (value - 999_999_999) / 1_000_000_000
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second))))
            if local.nanoseconds[row] != value + offset * 1_000_000_000 { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: ["America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney"])
    func matchesFoundationOnEveryHourOf2024To2026(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let seconds = Array(stride(from: Self.start, to: Self.end, by: 3600))
        let column = TimestampColumn(seconds.map { $0 * 1_000_000_000 })
        let local = column.localWallClock(in: zone)
        let calendar = column.localCalendar(in: zone)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = zone
        var mismatches = 0
        for (row, second) in seconds.enumerated() {
            let date = Date(timeIntervalSince1970: TimeInterval(second))
            let offset = zone.secondsFromGMT(for: date)
            if local.nanoseconds[row] != (second + Int64(offset)) * 1_000_000_000 { mismatches += 1 }
            if calendar.utcOffsetSeconds[row] != Int32(offset) { mismatches += 1 }
            if row % 97 == 0 {
                let parts = gregorian.dateComponents([.year, .month, .day, .hour, .weekday], from: date)
                let expectedDate = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!).description
                #expect(calendar.localDate[row] == expectedDate)
                #expect(calendar.settlementCycle[row] == String(expectedDate.prefix(7)))
                #expect(calendar.hourEnding[row] == Int32(parts.hour! + 1))
                #expect(calendar.weekday[row] == Int32((parts.weekday! + 5) % 7 + 1))
            }
        }
        #expect(mismatches == 0)
    }

    @Test func berlinDaylightSavingDaysHave23And25Hours() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        // 2025-03-29 23:00Z .. 2025-03-30 22:00Z is the local day of 30 March: 23 hours.
        let spring = Int64(CivilCalendar.days(fromYear: 2025, month: 3, day: 29)) * 86_400 + 23 * 3600
        let hours = TimestampColumn((0..<24).map { (spring + Int64($0) * 3600) * 1_000_000_000 })
        let calendar = hours.localCalendar(in: zone)
        #expect((0..<23).allSatisfy { calendar.localDate[$0] == "2025-03-30" })
        #expect(calendar.localDate[23] == "2025-03-31")
        #expect(calendar.hourEnding.values.prefix(4) == [1, 2, 4, 5])
        let autumn = Int64(CivilCalendar.days(fromYear: 2025, month: 10, day: 25)) * 86_400 + 22 * 3600
        let autumnHours = TimestampColumn((0..<26).map { (autumn + Int64($0) * 3600) * 1_000_000_000 })
        let autumnCalendar = autumnHours.localCalendar(in: zone)
        #expect((0..<25).allSatisfy { autumnCalendar.localDate[$0] == "2025-10-26" })
        #expect(autumnCalendar.hourEnding.values.prefix(5) == [1, 2, 3, 3, 4])
    }

    @Test func eexPeakFlag() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Friday 2025-01-10 and Saturday 2025-01-11, every hour; Berlin is UTC+1 in January.
        let friday = Int64(CivilCalendar.days(fromYear: 2025, month: 1, day: 10)) * 86_400 - 3600
        let column = TimestampColumn((0..<48).map { (friday + Int64($0) * 3600) * 1_000_000_000 })
        let peak = column.localCalendar(in: zone).isPeak
        let expected = (0..<48).map { $0 < 24 && $0 >= 8 && $0 < 20 }
        #expect(peak.values == expected)
    }

    @Test func nullsStayNullAndFrameHelperAddsColumns() throws {
        let frame = try TradeFrame([("delivery_start", TimestampColumn([nil, 1_735_689_600_000_000_000]))])
        var names = TradeFrame.LocalCalendarNames()
        names.weekday = nil
        names.utcOffsetSeconds = "offset"
        let result = try frame.addingLocalCalendar(
            from: "delivery_start", in: try #require(TimeZone(identifier: "Europe/Berlin")), names: names)
        #expect(
            result.columnNames == [
                "delivery_start", "local_time", "offset", "local_date", "settlement_cycle", "hour_ending", "is_peak",
            ])
        #expect(result["settlement_cycle", as: CategoricalColumn.self]?.values == [nil, "2025-01"])
        #expect(result["local_time"]?.text(at: 1) == "2025-01-01T01:00:00Z")
        #expect(result["offset", as: Int32.self]?.values == [nil, 3600])
        let error = #expect(throws: TradeFrameError.self) {
            try frame.addingLocalCalendar(from: "nope", in: TimeZone(identifier: "UTC")!)
        }
        #expect(error?.code == .unknownColumn)
    }
}

/// Issue 13: a subnormal became 0.0 under a relative bound, and the reported error was about 2e-16.
@Suite struct DowncastBoundTests {
    @Test func subnormalThatVanishesInFloat32StaysFloat64() {
        let tiny = Double.leastNonzeroMagnitude  // 5e-324
        let result = Column<Double>([tiny]).downcast(within: .relative(1e-7))
        #expect(!result.isDowncast)
        #expect(result.maximumError == 1)
        #expect(result.column as? Column<Double> == Column<Double>([tiny]))
    }

    /// Random values of every magnitude, including Float32 subnormals, values past Float32's range, NaN, infinities
    /// and negative zero: a downcast column keeps every row within the bound, and the reported error is the largest
    /// error of any row.
    @Test(arguments: [DowncastBound.relative(1e-7), .relative(1e-3), .absolute(1e-40), .absolute(1e-3)])
    func everyRowStaysWithinTheBoundAndTheReportIsTheTrueMaximum(bound: DowncastBound) {
        var random = SeededGenerator(seed: 13)
        let specials: [Double] = [
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude / 1000, 1e-39, -1e-42, 1e-45, 7e-46,
            Double(Float.leastNormalMagnitude), 1e-38, 0, -0.0,
            .nan, .infinity, -.infinity, 3.4028235e38, 3.5e38, 1e300,
        ]
        for trial in 0..<400 {
            let count = Int.random(in: 1...9, using: &random)
            var values: [Double] = (0..<count).map { _ in
                Double(
                    sign: Bool.random(using: &random) ? .plus : .minus,
                    exponent: Int.random(in: -1074...(-100), using: &random),
                    significand: Double.random(in: 1..<2, using: &random))
            }
            values[Int.random(in: 0..<count, using: &random)] = specials[trial % specials.count]
            if trial % 3 == 0 { values = values.map { Double(Float($0)) } }
            let result = Column<Double>(values).downcast(within: bound)
            var largest = 0.0
            for value in values where value.isFinite {
                let narrow = Double(Float(value))
                let difference = abs(narrow - value)
                let error = bound.isRelative ? (value == 0 ? 0 : difference / abs(value)) : difference
                largest = max(largest, error)
            }
            #expect(result.maximumError == largest, "\(values)")
            #expect(result.isDowncast == (largest <= bound.value), "\(values)")
            if let narrow = result.column as? Column<Float> {
                for (row, value) in values.enumerated() {
                    let back = Double(narrow[row]!)
                    if value.isNaN {
                        #expect(back.isNaN)
                    } else if value.isInfinite || value == 0 {
                        #expect(back == value && back.sign == value.sign)
                    } else {
                        let error = abs(back - value) / (bound.isRelative ? abs(value) : 1)
                        #expect(error <= bound.value, "\(value) became \(back)")
                    }
                }
            }
        }
    }

    @Test func negativeZeroKeepsItsSignAndNaNStaysNaN() throws {
        let result = Column<Double>([-0.0, .nan, 0]).downcast(within: .relative(0))
        #expect(result.isDowncast)
        #expect(result.maximumError == 0)
        let narrow = try #require(result.column as? Column<Float>)
        #expect(narrow[0]?.sign == .minus)
        #expect(narrow[1]?.isNaN == true)
    }
}
