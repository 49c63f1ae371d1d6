import Testing

@testable import TradeFrame

@Suite struct IOTests {
    static let schema = [
        CSVColumn("product", .categorical), CSVColumn("desk", .string), CSVColumn("trade_id", .string),
        CSVColumn("volume", .float64), CSVColumn("quantity", .int64), CSVColumn("price", .decimal, scale: 2),
        CSVColumn("time", .timestamp), CSVColumn("flag", .bool),
    ]

    @Test func csvRoundTrip() throws {
        let data = try RandomFrame(rows: 120, seed: 4)
        let bytes = data.frame.csv()
        let back = try TradeFrame.readCSV(bytes, schema: Self.schema)
        #expect(back.columnNames == data.frame.columnNames)
        #expect(back["product", as: CategoricalColumn.self]?.values == data.product)
        #expect(back["desk", as: StringColumn.self]?.values == data.desk)
        #expect(back["volume", as: Double.self]?.values == data.volume)
        #expect(back["quantity", as: Int64.self]?.values == data.quantity)
        #expect(try back.column("price", as: DecimalColumn.self).significands.values == data.price)
        #expect(back["time", as: TimestampColumn.self]?.nanoseconds.values == data.time)
        #expect(back["flag", as: Bool.self]?.values == data.flag)
    }

    @Test func csvQuotingFollowsRFC4180() throws {
        let notes: [String?] = ["a,b", "say \"hi\"", "line\r\nbreak", "", nil, "plain"]
        let frame = try TradeFrame([("note", StringColumn(notes)), ("n", Column<Int64>([1, 2, 3, 4, 5, 6]))])
        let text = String(decoding: frame.csv(), as: UTF8.self)
        #expect(
            text == "note,n\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n\"line\r\nbreak\",3\r\n\"\",4\r\n,5\r\nplain,6\r\n")
        let back = try TradeFrame.readCSV(frame.csv(), schema: [CSVColumn("note", .string)])
        #expect(back["note", as: StringColumn.self]?.values == notes)
    }

    /// In a one-column frame a null text row cannot be an empty line (readers skip blank lines): it is written as
    /// `""` and reads back as the empty string, the documented exception; the row is kept.
    @Test func oneColumnTextNullIsWrittenAsQuotedEmpty() throws {
        let frame = try TradeFrame([("note", StringColumn(["a", nil, ""]))])
        #expect(String(decoding: frame.csv(), as: UTF8.self) == "note\r\na\r\n\"\"\r\n\"\"\r\n")
        let back = try TradeFrame.readCSV(frame.csv(), schema: [CSVColumn("note", .string)])
        #expect(back["note", as: StringColumn.self]?.values == ["a", "", ""])
    }

    @Test func csvErrorsNameColumnAndLine() {
        let bad = Array("a,b\n1,2\n3,x\n".utf8)
        let error = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(bad, schema: [CSVColumn("b", .int32)])
        }
        #expect(error?.column == "b")
        #expect(error?.message.contains("line 3") == true)
        let missing = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(bad, schema: [CSVColumn("c", .int32)])
        }
        #expect(missing?.code == .unknownColumn)
        #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("a\n\"open\n".utf8), schema: [CSVColumn("a", .string)])
        }
        #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("a,b\n1\n".utf8), schema: [CSVColumn("a", .string)])
        }
        let inexact = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("p\n1.234\n".utf8), schema: [CSVColumn("p", .decimal, scale: 2)])
        }
        #expect(inexact?.code == .inexact)
        #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("t\n2025-01-01T00:00:00\n".utf8), schema: [CSVColumn("t", .timestamp)])
        }
    }

    @Test func chunkedReadAggregatesWithBoundedChunks() throws {
        let data = try RandomFrame(rows: 1000, seed: 12, nullRate: 0)
        let bytes = data.frame.csv()
        var chunkSizes: [Int] = []
        var partials: [TradeFrame] = []
        try TradeFrame.readCSV(bytes, schema: Self.schema, chunkRows: 128) { chunk in
            chunkSizes.append(chunk.rowCount)
            partials.append(
                try chunk.grouped(by: ["product"]).aggregate([.sum("price", as: "price"), .count(as: "n")]))
        }
        #expect(chunkSizes.max() == 128)
        #expect(chunkSizes.reduce(0, +) == 1000)
        let merged = try TradeFrame.concatenating(partials).grouped(by: ["product"]).aggregate([
            .sum("price", as: "price"), .sum("n", as: "n"),
        ])
        let whole = try data.frame.grouped(by: ["product"]).aggregate([.sum("price", as: "price"), .count(as: "n")])
        let sortedMerged = try merged.sorted(by: [.ascending("product")])
        let sortedWhole = try whole.sorted(by: [.ascending("product")])
        #expect(
            try sortedMerged.column("price", as: DecimalColumn.self)
                == sortedWhole.column("price", as: DecimalColumn.self))
        #expect(sortedMerged["n", as: Int64.self] == sortedWhole["n", as: Int64.self])
    }

    @Test func jsonLines() throws {
        let frame = try TradeFrame([
            ("id", StringColumn(["T\"1", nil])), ("v", Column<Float>([1.5, nil])),
            ("p", try DecimalColumn(parsing: ["45.10", "-0.01"], scale: 2)),
            ("t", TimestampColumn([1_735_689_600_000_000_000, nil])), ("ok", Column<Bool>([true, false])),
        ])
        let text = String(decoding: frame.jsonLines(), as: UTF8.self)
        #expect(
            text == """
                {"id":"T\\"1","v":1.5,"p":45.10,"t":"2025-01-01T00:00:00Z","ok":true}
                {"id":null,"v":null,"p":-0.01,"t":null,"ok":false}

                """)
    }
}
