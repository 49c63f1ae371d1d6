import ETRMShared
import Testing

@testable import TradeFrame

/// ``KeyIndex`` against naive references on seeded random frames (nulls, repeats, every key family), on inputs
/// already in key order and not, and on empty frames.
@Suite struct KeyIndexTests {
    /// Key sets over ``RandomFrame``'s columns: one string, a categorical, numbers, and several keys at once.
    static let keySets: [[String]] = [
        ["trade_id"], ["product"], ["quantity"], ["volume"], ["price"], ["time"], ["flag"], ["product", "desk"],
        ["desk", "flag", "time"],
    ]

    /// A row's key values as text, `nil` for a null (naive equality; floats print `-0` and `0` alike here).
    static func key(_ frame: TradeFrame, _ keys: [String], _ row: Int) throws -> [String?] {
        try keys.map { (name) throws in try frame.column(name).text(at: row) }
    }

    /// Every cell of a frame as text, row by row.
    static func cells(_ frame: TradeFrame) -> [[String?]] {
        (0..<frame.rowCount).map { row in frame.columns.map { $0.text(at: row) } }
    }

    /// Per key, the latest row by a naive scan (a tie to the later row, a null time losing), ascending.
    static func naiveLatest(_ frame: TradeFrame, _ keys: [String], time: String) throws -> [Int] {
        let times = try frame.column(time, as: TimestampColumn.self)
        var best: [[String?]: Int] = [:]
        for row in 0..<frame.rowCount {
            let key = try Self.key(frame, keys, row)
            guard let current = best[key] else {
                best[key] = row
                continue
            }
            switch (times.nanoseconds[row], times.nanoseconds[current]) {
            case let (mine?, theirs?) where mine >= theirs: best[key] = row
            case (_?, nil), (nil, nil): best[key] = row
            default: break
            }
        }
        return best.values.sorted()
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func rowsAreTheStableSortAndRunsAreEqualKeys(seed: UInt64) throws {
        let random = try RandomFrame(rows: 300, seed: seed)
        for keys in Self.keySets {
            let index = try random.frame.keyed(by: keys)
            #expect(index.rows == (try random.frame.sortPermutation(by: keys.map(SortKey.ascending))))
            let distinct = Set(try (0..<random.frame.rowCount).map { try Self.key(random.frame, keys, $0) })
            #expect(index.distinctKeyCount == distinct.count, "keys \(keys)")
            #expect(!index.inputWasSorted)
        }
    }

    @Test(arguments: [UInt64(4), 5, 6])
    func keepingLatestMatchesANaiveScan(seed: UInt64) throws {
        let random = try RandomFrame(rows: 400, seed: seed)
        for keys in Self.keySets {
            let best = try Self.naiveLatest(random.frame, keys, time: "time")
            let index = try random.frame.keyed(by: keys)
            let kept = try index.keepingLatest(by: "time")
            #expect(kept.rowsInInputOrder == best, "keys \(keys)")
            // The kept rows stay in key order.
            let position = Dictionary(uniqueKeysWithValues: index.rows.enumerated().map { ($1, $0) })
            #expect(kept.rows == kept.rows.sorted { position[$0]! < position[$1]! })
            let frame = try random.frame.keepingLatest(per: keys, by: "time")
            #expect(Self.cells(frame) == Self.cells(random.frame.gathering(best)), "keys \(keys)")
        }
    }

    @Test(arguments: [UInt64(7), 8, 9])
    func joinsMatchANaiveNestedLoop(seed: UInt64) throws {
        let left = try RandomFrame(rows: 250, seed: seed)
        let right = try RandomFrame(rows: 180, seed: seed &+ 50)
        for keys in Self.keySets where keys != ["volume"] || seed == 7 {
            for kind in [JoinKind.inner, .left, .anti] {
                var expected: (left: [Int], right: [Int]) = ([], [])
                for row in 0..<left.frame.rowCount {
                    let key = try Self.key(left.frame, keys, row)
                    let matches =
                        key.contains(nil)
                        ? [] : try (0..<right.frame.rowCount).filter { try Self.key(right.frame, keys, $0) == key }
                    if kind == .anti {
                        if matches.isEmpty { expected.left.append(row) }
                    } else if matches.isEmpty {
                        if kind == .left { expected = (expected.left + [row], expected.right + [-1]) }
                    } else {
                        expected.left += matches.map { _ in row }
                        expected.right += matches
                    }
                }
                let merged = try left.frame.keyed(by: keys).join(with: right.frame.keyed(by: keys), kind: kind)
                #expect(merged.left == expected.left, "keys \(keys), \(kind)")
                #expect(merged.right == expected.right, "keys \(keys), \(kind)")
                let joined = try left.frame.joinIndices(with: right.frame, on: keys, rightKeys: keys, kind: kind)
                #expect(merged.left == joined.left && merged.right == joined.right, "keys \(keys), \(kind)")
            }
        }
    }

    @Test(arguments: [UInt64(10), 11])
    func firstDuplicateIsTheEarliestRepeatOfANonNullKey(seed: UInt64) throws {
        let random = try RandomFrame(rows: 200, seed: seed)
        for keys in Self.keySets {
            var firstRow: [[String?]: Int] = [:]
            var expected: (first: Int, repeated: Int)?
            for row in 0..<random.frame.rowCount {
                let key = try Self.key(random.frame, keys, row)
                if key.contains(nil) { continue }
                if let first = firstRow[key] {
                    expected = (first, row)
                    break
                }
                firstRow[key] = row
            }
            let found = try random.frame.keyed(by: keys).firstDuplicate()
            #expect(found?.first == expected?.first && found?.repeated == expected?.repeated, "keys \(keys)")
        }
        let distinct = try TradeFrame([("id", StringColumn(["b", "a", nil, "c", nil]))])
        #expect(try distinct.keyed(by: "id").firstDuplicate() == nil)
    }

    /// A single key without nulls is ordered and split into runs on its words (strings that pack, integers,
    /// categoricals): the same rows, runs and duplicates as the naive references, sorted input detected.
    @Test(arguments: [UInt64(41), 42])
    func aSingleKeyWithoutNullsMatchesTheNaiveReferences(seed: UInt64) throws {
        var columns: [(String, any ColumnProtocol, [String])] = SortTests.stringShapes(seed: seed, rows: 300).map {
            ($0.name, StringColumn($0.values), $0.values)
        }
        var random = SeededGenerator(seed: seed)
        let numbers = (0..<300).map { _ in Int64.random(in: -5...5, using: &random) * 1_000_000_007 }
        columns.append(("integers", Column(numbers), numbers.map { String($0) }))
        let products = (0..<300).map { _ in ["NG-HH", "PJM-W", "DE-BASE", ""].randomElement(using: &random)! }
        columns.append(("categorical", CategoricalColumn(products), products))
        for (name, column, texts) in columns {
            let frame = try TradeFrame([("k", column)])
            let index = try frame.keyed(by: "k")
            #expect(index.rows == (try frame.sortPermutation(by: [.ascending("k")])), "\(name)")
            #expect(index.distinctKeyCount == Set(texts).count, "\(name)")
            #expect(!index.inputWasSorted, "\(name)")
            var firstRow: [String: Int] = [:]
            var expected: (first: Int, repeated: Int)?
            for (row, text) in texts.enumerated() {
                if let first = firstRow[text] {
                    expected = (first, row)
                    break
                }
                firstRow[text] = row
            }
            let found = index.firstDuplicate()
            #expect(found?.first == expected?.first && found?.repeated == expected?.repeated, "\(name)")
            let sorted = try frame.gathering(index.rows).keyed(by: "k")
            #expect(sorted.inputWasSorted && sorted.rows == Array(0..<300), "\(name)")
            #expect(sorted.distinctKeyCount == index.distinctKeyCount, "\(name)")
        }
    }

    /// Input already in key order skips the sort and gives what the sorted path gives.
    @Test func sortedInputIsDetectedAndGivesTheSameResults() throws {
        let random = try RandomFrame(rows: 500, seed: 12)
        let sorted = try random.frame.sorted(by: [.ascending("trade_id")])
        let index = try sorted.keyed(by: "trade_id")
        #expect(index.inputWasSorted)
        #expect(index.rows == Array(0..<sorted.rowCount))
        // The same rows reversed within each id: not in key order any more, same keys.
        let shuffled = sorted.gathering(Array((0..<sorted.rowCount).reversed()))
        let unsorted = try shuffled.keyed(by: "trade_id")
        #expect(!unsorted.inputWasSorted)
        #expect(index.distinctKeyCount == unsorted.distinctKeyCount)
        let kept = try index.keepingLatest(by: "time")
        #expect(kept.inputWasSorted && kept.rowsInInputOrder == kept.rows)
        #expect(kept.rowsInInputOrder == (try Self.naiveLatest(sorted, ["trade_id"], time: "time")))
        let broker = try TradeFrame([("id", StringColumn(["T1", "T10", "T2", "T3"]))])
        let brokerIndex = try broker.keyed(by: "id")
        #expect(brokerIndex.inputWasSorted)
        let pairs = try kept.join(with: brokerIndex)
        let expected = try sorted.joinIndices(with: broker, on: ["trade_id"], rightKeys: ["id"], kind: .inner)
        let keptRows = Set(kept.rows)
        let restricted = zip(expected.left, expected.right).filter { keptRows.contains($0.0) }
        #expect(pairs.left == restricted.map(\.0) && pairs.right == restricted.map(\.1))
        #expect(!pairs.left.isEmpty)
    }

    /// A join of a restricted index (kept rows) leaves the other rows out.
    @Test func joinOfKeptRowsPairsOnlyTheKeptRows() throws {
        let ours = try TradeFrame([
            ("id", StringColumn(["b", "a", "b", "c"])), ("t", TimestampColumn([1, 5, 2, 1] as [Int64])),
        ])
        let broker = try TradeFrame([("id", CategoricalColumn(["c", "b", "x"]))])
        let kept = try ours.keyed(by: "id").keepingLatest(by: "t")
        #expect(kept.rows == [1, 2, 3])
        let inner = try kept.join(with: broker.keyed(by: "id"))
        #expect(inner.left == [2, 3] && inner.right == [1, 0])
        let anti = try kept.join(with: broker.keyed(by: "id"), kind: .anti)
        #expect(anti.left == [1] && anti.right.isEmpty)
    }

    @Test func nullKeysNeverMatchButGroupTogether() throws {
        let ours = try TradeFrame([
            ("id", StringColumn([nil, "a", nil])), ("t", TimestampColumn([3, 1, 2] as [Int64])),
        ])
        let theirs = try TradeFrame([("id", StringColumn([nil, "a"]))])
        let index = try ours.keyed(by: "id")
        #expect(index.rows == [1, 0, 2] && index.distinctKeyCount == 2)
        #expect(try index.keepingLatest(by: "t").rows == [1, 0])
        #expect(index.firstDuplicate() == nil)
        let left = try index.join(with: theirs.keyed(by: "id"), kind: .left)
        #expect(left.left == [0, 1, 2] && left.right == [-1, 1, -1])
    }

    @Test func emptyFramesHaveNoRunsAndJoinToNothing() throws {
        let empty = try TradeFrame([("id", StringColumn([String]())), ("t", TimestampColumn([Int64]()))])
        let index = try empty.keyed(by: "id")
        #expect(index.rows.isEmpty && index.distinctKeyCount == 0 && index.inputWasSorted)
        #expect(try index.keepingLatest(by: "t").rows.isEmpty)
        #expect(index.firstDuplicate() == nil)
        let other = try TradeFrame([("id", StringColumn(["a"]))]).keyed(by: "id")
        #expect(try index.join(with: other).left.isEmpty)
        let anti = try other.join(with: index, kind: .anti)
        #expect(anti.left == [0])
    }

    @Test func badKeysAreRefusedWithTheColumnNamed() throws {
        let frame = try TradeFrame([("id", StringColumn(["a"])), ("n", Column<Int64>([1]))])
        #expect(throws: TradeFrameError.self) { try frame.keyed(by: "missing") }
        do {
            _ = try frame.keyed(by: "id").join(with: frame.keyed(by: "n"))
            Issue.record("a string key joined an integer key")
        } catch {
            #expect(error.code == .typeMismatch && error.column == "id")
        }
        #expect(throws: TradeFrameError.self) { try frame.keyed(by: "id").keepingLatest(by: "n") }
        #expect(throws: TradeFrameError.self) {
            try frame.keyed(by: ["id", "n"]).join(with: frame.keyed(by: "id"))
        }
    }

    @Test func bulkAppendsCopyValuesAndNulls() throws {
        var numbers = ColumnBuilder<Int64>()
        numbers.append(1)
        numbers.append(contentsOf: Column<Int64>([2, nil, 4]).slice(1..<3))
        [Int64](repeating: 7, count: 70).withUnsafeBufferPointer { numbers.append(contentsOf: $0) }
        let built = numbers.finish()
        #expect(built.values == [1, nil, 4] + [Int64?](repeating: 7, count: 70))
        #expect(built.nullCount == 1)
        var strings = StringColumnBuilder()
        strings.append("x")
        strings.append(contentsOf: StringColumn(["skip", "ab", nil, "cde"]).slice(1..<4))
        strings.append(contentsOf: StringColumn(["f"]))
        #expect(strings.byteCount == 7)
        let text = strings.finish()
        #expect(text.values == ["x", "ab", nil, "cde", "f"])
        #expect(text.nullCount == 1)
    }
}
