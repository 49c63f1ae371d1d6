import ETRMContracts
import Testing

@testable import TradeFrame

@Suite struct ArrowIPCTests {
    /// Every column type, with nulls, including a decimal beyond 10^18 and timestamps before the epoch.
    static func frame(rows: Int = 300, seed: UInt64 = 11) throws -> TradeFrame {
        let data = try RandomFrame(rows: rows, seed: seed)
        let small = (0..<rows).map { $0 % 5 == 0 ? nil : Int32($0) - 150 }
        let floats = (0..<rows).map { $0 % 7 == 0 ? nil : Float($0) / 3 }
        var big = (0..<rows).map { $0 % 4 == 0 ? nil : Int64($0) * 1_000_003 }
        if rows > 2 { big[1] = Int64.max - 1; big[2] = -(Int64.max - 1) }
        return try data.frame.adding("small", Column<Int32>(small)).adding("ratio", Column<Float>(floats))
            .adding("notional", try DecimalColumn(significands: Column<Int64>(big), scale: 6))
    }

    static func expectSame(_ back: TradeFrame, _ frame: TradeFrame) {
        #expect(back.columnNames == frame.columnNames)
        #expect(back.rowCount == frame.rowCount)
        for (name, column) in zip(frame.columnNames, frame.columns) {
            let other = back[name]
            #expect(other?.kind == column.kind, "\(name)")
            #expect(other.map { $0.sameSchema(as: column) } == true, "\(name)")
            let same = (0..<frame.rowCount).allSatisfy { other?.text(at: $0) == column.text(at: $0) }
            #expect(same, "column \(name) differs")
        }
    }

    @Test(arguments: [1 << 20, 7])
    func fileAndStreamReadBackEveryTypeWithNulls(rowsPerBatch: Int) throws {
        let frame = try Self.frame()
        let file = try frame.arrowFile(rowsPerBatch: rowsPerBatch)
        #expect(file.prefix(6) == ArraySlice("ARROW1".utf8) && file.suffix(6) == ArraySlice("ARROW1".utf8))
        Self.expectSame(try TradeFrame.readArrowFile(file), frame)
        Self.expectSame(try TradeFrame.readArrowStream(try frame.arrowStream(rowsPerBatch: rowsPerBatch)), frame)
    }

    @Test func anEmptyFrameKeepsItsSchema() throws {
        let frame = try Self.frame().rows(0..<0)
        let back = try TradeFrame.readArrowFile(try frame.arrowFile())
        Self.expectSame(back, frame)
    }

    @Test func aSlicedFrameWritesOnlyItsRows() throws {
        let frame = try Self.frame().rows(13..<101)
        Self.expectSame(try TradeFrame.readArrowStream(try frame.arrowStream()), frame)
    }

    @Test func decimalsAreDecimal128AndTimestampsAreUTCNanoseconds() throws {
        let frame = try TradeFrame([
            ("price", try DecimalColumn([ExactDecimal(significand: -12345, scale: 3), nil], scale: 3)),
            ("time", TimestampColumn([Int64(1_751_328_000_123_456_789), nil])),
        ])
        let bytes = try frame.arrowStream()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("UTC"))
        let back = try TradeFrame.readArrowStream(bytes)
        #expect(back["price", as: DecimalColumn.self]?.scale == 3)
        #expect(back["price", as: DecimalColumn.self]?[0] == ExactDecimal(significand: -12345, scale: 3))
        #expect(back["time", as: TimestampColumn.self]?.nanoseconds.values == [1_751_328_000_123_456_789, nil])
    }

    // MARK: Hostile input

    static func expectStructuredError(_ bytes: [UInt8], file: Bool) {
        do {
            _ = try file ? TradeFrame.readArrowFile(bytes) : TradeFrame.readArrowStream(bytes)
        } catch {
            #expect([.corruptFile, .unsupported, .outOfRange, .duplicateColumn].contains(error.code), "\(error)")
            return
        }
        Issue.record("accepted hostile input of \(bytes.count) bytes")
    }

    @Test func everyTruncationIsACorruptFileError() throws {
        let frame = try Self.frame(rows: 9)
        let file = try frame.arrowFile()
        for length in 0..<file.count { Self.expectStructuredError(Array(file.prefix(length)), file: true) }
        let stream = try frame.arrowStream()
        // A stream cut exactly after a message is a shorter valid stream; every other cut must fail.
        for length in 0..<stream.count - 8 {
            do {
                _ = try TradeFrame.readArrowStream(Array(stream.prefix(length)))
            } catch {
                #expect([.corruptFile].contains(error.code), "\(error)")
            }
        }
    }

    @Test func wrongMagicIsRejected() throws {
        var file = try Self.frame(rows: 3).arrowFile()
        file[0] = UInt8(ascii: "X")
        Self.expectStructuredError(file, file: true)
        file = try Self.frame(rows: 3).arrowFile()
        file[file.count - 1] = UInt8(ascii: "X")
        Self.expectStructuredError(file, file: true)
    }

    @Test func hugeLengthsAndOffsetsPastTheEndAreRejected() throws {
        let stream = try Self.frame(rows: 5).arrowStream()
        var huge = stream
        huge.replaceSubrange(4..<8, with: le(Int32.max))
        Self.expectStructuredError(huge, file: false)
        var negative = stream
        negative.replaceSubrange(4..<8, with: le(Int32(-8)))
        Self.expectStructuredError(negative, file: false)
        var file = try Self.frame(rows: 5).arrowFile()
        file.replaceSubrange(file.count - 10..<file.count - 6, with: le(Int32.max))
        Self.expectStructuredError(file, file: true)
    }

    /// Overwriting any one byte with 0xFF or 0x7F never crashes: the reader either refuses with a structured
    /// error or returns a frame (a changed value byte is still a value).
    @Test func corruptingAnyByteNeverCrashes() throws {
        let file = try Self.frame(rows: 6).arrowFile()
        for position in 0..<file.count {
            for value: UInt8 in [0xFF, 0x7F] {
                var bytes = file
                bytes[position] = value
                do {
                    _ = try TradeFrame.readArrowFile(bytes)
                } catch {
                    #expect(
                        [.corruptFile, .unsupported, .outOfRange, .duplicateColumn].contains(error.code), "\(error)")
                }
            }
        }
    }
}
