import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Testing
import TradeFrame

/// `--output DIR --format parquet|arrow|csv`: parsed for `run` and the demo, and the files it writes read back
/// equal to the frames of the run.
@Suite struct FrameOutputTests {
    @Test func parsesOutputAndFormat() throws {
        #expect(
            try PipelineCommandLine.parse(["--output", "out"])
                == .demo(report: nil, output: FrameOutput(directory: "out", format: .parquet)))
        #expect(
            try PipelineCommandLine.parse(["--report", "r.html", "--format=arrow", "--output", "o"])
                == .demo(report: "r.html", output: FrameOutput(directory: "o", format: .arrow)))
        var options = PipelineCommandLine.RunOptions(input: "t", broker: "b")
        options.output = FrameOutput(directory: "d", format: .csv)
        #expect(
            try PipelineCommandLine.parse(["run", "--input", "t", "--broker", "b", "--output", "d", "--format", "csv"])
                == .run(options))
        #expect(
            try PipelineCommandLine.parse(["run", "--input", "t", "--broker", "b"])
                == .run(.init(input: "t", broker: "b")))
    }

    @Test(arguments: [
        ["--output", "o", "--format", "orc"], ["--format", "arrow"],
        ["run", "--input", "t", "--broker", "b", "--format", "parquet"],
        ["run", "--input", "t", "--broker", "b", "--output", "o", "--format", "Parquet"],
        ["run", "--input", "t", "--broker", "b", "--output"],
    ])
    func badOutputOptionsAreUsageErrors(_ arguments: [String]) {
        let output = CapturedConsole()
        #expect(PipelineCommand.main(arguments, console: output.console) == 2)
        #expect(output.err.contains("usage:"), "\(output.err)")
    }

    @Test(arguments: FrameOutput.Format.allCases)
    func runWritesFramesThatReadBackEqual(_ format: FrameOutput.Format) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try FeedGenerator(configuration: .init(trades: 2_000, seed: 5)).documents()
        let trades = directory.appendingPathComponent("trades.json")
        let broker = directory.appendingPathComponent("broker.json")
        try Data(generated.trades).write(to: trades)
        try Data(generated.broker).write(to: broker)
        let out = directory.appendingPathComponent("frames")
        let output = CapturedConsole()
        let status = PipelineCommand.main(
            [
                "run", "--input", trades.path, "--broker", broker.path, "--quiet", "--output", out.path, "--format",
                format.rawValue,
            ], console: output.console)
        try #require(status == 0, "\(output.err)")
        let result = try Pipeline().run(trades: generated.trades, broker: generated.broker)
        let expected = [
            ("trades", result.final), ("settlement_report", try PipelineCommand.settlementReport(result)),
            ("flagged_trades", result.reconciliation.flagged),
        ]
        #expect(result.final.rowCount > 1_000)
        #expect(result.reconciliation.flagged.rowCount > 0)
        for (name, frame) in expected {
            let url = out.appendingPathComponent("\(name).\(format.rawValue)")
            let bytes = [UInt8](try Data(contentsOf: url))
            switch format {
            case .parquet: Self.expectSame(try TradeFrame.readParquet(bytes), frame, name)
            case .arrow: Self.expectSame(try TradeFrame.readArrow(contentsOf: url), frame, name)
            case .csv: #expect(bytes == frame.csv(), "\(name)")
            }
        }
    }

    @Test func demoWritesTheFrames() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = CapturedConsole()
        let status = PipelineCommand.main(
            ["--output", directory.path, "--format", "arrow"], console: output.console)
        try #require(status == 0, "\(output.err)")
        let report = try TradeFrame.readArrow(contentsOf: directory.appendingPathComponent("settlement_report.arrow"))
        #expect(report.columnNames == ["settlement_cycle", "product_code", "total_volume_mwh", "vwap_usd", "trades"])
        #expect(report["total_volume_mwh"]?.kind == .decimal)
        let trades = try TradeFrame.readArrow(contentsOf: directory.appendingPathComponent("trades.arrow"))
        let reportTrades = report["trades", as: Column<Int64>.self]
        #expect(trades.rowCount == (0..<report.rowCount).reduce(0) { $0 + Int(reportTrades?[$1] ?? 0) })
        #expect(output.err.contains("trades.arrow"))
    }

    /// The same rows, types and values (as text), column by column.
    static func expectSame(_ back: TradeFrame, _ frame: TradeFrame, _ name: String) {
        #expect(back.columnNames == frame.columnNames, "\(name)")
        #expect(back.rowCount == frame.rowCount, "\(name)")
        for (column, original) in zip(frame.columnNames, frame.columns) {
            let other = back[column]
            #expect(other?.kind == original.kind, "\(name).\(column)")
            let same = (0..<frame.rowCount).allSatisfy { other?.text(at: $0) == original.text(at: $0) }
            #expect(same, "\(name).\(column) differs")
        }
    }
}
