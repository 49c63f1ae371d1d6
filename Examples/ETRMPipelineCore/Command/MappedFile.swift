#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file mapped read-only into memory: read once by the kernel, never copied into the heap.
package final class MappedFile {
    /// The file's bytes (empty for an empty file).
    package let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps the file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - what: What the file is (`trades`, `broker`), for the message.
    /// - Throws: ``PipelineError`` with code `io_failure` when the file is missing, unreadable or a directory.
    package init(path: String, what: String) throws(PipelineError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw PipelineError(.ioFailure, "cannot read \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw PipelineError(.ioFailure, "cannot read \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw PipelineError(.ioFailure, "cannot read \(what) file \(path): not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        // Not MAP_POPULATE: that maps every page at once, and every mapped page counts in the resident set.
        // The pages are mapped as the parser touches them and released behind it (`pages`); the kernel is
        // asked to read ahead into the page cache, which is not part of this process's memory.
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw PipelineError(.ioFailure, "cannot map \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        _ = madvise(address, size, MADV_WILLNEED)
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// Releases pages of the mapping behind a parser (see ``PageRelease``).
    package var pages: PageRelease? { mapping.map { PageRelease(base: UnsafeRawPointer($0), count: bytes.count) } }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}

/// Drops whole pages of a read-only, private file mapping from the process's resident set
/// (`madvise(MADV_DONTNEED)`), so that a parser going through a large file keeps only the pages ahead of it.
///
/// This never changes what the mapping reads: the mapping is `MAP_PRIVATE` and `PROT_READ`, so no page was
/// ever written (no private copy exists to lose), and a released page touched again is read back from the
/// file (the page cache). So it is safe even for a page another thread is still reading. Only ever made by
/// ``MappedFile``: on anonymous memory (an array) the same call would zero the pages.
package struct PageRelease: @unchecked Sendable {
    // @unchecked: the address of a mapping that outlives every use (the owner unmaps it after the parse).
    private let base: UnsafeRawPointer
    private let count: Int
    private let pageSize = Int(getpagesize())

    fileprivate init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// Releases the whole pages inside `range` (byte offsets into the mapping); partial pages at either end
    /// stay.
    package func release(_ range: Range<Int>) {
        let lower = (max(0, range.lowerBound) + pageSize - 1) / pageSize * pageSize
        let upper = min(count, range.upperBound) / pageSize * pageSize
        guard upper > lower else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + lower), upper - lower, MADV_DONTNEED)
    }

    /// Releases every whole page.
    package func releaseAll() { release(0..<count) }
}

/// The process's allocator settings.
package enum ProcessMemory {
    /// Makes glibc's `malloc` map every buffer of 256 KiB or more on its own, and keep that threshold fixed.
    ///
    /// By default glibc raises the threshold up to 32 MiB once a mapped buffer is freed, and then serves the
    /// parse's per-chunk column buffers (a few MiB each, made on worker threads) from its arenas, which keep
    /// the memory after the chunks are merged and freed: the resident set would stay near two copies of the
    /// frame. Mapped on their own, freed buffers go back to the system at once. Elsewhere this does nothing.
    package static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
            // `mallopt` is declared in <malloc.h>, which the Glibc module does not import: looked up by name.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            guard let symbol = dlsym(nil, "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 256 << 10)
        #endif
    }
}

extension ProcessMemory {
    /// Returns the allocator's free memory to the system (glibc's `malloc_trim`): the small buffers the reading
    /// threads freed stay resident in their arenas otherwise. Elsewhere this does nothing.
    package static func returnFreedMemory() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}

/// Process facts for the report.
package enum ProcessInfoFacts {
    /// The peak resident set size of this process so far, in bytes (`getrusage` `ru_maxrss`).
    package static var peakResidentBytes: Int {
        var usage = rusage()
        #if canImport(Glibc)
            let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        #if canImport(Darwin)
            return Int(usage.ru_maxrss)
        #else
            return Int(usage.ru_maxrss) * 1024
        #endif
    }

    /// The resident set size of this process now, in bytes (`/proc/self/statm` on Linux; `nil` elsewhere or
    /// when it cannot be read).
    package static var residentBytes: Int? {
        #if os(Linux)
            // statm: total and resident sizes in pages, as decimal numbers separated by spaces.
            let descriptor = open("/proc/self/statm", O_RDONLY)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 128)
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
            guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
            return pages * Int(getpagesize())
        #else
            return nil
        #endif
    }

    /// Whether standard error is a terminal.
    package static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
}
