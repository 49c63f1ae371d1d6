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
        #if canImport(Glibc)
            let flags = MAP_PRIVATE | MAP_POPULATE
        #else
            let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, descriptor, 0), address != MAP_FAILED else {
            throw PipelineError(.ioFailure, "cannot map \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
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

    /// Whether standard error is a terminal.
    package static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
}
