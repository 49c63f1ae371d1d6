import Foundation
import Testing

@testable import TradeFrame

@Suite struct DatasetTests {
    /// A frame with the report's partition keys: a settlement cycle (text) and a market (categorical, some null).
    static func frame(rows: Int = 120) throws -> TradeFrame {
        let base = try ArrowIPCTests.frame(rows: rows, seed: 23)
        let cycles = (0..<rows).map { ["2025-07", "2025-08", "2025/09 adj"][$0 % 3] }
        let markets = (0..<rows).map { $0 % 11 == 0 ? nil : ["PJM", "DE-LU", "NORD POOL"][$0 % 4 % 3] }
        return try base.adding("settlement_cycle", StringColumn(cycles)).adding("market", CategoricalColumn(markets))
    }

    /// Each row as text by column name, sorted: equal for the same rows in any order.
    static func rowTexts(_ frame: TradeFrame, columns: [String]) throws -> [String] {
        let selected = try columns.map { (name) throws(TradeFrameError) in try frame.column(name) }
        return (0..<frame.rowCount).map { row in selected.map { $0.text(at: row) ?? "∅" }.joined(separator: "|") }
            .sorted()
    }

    @Test func aPartitionedDatasetReadsBackWithItsPartitionColumns() throws {
        let frame = try Self.frame()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("etrm-dataset-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try frame.writeParquet(partitionedBy: ["settlement_cycle", "market"], to: folder, codec: .snappy)
        let paths = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".parquet") }
        #expect(paths.contains("settlement_cycle=2025-07/market=PJM/part-0.parquet"))
        #expect(paths.contains("settlement_cycle=2025%2F09%20adj/market=__HIVE_DEFAULT_PARTITION__/part-0.parquet"))
        let back = try TradeFrame.readParquetDataset(at: folder)
        #expect(back.columnNames.suffix(2) == ["settlement_cycle", "market"])
        #expect(try Self.rowTexts(back, columns: frame.columnNames) == Self.rowTexts(frame, columns: frame.columnNames))
    }

    @Test func partitioningByNothingOrEverythingIsRejected() throws {
        let frame = try TradeFrame([("market", StringColumn(["PJM"]))])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("etrm-dataset-none-\(getpid())")
        #expect(throws: TradeFrameError.self) { try frame.writeParquet(partitionedBy: [], to: folder) }
        #expect(throws: TradeFrameError.self) { try frame.writeParquet(partitionedBy: ["market"], to: folder) }
    }
}
