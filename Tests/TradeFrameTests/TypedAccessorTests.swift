import ETRMContracts
import Testing

@testable import TradeFrame

/// Issue 13: reading results needed casts from `any ColumnProtocol`. One accessor per column kind returns the
/// concrete column, or throws naming the column.
@Suite struct TypedAccessorTests {
    static func everyKind() throws -> TradeFrame {
        try TradeFrame([
            ("f64", Column<Double>([1.5, nil])), ("f32", Column<Float>([2.5, 3])), ("i64", Column<Int64>([4, 5])),
            ("i32", Column<Int32>([6, nil])), ("flag", Column<Bool>([true, false])), ("id", StringColumn(["A", "B"])),
            ("product", CategoricalColumn(["DE-BASE", "DE-BASE"] as [String])),
            ("time", TimestampColumn([1_735_689_600_000_000_000, nil])),
            ("volume", try DecimalColumn(parsing: ["1.250", "-2"], scale: 3)),
        ])
    }

    @Test func everyKindHasAnAccessor() throws {
        let frame = try Self.everyKind()
        #expect(try frame.doubles("f64").values == [1.5, nil])
        #expect(try frame.floats("f32").values == [2.5, 3])
        #expect(try frame.int64s("i64").values == [4, 5])
        #expect(try frame.int32s("i32").values == [6, nil])
        #expect(try frame.bools("flag").values == [true, false])
        #expect(try frame.strings("id").values == ["A", "B"])
        #expect(try frame.categoricals("product").values == ["DE-BASE", "DE-BASE"])
        #expect(try frame.timestamps("time")[0] == UTCTimestamp(nanosecondsSinceEpoch: 1_735_689_600_000_000_000))
        #expect(try frame.decimals("volume")[1] == ExactDecimal(significand: -2000, scale: 3))
    }

    @Test func wrongKindAndMissingColumnAreErrorsNamingTheColumn() throws {
        let frame = try Self.everyKind()
        let wrong = #expect(throws: TradeFrameError.self) { try frame.strings("product") }
        #expect(wrong?.code == .typeMismatch)
        #expect(wrong?.column == "product")
        #expect(wrong?.message.contains("categorical") == true)
        #expect(wrong?.message.contains("StringColumn") == true)
        let decimal = #expect(throws: TradeFrameError.self) { try frame.decimals("f64") }
        #expect(decimal?.code == .typeMismatch)
        #expect(decimal?.column == "f64")
        let missing = #expect(throws: TradeFrameError.self) { try frame.int64s("trades") }
        #expect(missing?.code == .unknownColumn)
        #expect(missing?.column == "trades")
    }

    /// The aggregate of the settlement report read back without a cast.
    @Test func aggregateResultsReadWithoutCasts() throws {
        let trades = try TradeFrame([
            ("product", CategoricalColumn(["DE-BASE", "DE-PEAK", "DE-BASE"] as [String])),
            ("volume_mwh", try DecimalColumn(parsing: ["1.5", "2", "0.25"], scale: 3)),
        ])
        let report = try trades.grouped(by: ["product"]).aggregate([
            .count(as: "trades"), .sum("volume_mwh", as: "volume_mwh"), .mean("volume_mwh", as: "mean"),
        ])
        #expect(try report.categoricals("product").values == ["DE-BASE", "DE-PEAK"])
        #expect(try report.int64s("trades").values == [2, 1])
        let volumes = try report.decimals("volume_mwh")
        #expect([volumes[0], volumes[1]] == [try ExactDecimal("1.750"), try ExactDecimal("2.000")])
        #expect(try report.doubles("mean").values == [0.875, 2])
    }
}
