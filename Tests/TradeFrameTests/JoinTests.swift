import ETRMShared
import Testing

@testable import TradeFrame

@Suite struct JoinTests {
    static func sides(seed: UInt64) throws -> (RandomFrame, RandomFrame) {
        (try RandomFrame(rows: 150, seed: seed), try RandomFrame(rows: 120, seed: seed + 1000))
    }

    static func naivePairs(_ l: RandomFrame, _ r: RandomFrame, _ keys: [String]) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        for i in 0..<l.frame.rowCount {
            let a = GroupByTests.key(l, keys, i)
            guard !a.contains(where: { $0 == nil }) else { continue }
            for j in 0..<r.frame.rowCount where GroupByTests.key(r, keys, j) == a { pairs.append((i, j)) }
        }
        return pairs
    }

    @Test(arguments: [["trade_id"], ["product", "desk"], ["quantity"], ["product", "flag", "time"]])
    func joinRowsMatchANestedLoopJoin(keys: [String]) throws {
        for seed in UInt64(1)...3 {
            let (l, r) = try Self.sides(seed: seed)
            let pairs = Self.naivePairs(l, r, keys)
            let inner = try l.frame.joinIndices(with: r.frame, on: keys, rightKeys: keys, kind: .inner)
            #expect(inner.left == pairs.map(\.0))
            #expect(inner.right == pairs.map(\.1))
            let matchedLeft = Set(pairs.map(\.0))
            let anti = try l.frame.joinIndices(with: r.frame, on: keys, rightKeys: keys, kind: .anti)
            #expect(anti.left == (0..<l.frame.rowCount).filter { !matchedLeft.contains($0) })
            let left = try l.frame.joined(with: r.frame, on: keys, kind: .left)
            #expect(left.rowCount == pairs.count + anti.left.count)
            let joined = try l.frame.joined(with: r.frame, on: keys)
            #expect(joined.rowCount == pairs.count)
        }
    }

    @Test func joinedColumnsAndSuffixes() throws {
        let left = try TradeFrame([
            ("id", StringColumn(["a", "b", "c"])), ("v", Column<Int32>([1, 2, 3])),
        ])
        let right = try TradeFrame([
            ("id", CategoricalColumn(["b", "a", "b"] as [String])), ("v", Column<Int32>([20, 10, 21])),
        ])
        let inner = try left.joined(with: right, on: ["id"])
        #expect(inner.columnNames == ["id", "v", "v_right"])
        #expect(inner["id", as: StringColumn.self]?.values == ["a", "b", "b"])
        #expect(inner["v_right", as: Int32.self]?.values == [10, 20, 21])
        let outer = try left.joined(with: right, on: ["id"], kind: .left)
        #expect(outer["v_right", as: Int32.self]?.values == [10, 20, 21, nil])
        let anti = try left.joined(with: right, on: ["id"], kind: .anti)
        #expect(anti["id", as: StringColumn.self]?.values == ["c"])
        #expect(anti.columnNames == ["id", "v"])
    }

    @Test func mismatchedKeyKindsAreRejected() throws {
        let left = try TradeFrame([("id", StringColumn(["a"]))])
        let right = try TradeFrame([("id", Column<Int64>([1]))])
        let error = #expect(throws: TradeFrameError.self) { try left.joined(with: right, on: ["id"]) }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "id")
    }

    @Test func integerWidthsJoin() throws {
        let left = try TradeFrame([("id", Column<Int32>([1, 2, -3]))])
        let right = try TradeFrame([("key", Column<Int64>([-3, 2])), ("x", Column<Bool>([true, false]))])
        let joined = try left.joined(with: right, on: ["id"], rightKeys: ["key"])
        #expect(joined["id", as: Int32.self]?.values == [2, -3])
        #expect(joined["x", as: Bool.self]?.values == [false, true])
    }
}

@Suite struct DenseJoinTests {
    @Test(arguments: [["trade_id"], ["desk"], ["product"]])
    func singleTextKeyWithoutNullsMatchesANestedLoopJoin(keys: [String]) throws {
        let l = try RandomFrame(rows: 150, seed: 41, nullRate: 0)
        let r = try RandomFrame(rows: 130, seed: 42, nullRate: 0)
        let pairs = JoinTests.naivePairs(l, r, keys)
        let inner = try l.frame.joinIndices(with: r.frame, on: keys, rightKeys: keys, kind: .inner)
        #expect(inner.left == pairs.map(\.0))
        #expect(inner.right == pairs.map(\.1))
        let grouped = try l.frame.grouped(by: keys).aggregate([.count()])
        var firstSeen: [String] = []
        for row in 0..<150 {
            let key = GroupByTests.key(l, keys, row)[0]!
            if !firstSeen.contains(key) { firstSeen.append(key) }
        }
        #expect((0..<grouped.rowCount).map { grouped[keys[0]]?.text(at: $0) } == firstSeen)
    }
}
