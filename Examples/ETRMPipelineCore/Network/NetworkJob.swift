import ETRMContracts
import Foundation
import TradeFrame

/// `etrm-pipeline run --url …`: fetch both feeds (``NetworkIngest``), validating each trades page as it commits
/// with the file run's reader, then run the file pipeline's remaining stages on exactly the records fetched, in
/// the file's order, so that the summary is the file run's key by key.
package enum NetworkJob {
    /// What a network run fetches: the part of a checkpoint's identity that must not change across a resume.
    package static func identity(url: String, settings: NetworkSettings) -> String {
        "\(url) partitions=\(settings.partitions) page_size=\(settings.pageSize)"
    }

    /// Opens the checkpoint (if any) and fetches what it lacks; each trades page is validated as it commits.
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
        let store = PageStore(partitions: ingest.settings.partitions)
        let log = try checkpoint.map { (directory) throws(PipelineError) in
            try store.open(checkpoint: directory, identity: identity, now: ingest.unixNow())
        }
        try await ingest.run(into: store)
        return (store, log?.startedAt ?? ingest.unixNow())
    }

    /// Dead-letters the pages that stayed unreadable, whole; then joins the trades pages' validated rows in the
    /// file's order, dead-letters their rejected records, reads the broker pages, and runs the pipeline's
    /// remaining stages (de-duplicate, frame, aggregate, reconcile).
    ///
    /// - Parameters:
    ///   - store: The fetched pages.
    ///   - startedAt: The dead letters' `quarantined_at` (the job's first start, the same after a resume).
    ///   - source: The API's base URL, the dead letters' source.
    ///   - configuration: The pipeline's settings; its dead-letter sink receives the letters, each labelled
    ///     with its page's batch id, in the file's order.
    ///   - progress: Stage names and counts.
    ///   - quarantined: Receives the number of records quarantined.
    /// - Returns: The result, and the two feeds' sizes in bytes (the trades' as received).
    /// - Throws: ``PipelineError`` with code `unreadable_page` naming the page(s) that stayed unreadable (after
    ///   they are dead-lettered), or what the pipeline throws.
    package static func finish(
        _ store: PageStore, startedAt: Int64, source: String, configuration: Pipeline.Configuration,
        progress: ((String, Int?) -> Void)? = nil, quarantined: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> (result: PipelineResult, sizes: (trades: Int, broker: Int)) {
        let stamp = UTCTimestamp(nanosecondsSinceEpoch: startedAt * 1_000_000_000)
        let poisoned = store.poisoned
        if !poisoned.isEmpty {
            for page in poisoned {
                try quarantine(
                    DeadLetter(
                        rawBytes: page.body, recordIndex: 0,
                        issues: [
                            ValidationIssue(
                                code: .unreadablePage,
                                message:
                                    "the whole page stayed unreadable after \(page.attempts) attempts: \(page.reason)")
                        ], sourceName: source + page.request.kind.path, batchID: page.request.batchID,
                        quarantinedAt: stamp), configuration.deadLetters)
            }
            let names = poisoned.map { "\($0.request.batchID) (\($0.reason), \($0.attempts) attempts)" }
            throw PipelineError(
                .unreadablePage,
                "\(poisoned.count == 1 ? "a page" : "\(poisoned.count) pages") stayed unreadable and went to the"
                    + " dead letters whole; the run is incomplete: " + names.joined(separator: "; "))
        }
        var timings = StageTimings()
        progress?("validate", nil)
        let trades = store.pages(.trades)
        let tradesBytes = trades.reduce(0) { $0 + $1.byteCount }
        let feed = try joined(
            trades, sourceName: source + FeedKind.trades.path, stamp: stamp, deadLetters: configuration.deadLetters)
        quarantined?(feed.quarantinedIndices.count)
        let brokerDocument = document(store.pages(.broker), key: FeedKind.broker.documentKey)
        let broker = try brokerDocument.withUnsafeBytes { bytes in
            Result { () throws(PipelineError) in try FeedLoader.loadBroker(bytes, source: source + FeedKind.broker.path)
            }
        }.get()
        timings.done("validate (pages, as fetched) + join + broker")
        let result = try Pipeline(configuration: configuration).process(
            LoadedInputs(feed: feed, broker: broker), timings: timings, progress: progress)
        return (result, (tradesBytes, brokerDocument.count))
    }

    /// The trades pages, validated as they committed, joined in the file's order into the feed a file run reads:
    /// the valid rows concatenated, record indices shifted to the feed's, and the rejected records dead-lettered
    /// with the feed's indices and issue paths and their page's batch id.
    static func joined(
        _ pages: [StoredPage], sourceName: String, stamp: UTCTimestamp, deadLetters: (any DeadLetterSink)?
    ) throws(PipelineError) -> LoadedFeed {
        var join = FeedJoin()
        for stored in pages {
            guard let piece = stored.trades else { continue }
            let offset = join.received
            join.append(piece, source: stored.batchID)
            for rejected in stored.rejected {
                let moved = rejected.shifted(by: offset, containerKey: "trades")
                try quarantine(
                    DeadLetter(
                        rawBytes: moved.rawBytes, recordIndex: moved.index, issues: moved.issues,
                        sourceName: sourceName, batchID: stored.batchID, quarantinedAt: stamp), deadLetters)
            }
        }
        return try join.finish()
    }

    /// The records of a feed's pages as its file document (`{"broker_volumes":[…]}`), in order.
    static func document(_ pages: [StoredPage], key: String) -> [UInt8] {
        var bytes = Array("{\"\(key)\":[".utf8)
        bytes.reserveCapacity(pages.reduce(64) { $0 + $1.page.records.count + 1 })
        var first = true
        for stored in pages where !stored.page.records.isEmpty {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(contentsOf: stored.page.records)
        }
        bytes.append(contentsOf: "]}\n".utf8)
        return bytes
    }

    private static func quarantine(_ letter: DeadLetter, _ sink: (any DeadLetterSink)?) throws(PipelineError) {
        do { try sink?.quarantine(letter) } catch {
            throw PipelineError(.ioFailure, "could not store a dead letter: \(error)")
        }
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
