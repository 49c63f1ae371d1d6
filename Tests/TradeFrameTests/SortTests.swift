import ETRMShared
import Testing

@testable import TradeFrame

@Suite struct SortTests {
    /// Naive stable sort: insertion order kept by comparing original positions on ties.
    static func naivePermutation(_ data: RandomFrame, keys: [SortKey]) -> [Int] {
        Array(0..<data.frame.rowCount).sorted { a, b in
            for key in keys {
                let d = key.descending
                let order: Int
                switch key.column {
                case "product": order = naiveCompareBytes(data.product[a], data.product[b], descending: d)
                case "desk": order = naiveCompareBytes(data.desk[a], data.desk[b], descending: d)
                case "trade_id": order = naiveCompareBytes(data.tradeID[a], data.tradeID[b], descending: d)
                case "volume": order = naiveCompare(data.volume[a], data.volume[b], descending: d)
                case "quantity": order = naiveCompare(data.quantity[a], data.quantity[b], descending: d)
                case "price": order = naiveCompare(data.price[a], data.price[b], descending: d)
                case "time": order = naiveCompare(data.time[a], data.time[b], descending: d)
                default:
                    order = naiveCompare(
                        data.flag[a].map { $0 ? 1 : 0 }, data.flag[b].map { $0 ? 1 : 0 }, descending: d)
                }
                if order != 0 { return order < 0 }
            }
            return a < b
        }
    }

    static let keySets: [[SortKey]] = [
        [.ascending("product")],
        [.descending("volume")],
        [.ascending("product"), .ascending("desk")],
        [.ascending("desk"), .descending("quantity"), .ascending("time")],
        [.descending("trade_id"), .ascending("price")],
        [.ascending("flag"), .descending("product"), .ascending("volume")],
    ]

    @Test(arguments: 0..<keySets.count)
    func sortIsTheNaiveStablePermutation(keySet: Int) throws {
        for seed in UInt64(1)...4 {
            let data = try RandomFrame(rows: 300, seed: seed &* 31 &+ UInt64(keySet))
            let keys = Self.keySets[keySet]
            let permutation = try data.frame.sortPermutation(by: keys)
            #expect(Set(permutation).count == data.frame.rowCount)
            #expect(permutation == Self.naivePermutation(data, keys: keys))
        }
    }

    @Test func nullsFirstPutsNullsBeforeValues() throws {
        let frame = try TradeFrame([("x", Column<Int32>([3, nil, 1, nil, 2]))])
        let first = try frame.sortPermutation(by: [SortKey("x", nullsFirst: true)])
        #expect(first == [1, 3, 2, 4, 0])
        let descending = try frame.sortPermutation(by: [SortKey("x", descending: true)])
        #expect(descending == [0, 4, 2, 1, 3])
    }

    @Test func floatsOrderNegativeZeroAndNaN() throws {
        let frame = try TradeFrame([("x", Column<Double>([.nan, 1, -0.0, -2, 0, .infinity, -.infinity]))])
        let sorted = try frame.sorted(by: [.ascending("x")])["x", as: Double.self]!
        #expect(Array(sorted.values.prefix(3)) == [-.infinity, -2, -0.0])
        #expect(sorted[3] == 0 && sorted[4] == 1 && sorted[5] == .infinity && sorted[6]!.isNaN)
        #expect(sorted[2]!.sign == .minus, "-0 and 0 are equal, so the input order stays")
    }

    @Test func longStringsUseTheComparisonPath() throws {
        var random = SeededGenerator(seed: 9)
        let values: [String?] = (0..<200).map { _ in
            Int.random(in: 0..<10, using: &random) == 0
                ? nil : String(repeating: "x", count: 70) + String(Int.random(in: 0..<20, using: &random))
        }
        let frame = try TradeFrame([("s", StringColumn(values))])
        let permutation = try frame.sortPermutation(by: [.descending("s")])
        let expected = Array(0..<200).sorted { a, b in
            let order = naiveCompareBytes(values[a], values[b], descending: true)
            return order != 0 ? order < 0 : a < b
        }
        #expect(permutation == expected)
    }

    /// Strings of the shapes the packed path takes (a fixed prefix and varying digits; short strings with zero,
    /// high and multi-byte characters; constant bytes between varying ones), and one it refuses.
    static func stringShapes(seed: UInt64, rows: Int) -> [(name: String, values: [String], packs: Bool)] {
        var random = SeededGenerator(seed: seed)
        let alphabet: [String] = ["", "a", "b", "\u{0}", "\u{7f}", "é", "z"]
        return [
            (
                "prefixed ids",
                (0..<rows).map { _ in "TR" + String(100_000 + Int.random(in: 0..<rows, using: &random)) }, true
            ),
            (
                "short mixed",
                (0..<rows).map { _ in
                    (0..<Int.random(in: 0..<4, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
                        .joined()
                }, true
            ),
            (
                "gapped",
                (0..<rows).map { _ in
                    "A\(Int.random(in: 0..<10, using: &random))-B\(Int.random(in: 0..<10, using: &random))"
                }, true
            ),
            (
                "random twelve",
                (0..<rows).map { _ in
                    String((0..<12).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &random))) })
                }, false
            ),
        ]
    }

    /// Packed words order the strings by bytes and are equal exactly when the strings are; strings that vary too
    /// widely are not packed, and every shape sorts as the naive stable sort does, ascending and descending.
    @Test(arguments: [UInt64(31), 32])
    func packedWordsOrderAndIdentifyStrings(seed: UInt64) throws {
        for shape in Self.stringShapes(seed: seed, rows: 400) {
            let column = StringColumn(shape.values)
            let packed = SortKeys.packedWords(column)
            #expect((packed != nil) == shape.packs, "\(shape.name)")
            if let packed {
                for a in 0..<shape.values.count {
                    let b = (a * 7 + 3) % shape.values.count
                    let bytes = naiveCompareBytes(shape.values[a], shape.values[b], descending: false).signum()
                    let words = packed[a] < packed[b] ? -1 : packed[a] == packed[b] ? 0 : 1
                    #expect(bytes == words, "\(shape.name): \(shape.values[a]) against \(shape.values[b])")
                }
            }
            let frame = try TradeFrame([("s", column)])
            for descending in [false, true] {
                let expected = Array(shape.values.indices).sorted { a, b in
                    let order = naiveCompareBytes(shape.values[a], shape.values[b], descending: descending)
                    return order != 0 ? order < 0 : a < b
                }
                #expect(try frame.sortPermutation(by: [SortKey("s", descending: descending)]) == expected)
            }
        }
    }

    @Test func stringPrefixOrderIsByteOrder() throws {
        let frame = try TradeFrame([("s", StringColumn(["b", "ab", "a", "a\u{0}", "", "abcdefghij", "abcdefgh"]))])
        let sorted = try frame.sorted(by: [.ascending("s")])["s", as: StringColumn.self]!
        #expect(sorted.values == ["", "a", "a\u{0}", "ab", "abcdefgh", "abcdefghij", "b"])
    }

    @Test func sortedFrameCarriesEveryColumn() throws {
        let data = try RandomFrame(rows: 50, seed: 77)
        let sorted = try data.frame.sorted(by: [.ascending("quantity")])
        let permutation = try data.frame.sortPermutation(by: [.ascending("quantity")])
        #expect(sorted["trade_id", as: StringColumn.self]?.values == permutation.map { data.tradeID[$0] })
        #expect(sorted["product", as: CategoricalColumn.self]?.values == permutation.map { data.product[$0] })
    }

    @Test func unknownKeyIsAnError() throws {
        let data = try RandomFrame(rows: 5, seed: 1)
        let error = #expect(throws: TradeFrameError.self) { try data.frame.sorted(by: [.ascending("nope")]) }
        #expect(error?.column == "nope")
    }
}
