import ETRMContracts
import Testing

@testable import TradeFrame

@Suite struct GroupByTests {
    /// The key of row `r` for the given key columns, as text (nil stays distinct from "").
    static func key(_ data: RandomFrame, _ keys: [String], _ row: Int) -> [String?] {
        keys.map { name in
            switch name {
            case "product": data.product[row]
            case "desk": data.desk[row]
            case "trade_id": data.tradeID[row]
            case "quantity": data.quantity[row].map(String.init)
            case "time": data.time[row].map { UTCTimestamp(nanosecondsSinceEpoch: $0).rfc3339String }
            default: data.flag[row].map(String.init)
            }
        }
    }

    static let keySets: [[String]] = [
        ["product"], ["product", "flag"], ["desk"], ["product", "desk"], ["trade_id"], ["quantity", "time"], [],
    ]

    @Test(arguments: 0..<keySets.count)
    func groupSumsEqualNaiveSums(keySet: Int) throws {
        let keys = Self.keySets[keySet]
        for seed in UInt64(10)...13 {
            let data = try RandomFrame(rows: 400, seed: seed)
            let result = try data.frame.grouped(by: keys).aggregate([
                .count(), .count("volume", as: "n_volume"), .sum("volume"), .sum("quantity"), .sum("price"),
                .mean("volume"), .min("price"), .max("time"), .first("trade_id"), .last("volume"),
                .volumeWeightedAverage(price: "price", volume: "volume"),
            ])
            // Naive reference: groups in order of first appearance.
            var order: [[String?]] = []
            var rowsOf: [[String?]: [Int]] = [:]
            for row in 0..<data.frame.rowCount {
                let k = Self.key(data, keys, row)
                if rowsOf[k] == nil { order.append(k) }
                rowsOf[k, default: []].append(row)
            }
            #expect(result.rowCount == order.count)
            let counts = result["count", as: Int64.self]!
            let validVolumes = result["n_volume", as: Int64.self]!
            let volumeSums = result["volume_sum", as: Double.self]!
            let quantitySums = result["quantity_sum", as: Int64.self]!
            let priceSums = try result.column("price_sum", as: DecimalColumn.self)
            let means = result["volume_mean", as: Double.self]!
            let minPrice = try result.column("price_min", as: DecimalColumn.self)
            let maxTime = try result.column("time_max", as: TimestampColumn.self)
            let firstID = try result.column("trade_id_first", as: StringColumn.self)
            let lastVolume = result["volume_last", as: Double.self]!
            let vwap = result["vwap", as: Double.self]!
            for (group, k) in order.enumerated() {
                let rows = rowsOf[k]!
                for (index, name) in keys.enumerated() {
                    #expect(try result.column(name).text(at: group) == k[index])
                }
                #expect(counts[group] == Int64(rows.count))
                let volumes = rows.compactMap { data.volume[$0] }
                #expect(validVolumes[group] == Int64(volumes.count))
                #expect(volumeSums[group] == volumes.reduce(0, +))
                #expect(quantitySums[group] == rows.compactMap { data.quantity[$0] }.reduce(0, +))
                #expect(priceSums.significands[group] == rows.compactMap { data.price[$0] }.reduce(0, +))
                #expect(means[group] == (volumes.isEmpty ? nil : volumes.reduce(0, +) / Double(volumes.count)))
                #expect(minPrice.significands[group] == rows.compactMap { data.price[$0] }.min())
                #expect(maxTime.nanoseconds[group] == rows.compactMap { data.time[$0] }.max())
                #expect(firstID[group] == rows.lazy.compactMap { data.tradeID[$0] }.first)
                #expect(lastVolume[group] == rows.compactMap { data.volume[$0] }.last)
                let pairs = rows.filter { data.price[$0] != nil && data.volume[$0] != nil }
                let numerator = pairs.reduce(0.0) { $0 + Double(data.price[$1]!) / 100 * data.volume[$1]! }
                let denominator = pairs.reduce(0.0) { $0 + data.volume[$1]! }
                if denominator == 0 {
                    #expect(vwap[group] == nil)
                } else {
                    #expect(abs(vwap[group]! - numerator / denominator) <= 1e-9 * max(1, abs(numerator / denominator)))
                }
            }
        }
    }

    @Test func categoricalKeysUseTheDenseTable() throws {
        let data = try RandomFrame(rows: 100, seed: 3)
        let grouping = try data.frame.grouped(by: ["product", "flag"])
        // Dense slots: product cardinality (+1 null) × flag (2 + 1 null).
        #expect(grouping.slotCount == (7 + 1) * 3)
        #expect(try data.frame.grouped(by: ["desk"]).slotCount == grouping.frame.grouped(by: ["desk"]).groupCount)
    }

    @Test func decimalSumsAreExactBeyondDouble() throws {
        // 0.1 summed ten million times in Double drifts; the decimal sum is exact.
        let tenths = try DecimalColumn(
            significands: Column<Int64>(repeatElement(1, count: 1000) + [Int64.max / 2]), scale: 1)
        let frame = try TradeFrame([("g", CategoricalColumn(repeatElement("a", count: 1001))), ("v", tenths)])
        let sums = try frame.grouped(by: ["g"]).aggregate([.sum("v")])
        let total = try sums.column("v_sum", as: DecimalColumn.self)
        #expect(total.significands[0] == 1000 + Int64.max / 2)
        #expect(total.text(at: 0) == "461168601842738890.3")
    }

    @Test func overflowingIntegerSumNamesTheColumn() throws {
        let frame = try TradeFrame([("q", Column<Int64>([Int64.max, 1]))])
        let error = #expect(throws: TradeFrameError.self) { try frame.grouped(by: []).aggregate([.sum("q")]) }
        #expect(error?.code == .overflow)
        #expect(error?.column == "q")
    }

    @Test func exactDecimalWeightedAverage() throws {
        let frame = try TradeFrame([
            ("p", try DecimalColumn(parsing: ["45.10", "50.00"], scale: 2)),
            ("v", try DecimalColumn(parsing: ["1.5", "0.5"], scale: 1)),
        ])
        let result = try frame.grouped(by: []).aggregate([.volumeWeightedAverage(price: "p", volume: "v")])
        #expect(result["vwap", as: Double.self]?[0] == (45.10 * 1.5 + 50.00 * 0.5) / 2)
    }

    @Test func sumOfTextIsATypeMismatch() throws {
        let data = try RandomFrame(rows: 10, seed: 1)
        let error = #expect(throws: TradeFrameError.self) {
            try data.frame.grouped(by: ["product"]).aggregate([.sum("desk")])
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "desk")
    }
}
