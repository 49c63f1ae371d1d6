import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Testing

/// The `--report` HTML read back: its charts carry the summary's exact figures, it is self-contained, and the
/// text in it is escaped.
@Suite struct HTMLReportTests {
    /// A hostile product code, as it appears in the trades document (JSON-escaped) and as it must appear in the
    /// HTML.
    static let hostileJSON = #"<script>NG&HH\"'</script>"#
    static let hostileEscaped = "&lt;script&gt;NG&amp;HH&quot;&#39;&lt;/script&gt;"

    /// Generated trades (small N, seeded) with every `NG-HH` product renamed to the hostile code.
    private func runWithHostileProduct() throws -> (PipelineResult, String) {
        let generated = try FeedGenerator(configuration: .init(trades: 4_000, seed: 11)).documents()
        let trades = String(decoding: generated.trades, as: UTF8.self)
            .replacingOccurrences(of: "\"NG-HH\"", with: "\"\(Self.hostileJSON)\"")
        #expect(trades != String(decoding: generated.trades, as: UTF8.self))
        let result = try Pipeline().run(trades: Array(trades.utf8), broker: generated.broker)
        let html = HTMLReport.html(result, source: "generated <feed>", zone: "America/New_York", tolerance: .default)
        return (result, html)
    }

    /// The SVG element of one chart.
    private func chart(_ name: String, in html: String) throws -> Substring {
        let start = try #require(html.range(of: "<svg class=\"chart\" data-chart=\"\(name)\""))
        let end = try #require(html.range(of: "</svg>", range: start.upperBound..<html.endIndex))
        return html[start.lowerBound..<end.upperBound]
    }

    /// Every value of `data-<name>="…"` in `text`, in order.
    private func values(_ name: String, in text: Substring) -> [String] {
        text.components(separatedBy: "data-\(name)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// An exact `int.ddd` volume in thousandths.
    private func milli(_ text: String) throws -> Int128 {
        let parts = text.split(separator: ".")
        let whole = try #require(Int128(String(parts[0])))
        let fraction = try #require(Int128(String(parts[1])))
        #expect(parts[1].count == 3)
        return whole * 1000 + fraction
    }

    @Test func chartTotalsEqualTheSummaryExactly() throws {
        let (result, html) = try runWithHostileProduct()
        let s = result.summary
        for name in ["volume-by-cycle", "volume-by-product"] {
            let volumes = values("volume", in: try chart(name, in: html))
            #expect(!volumes.isEmpty)
            let total = try volumes.reduce(Int128(0)) { $0 + (try milli($1)) }
            #expect(ExactFormat.milli(total) == s.aggregateTotalVolume, "\(name)")
        }
        let quarantine = try chart("quarantine", in: html)
        let labels = values("label", in: quarantine)
        let counts = values("count", in: quarantine).compactMap { Int($0) }
        #expect(Dictionary(uniqueKeysWithValues: zip(labels, counts)) == result.feed.quarantinedByCode)
        #expect(counts.reduce(0, +) >= s.quarantined)

        let drift = values("count", in: try chart("drift", in: html)).compactMap { Int($0) }
        #expect(drift.count == result.reconciliation.drift.counts.count)
        #expect(drift.reduce(0, +) == s.reconciledMatched)
        // The generator's breaches are far beyond 0.5 %; none of its agreeing volumes is near it.
        #expect(drift[5...].reduce(0, +) == s.flagged)

        let headline = html.components(separatedBy: "<div class=\"kpi\"><b data-count=\"").dropFirst()
            .compactMap { Int($0.prefix { $0 != "\"" }) }
        #expect(headline == [s.inputRecords, s.afterDedup, s.quarantined, s.duplicatesDropped, s.flagged])
        #expect(s.afterDedup + s.quarantined + s.duplicatesDropped == s.inputRecords)
        let flaggedRows =
            html.components(separatedBy: "<table class=\"flagged\">").last?
            .components(separatedBy: "</table>").first?.components(separatedBy: "<tr><td>").count ?? 0
        #expect(flaggedRows - 1 == s.flagged)
        #expect(s.flagged > 0)
    }

    @Test func theReportIsSelfContainedAndEscapesText() throws {
        let (result, html) = try runWithHostileProduct()
        #expect(result.groups.contains { $0.product.hasPrefix("<script>") })
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("url(") && !html.contains("@import") && !html.contains("<img"))
        #expect(html.contains(Self.hostileEscaped))
        #expect(html.contains("generated &lt;feed&gt;"))
    }

    /// `run --report` writes the report of the file run beside its unchanged summary JSON, and draws no
    /// progress line when stderr is not a terminal.
    @Test func theRunCommandWritesTheReportBesideTheSummary() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path
        let output = CapturedConsole()
        #expect(
            PipelineCommand.main(
                ["generate", "--trades", "2000", "--seed", "5", "--out", path], console: output.console) == 0)
        let run = CapturedConsole()
        #expect(
            PipelineCommand.main(
                [
                    "run", "--input", path + "/trades.json", "--broker", path + "/broker.json", "--summary-json",
                    path + "/summary.json", "--report", path + "/report.html", "--quiet",
                ], console: run.console) == 0)
        #expect(run.out.isEmpty && run.err.isEmpty)
        let html = try String(contentsOfFile: path + "/report.html", encoding: .utf8)
        let summary = try String(contentsOfFile: path + "/summary.json", encoding: .utf8)
        let trades = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/trades.json")))
        let broker = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/broker.json")))
        let direct = try Pipeline().run(trades: trades, broker: broker)
        #expect(summary == direct.summary.json)
        let total = try values("volume", in: try chart("volume-by-cycle", in: html)).reduce(Int128(0)) {
            $0 + (try milli($1))
        }
        #expect(ExactFormat.milli(total) == direct.summary.aggregateTotalVolume)
    }

    @Test func escapingCoversMarkupAndQuotes() {
        #expect(HTMLReport.escape(#"a<b>&"c"'d"#) == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d")
        #expect(HTMLReport.escape("2025-01 NG-HH Ü") == "2025-01 NG-HH Ü")
    }
}

/// When the live progress line is drawn, and what it says.
@Suite struct ProgressLineTests {
    @Test(arguments: [(false, true, true), (true, true, false), (false, false, false), (true, false, false)])
    func theLineIsDrawnOnlyOnATerminalWithoutQuiet(quiet: Bool, terminal: Bool, shown: Bool) {
        #expect(ProgressLine.isShown(quiet: quiet, errIsTerminal: terminal) == shown)
    }

    @Test func theLineGivesRateQuarantinedAndTimeLeft() {
        let line = ProgressLine(
            stage: "validate", records: 50_000, elapsed: .seconds(2), quarantined: 250, expectedRecords: 100_000)
        let parts = line.text.components(separatedBy: " · ")
        #expect(parts.contains("\(Report.grouped(50_000 / 2)) records/s"))
        #expect(parts.contains("ETA 2 s"))  // 50,000 left at 25,000 per second
        #expect(parts.contains("250 quarantined"))
        let unknownTotal = ProgressLine(stage: "validate", records: 10, elapsed: .seconds(1))
        #expect(!unknownTotal.text.contains("ETA"))
        let finished = ProgressLine(stage: "sort", records: 100_000, elapsed: .seconds(3), expectedRecords: 100_000)
        #expect(!finished.text.contains("ETA"))
    }

    @Test func theFetchLineGivesPagesRecordsQuarantinedRetriesAndTheBreakerButNoETAWithoutATotal() {
        var stats = NetworkStats()
        stats.pages = 12
        stats.records = 12_000
        stats.quarantined = 30
        stats.retries = 1
        stats.partitionsDone = 3
        stats.partitionsTotal = 8
        stats.breaker = .halfOpen
        let line = ProgressLine.fetching(stats, elapsed: .seconds(4))
        #expect(
            line.text
                == "fetch · 12 pages · \(Report.grouped(12_000)) records · \(Report.grouped(3_000)) records/s"
                + " · 30 quarantined · 3/8 partitions done · 1 retry · breaker half-open"
                + " · no ETA (the API gives no total) · 4 s")
        stats.retries = 2
        stats.breaker = .open
        let parts = ProgressLine.fetching(stats, elapsed: .seconds(4)).text.components(separatedBy: " · ")
        #expect(parts.contains("2 retries"))
        #expect(parts.contains("breaker open"))
    }

    @Test func theFetchLineGivesAnETAOnceEveryFeedHasATotal() {
        var stats = NetworkStats()
        stats.records = 12_000
        stats.totals[.trades] = 100_000
        // One feed's total alone is not the job's.
        #expect(stats.remainingRecords == nil)
        #expect(ProgressLine.fetching(stats, elapsed: .seconds(4)).text.contains("no ETA"))
        stats.totals[.broker] = 20_000
        // A resumed job counts what its earlier start committed as done, but not in its rate.
        stats.resumedRecords = 60_000
        #expect(stats.remainingRecords == 48_000)
        let parts = ProgressLine.fetching(stats, elapsed: .seconds(4)).text.components(separatedBy: " · ")
        #expect(parts.contains("ETA 16 s"))  // 48,000 left at 3,000 per second
        stats.records = 0
        #expect(ProgressLine.fetching(stats, elapsed: .seconds(4)).text.contains("ETA ? s"))
    }

    @Test(arguments: [
        (100, 50, Duration.seconds(2), 4 as Int?), (1, 3, .seconds(1), 1), (0, 10, .seconds(5), 0),
        (10, 0, .seconds(1), nil), (10, 5, .zero, nil), (7, 2, .milliseconds(500), 2),
    ])
    func theTimeLeftIsTheRemainderAtTheRateSoFarRoundedUp(remaining: Int, done: Int, elapsed: Duration, left: Int?) {
        #expect(ProgressLine.secondsLeft(remaining: remaining, done: done, elapsed: elapsed) == left)
    }
}
