import Testing

@testable import TradeFrame

/// What `readCSV` accepts and refuses (issue 13: numbers, byte order mark, blank lines, duplicate headers).
@Suite struct CSVReadingTests {
    static func read(_ text: String, _ kind: ColumnKind, scale: Int = 0) throws(TradeFrameError) -> TradeFrame {
        try TradeFrame.readCSV(Array("id,x\n\(text)".utf8), schema: [CSVColumn("x", kind, scale: scale)])
    }

    static func readError(_ text: String, _ kind: ColumnKind) -> TradeFrameError? {
        do {
            let frame = try read(text, kind)
            Issue.record("\(text.debugDescription) read as \(frame)")
            return nil
        } catch {
            return error
        }
    }

    /// Numbers follow the package's decimal grammar (RFC 8259's `number`, as `ExactDecimal` and the JSON reader);
    /// `Double(String)` accepted hex floats, `inf`, `nan`, a leading `+`, `.5` and more.
    @Test(
        arguments: [ColumnKind.float64, .float32],
        [
            "0x1p3", "inf", "-inf", "infinity", "nan", "NaN", "+1", ".5", "5.", "1e", "1_0", " 1", "1 ", "01", "1,5",
            "0x10", "1e+", "--1", "1.2.3", "１",
        ])
    func floatColumnsRefuseNonDecimalForms(kind: ColumnKind, text: String) throws {
        let error = Self.readError("a,\(text.contains(",") ? "\"\(text)\"" : text)\n", kind)
        #expect(error?.code == .invalidInput)
        #expect(error?.column == "x")
        #expect(error?.message.contains("row 0 (line 2)") == true)
    }

    @Test(arguments: [ColumnKind.float64, .float32])
    func floatColumnsReadTheDecimalGrammarExactly(kind: ColumnKind) throws {
        let texts = ["0", "-0", "1.5", "-2.25e2", "1E-3", "3.4028234e38", "1e-05", "123456789012345678901234567890"]
        let frame = try Self.read(texts.map { "a,\($0)\n" }.joined(), kind)
        let written = texts.map { Double($0)! }
        if kind == .float64 {
            #expect(frame["x", as: Double.self]?.values == written)
            #expect(frame["x", as: Double.self]?[1]?.sign == .minus)
        } else {
            #expect(frame["x", as: Float.self]?.values == texts.map { Float($0)! })
        }
    }

    /// `1e400` became +infinity in a Float64 column, `1e39` in a Float32 column.
    @Test(arguments: [
        ("1e400", ColumnKind.float64), ("-1e309", .float64), ("1" + String(repeating: "0", count: 400), .float64),
        ("1e39", .float32), ("-3.5e38", .float32), ("1e99999999999999999999", .float64),
    ])
    func overflowToInfinityIsOutOfRange(text: String, kind: ColumnKind) {
        let error = Self.readError("a,\(text)\n", kind)
        #expect(error?.code == .outOfRange)
        #expect(error?.column == "x")
        #expect(error?.message.contains("row 0 (line 2)") == true)
    }

    /// A non-zero value that would round to zero loses every digit: refused like an overflow. A subnormal result is
    /// the nearest representable value and is kept.
    @Test func underflowToZeroIsOutOfRangeAndSubnormalsAreKept() throws {
        #expect(Self.readError("a,1e-400\n", .float64)?.code == .outOfRange)
        #expect(Self.readError("a,-2e-324\n", .float64)?.code == .outOfRange)
        #expect(Self.readError("a,1e-46\n", .float32)?.code == .outOfRange)
        let doubles = try Self.read("a,5e-324\na,0e-999\na,0.000\n", .float64)
        #expect(doubles["x", as: Double.self]?.values == [.leastNonzeroMagnitude, 0, 0])
        let floats = try Self.read("a,1e-45\n", .float32)
        #expect(floats["x", as: Float.self]?.values == [Float.leastNonzeroMagnitude])
    }

    /// Integers: `-?(0|[1-9][0-9]*)`; a value beyond the column's type is out of range, not malformed.
    @Test func integerColumnsFollowTheGrammarAndReportOverflow() throws {
        for text in ["+1", "01", "1.0", "1e3", " 1", "0x1", "1_000", "--1", "-"] {
            #expect(Self.readError("a,\(text)\n", .int64)?.code == .invalidInput, "\(text)")
            #expect(Self.readError("a,\(text)\n", .int32)?.code == .invalidInput, "\(text)")
        }
        #expect(Self.readError("a,9223372036854775808\n", .int64)?.code == .outOfRange)
        #expect(Self.readError("a,2147483648\n", .int32)?.code == .outOfRange)
        let frame = try Self.read("a,-9223372036854775808\na,0\na,-0\n", .int64)
        #expect(frame["x", as: Int64.self]?.values == [.min, 0, 0])
    }

    /// A decimal that does not fit is out of range too (the parser's `out_of_range`), not malformed.
    @Test func decimalColumnsSeparateMalformedFromOutOfRange() {
        #expect(Self.readError("a,1e19\n", .decimal)?.code == .outOfRange)
        #expect(Self.readError("a,0x10\n", .decimal)?.code == .invalidInput)
    }

    /// Timestamps are strict RFC 3339 with a zone; an instant beyond the Int64 nanosecond range is out of range.
    @Test func timestampColumnsAreStrictAndReportOutOfRange() {
        for text in ["2025-01-01T00:00:00", "2025-01-01 00:00:00Z", " 2025-01-01T00:00:00Z", "2025-02-29T00:00:00Z"] {
            #expect(Self.readError("a,\(text)\n", .timestamp)?.code == .invalidInput, "\(text)")
        }
        #expect(Self.readError("a,2300-01-01T00:00:00Z\n", .timestamp)?.code == .outOfRange)
    }

    /// Excel writes a UTF-8 byte order mark first; it used to become part of the first header name.
    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,v\nA,1.5\n".utf8)
        let frame = try TradeFrame.readCSV(bytes, schema: [CSVColumn("id", .string), CSVColumn("v", .float64)])
        #expect(frame["id", as: StringColumn.self]?.values == ["A"])
        #expect(frame["v", as: Double.self]?.values == [1.5])
    }

    /// A blank line is not a record (pandas' `skip_blank_lines`): it used to be a null row, or a field-count error.
    @Test func blankLinesAreSkipped() throws {
        let one = try TradeFrame.readCSV(Array("x\n1\n\n2\n\n".utf8), schema: [CSVColumn("x", .int64)])
        #expect(one["x", as: Int64.self]?.values == [1, 2])
        let two = try TradeFrame.readCSV(
            Array("\r\nid,x\r\n\r\nA,1\r\n\r\n\nB,2\r\n\r\n".utf8),
            schema: [CSVColumn("id", .string), CSVColumn("x", .int64)])
        #expect(two["id", as: StringColumn.self]?.values == ["A", "B"])
        let error = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("id,x\n\nA,1\nB,z\n".utf8), schema: [CSVColumn("x", .int64)])
        }
        #expect(error?.message.contains("row 1 (line 4)") == true)
    }

    /// A one-column frame's null row cannot be an empty line (readers skip those): it is written as `""`, which is
    /// null in any column but a text one (see IOTests for the text case).
    @Test func oneColumnNullRowsSurviveTheRoundTrip() throws {
        let frame = try TradeFrame([("x", Column<Double>([1.5, nil, 2, nil]))])
        let back = try TradeFrame.readCSV(frame.csv(), schema: [CSVColumn("x", .float64)])
        #expect(back["x", as: Double.self]?.values == [1.5, nil, 2, nil])
    }

    /// `x,x` used to read the first `x` silently.
    @Test func duplicatedHeaderIsRefused() {
        let error = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(Array("x,y,x\n1,2,3\n".utf8), schema: [CSVColumn("x", .int64)])
        }
        #expect(error?.code == .duplicateColumn)
        #expect(error?.column == "x")
    }

    /// Invalid UTF-8 used to become U+FFFD silently.
    @Test func invalidUTF8IsRefused() {
        let bytes = Array("s\n".utf8) + [0x41, 0xFF, 0x42, 0x0A]
        let error = #expect(throws: TradeFrameError.self) {
            try TradeFrame.readCSV(bytes, schema: [CSVColumn("s", .string)])
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("UTF-8") == true)
    }

    /// Non-finite floats are written as null (as JSON Lines does), so that the reader, which refuses `inf` and
    /// `nan`, reads every CSV the frame writes.
    @Test func nonFiniteFloatsAreWrittenAsNull() throws {
        let frame = try TradeFrame([
            ("d", Column<Double>([.infinity, -.infinity, .nan, 1])), ("f", Column<Float>([.nan, 2, .infinity, 3])),
        ])
        let back = try TradeFrame.readCSV(frame.csv(), schema: [CSVColumn("d", .float64), CSVColumn("f", .float32)])
        #expect(back["d", as: Double.self]?.values == [nil, nil, nil, 1])
        #expect(back["f", as: Float.self]?.values == [nil, 2, nil, 3])
    }
}
