import Foundation
import Testing

@testable import TradeFrame

/// Reading a mapped Arrow IPC file keeps fixed-width values and string bytes in the mapping, keeps the mapping
/// alive as long as a column reads from it, and checks every offset before a value is read.
@Suite struct ArrowMappedReadingTests {
    private static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).arrow")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func fixedWidthColumnsAndStringBytesAreReadInPlace() throws {
        let frame = try ArrowIPCTests.frame(rows: 500)
        let url = try Self.temporaryFile(try frame.arrowFile())
        defer { try? FileManager.default.removeItem(at: url) }
        let back = try TradeFrame.readArrow(contentsOf: url)
        ArrowIPCTests.expectSame(back, frame)
        var mapped: [String] = []
        for (name, column) in zip(back.columnNames, back.columns) {
            let inPlace =
                switch column {
                case let c as Column<Int64>: c.storage.isMapped
                case let c as Column<Int32>: c.storage.isMapped
                case let c as Column<Double>: c.storage.isMapped
                case let c as Column<Float>: c.storage.isMapped
                case let c as TimestampColumn: c.nanoseconds.storage.isMapped
                case let c as StringColumn: c.bytes.isMapped
                default: false
                }
            if inPlace { mapped.append(name) }
        }
        let expected = zip(frame.columnNames, frame.columns).filter {
            [.int64, .int32, .float64, .float32, .timestamp, .string].contains($0.1.kind)
        }.map(\.0)
        #expect(!expected.isEmpty)
        #expect(mapped == expected)
        // Bytes in memory are copied: nothing refers to the caller's buffer after the call.
        let copied = try TradeFrame.readArrowFile(try frame.arrowFile())
        #expect(copied.columns.allSatisfy { ($0 as? Column<Int64>)?.storage.isMapped != true })
    }

    @Test func theMappingLivesAsLongAsAColumnReadsFromIt() throws {
        let frame = try ArrowIPCTests.frame(rows: 200)
        let url = try Self.temporaryFile(try frame.arrowFile())
        var back: TradeFrame? = try TradeFrame.readArrow(contentsOf: url)
        // The file is gone and the frame dropped; a slice of one column still reads the mapped pages.
        try FileManager.default.removeItem(at: url)
        let names = back?["trade_id", as: StringColumn.self]?.slice(10..<20)
        let big = back?.columns.compactMap { $0 as? Column<Int64> }.first?.slice(5..<15)
        back = nil
        #expect(names?.values.count == 10)
        #expect(names?.values == frame["trade_id", as: StringColumn.self]?.slice(10..<20).values)
        #expect(big?.values == frame.columns.compactMap { $0 as? Column<Int64> }.first?.slice(5..<15).values)
    }

    /// The hostile-input cases of ``ArrowIPCTests``, through the in-place path: every truncation and every
    /// corrupted byte is a structured error or a frame, never a read outside the mapping.
    @Test func hostileMappedFilesAreStructuredErrors() throws {
        let file = try ArrowIPCTests.frame(rows: 6).arrowFile()
        for length in stride(from: 0, to: file.count, by: 3) {
            do {
                _ = try TradeFrame.readArrow(mapped: MappedRegion(copying: Array(file.prefix(length))))
                Issue.record("accepted a file cut at \(length)")
            } catch {
                #expect([.corruptFile, .unsupported].contains(error.code), "\(error)")
            }
        }
        for position in 0..<file.count {
            var bytes = file
            bytes[position] = 0xFF
            do {
                let frame = try TradeFrame.readArrow(mapped: MappedRegion(copying: bytes))
                for column in frame.columns { _ = (0..<column.count).map { column.text(at: $0) } }
            } catch {
                #expect(
                    [.corruptFile, .unsupported, .outOfRange, .duplicateColumn].contains(error.code), "\(error)")
            }
        }
    }

    /// Buffer offsets and lengths pointing past the body, and string offsets pointing past the data, are
    /// refused before anything is read through them.
    @Test func hostileBufferAndStringOffsetsAreRefused() throws {
        let frame = try TradeFrame([
            ("name", StringColumn(["alpha", "beta", "gamma"])), ("n", Column<Int64>([1, 2, 3])),
        ])
        let file = try frame.arrowStream()
        // The string column's offsets buffer follows the schema message; its third offset (row 2's start) is
        // replaced with one far past the data buffer.
        let good = try TradeFrame.readArrow(mapped: MappedRegion(copying: file))
        #expect(good["name", as: StringColumn.self]?.values == ["alpha", "beta", "gamma"])
        let offsets = try #require(Self.find(le(Int32(0)) + le(Int32(5)) + le(Int32(9)), in: file))
        var hostile = file
        hostile.replaceSubrange(offsets + 8..<offsets + 12, with: le(Int32(1 << 30)))
        #expect(throws: TradeFrameError.self) { try TradeFrame.readArrow(mapped: MappedRegion(copying: hostile)) }
        hostile = file
        hostile.replaceSubrange(offsets + 4..<offsets + 8, with: le(Int32(-3)))
        #expect(throws: TradeFrameError.self) { try TradeFrame.readArrow(mapped: MappedRegion(copying: hostile)) }
        // The Int64 buffer: its values are read in place only after the buffer is checked to hold 3 rows.
        let values = try #require(Self.find(le(Int64(1)) + le(Int64(2)) + le(Int64(3)), in: file))
        #expect(values % 8 == 0)
        let short = Array(file[..<(values + 16)])
        #expect(throws: TradeFrameError.self) { try TradeFrame.readArrow(mapped: MappedRegion(copying: short)) }
    }

    @Test func aMissingFileIsAnInvalidInputError() {
        #expect {
            try TradeFrame.readArrow(contentsOf: URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString).arrow"))
        } throws: { ($0 as? TradeFrameError)?.code == .invalidInput }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
