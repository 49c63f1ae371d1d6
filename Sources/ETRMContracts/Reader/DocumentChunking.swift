#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How ``RecordReader/readChunks(_:source:batchID:chunking:makePart:onRecord:onChunkRead:progress:)`` splits a
/// batch document's record array: where it guesses element boundaries, and whether the chunks are read at the
/// same time or one after another.
///
/// The split never changes the outcome, only the time and memory it takes: a guessed boundary that turns out
/// wrong makes the reader read the document whole.
public struct DocumentChunking: Sendable, Hashable {
    /// Byte offsets to resynchronise after, or `nil` for sizes derived from the document and the cores.
    let guesses: [Int]?
    /// The chunk size of a sequential read, or `nil` for a concurrent one.
    let sequentialChunkSize: Int?

    /// Chunks read on all cores: about four per core, none under 1 MiB and none over 16 MiB (a chunk's pages
    /// stay resident until it is read); one chunk for a document under 2 MiB.
    public static let automatic = DocumentChunking(guesses: nil, sequentialChunkSize: nil)

    /// One chunk: the plain sequential read of ``RecordReader/read(_:format:source:batchID:onRecord:onRejected:)-(UnsafeRawBufferPointer,_,_,_,_,_)``.
    public static let whole = DocumentChunking(guesses: [], sequentialChunkSize: nil)

    /// Chunks of about `chunkSize` bytes read one after another on the calling thread, each handed to
    /// `onChunkRead` as soon as it is read: the form for bounded memory on one core (a large file read while
    /// the other cores do something else).
    ///
    /// - Parameter chunkSize: The bytes read before the next guessed boundary; at least 1.
    /// - Returns: The chunking.
    public static func sequential(chunkSize: Int) -> DocumentChunking {
        DocumentChunking(guesses: nil, sequentialChunkSize: max(1, chunkSize))
    }

    /// Chunks that start at the first plausible element boundary after each of `offsets`, read on all cores:
    /// for tests that put the guesses in awkward places.
    ///
    /// - Parameter offsets: Byte offsets into the document, in any order.
    /// - Returns: The chunking.
    public static func after(_ offsets: [Int]) -> DocumentChunking {
        DocumentChunking(guesses: offsets.sorted(), sequentialChunkSize: nil)
    }

    /// The guessed offsets for a document of `documentSize` bytes whose array's first element is at
    /// `firstElement`.
    func offsets(documentSize: Int, firstElement: Int) -> [Int] {
        if let guesses { return guesses }
        let span = documentSize - firstElement
        if let size = sequentialChunkSize {
            guard size < span else { return [] }
            return Array(stride(from: firstElement + size, to: documentSize, by: size))
        }
        let minimumChunk = 1 << 20
        guard span >= 2 * minimumChunk else { return [] }
        let maximumChunk = 16 << 20
        let chunks = max(
            min(span / minimumChunk, 4 * Self.activeProcessorCount), (span + maximumChunk - 1) / maximumChunk)
        return (1..<chunks).map { firstElement + span / chunks * $0 }
    }

    private static var activeProcessorCount: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return max(1, Int(sysconf(_SC_NPROCESSORS_ONLN)))
        #endif
    }
}
