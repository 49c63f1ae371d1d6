import ETRMShared
import Testing

@testable import TradeFrame

/// String keys hash in place from the column's buffer; these check that path against references built with
/// Swift's own `Dictionary<String, …>` (a different hash, on `String`s).
@Suite struct StringKeyTests {
    /// Left ids with repeats and misses, right ids all distinct (the reconciliation's shape), on sliced columns.
    @Test(arguments: [UInt64(1), 2])
    func joinOnDistinctRightIDsMatchesADictionaryJoin(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let rightIDs = (0..<6000).map { "TRD-\($0 * 7919 % 6000)" }.shuffled(using: &random)
        let leftIDs = (0..<7000).map { _ in "TRD-\(Int.random(in: 0..<7500, using: &random))" }
        let left = try TradeFrame([("id", StringColumn(["pad"] + leftIDs).slice(1..<7001))])
        let right = try TradeFrame([("id", StringColumn(["x", "y"] + rightIDs).slice(2..<6002))])
        let rowOf = Dictionary(uniqueKeysWithValues: rightIDs.enumerated().map { ($1, $0) })
        let expected = leftIDs.indices.compactMap { row in rowOf[leftIDs[row]].map { (row, $0) } }
        let inner = try left.joinIndices(with: right, on: ["id"], rightKeys: ["id"], kind: .inner)
        #expect(inner.left == expected.map(\.0))
        #expect(inner.right == expected.map(\.1))
        let outer = try left.joinIndices(with: right, on: ["id"], rightKeys: ["id"], kind: .left)
        #expect(outer.left == Array(leftIDs.indices))
        #expect(outer.right == leftIDs.map { rowOf[$0] ?? -1 })
        let anti = try left.joinIndices(with: right, on: ["id"], rightKeys: ["id"], kind: .anti)
        #expect(anti.left == leftIDs.indices.filter { rowOf[leftIDs[$0]] == nil })
        #expect(!anti.left.isEmpty && !inner.left.isEmpty)
    }

    /// A column whose first rows repeat a few values (a small table) and whose later rows are mostly distinct
    /// (the table grows several times), including the empty string and multi-byte text.
    @Test func groupByGrowsPastTheSample() throws {
        let ids = (0..<30_000).map { row in
            row < 5000 ? ["", "a", "ä€"][row % 3] : "id-\(row % 12_000)-" + String(repeating: "x", count: row % 19)
        }
        let frame = try TradeFrame([("id", StringColumn(ids)), ("one", Column<Int64>(repeatElement(1, count: 30_000)))])
        let result = try frame.grouped(by: ["id"]).aggregate([.count(), .sum("one")])
        var order: [String] = []
        var counts: [String: Int64] = [:]
        for id in ids {
            if counts[id] == nil { order.append(id) }
            counts[id, default: 0] += 1
        }
        #expect(result["id", as: StringColumn.self]?.values == order)
        #expect(result["count", as: Int64.self]?.values == order.map { counts[$0] })
    }

    @Test func keepLatestOnManyStringIDs() throws {
        var random = SeededGenerator(seed: 9)
        let ids = (0..<8000).map { _ in "T\(Int.random(in: 0..<3000, using: &random))" }
        let times = (0..<8000).map { _ in Int64.random(in: 0..<50, using: &random) }
        let frame = try TradeFrame([
            ("id", StringColumn(ids)), ("t", TimestampColumn(times)),
            ("row", Column<Int64>((0..<8000).map { Int64($0) })),
        ])
        let kept = try frame.keepingLatest(per: ["id"], by: "t")
        var best: [String: Int] = [:]
        for row in ids.indices where best[ids[row]].map({ times[row] >= times[$0] }) ?? true { best[ids[row]] = row }
        #expect(kept["row", as: Int64.self]?.values == best.values.sorted().map { Int64($0) })
    }
}
