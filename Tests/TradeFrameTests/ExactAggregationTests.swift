import ETRMContracts
import ETRMShared
import Foundation
import Testing

@testable import TradeFrame

@Suite struct ExactVWAPTests {
    static func vwap(
        prices: [String?], volumes: [String?], priceScale: Int = 5, volumeScale: Int = 3, scale: Int = 4
    )
        throws -> DecimalColumn
    {
        let frame = try TradeFrame([
            ("product", CategoricalColumn(Array(repeating: "P", count: prices.count))),
            ("price", try DecimalColumn(parsing: prices, scale: priceScale)),
            ("volume", try DecimalColumn(parsing: volumes, scale: volumeScale)),
        ])
        let result = try frame.grouped(by: ["product"])
            .aggregate([.exactVolumeWeightedAverage(price: "price", volume: "volume", scale: scale)])
        return try result.column("vwap", as: DecimalColumn.self)
    }

    @Test func roundsHalfToEven() throws {
        // (2.0000 × 1 + 2.0001 × 1) / 2 = 2.00005 → 2.0000; (2.0001 + 2.0002) / 2 = 2.00015 → 2.0002.
        #expect(try Self.vwap(prices: ["2.0000", "2.0001"], volumes: ["1", "1"]).text(at: 0) == "2.0000")
        #expect(try Self.vwap(prices: ["2.0001", "2.0002"], volumes: ["1", "1"]).text(at: 0) == "2.0002")
        #expect(try Self.vwap(prices: ["-2.0001", "-2.0002"], volumes: ["1", "1"]).text(at: 0) == "-2.0002")
        // 1/3 of the way: (1 × 2 + 2 × 1) / 3 = 1.3333…
        #expect(try Self.vwap(prices: ["1", "2"], volumes: ["2", "1"]).text(at: 0) == "1.3333")
    }

    @Test func aResultThatRoundsToZeroIsNeverNegativeZero() throws {
        let column = try Self.vwap(prices: ["-0.00004", "0"], volumes: ["1", "1"])
        #expect(column.text(at: 0) == "0.0000")
        #expect(column.significands.value(at: 0) == 0)
    }

    @Test func zeroVolumeAndNullsGiveNull() throws {
        #expect(try Self.vwap(prices: ["10", "20"], volumes: ["1", "-1"])[0] == nil)
        #expect(try Self.vwap(prices: [nil, "20"], volumes: ["1", nil])[0] == nil)
        #expect(try Self.vwap(prices: [nil, "20"], volumes: ["5", "2"]).text(at: 0) == "20.0000")
    }

    @Test func overflowIsAnErrorNotAWrap() throws {
        // 9.2e18 × 9.2e18 ≈ 8.5e37 per row: three rows leave Int128.
        let big = "9200000000000000000"
        let sum = #expect(throws: TradeFrameError.self) {
            try Self.vwap(prices: [big, big, big], volumes: [big, big, big], priceScale: 0, volumeScale: 0)
        }
        #expect(sum?.code == .overflow)
        #expect(sum?.column == "price")
        // One row fits Int128, but 9.2e18 does not fit an Int64 significand at 4 fraction digits.
        let quotient = #expect(throws: TradeFrameError.self) {
            try Self.vwap(prices: [big], volumes: ["1"], priceScale: 0, volumeScale: 0)
        }
        #expect(quotient?.code == .overflow)
    }

    @Test func floatColumnsAndBadScalesAreRejected() throws {
        let frame = try TradeFrame([
            ("k", CategoricalColumn(["a"] as [String])), ("price", Column<Double>([1])),
            ("volume", try DecimalColumn(parsing: ["1"], scale: 0)),
        ])
        let grouped = try frame.grouped(by: ["k"])
        let float = #expect(throws: TradeFrameError.self) {
            try grouped.aggregate([.exactVolumeWeightedAverage(price: "price", volume: "volume", scale: 4)])
        }
        #expect(float?.code == .typeMismatch)
        #expect(float?.column == "price")
        let scale = #expect(throws: TradeFrameError.self) {
            try grouped.aggregate([.exactVolumeWeightedAverage(price: "volume", volume: "volume", scale: 19)])
        }
        #expect(scale?.code == .invalidArgument)
    }

    /// Random groups; each result `r` is checked with Foundation.Decimal, without dividing:
    /// `(r − ½ulp) × Σv ≤ Σ(p·v) ≤ (r + ½ulp) × Σv` (for Σv > 0), and an even last digit on a tie.
    @Test(arguments: [UInt64(21), 22, 23])
    func matchesADecimalReference(seed: UInt64) throws {
        let data = try RandomFrame(rows: 600, seed: seed)
        var random = SeededGenerator(seed: seed &+ 100)
        let volumes: [Int64?] = (0..<600).map { row in
            row % 17 == 0 ? nil : Int64.random(in: -2_000...50_000, using: &random)
        }
        let frame = try data.frame.adding(
            "volume_exact", try DecimalColumn(significands: Column(volumes), scale: 3))
        let result = try frame.grouped(by: ["product", "desk"]).aggregate([
            .exactVolumeWeightedAverage(price: "price", volume: "volume_exact", scale: 4),
            .volumeWeightedAverage(price: "price", volume: "volume_exact", as: "vwap_double"),
        ])
        let vwap = try result.column("vwap", as: DecimalColumn.self)
        let doubles = try #require(result["vwap_double", as: Double.self])
        #expect(vwap.scale == 4)
        var groups: [[String?]: (numerator: Decimal, denominator: Decimal)] = [:]
        for row in 0..<600 {
            guard let p = data.price[row], let v = volumes[row] else { continue }
            let price = Decimal(p) / 100
            let volume = Decimal(v) / 1000
            let key = [data.product[row], data.desk[row]]
            let sums = groups[key, default: (0, 0)]
            groups[key] = (sums.numerator + price * volume, sums.denominator + volume)
        }
        let halfULP = Decimal(5) / 100_000
        var checked = 0
        for group in 0..<result.rowCount {
            let key = [try result.column("product").text(at: group), try result.column("desk").text(at: group)]
            guard let sums = groups[key], sums.denominator != 0 else {
                #expect(vwap[group] == nil)
                continue
            }
            let text = try #require(vwap.text(at: group))
            #expect(!text.hasPrefix("-0.0000"))
            let r = try #require(Decimal(string: text))
            var (n, d) = sums
            if d < 0 { (n, d) = (-n, -d) }
            #expect((r - halfULP) * d <= n && n <= (r + halfULP) * d, "group \(key): \(text) for \(n) / \(d)")
            if (r - halfULP) * d == n || (r + halfULP) * d == n {
                #expect(vwap.significands.value(at: group) % 2 == 0, "a tie rounds to even: \(text)")
            }
            #expect(abs(doubles[group]! - Double(text)!) <= 0.00005 + 1e-9)
            checked += 1
        }
        #expect(checked > 10)
    }
}

@Suite struct CategoricalFromCodesTests {
    @Test func buildsFromADictionaryAndCodes() throws {
        let column = try CategoricalColumn(dictionary: StringColumn(["EL", "NG"]), codes: [1, 0, nil, 1])
        #expect(column.values == ["NG", "EL", nil, "NG"])
        #expect(column.codeWidth == 1)
        let plain = try CategoricalColumn(dictionary: StringColumn(["a"]), codes: [0, 0] as [Int])
        #expect(plain.values == ["a", "a"])
    }

    @Test func rejectsCodesOutOfRangeAndBadDictionaries() throws {
        let high = #expect(throws: TradeFrameError.self) {
            try CategoricalColumn(dictionary: StringColumn(["EL", "NG"]), codes: [0, 2])
        }
        #expect(high?.code == .invalidInput)
        #expect(high?.message.contains("row 1") == true)
        #expect(throws: TradeFrameError.self) {
            try CategoricalColumn(dictionary: StringColumn(["EL"]), codes: [-1])
        }
        let twice = #expect(throws: TradeFrameError.self) {
            try CategoricalColumn(dictionary: StringColumn(["EL", "EL"]), codes: [0])
        }
        #expect(twice?.code == .invalidInput)
        #expect(throws: TradeFrameError.self) {
            try CategoricalColumn(dictionary: StringColumn(["EL", nil]), codes: [0])
        }
    }
}
