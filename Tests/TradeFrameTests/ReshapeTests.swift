import Testing

@testable import TradeFrame

@Suite struct ReshapeTests {
    @Test func filterByMaskAndPredicate() throws {
        let data = try RandomFrame(rows: 200, seed: 5)
        let filtered = try data.frame.filter("volume", as: Double.self) { $0 > 0 }
        let expected = (0..<200).filter { (data.volume[$0] ?? 0) > 0 }
        #expect(filtered["trade_id", as: StringColumn.self]?.values == expected.map { data.tradeID[$0] })
        let mask = Column<Bool>(data.flag)
        let byMask = try data.frame.filter(mask)
        #expect(byMask.rowCount == data.flag.filter { $0 == true }.count)
        #expect(throws: TradeFrameError.self) { try data.frame.filter(Column<Bool>([true])) }
        let byRow = try data.frame.filter(rows: { $0 % 2 == 0 })
        #expect(byRow.rowCount == 100)
    }

    @Test func keepLatestPerKeyWithTiesToTheLaterRow() throws {
        let data = try RandomFrame(rows: 300, seed: 8)
        let latest = try data.frame.keepingLatest(per: ["trade_id"], by: "time")
        var best: [String?: Int] = [:]
        for row in 0..<300 {
            guard let current = best[data.tradeID[row]] else {
                best[data.tradeID[row]] = row
                continue
            }
            let a = data.time[row]
            let b = data.time[current]
            if let a, b == nil || a >= b! {
                best[data.tradeID[row]] = row
            } else if a == nil && b == nil {
                best[data.tradeID[row]] = row
            }
        }
        let rows = best.values.sorted()
        #expect(latest.rowCount == rows.count)
        #expect(latest["trade_id", as: StringColumn.self]?.values == rows.map { data.tradeID[$0] })
        #expect(latest["time", as: TimestampColumn.self]?.nanoseconds.values == rows.map { data.time[$0] })
        #expect(latest["volume", as: Double.self]?.values == rows.map { data.volume[$0] })
    }

    @Test func partitionsCoverEveryRowOnce() throws {
        let data = try RandomFrame(rows: 250, seed: 21)
        let partitions = try data.frame.partitioned(by: ["product", "desk"])
        #expect(partitions.reduce(0) { $0 + $1.frame.rowCount } == 250)
        var seen = Set<[String?]>()
        for partition in partitions {
            #expect(seen.insert(partition.key).inserted)
            let products = partition.frame["product", as: CategoricalColumn.self]!.values
            let desks = partition.frame["desk", as: StringColumn.self]!.values
            #expect(products.allSatisfy { $0 == partition.key[0] })
            #expect(desks.allSatisfy { $0 == partition.key[1] })
        }
        #expect(partitions[0].key == [data.product[0], data.desk[0]])
    }

    @Test func concatenationOfSameSchemaFrames() throws {
        let a = try RandomFrame(rows: 40, seed: 1)
        let b = try RandomFrame(rows: 30, seed: 2, products: 12)
        let joined = try TradeFrame.concatenating([a.frame, b.frame])
        #expect(joined.rowCount == 70)
        #expect(joined["product", as: CategoricalColumn.self]?.values == a.product + b.product)
        #expect(joined["desk", as: StringColumn.self]?.values == a.desk + b.desk)
        #expect(try joined.column("price", as: DecimalColumn.self).significands.values == a.price + b.price)
        #expect(joined["time", as: TimestampColumn.self]?.nanoseconds.values == a.time + b.time)
        #expect(joined["flag", as: Bool.self]?.values == a.flag + b.flag)
    }

    @Test func concatenationRejectsAnotherSchema() throws {
        let a = try TradeFrame([("x", Column<Double>([1])), ("p", try DecimalColumn(parsing: ["1.0"], scale: 1))])
        let b = try TradeFrame([("x", Column<Float>([1])), ("p", try DecimalColumn(parsing: ["1.0"], scale: 1))])
        let c = try TradeFrame([("x", Column<Double>([1])), ("p", try DecimalColumn(parsing: ["1.00"], scale: 2))])
        let d = try TradeFrame([("y", Column<Double>([1])), ("p", try DecimalColumn(parsing: ["1.0"], scale: 1))])
        let kind = #expect(throws: TradeFrameError.self) { try TradeFrame.concatenating([a, b]) }
        #expect(kind?.column == "x")
        let scale = #expect(throws: TradeFrameError.self) { try TradeFrame.concatenating([a, c]) }
        #expect(scale?.column == "p")
        let names = #expect(throws: TradeFrameError.self) { try TradeFrame.concatenating([a, d]) }
        #expect(names?.code == .schemaMismatch)
    }
}
