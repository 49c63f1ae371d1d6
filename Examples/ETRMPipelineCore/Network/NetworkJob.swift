import ETRMContracts
import Foundation

/// `etrm-pipeline run --url …`: fetch both feeds (``NetworkIngest``), then run the file pipeline on exactly the
/// records fetched, in the file's order, so that the summary is the file run's key by key.
package enum NetworkJob {
    /// What a network run fetches: the part of a checkpoint's identity that must not change across a resume.
    package static func identity(url: String, settings: NetworkSettings) -> String {
        "\(url) partitions=\(settings.partitions) page_size=\(settings.pageSize)"
    }

    /// Opens the checkpoint (if any) and fetches what it lacks.
    ///
    /// - Parameters:
    ///   - ingest: The fetcher.
    ///   - checkpoint: The checkpoint directory, if any.
    ///   - identity: The job's identity (see ``identity(url:settings:)``).
    /// - Returns: The committed pages, and the Unix time of the job's first start.
    /// - Throws: ``PipelineError`` for a checkpoint that cannot be used or a page that could not be fetched.
    package static func fetch<C: Clock>(
        _ ingest: NetworkIngest<C>, checkpoint: String?, identity: String
    ) async throws(PipelineError) -> (store: PageStore, startedAt: Int64) {
        let log = try checkpoint.map { (directory) throws(PipelineError) in
            try PageLog(directory: directory, identity: identity, now: ingest.unixNow())
        }
        let store = PageStore(partitions: ingest.settings.partitions, log: log)
        try await ingest.run(into: store)
        return (store, log?.startedAt ?? ingest.unixNow())
    }

    /// Dead-letters the pages that stayed unreadable, whole, then runs the pipeline on the fetched records.
    ///
    /// - Parameters:
    ///   - store: The fetched pages.
    ///   - startedAt: The job's first start (the dead letters' `quarantined_at`, the same after a resume).
    ///   - source: The API's base URL, the dead letters' source.
    ///   - configuration: The pipeline's settings; its dead-letter sink receives the letters, each labelled
    ///     with its page's batch id.
    ///   - progress: Stage names and counts.
    ///   - quarantined: Receives the number of records quarantined once they are validated.
    /// - Returns: The result, and the two documents' sizes.
    /// - Throws: ``PipelineError`` with code `unreadable_page` naming the page(s) that stayed unreadable (after
    ///   they are dead-lettered), or what the pipeline throws.
    package static func finish(
        _ store: PageStore, startedAt: Int64, source: String, configuration: Pipeline.Configuration,
        progress: ((String, Int?) -> Void)? = nil, quarantined: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> (result: PipelineResult, sizes: (trades: Int, broker: Int)) {
        let stamp = UTCTimestamp(nanosecondsSinceEpoch: startedAt * 1_000_000_000)
        let trades = store.document(.trades)
        let poisoned = store.poisoned
        if !poisoned.isEmpty {
            for page in poisoned {
                let letter = DeadLetter(
                    rawBytes: page.body, recordIndex: 0,
                    issues: [
                        ValidationIssue(
                            code: .unreadablePage,
                            message:
                                "the whole page stayed unreadable after \(page.attempts) attempts: \(page.reason)")
                    ], sourceName: source + page.request.kind.path, batchID: page.request.batchID,
                    quarantinedAt: stamp)
                do { try configuration.deadLetters?.quarantine(letter) } catch {
                    throw PipelineError(.ioFailure, "could not store a dead letter: \(error)")
                }
            }
            let names = poisoned.map { "\($0.request.batchID) (\($0.reason), \($0.attempts) attempts)" }
            throw PipelineError(
                .unreadablePage,
                "\(poisoned.count == 1 ? "a page" : "\(poisoned.count) pages") stayed unreadable and went to the"
                    + " dead letters whole; the run is incomplete: " + names.joined(separator: "; "))
        }
        let broker = store.document(.broker)
        var configuration = configuration
        if let sink = configuration.deadLetters {
            configuration.deadLetters = BatchLabellingSink(
                base: sink, batches: trades.batches, sourceName: source + FeedKind.trades.path, stamp: stamp)
        }
        let result = try Pipeline(configuration: configuration).run(
            trades: trades.bytes, broker: broker.bytes, tradesSource: source + FeedKind.trades.path,
            brokerSource: source + FeedKind.broker.path, progress: progress, quarantined: quarantined)
        return (result, (trades.bytes.count, broker.bytes.count))
    }
}

extension PipelineError.Code {
    /// A page of the vendor API stayed unreadable after its retries (it is in the dead letters, whole).
    package static let unreadablePage = PipelineError.Code("unreadable_page")
}

extension ValidationIssue.Code {
    /// The dead letter's issue for a page that stayed unreadable after its retries.
    package static let unreadablePage = ValidationIssue.Code("unreadable_page")
}

/// Passes each dead letter on with its page's batch id, the API as its source, and the job's start time (so
/// that a resumed run writes the same letters as an uninterrupted one).
struct BatchLabellingSink: DeadLetterSink {
    let base: any DeadLetterSink
    /// The first record index of each page, ascending, and its batch id.
    let batches: [(start: Int, batchID: String)]
    let sourceName: String
    let stamp: UTCTimestamp

    func quarantine(_ letter: DeadLetter) throws {
        var low = 0
        var high = batches.count
        while low < high {
            let middle = (low + high) / 2
            if batches[middle].start <= letter.recordIndex { low = middle + 1 } else { high = middle }
        }
        let batch = low > 0 ? batches[low - 1].batchID : sourceName
        try base.quarantine(
            DeadLetter(
                rawBytes: letter.rawBytes, recordIndex: letter.recordIndex, issues: letter.issues,
                sourceName: sourceName, batchID: batch, quarantinedAt: stamp))
    }
}
