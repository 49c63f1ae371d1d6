import ETRMShared
import Foundation
import Testing

@testable import TradeFrame

/// The Swift half of `.ci/interop.sh`: writes `swift.arrow`, `swift.arrows` and `swift.json` (each column's
/// name, kind, scale and exact values) into `ETRM_INTEROP_DIR` for pyarrow, polars and DuckDB to check, and
/// reads back whatever files those tools wrote there (`*.from-python.arrow[s]`) from the same frame.
/// Without the variable it does the same round trip in a temporary folder with its own files.
@Suite struct InteropTests {
    static var folder: URL {
        if let path = ProcessInfo.processInfo.environment["ETRM_INTEROP_DIR"] { return URL(fileURLWithPath: path) }
        return FileManager.default.temporaryDirectory.appendingPathComponent("etrm-interop-\(getpid())")
    }

    /// The JSON the Python side checks against: exact text for decimals, nanoseconds for timestamps.
    static func dump(_ frame: TradeFrame) -> [UInt8] {
        var out: [UInt8] = Array("{\"rows\":\(frame.rowCount),\"columns\":[".utf8)
        for (position, (name, column)) in zip(frame.columnNames, frame.columns).enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"name\":".utf8)
            JSONText.writeString(name, into: &out)
            out += Array(
                ",\"kind\":\"\(column.kind)\",\"scale\":\((column as? DecimalColumn)?.scale ?? 0),\"values\":[".utf8)
            for row in 0..<column.count {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                let text =
                    (column as? TimestampColumn).map { $0.nanoseconds[row].map(String.init) } ?? column.text(at: row)
                if let text { JSONText.writeString(text, into: &out) } else { out += Array("null".utf8) }
            }
            out += Array("]}".utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }

    @Test func filesWrittenHereAndByTheDataStackReadBackIdentically() throws {
        let frame = try ArrowIPCTests.frame(rows: 64, seed: 18)
        let folder = Self.folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["ETRM_INTEROP_DIR"] == nil {
                try? FileManager.default.removeItem(at: folder)
            }
        }
        try Data(try frame.arrowFile(rowsPerBatch: 40)).write(to: folder.appendingPathComponent("swift.arrow"))
        try Data(try frame.arrowStream()).write(to: folder.appendingPathComponent("swift.arrows"))
        try Data(try frame.parquet(rowsPerGroup: 40)).write(to: folder.appendingPathComponent("swift.parquet"))
        try Data(try frame.parquet(codec: .uncompressed)).write(
            to: folder.appendingPathComponent("swift.plain.parquet"))
        // A Hive-partitioned dataset and TradeFrame's own group-by over it, for DuckDB's GROUP BY to match.
        let dataset = try DatasetTests.frame()
        let datasetFolder = folder.appendingPathComponent("dataset")
        try? FileManager.default.removeItem(at: datasetFolder)
        try dataset.writeParquet(partitionedBy: ["settlement_cycle", "market"], to: datasetFolder)
        let groups = try dataset.grouped(by: ["settlement_cycle", "market"]).aggregate([
            .count(as: "trades"), .sum("quantity", as: "quantity"), .sum("price", as: "price"),
        ])
        try Data(Self.dump(groups)).write(to: folder.appendingPathComponent("dataset-groupby.json"))
        try Data(Self.dump(frame)).write(to: folder.appendingPathComponent("swift.json"))
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".arrow") || $0.hasSuffix(".arrows") || $0.hasSuffix(".parquet")
        }
        #expect(written.count >= 2)
        for name in written.sorted() {
            let url = folder.appendingPathComponent(name)
            let back =
                name.hasSuffix(".parquet")
                ? try TradeFrame.readParquet(try Data(contentsOf: url)) : try TradeFrame.readArrow(contentsOf: url)
            // Parquet has no categorical type: another tool's file gives the text back as a string column.
            let fromPython = name.hasSuffix(".from-python.parquet")
            // Tools may widen types (pyarrow keeps ours; polars writes large strings): compare values as text.
            #expect(back.columnNames == frame.columnNames, "\(name)")
            for (column, original) in zip(back.columns, frame.columns) {
                let kind = fromPython && original.kind == .categorical ? ColumnKind.string : original.kind
                #expect(column.kind == kind, "\(name)")
                #expect((0..<frame.rowCount).allSatisfy { column.text(at: $0) == original.text(at: $0) }, "\(name)")
            }
        }
    }
}
