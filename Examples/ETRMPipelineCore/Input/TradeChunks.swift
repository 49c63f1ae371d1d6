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

    /// About four chunks per core, none under 1 MiB and none over 16 MiB (a chunk's pages stay resident until
    /// it is parsed); one chunk for a document under 2 MiB.
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
        let maximumChunk = 16 << 20
        let chunks = max(
            min(span / minimumChunk, 4 * max(1, activeProcessorCount)), (span + maximumChunk - 1) / maximumChunk)
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
    /// Whether the stretch read as a whole document with no document issue and no whole-run issue.
    var trusted = false
}

/// The parallel parse of the `trades` array: speculative chunks, each read in place by
/// `RecordReader.readElements(_:in:firstIndex:source:batchID:onRecord:onRejected:)`, merged in input order, and
/// trusted only when every chunk is.
///
/// ## Why the result is always the sequential parse's
///
/// The array is split at guessed offsets. From each guess the next `}` `,` `{` (JSON whitespace allowed around
/// the comma) is taken as a plausible element boundary: chunk `k` is the bytes from its start `s[k]` to the `}`
/// before `s[k+1]` (the last chunk runs to the array's `]`, the document having been checked to end `]}`). A
/// guess can be wrong: the bytes `},{` may sit inside a string (a trade id like `"a},{b"`). But if chunk `k`
/// starts at a real element start, the reader lexes it exactly as the sequential read lexes the same bytes, so
/// it reads without a document issue only if its last `}` closes an element of the array; the `,` `{` after it
/// then make `s[k+1]` a real element start. Chunk 0 starts at the array's first element, so by induction, when
/// every chunk has no document issue, every start is real, each chunk's outcome is the sequential one for its
/// stretch (an element's outcome depends only on its own bytes), and the stretches tile the array. When any
/// chunk is not (a document issue, a whole-run issue such as bad UTF-8), the caller reads the whole document
/// sequentially instead: a wrong guess costs time, never correctness.
///
/// Pages of a mapped document are released once a chunk is parsed (``PageRelease``); a page touched again (the
/// sequential read) is read back from the file.
struct TradeChunks {
    let bytes: UnsafeRawBufferPointer
    let reader: RecordReader<FeedTrade>
    let source: String
    let pages: PageRelease?
    /// Whether the chunks collect `input_index` and `delivery_end` (see ``FeedColumns``).
    let keepsAllColumns: Bool
    let progress: ((Int) -> Void)?

    /// Expected bytes per record, for reserving (an over-estimate of rows reserves untouched memory only).
    private static let bytesPerRecordEstimate = 240

    /// Parses the array, running `alongside` on one of the cores meanwhile. Returns `nil` when the document is
    /// not of the simple shape or a chunk is not trusted (the caller reads it sequentially).
    func run(splitting: ParseSplitting, alongside: (() -> Void)?) throws -> TradeChunk? {
        let shape = RecordArrayShape(bytes: bytes, key: "trades")
        guard let first = shape.arrayStart(), let close = shape.arrayEnd(), close > first else {
            alongside?()
            return nil
        }
        var starts = [first]
        var ends: [Int] = []
        for guess in splitting.offsets(documentSize: bytes.count, firstElement: first) where guess >= first {
            if let boundary = shape.plausibleBoundary(after: guess), boundary.start > starts[starts.count - 1] {
                ends.append(boundary.end)
                starts.append(boundary.start)
            }
        }
        ends.append(close)
        var chunks = try parseConcurrently(starts: starts, ends: ends, alongside: alongside)
        guard chunks.allSatisfy(\.trusted) else { return nil }
        return merge(&chunks)
    }

    // MARK: Parallel phase

    private func parseConcurrently(
        starts: [Int], ends: [Int], alongside: (() -> Void)?
    ) throws -> [TradeChunk] {
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
        // Each task writes only its own chunk; the bytes and the reader are read-only; `alongside` runs in
        // exactly one task; `progress` is called on the caller's thread only.
        let results = Parallel.map(tasks) { task -> Result<TradeChunk, any Error>? in
            if task < extra {
                alongside?()
                return nil
            }
            let k = task - extra
            return Result { try parse(starts[k]..<ends[k], report: report) }
        }
        return try results.compactMap { try $0?.get() }
    }

    /// Reads the stretch `range` of the array in place (its indices counted from 0 until merged).
    private func parse(_ range: Range<Int>, report: ((Int) -> Void)?) throws -> TradeChunk {
        var chunk = TradeChunk(
            columns: FeedColumns(
                capacity: max(16, range.count / Self.bytesPerRecordEstimate), keepsAllColumns: keepsAllColumns))
        var fatal = false
        let result = try reader.readElements(
            bytes, in: range, firstIndex: 0, source: source, batchID: source,
            onRecord: { index, trade in
                chunk.columns.append(index: index, trade)
                if index & 0xFFFF == 0xFFFF { report?(0x10000) }
            },
            onRejected: { rejected in
                if rejected.issues.contains(where: { FeedRules.fatalCodes.contains($0.code) }) {
                    fatal = true
                } else {
                    chunk.rejections.append(rejected)
                }
            })
        pages?.release(range)
        chunk.received = result.received
        chunk.trusted = !fatal && result.documentIssues.isEmpty
        return chunk
    }

    // MARK: Sequential phase

    /// Merges the chunks in input order, each taken out of `chunks` (and freed) as it is merged.
    private func merge(_ chunks: inout [TradeChunk]) -> TradeChunk {
        var merged = chunks[0]
        chunks[0] = TradeChunk(columns: FeedColumns(capacity: 0))
        merged.columns.reserve(
            rows: chunks.reduce(merged.columns.count) { $0 + $1.columns.count },
            idBytes: chunks.reduce(merged.columns.ids.byteCount) { $0 + $1.columns.ids.byteCount })
        for next in chunks.indices.dropFirst() {
            var chunk = chunks[next]
            chunks[next] = TradeChunk(columns: FeedColumns(capacity: 0))
            let offset = merged.received
            merged.columns.absorb(&chunk.columns, indexOffset: offset)
            merged.rejections += chunk.rejections.map {
                FeedLoader.relocated($0, to: $0.index + offset, key: "trades")
            }
            merged.received += chunk.received
        }
        return merged
    }
}

/// Records parsed so far, across the chunks' threads (for the progress bar).
private final class ParsedCounter: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ count: Int) -> Int { value.wrappingAdd(count, ordering: .relaxed).newValue }
}
