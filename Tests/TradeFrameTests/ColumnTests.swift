import ETRMContracts
import ETRMShared
import Testing

@testable import TradeFrame

@Suite struct ColumnTests {
    @Test func builderRecordsNullsAndValues() {
        var builder = ColumnBuilder<Double>(capacity: 4)
        builder.append(1.5)
        builder.appendNull()
        builder.append(Double?(3.25))
        builder.append(nil)
        let column = builder.finish()
        #expect(column.count == 4)
        #expect(column.nullCount == 2)
        #expect(column.values == [1.5, nil, 3.25, nil])
        #expect(column.isNull(1) && !column.isNull(2))
    }

    @Test func columnWithoutNullsHasNoBitmap() {
        let column = Column<Int32>([1, 2, 3])
        #expect(column.validity == nil)
        #expect(column.memoryFootprint == 12)
    }

    @Test func sliceSharesStorageAndKeepsNulls() {
        let column = Column<Int64>([1, nil, 3, 4, nil, 6] as [Int64?])
        let slice = column.slice(1..<5)
        #expect(slice.values == [nil, 3, 4, nil])
        #expect(slice.nullCount == 2)
        let inner = slice.slice(1..<3)
        #expect(inner.values == [3, 4])
        #expect(inner.validity == nil)
        column.withUnsafeValues { whole in
            slice.withUnsafeValues { part in #expect(part.baseAddress == whole.baseAddress! + 1) }
        }
    }

    @Test func bitmapSliceAcrossWordBoundaries() {
        let flags = (0..<200).map { $0 % 3 != 0 }
        let bitmap = ValidityBitmap(flags)
        #expect(bitmap.nullCount == flags.filter { !$0 }.count)
        let sliced = bitmap.slice(61..<131)
        #expect(sliced?.nullCount == flags[61..<131].filter { !$0 }.count)
        for row in 0..<70 { #expect(sliced?.isValid(row) == flags[61 + row]) }
    }

    @Test func gatherWithMissingIndexGivesNull() {
        let column = StringColumn(["a", "bb", nil, "dddd"])
        let gathered = column.gathering([3, -1, 0, 2, 1])
        #expect(gathered.values == ["dddd", nil, "a", nil, "bb"])
    }

    @Test func stringColumnIsOneBuffer() {
        let column = StringColumn(["DE-BASE", "", "ünïcode"])
        #expect(column.values == ["DE-BASE", "", "ünïcode"])
        #expect(column.byteCount(at: 2) == "ünïcode".utf8.count)
        #expect(column.memoryFootprint == 7 + 0 + "ünïcode".utf8.count + 4 * 8)
        #expect(column.slice(1..<3).values == ["", "ünïcode"])
    }

    /// The bytes-and-offsets view gives every row of a slice, a null row as an empty range.
    @Test func utf8BuffersViewEveryRowOfASlice() {
        let column = StringColumn(["skipped", "DE-BASE", nil, "ünïcode", "", "last"]).slice(1..<5)
        let rows = column.withUTF8Buffers { bytes, offsets in
            #expect(offsets.count == column.count + 1)
            return (0..<column.count).map { row in
                String(decoding: bytes[Int(offsets[row])..<Int(offsets[row + 1])], as: UTF8.self)
            }
        }
        #expect(rows == ["DE-BASE", "", "ünïcode", ""])
        #expect(column.isNull(1))
    }

    @Test(arguments: [(40, 1), (256, 1), (257, 2), (65_536, 2), (65_537, 4)])
    func categoricalCodeWidthFollowsCardinality(distinct: Int, width: Int) {
        let values = (0..<distinct).map { "P\($0)" } + ["P0", "P1"]
        let column = StringColumn(values).categorical()
        #expect(column.cardinality == distinct)
        #expect(column.codeWidth == width)
        #expect(column[distinct] == "P0")
        #expect(column[distinct + 1] == "P1")
    }

    @Test func categoricalRoundTripKeepsNulls() {
        let strings = StringColumn(["NG", nil, "EL", "NG", "", nil])
        let categorical = strings.categorical()
        #expect(categorical.cardinality == 3)
        #expect(categorical.nullCount == 2)
        #expect(categorical.decoded() == strings)
        #expect(categorical.slice(2..<4).values == ["EL", "NG"])
        #expect(categorical.gathering([4, 0, -1]).values == ["", "NG", nil])
    }

    @Test func categoricalConcatenationMergesDictionaries() throws {
        let a = CategoricalColumn(["x", "y"] as [String])
        let b = CategoricalColumn(["z", nil, "x"])
        let joined = try a.appending(contentsOf: [b])
        #expect(joined.values == ["x", "y", "z", nil, "x"])
        #expect(joined.cardinality == 3)
    }

    @Test func decimalParsesExactlyAndRejectsExtraDigits() throws {
        let column = try DecimalColumn(parsing: ["1234.567", "-0.5", nil, "12"], scale: 3)
        #expect(column.significands.values == [1_234_567, -500, nil, 12_000])
        #expect(column.text(at: 0) == "1234.567")
        #expect(column.text(at: 1) == "-0.500")
        #expect(column.exactSum().description == "1246.067")
        #expect(throws: TradeFrameError.self) { try DecimalColumn(parsing: ["1.2345"], scale: 3) }
        let error = #expect(throws: TradeFrameError.self) { try DecimalColumn(parsing: ["1.2.3"], scale: 3) }
        #expect(error?.code == .invalidInput)
        #expect(throws: TradeFrameError.self) { try DecimalColumn(significands: Column<Int64>([1]), scale: 19) }
    }

    /// A value that does not fit the column scale is named as the decimal it is (`31899236661.3`), not as
    /// significand and exponent.
    @Test func rescaleOverflowNamesTheValueAsADecimal() throws {
        var builder = try DecimalColumnBuilder(scale: 9)
        let error = #expect(throws: TradeFrameError.self) {
            try builder.append(significand: 318_992_366_613, scale: 1)
        }
        #expect(error?.code == .overflow)
        #expect(error?.message.contains("31899236661.3") == true)
        #expect(error?.message.contains("e-") == false)
    }

    @Test func decimalExactSumExceedsInt64() throws {
        let column = try DecimalColumn(significands: Column<Int64>([Int64.max, Int64.max, 1]), scale: 0)
        let expected = Int128(Int64.max) * 2 + 1
        #expect(column.exactSum().significand == expected)
    }

    @Test func decimalToFloatingPoint() throws {
        let column = try DecimalColumn(parsing: ["1234.567", nil, "0.1"], scale: 3)
        #expect(column.doubles().values == [1234.567, nil, 0.1])
        #expect(column.floats().values == [Float(1234.567), nil, Float(0.1)])
    }

    @Test(arguments: [
        ("2025-03-30T01:00:00Z", Int64(1_743_296_400) * 1_000_000_000),
        ("2024-02-29T23:59:59.123456789Z", Int64(1_709_251_199) * 1_000_000_000 + 123_456_789),
        ("1969-12-31T23:59:59.500Z", -500_000_000),
    ])
    func timestampTextIsRFC3339InUTC(text: String, nanoseconds: Int64) throws {
        let column = TimestampColumn([nanoseconds, nil])
        #expect(column.text(at: 0) == text)
        #expect(column.text(at: 1) == nil)
        #expect(column[0] == UTCTimestamp(nanosecondsSinceEpoch: nanoseconds))
        var builder = TimestampColumnBuilder()
        builder.append(try UTCTimestamp(rfc3339: text))
        builder.append(UTCTimestamp?.none)
        #expect(builder.finish() == column)
    }

    @Test func decimalColumnFromExactDecimals() throws {
        let column = try DecimalColumn([try ExactDecimal("12.5"), nil, try ExactDecimal("-3")], scale: 2)
        #expect(column.significands.values == [1250, nil, -300])
        #expect(column[0] == (try ExactDecimal("12.50")))
        #expect(column.text(at: 2) == "-3.00")
        let inexact = #expect(throws: TradeFrameError.self) { try DecimalColumn([try ExactDecimal("0.125")], scale: 2) }
        #expect(inexact?.code == .inexact)
        let minimum = #expect(throws: TradeFrameError.self) {
            try DecimalColumn(significands: Column<Int64>([.min]), scale: 0)
        }
        #expect(minimum?.code == .overflow)
    }

    @Test func appendingChecksKind() {
        let error = #expect(throws: TradeFrameError.self) {
            try Column<Double>([1.0]).appending(contentsOf: [Column<Float>([1])])
        }
        #expect(error?.code == .schemaMismatch)
    }

    @Test func jsonValues() {
        var buffer: [UInt8] = []
        Column<Double>([1.5, nil, .nan]).writeJSON(at: 0, into: &buffer)
        buffer.append(44)
        Column<Double>([1.5, nil, .nan]).writeJSON(at: 1, into: &buffer)
        buffer.append(44)
        Column<Double>([1.5, nil, .nan]).writeJSON(at: 2, into: &buffer)
        buffer.append(44)
        StringColumn(["a\"b\n"]).writeJSON(at: 0, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "1.5,null,null,\"a\\\"b\\n\"")
    }
}
