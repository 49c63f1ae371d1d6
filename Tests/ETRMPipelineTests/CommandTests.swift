import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Testing

/// Whole-run errors exit non-zero with a message and no summary; the outputs are written; the chunked read
/// and the module reader agree.
@Suite struct CommandTests {
    private func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private static let oneTrade = """
        {"trades": [{"trade_id": "T-1", "counterparty_lei": "506700GE1G29325QX363", "product_code": "NG-HH", \
        "delivery_start": "2025-03-10T14:00:00Z", "delivery_end": "2025-03-10T15:00:00Z", "volume_mwh": 1.5, \
        "price_usd": 2.5, "status": "CONFIRMED", "event_time": "2025-03-01T09:00:00Z"}]}
        """

    @Test(
        arguments: [
            ("missing trades file", nil, #"{"broker_volumes": []}"#, "cannot read trades file"),
            ("empty document", "", #"{"broker_volumes": []}"#, "trades file"),
            ("no trades array", #"{"records": []}"#, #"{"broker_volumes": []}"#, "no \"trades\" array"),
            (
                "duplicate broker ids", oneTrade,
                #"{"broker_volumes": [{"trade_id": "T-1", "broker_volume_mwh": 1}, {"trade_id": "T-1", "broker_volume_mwh": 2}]}"#,
                "duplicate trade_id \"T-1\""
            ),
            ("missing broker file", oneTrade, nil, "cannot read broker file"),
        ] as [(String, String?, String?, String)])
    func wholeRunErrorsExitNonZeroWithoutSummary(
        _ label: String, trades: String?, broker: String?, message: String
    ) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tradesPath =
            try trades.map { try write($0, "trades.json", in: directory) }
            ?? directory.appendingPathComponent("absent-trades.json").path
        let brokerPath =
            try broker.map { try write($0, "broker.json", in: directory) }
            ?? directory.appendingPathComponent("absent-broker.json").path
        let summary = directory.appendingPathComponent("summary.json").path
        let output = CapturedConsole()
        let status = PipelineCommand.main(
            ["run", "--input", tradesPath, "--broker", brokerPath, "--summary-json", summary], console: output.console)
        #expect(status == 1, "\(label)")
        #expect(output.err.contains(message), "\(label): \(output.err)")
        #expect(!FileManager.default.fileExists(atPath: summary))
        #expect(output.out.isEmpty)
    }

    @Test(arguments: [
        ["run"], ["run", "--input", "a.json"], ["frobnicate"], ["run", "--input", "a", "--broker", "b", "--bogus"],
        ["generate", "--trades", "0", "--out", "x"], ["run", "--input"],
    ])
    func usageErrorsExitTwo(_ arguments: [String]) {
        let output = CapturedConsole()
        #expect(PipelineCommand.main(arguments, console: output.console) == 2)
        #expect(output.err.contains("usage:"))
    }

    @Test func noArgumentsMeansTheDemoRun() throws {
        #expect(try PipelineCommandLine.parse([]) == .demo(report: nil))
        #expect(
            try PipelineCommandLine.parse(["run", "--input=a", "--broker", "b", "--input", "c", "--quiet"])
                == .run(
                    {
                        // Every --input counts, in order (one feed split across files).
                        var options = PipelineCommandLine.RunOptions(inputs: ["a", "c"], broker: "b")
                        options.quiet = true
                        return options
                    }()))
    }

    /// A document the chunked read declines (another top-level key first) goes through the reader for the
    /// whole document; the summary must not change.
    @Test func fastPathAndModuleReaderAgree() throws {
        let generated = try FeedGenerator(configuration: .init(trades: 5_000, seed: 11)).documents()
        let fast = try Pipeline().run(trades: generated.trades, broker: generated.broker)
        let declined = Array(#"{"meta": {"page": 1}, "#.utf8) + generated.trades.dropFirst()
        let slow = try Pipeline().run(trades: declined, broker: generated.broker)
        #expect(fast.summary == slow.summary)
        #expect(fast.feed.quarantinedByCode == slow.feed.quarantinedByCode)
        #expect(fast.summary.quarantined > 0)
    }

    @Test func outputsAreWritten() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try FeedGenerator(configuration: .init(trades: 3_000, seed: 2)).documents()
        try Data(generated.trades).write(to: directory.appendingPathComponent("trades.json"))
        try Data(generated.broker).write(to: directory.appendingPathComponent("broker.json"))
        let output = CapturedConsole()
        let status = PipelineCommand.main(
            [
                "run", "--input", directory.appendingPathComponent("trades.json").path, "--broker",
                directory.appendingPathComponent("broker.json").path, "--dead-letters",
                directory.appendingPathComponent("dead.jsonl").path, "--out",
                directory.appendingPathComponent("out").path,
                "--summary-json", directory.appendingPathComponent("summary.json").path,
            ], console: output.console)
        try #require(status == 0, "\(output.err)")
        let result = try Pipeline().run(trades: generated.trades, broker: generated.broker)
        let deadLetters = try String(contentsOf: directory.appendingPathComponent("dead.jsonl"), encoding: .utf8)
        #expect(deadLetters.utf8.filter { $0 == 0x0A }.count == result.summary.quarantined)
        let final = try String(contentsOf: directory.appendingPathComponent("out/final_trades.csv"), encoding: .utf8)
        #expect(final.utf8.filter { $0 == 0x0A }.count == result.summary.afterDedup + 1)
        let aggregates = try String(contentsOf: directory.appendingPathComponent("out/aggregates.csv"), encoding: .utf8)
        #expect(aggregates.utf8.filter { $0 == 0x0A }.count == result.summary.aggregateGroups + 1)
        let flagged = try String(
            contentsOf: directory.appendingPathComponent("out/flagged_trades.csv"), encoding: .utf8)
        #expect(flagged.utf8.filter { $0 == 0x0A }.count == result.summary.flagged + 1)
        #expect(output.out.contains("accepted + quarantined = received"))
        #expect(output.out.contains("peak memory"))
    }
}
