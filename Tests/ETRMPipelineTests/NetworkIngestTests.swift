import ETRMContracts
import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Resilience
import ResilienceTesting
import Synchronization
import Testing

/// `etrm-pipeline run --url`: the job's logic over a scripted in-memory vendor API on a manual clock.
@Suite struct NetworkIngestTests {
    static let generated = try! FeedGenerator(configuration: .init(trades: 2_000, seed: 7)).documents()

    /// The file run's summary and dead letters (raw bytes, record index and issues) over the same data.
    static let fileRun: (summary: Summary, letters: [Letter]) = {
        var configuration = Pipeline.Configuration()
        let sink = InMemoryDeadLetterSink()
        configuration.deadLetters = sink
        let result = try! Pipeline(configuration: configuration).run(
            trades: generated.trades, broker: generated.broker)
        return (result.summary, sink.letters.map(Letter.init))
    }()

    /// What a dead letter says of its record, apart from its source, batch and time.
    struct Letter: Equatable {
        var rawBytes: [UInt8]
        var recordIndex: Int
        var issues: [ValidationIssue]

        init(_ letter: DeadLetter) {
            rawBytes = letter.rawBytes
            recordIndex = letter.recordIndex
            issues = letter.issues
        }
    }

    struct Outcome {
        var result: Result<PipelineResult, PipelineError>
        var letters: [DeadLetter]
        var stats: NetworkStats
        /// What the validation stage reported as quarantined (for the progress line).
        var quarantined: Int?
        /// Bytes of trades records the store still held after the fetch (validated pages keep none).
        var tradesBytesKept = 0
    }

    static func settings(partitions: Int = 3, pageSize: Int = 150) -> NetworkSettings {
        var settings = NetworkSettings()
        settings.partitions = partitions
        settings.pageSize = pageSize
        settings.random = RandomSource(SeededRandom(seed: 9))
        return settings
    }

    /// Fetches from `source` (into `checkpoint` if given) on a manual clock, then runs the pipeline.
    static func run(
        _ source: ScriptedPageSource, settings: NetworkSettings = settings(), checkpoint: String? = nil,
        clock: ManualClock = ManualClock(), horizon: Duration = .seconds(20), stalled: Duration? = nil,
        observe: (@Sendable (NetworkStats) -> Void)? = nil
    ) async throws -> Outcome {
        let ingest = NetworkIngest(
            source: source, settings: settings, clock: clock, unixNow: { 1_780_000_000 }, observe: observe)
        let identity = NetworkJob.identity(url: "http://vendor.test", settings: settings)
        let fetched = try await drivingClock(clock, horizon: horizon, stalled: stalled) {
            do throws(PipelineError) {
                return Result<(store: PageStore, startedAt: Int64), PipelineError>.success(
                    try await NetworkJob.fetch(ingest, checkpoint: checkpoint, identity: identity))
            } catch {
                return .failure(error)
            }
        }
        let sink = InMemoryDeadLetterSink()
        var configuration = Pipeline.Configuration()
        configuration.deadLetters = sink
        var quarantined: Int?
        let result = fetched.flatMap { fetched in
            Result { () throws(PipelineError) in
                try NetworkJob.finish(
                    fetched.store, startedAt: fetched.startedAt, source: "http://vendor.test",
                    configuration: configuration, quarantined: { quarantined = $0 }
                ).result
            }
        }
        let kept = (try? fetched.get().store.pages(.trades).reduce(0) { $0 + $1.page.records.count }) ?? 0
        return Outcome(
            result: result, letters: sink.letters, stats: ingest.stats, quarantined: quarantined,
            tradesBytesKept: kept)
    }

    static func source(
        crashAfterPages: Int? = nil, _ script: @escaping ScriptedPageSource.Script = { _, _, _ in nil }
    )
        -> ScriptedPageSource
    {
        ScriptedPageSource(
            trades: generated.trades, broker: generated.broker, crashAfterPages: crashAfterPages, script: script)
    }

    func expectParity(_ outcome: Outcome, _ label: String = "") throws {
        let result = try outcome.result.get()
        #expect(result.summary.json == Self.fileRun.summary.json, "\(label)")
        #expect(outcome.letters.map(Letter.init) == Self.fileRun.letters, "\(label)")
    }

    @Test func cleanRunMatchesTheFileRunKeyByKey() async throws {
        let outcome = try await Self.run(Self.source())
        try expectParity(outcome)
        #expect(outcome.stats.retries == 0)
        // 2,000 trades in 3 partitions of 150-record pages: 5 pages each; the broker rows likewise.
        #expect(outcome.stats.pages >= 30)
        // Each trades page was validated as it committed: its rows are kept, not its bytes, and the quarantine
        // was counted while fetching.
        #expect(outcome.tradesBytesKept == 0)
        #expect(outcome.stats.quarantined == Self.fileRun.letters.count)
        #expect(outcome.quarantined == Self.fileRun.letters.count)
        let letters = outcome.letters
        #expect(!letters.isEmpty)
        // Each letter names its page: the trades' partition and cursor.
        for letter in letters {
            #expect(letter.batchID.hasPrefix("/v2/trades?partition="), "\(letter.batchID)")
            #expect(letter.sourceName == "http://vendor.test/v2/trades")
        }
    }

    @Test func retriesA429AfterItsRetryAfterInSecondsAndAsAnHTTPDate() async throws {
        let clock = ManualClock()
        let source = Self.source { request, attempt, _ in
            guard attempt == 1, request.partition == 1, request.cursor == nil else { return nil }
            return .status(429, retryAfter: request.kind == .trades ? "7" : "Thu, 28 May 2026 20:26:47 GMT")
        }
        let outcome = try await Self.run(source, clock: clock)
        try expectParity(outcome)
        #expect(outcome.stats.retries == 2)
        // The trades' hint (7 s) and the broker's date (7 s after the job's "now") were waited out in full.
        #expect(clock.now.offset >= .seconds(7))
    }

    @Test func rides503BurstsTruncatedAndMalformedPages() async throws {
        let source = Self.source { request, attempt, _ in
            switch (request.kind, request.partition, request.cursor, attempt) {
            case (.trades, 0, "cur-150", 1...3): .status(503, retryAfter: attempt == 2 ? "1" : nil)
            case (.trades, 2, "cur-300", 1): .truncated
            case (.broker, 1, nil, 1): .malformed
            default: nil
            }
        }
        let outcome = try await Self.run(source)
        try expectParity(outcome)
        #expect(outcome.stats.retries == 5)
        #expect(outcome.stats.breakerOpens == 0)
    }

    @Test func aSlowPageTimesOutAndIsRetried() async throws {
        let clock = ManualClock()
        // One page in flight at a time, so that only the slow page's attempt can time out.
        var settings = Self.settings(partitions: 1, pageSize: 500)
        settings.attemptTimeout = .seconds(5)
        let source = ScriptedPageSource(
            trades: Self.generated.trades, broker: Self.generated.broker, clock: clock
        ) { request, attempt, _ in
            request.kind == .broker && request.cursor == "cur-500" && attempt == 1 ? .slow(.seconds(60)) : nil
        }
        let outcome = try await Self.run(
            source, settings: settings, clock: clock, horizon: .seconds(4), stalled: .seconds(50))
        try expectParity(outcome)
        #expect(outcome.stats.retries == 1)
        // The attempt's timeout (5 s on the job's clock) ended the slow attempt; the retry got the page.
        #expect(clock.now.offset >= .seconds(5))
    }

    @Test func theCommandLineTakesTheNetworkOptions() throws {
        let parsed = try PipelineCommandLine.parse([
            "run", "--url", "http://127.0.0.1:8090", "--token", "T", "--concurrency", "3", "--page-size=500",
            "--checkpoint", "ck", "--summary-json", "s.json",
        ])
        guard case .run(let options) = parsed else {
            Issue.record("not a run: \(parsed)")
            return
        }
        var network = PipelineCommandLine.NetworkOptions(url: "http://127.0.0.1:8090", token: "T")
        network.concurrency = 3
        network.pageSize = 500
        network.checkpoint = "ck"
        #expect(options.network == network)
        #expect(options.input == "http://127.0.0.1:8090/v2/trades")
        #expect(options.summaryJSON == "s.json")
        #expect(PipelineCommandLine.usage.contains("--url"))
        for bad in [
            ["run", "--url", "http://h"], ["run", "--url", "ftp://h", "--token", "T"],
            ["run", "--url", "http://h", "--token", "T", "--concurrency", "0"],
            ["run", "--url", "http://h", "--token", "T", "--page-size", "10001"],
            ["run", "--input", "a", "--broker", "b", "--checkpoint", "ck"],
            ["run", "--url", "http://h", "--token", "T", "--input", "a"],
        ] {
            let output = CapturedConsole()
            #expect(PipelineCommand.main(bad, console: output.console) == 2, "\(bad)")
            #expect(output.err.contains("usage:"), "\(bad)")
        }
    }

    @Test func aPageServedTwiceIsIngestedOnce() async throws {
        let source = Self.source { request, attempt, _ in
            request.kind == .trades && request.partition == 0 && request.cursor == "cur-300" && attempt == 1
                ? .servedTwice : nil
        }
        let outcome = try await Self.run(source)
        try expectParity(outcome)
        #expect(outcome.stats.duplicatePages == 1)
    }

    @Test func theBreakerOpensInAnOutagePausesTheJobAndProbesAfterIt() async throws {
        let clock = ManualClock()
        // From the 10th request, every request is refused for 20 s of the job's clock.
        let outage = OutageWindow(clock: clock, afterRequests: 10, duration: .seconds(20))
        let source = Self.source { _, _, serial in outage.isDown(serial) ? .status(503, retryAfter: nil) : nil }
        let outcome = try await Self.run(source, clock: clock)
        try expectParity(outcome)
        #expect(outcome.stats.breakerOpens >= 1)
        #expect(outcome.stats.probes >= 1)
        // Waiting instead of hammering: at most the breaker's threshold, then one probe per open period.
        let openPeriods = 20 / 2 + 1
        #expect(outage.requestsDuringOutage <= 5 + openPeriods + 2, "\(outage.requestsDuringOutage)")
    }

    @Test func theProgressCountersShowTheRetriesAndTheOpenBreakerDuringAnOutage() async throws {
        let clock = ManualClock()
        let outage = OutageWindow(clock: clock, afterRequests: 10, duration: .seconds(20))
        let source = Self.source { request, attempt, serial in
            if attempt == 1, request.partition == 1, request.cursor == nil, request.kind == .trades {
                return .status(429, retryAfter: "1")
            }
            return outage.isDown(serial) ? .status(503, retryAfter: nil) : nil
        }
        let seen = Mutex<[NetworkStats]>([])
        let outcome = try await Self.run(source, clock: clock) { stats in seen.withLock { $0.append(stats) } }
        try expectParity(outcome)
        let snapshots = seen.withLock { $0 }
        // While the outage lasts, the line shows the breaker open and the retries so far.
        let open = try #require(snapshots.first { $0.breaker == .open })
        #expect(open.retries >= 1)
        let text = ProgressLine.fetching(open, elapsed: .seconds(5)).text
        #expect(text.contains("breaker open"), "\(text)")
        #expect(text.contains("\(open.retries) retr"), "\(text)")
        #expect(snapshots.contains { $0.breaker == .halfOpen })
        // At the end: closed again, every partition done, every page and record counted.
        let final = outcome.stats
        #expect(final.breaker == .closed)
        #expect(final.partitionsDone == final.partitionsTotal && final.partitionsTotal == 6)
        let result = try outcome.result.get()
        #expect(final.records >= result.summary.inputRecords, "\(final.records)")
        // Validation comes after the fetch: its stage reports the quarantined count.
        #expect(outcome.quarantined == result.summary.quarantined && result.summary.quarantined > 0)
        #expect(final.retries >= open.retries && final.pages >= 30)
    }

    @Test func aPoisonPageIsDeadLetteredWholeAndTheJobFailsNamingIt() async throws {
        let source = Self.source { request, _, _ in
            request.kind == .trades && request.partition == 0 && request.cursor == "cur-150" ? .malformed : nil
        }
        let outcome = try await Self.run(source)
        guard case .failure(let error) = outcome.result else {
            Issue.record("a poison page must fail the job")
            return
        }
        #expect(error.code.rawValue == "unreadable_page")
        #expect(error.exitStatus != 0)
        #expect(error.message.contains("partition=0&partitions=3#cursor=cur-150"), "\(error.message)")
        #expect(outcome.letters.count == 1)
        let letter = try #require(outcome.letters.first)
        #expect(letter.batchID == "/v2/trades?partition=0&partitions=3#cursor=cur-150")
        #expect(String(decoding: letter.rawBytes, as: UTF8.self).contains("oops"))
        #expect(letter.issues.first?.code.rawValue == "unreadable_page")
    }

    @Test func resumesAfterACrashAtEveryPageBoundaryWithTheSameSummaryAndDeadLetters() async throws {
        let settings = Self.settings(partitions: 1, pageSize: 400)
        let uninterrupted = try await Self.run(Self.source(), settings: settings)
        try expectParity(uninterrupted)
        let pages = uninterrupted.stats.pages
        #expect(pages == 10)  // 2,000 trades and ~1,900 broker rows in pages of 400
        for crash in 0...pages {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let checkpoint = directory.appendingPathComponent("checkpoint").path
            let first = try await Self.run(
                Self.source(crashAfterPages: crash), settings: settings, checkpoint: checkpoint)
            if crash < pages {
                guard case .failure = first.result else {
                    Issue.record("crash after \(crash) pages did not stop the job")
                    continue
                }
            }
            let resumedSource = Self.source()
            let resumed = try await Self.run(resumedSource, settings: settings, checkpoint: checkpoint)
            try expectParity(resumed, "crash after \(crash) pages")
            #expect(resumed.letters == uninterrupted.letters, "crash after \(crash) pages")
            // Nothing committed is fetched again.
            #expect(resumedSource.requests == pages - min(crash, pages), "crash after \(crash) pages")
        }
    }

    @Test func aTornLastFrameIsDroppedAndItsPageFetchedAgain() async throws {
        let settings = Self.settings(partitions: 2, pageSize: 500)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("checkpoint").path
        _ = try await Self.run(Self.source(crashAfterPages: 3), settings: settings, checkpoint: checkpoint)
        // A crash in the middle of an append: half a frame at the end of the log.
        let log = checkpoint + "/pages.log"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: log))
        let handle = try #require(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes.prefix(bytes.count / 5))
        try handle.close()
        let resumed = try await Self.run(Self.source(), settings: settings, checkpoint: checkpoint)
        try expectParity(resumed)
        let reopened = try PageLog(
            directory: checkpoint, identity: NetworkJob.identity(url: "http://vendor.test", settings: settings), now: 0)
        #expect(reopened.truncatedBytes == 0)
        #expect(reopened.recoveredCount == resumed.stats.pages + 3)
    }

    @Test func sourceDateEpochFixesEveryDeadLettersTime() throws {
        #expect(try PipelineCommand.sourceDateEpoch(nil) == nil)
        let time = try #require(try PipelineCommand.sourceDateEpoch("1780000000"))
        #expect(time == UTCTimestamp(nanosecondsSinceEpoch: 1_780_000_000_000_000_000))
        for bad in ["", "-1", "1.5", "17800000000000", " 1", "x"] {
            #expect(throws: PipelineError.self, "\(bad)") { try PipelineCommand.sourceDateEpoch(bad) }
        }
        let sink = InMemoryDeadLetterSink()
        let stamped = PipelineCommand.restamped(sink, at: time)
        let letter = DeadLetter(
            rawBytes: Array("{}".utf8), recordIndex: 3, issues: [], sourceName: "s", batchID: "b",
            quarantinedAt: UTCTimestamp(nanosecondsSinceEpoch: 5))
        try stamped.quarantine(letter)
        try PipelineCommand.restamped(sink, at: nil).quarantine(letter)
        #expect(sink.letters.map(\.quarantinedAt) == [time, letter.quarantinedAt])
        #expect(sink.letters.map(\.recordIndex) == [3, 3])
    }

    @Test func aCheckpointOfAnotherJobIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try PageLog(directory: directory.path, identity: "http://a partitions=4 page_size=1000", now: 1)
        #expect(throws: PipelineError.self) {
            try PageLog(directory: directory.path, identity: "http://a partitions=2 page_size=1000", now: 2)
        }
    }

    @Test func pageBodiesAreReadOrRefused() throws {
        let page = try PageBody.parse(Array(#"{"data": [ {"a":"]"}, [1] ] , "next_cursor": "x"}"#.utf8))
        #expect(String(decoding: page.records, as: UTF8.self) == #"{"a":"]"}, [1]"#)
        #expect(page.count == 2 && page.nextCursor == "x")
        let last = try PageBody.parse(Array(#"{"next_cursor":null,"data":[]}"#.utf8))
        #expect(last.records.isEmpty && last.count == 0 && last.nextCursor == nil)
        for bad in [#"{"data":[{"a":1}"#, #"{"data":{}, "next_cursor":null}"#, #"{"data":[]}"#, "[]", ""] {
            #expect(throws: PageBody.Unreadable.self, "\(bad)") { try PageBody.parse(Array(bad.utf8)) }
        }
    }
}

/// An outage from the n-th request for a span of the job's clock.
final class OutageWindow: Sendable {
    private let clock: ManualClock
    private let afterRequests: Int
    private let duration: Duration
    private let state = Mutex<(start: ManualClock.Instant?, during: Int)>((nil, 0))

    init(clock: ManualClock, afterRequests: Int, duration: Duration) {
        self.clock = clock
        self.afterRequests = afterRequests
        self.duration = duration
    }

    var requestsDuringOutage: Int { state.withLock { $0.during } }

    func isDown(_ serial: Int) -> Bool {
        guard serial >= afterRequests else { return false }
        let now = clock.now
        return state.withLock { state in
            let start = state.start ?? now
            state.start = start
            guard start.duration(to: now) < duration else { return false }
            state.during += 1
            return true
        }
    }
}

/// A deterministic generator for the jitter.
struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
