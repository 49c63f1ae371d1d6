import ETRMContracts
import Testing

@testable import TradeFrame

@Suite struct ParquetTests {
    @Test(arguments: [(1 << 20, ParquetCodec.snappy), (7, .uncompressed), (40, .snappy)])
    func everyTypeWithNullsReadsBack(rowsPerGroup: Int, codec: ParquetCodec) throws {
        let frame = try ArrowIPCTests.frame()
        ArrowIPCTests.expectSame(
            try TradeFrame.readParquet(try frame.parquet(rowsPerGroup: rowsPerGroup, codec: codec)), frame)
    }

    @Test func emptyAndSlicedFramesReadBack() throws {
        let frame = try ArrowIPCTests.frame()
        ArrowIPCTests.expectSame(try TradeFrame.readParquet(try frame.rows(0..<0).parquet()), frame.rows(0..<0))
        ArrowIPCTests.expectSame(try TradeFrame.readParquet(try frame.rows(9..<77).parquet()), frame.rows(9..<77))
    }

    /// Found by FuzzParquet: a categorical with an empty dictionary wrote 64-bit indices, which no reader takes.
    @Test func anAllNullCategoricalReadsBack() throws {
        let frame = try TradeFrame([("market", CategoricalColumn([nil, nil] as [String?]))])
        ArrowIPCTests.expectSame(try TradeFrame.readParquet(try frame.parquet()), frame)
    }

    @Test func snappyPagesAreSmallerForRepetitiveData() throws {
        let frame = try TradeFrame([("market", StringColumn(Array(repeating: "PJM-WEST-HUB", count: 5_000)))])
        #expect(try frame.parquet(codec: .snappy).count * 5 < frame.parquet(codec: .uncompressed).count)
    }

    // MARK: Hostile input

    static func expectStructuredError(_ bytes: [UInt8]) {
        do {
            _ = try TradeFrame.readParquet(bytes)
            Issue.record("accepted hostile input of \(bytes.count) bytes")
        } catch {
            #expect([.corruptFile, .unsupported, .outOfRange].contains(error.code), "\(error)")
        }
    }

    @Test func truncationsWrongMagicAndHugeFooterAreRejected() throws {
        let file = try ArrowIPCTests.frame(rows: 9).parquet()
        for length in 0..<file.count { Self.expectStructuredError(Array(file.prefix(length))) }
        var magic = file
        magic[0] = 0
        Self.expectStructuredError(magic)
        var footer = file
        footer.replaceSubrange(file.count - 8..<file.count - 4, with: le(UInt32.max))
        Self.expectStructuredError(footer)
    }

    /// Overwriting any one byte with 0xFF, 0x7F or 0x15 never crashes: the reader refuses with a structured
    /// error or returns a frame.
    @Test func corruptingAnyByteNeverCrashes() throws {
        let file = try ArrowIPCTests.frame(rows: 6).parquet()
        for position in 0..<file.count {
            for value: UInt8 in [0xFF, 0x7F, 0x15] {
                var bytes = file
                bytes[position] = value
                do {
                    _ = try TradeFrame.readParquet(bytes)
                } catch {
                    #expect(
                        [.corruptFile, .unsupported, .outOfRange, .duplicateColumn, .invalidInput].contains(error.code),
                        "\(error)")
                }
            }
        }
    }
}
