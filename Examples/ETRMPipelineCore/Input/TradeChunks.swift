import ETRMContracts
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `trades.json` is split for parallel parsing: byte offsets to resynchronise after. Each is only a
/// guess; see ``TradeChunks`` for why the outcome never depends on them.
package struct ParseSplitting: Sendable, Hashable {
    /// The offsets, or `nil` for the automatic choice.
    let guesses: [Int]?

    /// About four chunks per core, none under 1 MiB; one chunk for a document under 2 MiB.
    package static let automatic = ParseSplitting(guesses: nil)
    /// One chunk: the plain sequential parse.
    package static let sequential = ParseSplitting(guesses: [])

    /// Chunks that start at the first plausible record boundary after each of `offsets`.
    ///
    /// - Parameter offsets: Byte offsets into the document, in any order.
    /// - Returns: The splitting.
    package static func after(_ offsets: [Int]) -> ParseSplitting { ParseSplitting(guesses: offsets.sorted()) }

    func offsets(documentSize: Int, firstElement: Int) -> [Int] {
        if let guesses { return guesses }
        let minimumChunk = 1 << 20
        let span = documentSize - firstElement
        guard span >= 2 * minimumChunk else { return [] }
        let chunks = min(span / minimumChunk, 4 * max(1, activeProcessorCount))
        return (1..<chunks).map { firstElement + span / chunks * $0 }
    }

    private var activeProcessorCount: Int {
        #if canImport(Glibc)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return Int(sysconf(_SC_NPROCESSORS_ONLN))
        #endif
    }
}

/// The parsed rows of one stretch of the `trades` array.
struct TradeChunk {
    var columns: FeedColumns
    /// Quarantined elements, indices as parsed (local to the chunk until merged).
    var rejections: [RejectedRecord] = []
    /// Elements read.
    var received = 0
    /// Where the parse stopped.
    var end: FastArrayScan.ElementsEnd = .malformed
    /// An error that stopped it (its message may carry a chunk-local index: it is never shown as is).
    var failure: (any Error)?
}

/// The parallel parse of the `trades` array: speculative chunks, validated and merged in input order.
///
/// ## Why the result is always the sequential parse's
///
/// The array is split at guessed offsets. From each guess the next `}` `,` `{` (JSON whitespace allowed around
/// the comma) is taken as a plausible element start `s[k]`, and chunk `k` is parsed from there on its own core
/// until the next element would start at or after `s[k+1]`. That guess can be wrong: the bytes `},{` may sit
/// inside a string (a trade id like `"a},{b"`), and then chunk `k` parses garbage. So nothing chunk `k` found
/// is used until it is *proven* to have started at a real element start:
///
/// - Chunk 0 starts at the array's first element, which the header parse located: a real element start.
/// - A chunk that started at a real element start reads exactly the elements the sequential parse reads from
///   there, with the same code, and each element's outcome depends only on its own bytes (the LEI cache only
///   memoises a pure check). So the element starts it visits are real element starts.
/// - Chunk `k-1` stops at the first element start `p >= s[k]`. If `p == s[k]`, then `s[k]` is a real element
///   start, chunk `k` is the sequential parse of its stretch, and it is merged (its local indices shifted
///   by the number of elements before it). If `p > s[k]`, the guess was inside an element (a string holding
///   `},{`, say): chunk `k` is discarded and the stretch is parsed sequentially from `p`.
/// - A chunk that failed (a malformed stretch, a whole-run error) is never trusted either: its stretch is
///   parsed again sequentially, with global indices, once everything before it is merged, so errors and the
///   fall-back to the module reader happen exactly where the sequential parse would meet them.
///
/// By induction every merged chunk is the sequential parse of its stretch, and the stretches tile the array,
/// so the columns, the quarantine (indices, issue paths, order) and the dead letters are the sequential ones.
/// A wrong guess costs time, never correctness.
///
/// Pages of a mapped document are released behind each chunk's parser (``PageRelease``): every dead letter's
/// bytes have been copied by then (the fallback parses a copy of the element), and a page touched again (a
/// sequential re-parse, the module reader) is read back from the file.
struct TradeChunks {
    let scan: FastArrayScan
    let bytes: UnsafeRawBufferPointer
    let reader: RecordReader<FeedTrade>
    let source: String
    let pages: PageRelease?
    let progress: ((Int) -> Void)?

    /// Bytes parsed between two page releases.
    private static let releaseStride = 4 << 20
    /// Expected bytes per record, for reserving (an over-estimate of rows reserves untouched memory only).
    private static let bytesPerRecordEstimate = 240

    /// Parses the array, running `alongside` on one of the cores meanwhile. Returns `nil` when the document is
    /// not of the simple shape (the caller reads it with the module reader).
    func run(splitting: ParseSplitting, alongside: (() -> Void)?) throws -> TradeChunk? {
        guard let first = scan.arrayStart(key: "trades") else {
            alongside?()
            return nil
        }
        var starts = [first]
        for guess in splitting.offsets(documentSize: scan.count, firstElement: first) where guess >= first {
            if let start = scan.plausibleElementStart(after: guess), start > starts[starts.count - 1] {
                starts.append(start)
            }
        }
        var chunks = parseConcurrently(starts, alongside: alongside)
        return try merge(&chunks, starts: starts)
    }

    // MARK: Parallel phase

    private func parseConcurrently(_ starts: [Int], alongside: (() -> Void)?) -> [TradeChunk] {
        let extra = alongside == nil ? 0 : 1
        let tasks = starts.count + extra
        let parsed = ParsedCounter()
        let caller = pthread_self()
        let report: ((Int) -> Void)? = progress.map { progress in
            { count in
                let total = parsed.add(count)
                if pthread_equal(pthread_self(), caller) != 0 { progress(total) }
            }
        }
        // Each task writes only its own chunk; the bytes, the reader and the scan are read-only; `alongside`
        // runs in exactly one task; `progress` is called on the caller's thread only.
        let results = Parallel.map(tasks) { task -> TradeChunk? in
            if task < extra {
                alongside?()
                return nil
            }
            let k = task - extra
            let limit = k + 1 < starts.count ? starts[k + 1] : nil
            let capacity = max(16, ((limit ?? scan.count) - starts[k]) / Self.bytesPerRecordEstimate)
            var chunk = TradeChunk(columns: FeedColumns(capacity: capacity))
            parse(from: starts[k], until: limit, firstIndex: 0, into: &chunk, report: report)
            return chunk
        }
        return results.compactMap { $0 }
    }

    /// Parses elements from `start` (a real or a guessed element start) into `chunk`, catching any error into
    /// ``TradeChunk/failure``.
    private func parse(
        from start: Int, until limit: Int?, firstIndex: Int, into chunk: inout TradeChunk, report: ((Int) -> Void)?
    ) {
        var parser = FastTradeParser(scan: scan)
        chunk.columns.settle()
        var columns = chunk.columns
        var rejections = chunk.rejections
        chunk.columns = FeedColumns(capacity: 0)
        chunk.rejections = []
        var released = start
        var sinceReport = 0
        do {
            let (count, end) = try scan.elements(
                from: start, until: limit, firstIndex: firstIndex,
                element: { index, position in
                    if let pages, position - released >= Self.releaseStride {
                        pages.release(released..<position)
                        released = position
                    }
                    sinceReport += 1
                    if sinceReport == 0x10000 {
                        report?(sinceReport)
                        sinceReport = 0
                    }
                    return parser.parse(&position, index: index, into: &columns)
                },
                fallback: { index, range in
                    try FeedLoader.readAlone(
                        UnsafeRawBufferPointer(rebasing: bytes[range]), index: index, reader: reader,
                        source: source, onRecord: { columns.append(index: index, $0) },
                        onRejected: { rejections.append($0) })
                })
            chunk.received += count
            chunk.end = end
        } catch {
            chunk.failure = error
        }
        chunk.columns = columns
        chunk.rejections = rejections
    }

    // MARK: Sequential phase

    /// Validates the chunks in input order and merges them; re-parses sequentially whatever cannot be trusted.
    ///
    /// Each chunk is taken out of `chunks` (and freed) as it is merged: the chunks are not kept alongside the
    /// merged columns.
    private func merge(_ chunks: inout [TradeChunk], starts: [Int]) throws -> TradeChunk? {
        var merged = chunks[0]
        chunks[0] = TradeChunk(columns: FeedColumns(capacity: 0))
        if let failure = merged.failure { throw failure }
        merged.columns.reserve(
            rows: chunks.reduce(merged.columns.count) { $0 + $1.columns.count },
            idBytes: chunks.reduce(merged.columns.ids.byteCount) { $0 + $1.columns.ids.byteCount })
        // `next` is the chunk whose start is the limit the last parse stopped at.
        var next = 1
        while true {
            switch merged.end {
            case .malformed:
                return nil
            case .arrayEnd(let after):
                return scan.documentEnds(after) ? merged : nil
            case .limit:
                var chunk = chunks[next]
                chunks[next] = TradeChunk(columns: FeedColumns(capacity: 0))
                if chunk.failure == nil, chunk.end != .malformed {
                    let offset = merged.received
                    merged.columns.absorb(&chunk.columns, indexOffset: offset)
                    merged.rejections += chunk.rejections.map {
                        FeedLoader.relocated($0, to: $0.index + offset, key: "trades")
                    }
                    merged.received += chunk.received
                    merged.end = chunk.end
                } else {
                    try parseSequentially(from: starts[next], until: next + 1, starts: starts, into: &merged)
                }
                next += 1
            case .pastLimit(let position):
                // The guess at `starts[next]` was not an element start; go on from where the parse really is.
                var limit = next + 1
                while limit < starts.count, starts[limit] < position {
                    chunks[limit] = TradeChunk(columns: FeedColumns(capacity: 0))
                    limit += 1
                }
                try parseSequentially(from: position, until: limit, starts: starts, into: &merged)
                next = limit
            }
        }
    }

    private func parseSequentially(
        from start: Int, until limitIndex: Int, starts: [Int], into merged: inout TradeChunk
    ) throws {
        parse(
            from: start, until: limitIndex < starts.count ? starts[limitIndex] : nil, firstIndex: merged.received,
            into: &merged, report: nil)
        if let failure = merged.failure { throw failure }
    }
}

/// Records parsed so far, across the chunks' threads (for the progress bar).
private final class ParsedCounter: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ count: Int) -> Int { value.wrappingAdd(count, ordering: .relaxed).newValue }
}
