import ETRMContracts
import TradeFrame

/// What the network job keeps of a committed page. A trades page is validated as it commits, with the file
/// run's reader on the page as a one-page document, and only its valid rows (a frame piece) and its rejected
/// records are kept, not its bytes. A broker page keeps its records' bytes (a few dozen bytes a row), read with
/// the whole broker feed at the end, where a repeated trade id across pages is found.
package struct StoredPage: Sendable {
    /// The page; a trades page's records are emptied once validated.
    package var page: CommittedPage
    /// The page's deterministic batch id (``PageRequest/batchID``).
    package var batchID: String
    /// A trades page's valid rows and quarantine, record indices local to the page.
    package var trades: LoadedFeed?
    /// A trades page's rejected records, indices and issue paths local to the page.
    package var rejected: [RejectedRecord] = []
    /// The size of the page's records as received.
    package var byteCount: Int

    /// Keeps `page`, validating it when it holds trades.
    ///
    /// - Parameters:
    ///   - page: The committed page.
    ///   - partitions: The partitions of its feed (part of its batch id).
    /// - Throws: ``PipelineError`` for records that break the document (as they would break the file run).
    package init(validating page: CommittedPage, partitions: Int) throws(PipelineError) {
        self.page = page
        batchID = page.batchID(partitions: partitions)
        byteCount = page.records.count
        guard page.kind == .trades else { return }
        let document = Array("{\"trades\":[".utf8) + page.records + Array("]}".utf8)
        let letters = InMemoryDeadLetterSink()
        let source = batchID
        let outcome = document.withUnsafeBytes { bytes in
            Result { () throws(PipelineError) in
                try FeedLoader.loadTrades(bytes, source: source, deadLetters: letters, chunking: .whole)
            }
        }
        trades = try outcome.get()
        rejected = letters.letters.map {
            RejectedRecord(index: $0.recordIndex, rawBytes: $0.rawBytes, issues: $0.issues)
        }
        self.page.records = []
    }

    /// Records of the page quarantined.
    package var quarantined: Int { trades?.quarantinedIndices.count ?? 0 }
}
