import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of ``RecordReader/readChunks(_:source:batchID:chunking:makePart:onRecord:onChunkRead:progress:)``:
/// the valid records gathered into parts in document order, every rejected record, and the whole document's
/// report.
public struct ChunkedRead<Part> {
    /// The parts, in document order; each holds the records of one chunk (one part for a document read whole).
    public var parts: [Part]
    /// The array index of each part's first element: the index `onRecord` saw plus this is the record's index
    /// in the document.
    public var firstIndices: [Int]
    /// The rejected records in document order, with their indices and issue paths in the document.
    public var rejected: [RejectedRecord]
    /// The document's report, exactly as a read of the whole document gives it.
    public var report: BatchReport

    /// Creates an outcome.
    ///
    /// - Parameters:
    ///   - parts: The parts in document order.
    ///   - firstIndices: Each part's first array index.
    ///   - rejected: The rejected records.
    ///   - report: The report.
    public init(parts: [Part], firstIndices: [Int], rejected: [RejectedRecord], report: BatchReport) {
        self.parts = parts
        self.firstIndices = firstIndices
        self.rejected = rejected
        self.report = report
    }
}

extension ChunkedRead: Sendable where Part: Sendable {}

extension RecordReader {
    /// Reads a batch document's record array in chunks, on all cores or one chunk after another, each chunk's
    /// valid records gathered into a part of the caller's (a set of column builders, say): a large document is
    /// read in place, its records never all materialised, with the outcome of
    /// ``read(_:format:source:batchID:onRecord:onRejected:)-(UnsafeRawBufferPointer,_,_,_,_,_)``.
    ///
    /// The array is split at guessed offsets: from each guess the next `}` `,` `{` (JSON whitespace allowed) is
    /// taken as an element boundary, and each chunk is read in place with
    /// ``readElements(_:in:firstIndex:source:batchID:onRecord:onRejected:)``. A guess can be wrong (`},{` inside
    /// a string), but a chunk that starts at a real element reads without a document issue only if its last
    /// `}` closes an element, which makes the next start real too; the first chunk starts at the first element.
    /// So when every chunk reads cleanly (no document issue, and no `invalid_json`, `invalid_utf8` or
    /// `limit_exceeded` record) the chunks tile the array and each record's verdict is the whole read's. When
    /// any chunk does not, or the document is not of the plain shape `{"<key>": [ … ]}`, the document is read
    /// whole into one part: a wrong guess costs time, never correctness.
    ///
    /// ```swift
    /// let outcome = try reader.readChunks(
    ///     document, source: "trades.json",
    ///     makePart: { bytes in Columns(capacity: bytes / 200) },
    ///     onRecord: { columns, _, trade in columns.append(trade) })
    /// var columns = outcome.parts.first ?? Columns(capacity: 0)
    /// for part in outcome.parts.dropFirst() { columns.append(contentsOf: part) }
    /// ```
    ///
    /// - Parameters:
    ///   - document: The batch document; it is read in place and not retained.
    ///   - source: The source name for the report.
    ///   - batchID: The batch id for the report.
    ///   - chunking: Where the array is split and whether the chunks are read at the same time.
    ///   - makePart: Makes an empty part for a chunk of the given number of bytes; called on the thread that
    ///     reads the chunk.
    ///   - onRecord: Adds a valid record to its chunk's part, with its index counted from the part's first
    ///     element (see ``ChunkedRead/firstIndices``). Chunks are read at the same time, each into its own part.
    ///   - onChunkRead: Called with a chunk's byte range once it is read (to release a mapped file's pages
    ///     behind the reader, say). The range may be read again should the document be read whole after all.
    ///   - progress: Called now and then on the calling thread with the number of elements read so far, each
    ///     number higher than the last, the last the document's count.
    /// - Returns: The parts, the rejected records and the report; the report balances.
    /// - Throws: ``ValidationFailure`` when the document cannot be read at all (see ``RecordReader``).
    @inlinable
    public func readChunks<Part: Sendable>(
        _ document: UnsafeRawBufferPointer, source: String = "", batchID: String = "",
        chunking: DocumentChunking = .automatic, makePart: @Sendable (_ byteCount: Int) -> Part,
        onRecord: @Sendable (inout Part, Int, Record) -> Void,
        onChunkRead: @Sendable (Range<Int>) -> Void = { _ in }, progress: ((Int) -> Void)? = nil
    ) throws -> ChunkedRead<Part> {
        try readChunks(
            ReadOnlyBytes(document), source: source, batchID: batchID, chunking: chunking, onChunkRead: onChunkRead,
            progress: progress,
            readChunk: { document, range, counter in
                // `range == nil`: the whole document, its indices the document's.
                var part = makePart(range?.count ?? document.bytes.count)
                var rejected: [RejectedRecord] = []
                // Each element is either accepted or rejected: progress counts elements by index.
                func onElement(_ index: Int, _ record: Record) {
                    onRecord(&part, index, record)
                    if index & ProgressCounter.mask == ProgressCounter.mask { counter.reached() }
                }
                func onRejected(_ record: RejectedRecord) {
                    rejected.append(record)
                    if record.index & ProgressCounter.mask == ProgressCounter.mask { counter.reached() }
                }
                let report =
                    try range.map {
                        try readElements(
                            document.bytes, in: $0, firstIndex: 0, source: source, batchID: batchID,
                            onRecord: onElement, onRejected: onRejected)
                    }
                    ?? read(
                        document.bytes, format: .document, source: source, batchID: batchID, onRecord: onElement,
                        onRejected: onRejected)
                return ChunkOutcome(part: part, rejected: rejected, report: report)
            })
    }

    /// Splits the array, reads the chunks with `readChunk` (concurrently unless the chunking is sequential),
    /// and merges them in document order, or reads the document whole when a chunk is not to be trusted.
    @usableFromInline
    func readChunks<Part: Sendable>(
        _ document: ReadOnlyBytes, source: String, batchID: String, chunking: DocumentChunking,
        onChunkRead: @Sendable (Range<Int>) -> Void, progress: ((Int) -> Void)?,
        readChunk: @Sendable (ReadOnlyBytes, Range<Int>?, ProgressCounter) throws -> ChunkOutcome<Part>
    ) throws -> ChunkedRead<Part> {
        let counter = ProgressCounter(progress: progress)
        let shape = RecordArrayShape(bytes: document.bytes, key: containerKey)
        var outcomes: [ChunkOutcome<Part>]?
        if chunking != .whole, let first = shape.arrayStart(), let close = shape.arrayEnd(), close > first {
            var starts = [first]
            var ends: [Int] = []
            let guesses = chunking.offsets(documentSize: document.bytes.count, firstElement: first)
            for guess in guesses where guess >= first {
                if let boundary = shape.plausibleBoundary(after: guess), boundary.start > starts[starts.count - 1] {
                    ends.append(boundary.end)
                    starts.append(boundary.start)
                }
            }
            ends.append(close)
            let ranges = zip(starts, ends).map { $0..<$1 }
            if starts.count > 1 {
                outcomes =
                    chunking.sequentialChunkSize == nil
                    ? try Self.concurrently(
                        document, ranges, counter: counter, onChunkRead: onChunkRead, readChunk: readChunk)
                    : try Self.sequentially(
                        document, ranges, counter: counter, onChunkRead: onChunkRead, readChunk: readChunk)
            }
        }
        guard let outcomes else {
            counter.restart()
            var whole = try readChunk(document, nil, counter)
            onChunkRead(0..<document.bytes.count)
            counter.finish(whole.report.received)
            return ChunkedRead(parts: [whole.part], firstIndices: [0], rejected: whole.take(), report: whole.report)
        }
        let merged = merge(outcomes, source: source, batchID: batchID)
        counter.finish(merged.report.received)
        return merged
    }

    /// Reads the chunks at the same time; `nil` when one is not to be trusted.
    private static func concurrently<Part: Sendable>(
        _ document: ReadOnlyBytes, _ ranges: [Range<Int>], counter: ProgressCounter,
        onChunkRead: @Sendable (Range<Int>) -> Void,
        readChunk: @Sendable (ReadOnlyBytes, Range<Int>?, ProgressCounter) throws -> ChunkOutcome<Part>
    ) throws -> [ChunkOutcome<Part>]? {
        let slots = Slots<Result<ChunkOutcome<Part>, any Error>>(count: ranges.count)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
            let outcome = Result { try readChunk(document, ranges[k], counter) }
            onChunkRead(ranges[k])
            slots.set(k, outcome)
        }
        var outcomes: [ChunkOutcome<Part>] = []
        outcomes.reserveCapacity(ranges.count)
        for k in 0..<ranges.count {
            let outcome = try slots.take(k).get()
            guard outcome.isTrusted else { return nil }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Reads the chunks one after another; `nil` as soon as one is not to be trusted.
    private static func sequentially<Part: Sendable>(
        _ document: ReadOnlyBytes, _ ranges: [Range<Int>], counter: ProgressCounter,
        onChunkRead: @Sendable (Range<Int>) -> Void,
        readChunk: @Sendable (ReadOnlyBytes, Range<Int>?, ProgressCounter) throws -> ChunkOutcome<Part>
    ) throws -> [ChunkOutcome<Part>]? {
        var outcomes: [ChunkOutcome<Part>] = []
        for range in ranges {
            let outcome = try readChunk(document, range, counter)
            guard outcome.isTrusted else { return nil }
            onChunkRead(range)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// The chunks' outcomes as one document's: indices and issue paths moved to the document's, reports added.
    private func merge<Part>(
        _ outcomes: consuming [ChunkOutcome<Part>], source: String, batchID: String
    ) -> ChunkedRead<Part> {
        var result = ChunkedRead<Part>(
            parts: [], firstIndices: [], rejected: [], report: BatchReport(source: source, batchID: batchID))
        result.parts.reserveCapacity(outcomes.count)
        result.firstIndices.reserveCapacity(outcomes.count)
        for k in outcomes.indices {
            let offset = result.report.received
            result.firstIndices.append(offset)
            result.rejected += outcomes[k].take().map { $0.shifted(by: offset, containerKey: containerKey) }
            let report = outcomes[k].report
            result.report.received += report.received
            result.report.accepted += report.accepted
            result.report.quarantined += report.quarantined
            result.report.quarantinedByCode.merge(report.quarantinedByCode, uniquingKeysWith: +)
            result.parts.append(outcomes[k].part)
        }
        return result
    }
}

/// What reading one chunk gave: its part, its rejected records (indices local to the chunk) and its report.
@usableFromInline
struct ChunkOutcome<Part>: @unchecked Sendable {
    // @unchecked: made on the thread that reads the chunk and handed to the caller once every chunk is read
    // (`concurrentPerform` returns after all its iterations); never shared meanwhile.
    var part: Part
    private var rejected: [RejectedRecord]
    let report: BatchReport

    @usableFromInline
    init(part: Part, rejected: [RejectedRecord], report: BatchReport) {
        self.part = part
        self.rejected = rejected
        self.report = report
    }

    /// Whether the chunk read as a whole document reads the same elements: no document issue, and no record
    /// whose issue could come from a wrongly guessed start.
    var isTrusted: Bool {
        report.documentIssues.isEmpty && !rejected.contains { $0.issues.contains { Self.isUntrusted($0.code) } }
    }

    private static func isUntrusted(_ code: ValidationIssue.Code) -> Bool {
        code == .invalidJSON || code == .invalidUTF8 || code == .limitExceeded
    }

    /// The rejected records, taken out.
    mutating func take() -> [RejectedRecord] {
        defer { rejected = [] }
        return rejected
    }
}

/// Elements read so far across the chunks' threads, reported on the calling thread only, each report higher
/// than the one before.
@usableFromInline
final class ProgressCounter: @unchecked Sendable {
    // @unchecked: `progress` and `caller` are read-only; `progress` is only ever called, and `reported` only
    // touched, on `caller`.
    private let progress: ((Int) -> Void)?
    private let caller = pthread_self()
    private let read = Atomic<Int>(0)
    private var reported = 0

    /// Elements between reports, less one (a power of two, less one).
    @usableFromInline static var mask: Int { (1 << 14) - 1 }

    init(progress: ((Int) -> Void)?) { self.progress = progress }

    /// Another `mask + 1` elements read.
    @usableFromInline
    func reached() {
        guard let progress else { return }
        let total = read.wrappingAdd(Self.mask + 1, ordering: .relaxed).newValue
        guard pthread_equal(pthread_self(), caller) != 0, total > reported else { return }
        reported = total
        progress(total)
    }

    /// The chunks are dropped and the document is read whole: the count starts again, and is reported once it
    /// passes what the chunks reported.
    func restart() { read.store(0, ordering: .relaxed) }

    /// The whole document is read: `received` elements (unless that was the last report).
    func finish(_ received: Int) {
        if received != reported { progress?(received) }
    }
}

/// A document's bytes, handed to the threads that read its chunks: they only read them, during the call.
@usableFromInline
struct ReadOnlyBytes: @unchecked Sendable {
    @usableFromInline let bytes: UnsafeRawBufferPointer

    @usableFromInline
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// One result slot per concurrent iteration, each written by its own iteration only.
private final class Slots<Value>: @unchecked Sendable {
    // @unchecked: slot `k` is written by iteration `k` alone, and read after `concurrentPerform` returns.
    private let values: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: nil)
    }

    func set(_ k: Int, _ value: Value) { values[k] = value }

    func take(_ k: Int) -> Value {
        defer { values[k] = nil }
        return values[k]!
    }

    deinit {
        values.deinitialize()
        values.deallocate()
    }
}

/// The plain shape of a batch document, `{"<key>": [ … ]}` (JSON whitespace allowed), found from its first and
/// last bytes only, and guessed element boundaries inside the array. Only a shape: whether a guessed boundary
/// is real is decided by reading the chunks.
struct RecordArrayShape {
    let bytes: UnsafeRawBufferPointer
    let key: String

    /// The offset of the first element of a document that begins `{"<key>": [{`.
    func arrayStart() -> Int? {
        var position = 0
        for expected in Array("{\"\(key)\":[".utf8) {
            skipSpace(&position)
            guard position < bytes.count, bytes[position] == expected else { return nil }
            position += 1
        }
        skipSpace(&position)
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { return nil }
        return position
    }

    /// The offset of the array's `]` in a document that ends `]}`.
    func arrayEnd() -> Int? {
        var position = bytes.count - 1
        for expected in [UInt8(ascii: "}"), UInt8(ascii: "]")] {
            while position >= 0, Self.isSpace(bytes[position]) { position -= 1 }
            guard position >= 0, bytes[position] == expected else { return nil }
            position -= 1
        }
        return position + 1
    }

    /// The first `}` `,` `{` at or after `guess` (within 1 MiB): the offset just past the `}` and that of the
    /// `{`.
    func plausibleBoundary(after guess: Int) -> (end: Int, start: Int)? {
        var position = guess
        let limit = min(bytes.count, guess + (1 << 20))
        while position < limit {
            defer { position += 1 }
            guard bytes[position] == UInt8(ascii: "}") else { continue }
            var next = position + 1
            skipSpace(&next)
            guard next < bytes.count, bytes[next] == UInt8(ascii: ",") else { continue }
            next += 1
            skipSpace(&next)
            if next < bytes.count, bytes[next] == UInt8(ascii: "{") { return (position + 1, next) }
        }
        return nil
    }

    private func skipSpace(_ position: inout Int) {
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
