// interchange-benchmark N DIR [REPEATS] — the Swift half of Benchmarks/Comparison/interchange.sh (issue 18).
//
// Generates N trades from seed 42 as `etrm-pipeline` does, runs the pipeline, and times TradeFrame writing and
// reading the cleaned trade frame as Parquet (Snappy) and as an Arrow IPC file (read through a memory map). It
// leaves DIR/swift.parquet and DIR/swift.arrow behind for pyarrow (which takes its table from swift.arrow, so
// both sides handle the same data) and prints one JSON object per measurement on stdout; times are the best of
// REPEATS (default 3), with the file in the page cache.
import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import TradeFrame

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("interchange-benchmark: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let trades = Int(arguments.first!), trades > 0 else {
    fail("usage: interchange-benchmark N DIR [REPEATS]")
}
let directory = URL(fileURLWithPath: arguments[arguments.startIndex + 1])
let repeats = arguments.count > 2 ? Int(arguments[arguments.startIndex + 2]) ?? 3 : 3

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// The best wall time of `repeats` runs of `body`.
func best(_ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<max(repeats, 1) {
        let started = ContinuousClock.now
        try body()
        fastest = min(fastest, seconds(ContinuousClock.now - started))
    }
    return fastest
}

do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let generated = try FeedGenerator(configuration: .init(trades: trades, seed: RunDefaults.demoSeed)).documents()
    let frame = try Pipeline().run(trades: generated.trades, broker: generated.broker).final
    let parquetURL = directory.appendingPathComponent("swift.parquet")
    let arrowURL = directory.appendingPathComponent("swift.arrow")

    let parquetWrite = try best { try Data(try frame.parquet(codec: .snappy)).write(to: parquetURL) }
    var rows = 0
    let parquetRead = try best {
        rows = try TradeFrame.readParquet(Data(contentsOf: parquetURL, options: .alwaysMapped)).rowCount
    }
    guard rows == frame.rowCount else { fail("Parquet read back \(rows) of \(frame.rowCount) rows") }
    let arrowWrite = try best { try Data(try frame.arrowFile()).write(to: arrowURL) }
    let arrowRead = try best { rows = try TradeFrame.readArrow(contentsOf: arrowURL).rowCount }
    guard rows == frame.rowCount else { fail("Arrow read back \(rows) of \(frame.rowCount) rows") }

    func size(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    }
    let results: [(String, Double, Double, Int)] = [
        ("parquet", parquetWrite, parquetRead, try size(parquetURL)),
        ("arrow", arrowWrite, arrowRead, try size(arrowURL)),
    ]
    for (format, write, read, bytes) in results {
        print(
            #"{"tool": "swift", "format": "\#(format)", "trades": \#(trades), "rows": \#(frame.rowCount), "#
                + #""columns": \#(frame.columnCount), "#
                + #""write_s": \#(write), "read_s": \#(read), "bytes": \#(bytes)}"#)
    }
} catch {
    fail("\(error)")
}
