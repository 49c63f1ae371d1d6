#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file mapped read-only into memory (`mmap`, `PROT_READ`, `MAP_PRIVATE`), unmapped when the last column
/// reading from it is gone.
///
/// Columns that TradeFrame reads from a mapped Arrow IPC file keep their values in the mapping instead of
/// copying them (``ColumnStorage``); each such column holds this object, so the mapping lives exactly as long
/// as the data does. As with every memory map (pyarrow's too), a file truncated by another process while it is
/// mapped makes later reads of the lost pages fault: map files that are not rewritten in place.
@usableFromInline
final class MappedRegion: @unchecked Sendable {
    /// The mapped bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer
    private let mapped: Bool

    /// Maps the file at `path`.
    ///
    /// - Throws: ``TradeFrameError`` with code `invalidInput` when it cannot be opened, examined or mapped.
    init(path: String) throws(TradeFrameError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Self.failure("cannot open", path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure("cannot examine", path) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw TradeFrameError(.invalidInput, "\(path) is not a regular file")
        }
        let count = Int(status.st_size)
        guard count > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw Self.failure("cannot map", path)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: count)
        mapped = true
    }

    /// A private anonymous mapping holding a copy of `contents`: the same memory as a mapped file, for tests of
    /// the in-place reading path without a file.
    init(copying contents: [UInt8]) {
        guard !contents.isEmpty,
            let base = mmap(nil, contents.count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != MAP_FAILED
        else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        contents.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        mprotect(base, contents.count, PROT_READ)
        bytes = UnsafeRawBufferPointer(start: base, count: contents.count)
        mapped = true
    }

    /// Whether `buffer` lies wholly inside the mapping.
    func contains(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard buffer.count > 0 else { return true }
        guard let start = buffer.baseAddress, let base = bytes.baseAddress else { return false }
        return start >= base && buffer.count <= bytes.count - (start - base)
    }

    deinit {
        if mapped, let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    private static func failure(_ verb: String, _ path: String) -> TradeFrameError {
        TradeFrameError(.invalidInput, "\(verb) \(path): \(String(cString: strerror(errno)))")
    }
}
