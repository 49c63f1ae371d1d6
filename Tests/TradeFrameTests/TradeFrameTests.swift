import Testing

@testable import TradeFrame

@Suite struct TradeFrameTests {
    static func sample() throws -> TradeFrame {
        try TradeFrame([
            ("trade_id", StringColumn(["T1", "T2", "T3"])),
            ("product", CategoricalColumn(["DE-BASE", "DE-PEAK", "DE-BASE"] as [String])),
            ("volume_mwh", Column<Float>([1.5, 2.0, nil])),
            ("price", try DecimalColumn(parsing: ["45.10", "50.00", "47.25"], scale: 2)),
        ])
    }

    @Test func lengthMismatchNamesTheColumn() {
        let error = #expect(throws: TradeFrameError.self) {
            try TradeFrame([
                ("trade_id", StringColumn(["T1", "T2"])),
                ("volume_mwh", Column<Double>([1, 2])),
                ("price", Column<Double>([1])),
            ])
        }
        #expect(error?.code == .lengthMismatch)
        #expect(error?.column == "price")
        #expect(error?.description.contains("column \"price\"") == true)
    }

    @Test func duplicateAndEmptyNamesAreRejected() {
        let duplicate = #expect(throws: TradeFrameError.self) {
            try TradeFrame([("a", Column<Double>([1])), ("a", Column<Double>([2]))])
        }
        #expect(duplicate?.code == .duplicateColumn)
        #expect(duplicate?.column == "a")
        #expect(throws: TradeFrameError.self) { try TradeFrame([("", Column<Double>([1]))]) }
    }

    @Test func typedAccess() throws {
        let frame = try Self.sample()
        #expect(frame["volume_mwh", as: Float.self]?.values == [1.5, 2.0, nil])
        #expect(frame["volume_mwh", as: Double.self] == nil)
        #expect(frame["product", as: CategoricalColumn.self]?.cardinality == 2)
        let error = #expect(throws: TradeFrameError.self) { try frame.column("price", as: Column<Double>.self) }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "price")
        let missing = #expect(throws: TradeFrameError.self) { try frame.column("nope") }
        #expect(missing?.code == .unknownColumn)
    }

    @Test func selectRenameAddRemove() throws {
        let frame = try Self.sample()
        let selected = try frame.selecting(["price", "trade_id"])
        #expect(selected.columnNames == ["price", "trade_id"])
        let renamed = try frame.renaming(["volume_mwh": "volume"])
        #expect(renamed.columnNames == ["trade_id", "product", "volume", "price"])
        #expect(throws: TradeFrameError.self) { try frame.renaming(["trade_id": "product"]) }
        #expect(throws: TradeFrameError.self) { try frame.renaming(["nope": "x"]) }
        let derived = try frame.deriving("price_f64", from: "price", as: DecimalColumn.self) { $0.doubles() }
        #expect(derived["price_f64", as: Double.self]?.values == [45.1, 50.0, 47.25])
        let wrong = #expect(throws: TradeFrameError.self) { try frame.adding("short", Column<Double>([1])) }
        #expect(wrong?.column == "short")
        #expect(try frame.removing(["product"]).columnNames == ["trade_id", "volume_mwh", "price"])
    }

    @Test func descriptionPrintsTheHead() throws {
        let text = try Self.sample().description
        let lines = text.split(separator: "\n")
        #expect(lines[0].hasPrefix("trade_id  product"))
        #expect(lines[1].contains("categorical"))
        #expect(lines[3].contains("T1") && lines[3].contains("45.10"))
        #expect(lines[5].contains("null"))
        #expect(lines.last == "[3 rows × 4 columns]")
        #expect(try Self.sample().table(maxRows: 1).contains("…"))
    }

    @Test func memoryFootprintPerColumn() throws {
        let frame = try Self.sample()
        let footprint = Dictionary(uniqueKeysWithValues: frame.memoryFootprint.map { ($0.column, $0.bytes) })
        #expect(footprint["volume_mwh"] == 3 * 4 + 1)
        #expect(footprint["price"] == 3 * 8)
        #expect(footprint["trade_id"] == 6 + 4 * 8)
        #expect(frame.totalMemoryFootprint == footprint.values.reduce(0, +))
    }

    @Test func rowsAreClampedAndZeroCopy() throws {
        let frame = try Self.sample()
        #expect(frame.rows(1..<10).rowCount == 2)
        #expect(frame.head(1)["trade_id", as: StringColumn.self]?.values == ["T1"])
    }

    @Test func rowsAtIndicesAreChecked() throws {
        let frame = try Self.sample()
        let picked = try frame.rows(at: [2, -1, 0])
        #expect(picked["trade_id", as: StringColumn.self]?.values == ["T3", nil, "T1"])
        let error = #expect(throws: TradeFrameError.self) { try frame.rows(at: [3]) }
        #expect(error?.code == .invalidArgument)
        #expect(throws: TradeFrameError.self) { try frame.rows(at: [-2]) }
    }
}
