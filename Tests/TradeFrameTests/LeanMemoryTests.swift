import Foundation
import Testing

@testable import TradeFrame

/// The memory-lean forms give the results of the plain ones: the releasing concatenation, the settlement cycle
/// alone, key indexes of unique keys (no run starts stored), and sorts that keep 32-bit rows.
@Suite struct LeanMemoryTests {
    @Test func concatenatingReleasingEqualsConcatenatingAndEmptiesTheParts() throws {
        let parts = try (0..<3).map { try RandomFrame(rows: 50 + $0 * 7, seed: UInt64(20 + $0)).frame }
        let expected = try TradeFrame.concatenating(parts)
        var taken = parts
        let joined = try TradeFrame.concatenating(releasing: &taken)
        #expect(taken.isEmpty)
        #expect(joined.columnNames == expected.columnNames && joined.rowCount == expected.rowCount)
        #expect(joined.csv() == expected.csv())
        var one = [parts[0]]
        #expect(try TradeFrame.concatenating(releasing: &one).csv() == parts[0].csv())
        var none: [TradeFrame] = []
        #expect(try TradeFrame.concatenating(releasing: &none).rowCount == 0)
        var mismatched = [parts[0], try parts[1].removing(["flag"])]
        #expect(throws: TradeFrameError.self) { try TradeFrame.concatenating(releasing: &mismatched) }
        #expect(mismatched.isEmpty)
    }

    @Test(arguments: ["America/New_York", "Europe/Berlin", "Australia/Sydney"])
    func settlementCyclesAreTheLocalCalendarsCycles(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var values: [Int64?] = stride(from: 1_704_067_200, to: 1_767_225_600, by: 3_600 * 7).map {
            $0 * 1_000_000_000
        }
        values[3] = nil
        let column = TimestampColumn(values)
        let cycles = column.settlementCycles(in: zone)
        let expected = column.localCalendar(in: zone).settlementCycle
        #expect(cycles.count == expected.count && cycles.nullCount == 1)
        #expect((0..<cycles.count).allSatisfy { cycles[$0] == expected[$0] })
        #expect(cycles.dictionary.values == expected.dictionary.values)
    }

    @Test func uniqueKeysIndexJoinAndKeepEveryRow() throws {
        let ids = (0..<500).map { "T\(String(1_000 + ($0 * 7919) % 500))" }
        let frame = try TradeFrame([
            ("id", StringColumn(ids)), ("time", TimestampColumn((0..<500).map { Int64($0) })),
        ])
        let index = try frame.keyed(by: "id")
        #expect(index.runStarts.isEmpty)
        #expect(index.distinctKeyCount == 500 && index.firstDuplicate() == nil)
        #expect(index.rows.map { ids[$0] } == ids.sorted())
        let latest = try index.keepingLatest(by: "time")
        #expect(latest.rows == index.rows)
        let broker = try TradeFrame([("id", StringColumn(ids.sorted().filter { $0.hasSuffix("3") }))])
        let (left, right) = try latest.join(with: try broker.keyed(by: "id"))
        #expect(left.count == broker.rowCount)
        #expect(zip(left, right).allSatisfy { ids[$0] == ids.sorted().filter { $0.hasSuffix("3") }[$1] })
        #expect(left == left.sorted())
    }

    @Test func radixSortsStablyByAnyKeyWidth() {
        var state: UInt64 = 7
        let keys: [UInt64] = (0..<3_000).map { row in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return row % 3 == 0 ? state >> 58 : state  // narrow (one pass) and wide keys mixed
        }
        for keySet in [keys, keys.map { $0 >> 58 }, keys.map { $0 & 0xFFFF }] {
            var permutation = Array((0..<keySet.count).reversed())
            keySet.withUnsafeBufferPointer { RadixSort.sort(&permutation, keys: $0) }
            let expected = Array((0..<keySet.count).reversed()).enumerated()
                .sorted { a, b in
                    keySet[a.element] != keySet[b.element] ? keySet[a.element] < keySet[b.element] : a.offset < b.offset
                }
                .map(\.element)
            #expect(permutation == expected)
        }
    }
}
