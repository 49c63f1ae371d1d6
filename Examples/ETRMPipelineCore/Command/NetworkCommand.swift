import ETRMContracts
import Foundation
import Resilience
import Synchronization

extension PipelineCommand {
    /// `run --url`: fetches both feeds through the resilience pipeline (committing each page to the checkpoint
    /// when there is one), runs the pipeline on them, moves the dead-letter file into place, and prints the
    /// `network:` line on standard error.
    static func runNetwork(
        _ network: PipelineCommandLine.NetworkOptions, options: PipelineCommandLine.RunOptions,
        configuration: Pipeline.Configuration, sink: JSONLinesDeadLetterSink?, console: Console,
        progress: ((String, Int?) -> Void)?, bar: ProgressBar?, started: ContinuousClock.Instant
    ) throws(PipelineError) -> (PipelineResult, (trades: Int, broker: Int)) {
        guard let base = URL(string: network.url), base.host != nil else {
            throw PipelineError(
                .usage, "--url \(FeedLoader.quoted(network.url)) is not a URL\n\(PipelineCommandLine.usage)")
        }
        var settings = NetworkSettings()
        settings.partitions = network.concurrency
        settings.pageSize = network.pageSize
        let ingest = NetworkIngest(
            source: URLSessionPageSource(base: base, token: network.token, connections: network.concurrency),
            settings: settings, clock: ContinuousClock())
        bar?.update(fetching: ingest.stats)
        let identity = NetworkJob.identity(url: network.url, settings: settings)
        let checkpoint = network.checkpoint
        // The line is redrawn from the counters on this thread while the fetch runs on the cooperative pool.
        let fetched: Result<(store: PageStore, startedAt: Int64), PipelineError> = blocking(
            tick: bar.map { bar in { bar.update(fetching: ingest.stats) } }
        ) { () async throws(PipelineError) in
            try await NetworkJob.fetch(ingest, checkpoint: checkpoint, identity: identity)
        }
        let line = { console.err(ingest.stats.line(wall: ContinuousClock.now - started) + "\n") }
        let outcome: Result<(result: PipelineResult, sizes: (trades: Int, broker: Int)), PipelineError>
        switch fetched {
        case .failure(let error):
            line()
            throw error
        case .success(let (store, startedAt)):
            outcome = Result { () throws(PipelineError) in
                try NetworkJob.finish(
                    store, startedAt: startedAt, source: network.url, configuration: configuration, progress: progress,
                    quarantined: bar.map { bar in { bar.quarantined = $0 } })
            }
        }
        if let sink, let path = options.deadLetters {
            do { try sink.synchronize() } catch {
                throw PipelineError(.ioFailure, "dead-letter file: \(error.message)")
            }
            guard rename(partialPath(path), path) == 0 else {
                throw PipelineError(.ioFailure, "cannot move \(partialPath(path)) to \(path) (errno \(errno))")
            }
        }
        line()
        let (result, sizes) = try outcome.get()
        return (result, sizes)
    }

    /// The time of `SOURCE_DATE_EPOCH` (the reproducible-builds convention: Unix seconds, decimal digits), if set.
    ///
    /// - Throws: ``PipelineError`` with code `bad_argument` for a value that is not such a time.
    package static func sourceDateEpoch(_ value: String?) throws(PipelineError) -> UTCTimestamp? {
        guard let value else { return nil }
        guard (1...11).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let seconds = Int64(value)
        else {
            throw PipelineError(
                .badArgument,
                "SOURCE_DATE_EPOCH=\(FeedLoader.quoted(value)) is not a Unix time in whole seconds (decimal digits)")
        }
        return UTCTimestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000)
    }

    /// `sink`, stamping every letter's `quarantined_at` with `time` when it is given.
    package static func restamped(_ sink: any DeadLetterSink, at time: UTCTimestamp?) -> any DeadLetterSink {
        time.map { RestampingSink(base: sink, time: $0) } ?? sink
    }

    /// Where a network run writes its dead letters until it ends.
    static func partialPath(_ path: String) -> String { path + ".partial" }

    /// ``partialPath(_:)`` emptied (a crashed run's letters are written again from its checkpoint).
    static func freshPartial(_ path: String) throws(PipelineError) -> String {
        let partial = partialPath(path)
        guard unlink(partial) == 0 || errno == ENOENT else {
            throw PipelineError(.ioFailure, "cannot remove \(partial) (errno \(errno))")
        }
        return partial
    }

    /// Runs `body` on the cooperative pool and waits for it (the command is synchronous; only the fetching is
    /// asynchronous), calling `tick` on the calling thread every 200 ms meanwhile.
    static func blocking<T: Sendable>(
        tick: (() -> Void)? = nil, _ body: @escaping @Sendable () async throws(PipelineError) -> T
    ) -> Result<T, PipelineError> {
        let box = Mutex<Result<T, PipelineError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, PipelineError>
            do throws(PipelineError) { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        if let tick {
            while done.wait(timeout: .now() + .milliseconds(200)) == .timedOut { tick() }
        } else {
            done.wait()
        }
        return box.withLock { $0 } ?? .failure(PipelineError(.internalFailure, "the fetch did not finish"))
    }
}

/// Passes each dead letter on with a fixed `quarantined_at` (``PipelineCommand/sourceDateEpoch(_:)``).
struct RestampingSink: DeadLetterSink {
    let base: any DeadLetterSink
    let time: UTCTimestamp

    func quarantine(_ letter: DeadLetter) throws {
        try base.quarantine(
            DeadLetter(
                rawBytes: letter.rawBytes, recordIndex: letter.recordIndex, issues: letter.issues,
                sourceName: letter.sourceName, batchID: letter.batchID, quarantinedAt: time))
    }
}
