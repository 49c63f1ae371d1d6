#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the POSIX calls the journal uses, each turning a failure into an ``IdempotencyError``.
enum JournalFiles {
    static let journalName = "journal.log"
    static let compactName = "journal.log.compact"
    static let lockName = "LOCK"

    static func failure(_ what: String, code: IdempotencyError.Code = .journalIO) -> IdempotencyError {
        let number = errno
        return IdempotencyError(
            code: code, message: "\(what): \(String(cString: strerror(number)))", systemErrno: number)
    }

    static func makeDirectory(_ path: String) throws(IdempotencyError) {
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw failure("mkdir \(path)") }
    }

    static func open(_ path: String, _ flags: Int32) throws(IdempotencyError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw failure("open \(path)") }
        }
    }

    /// Takes the exclusive lock on `<directory>/LOCK`, or throws ``IdempotencyError/Code/journalLocked``.
    ///
    /// A lock held by someone else is tried again for up to about 250 ms before it is refused: a child process
    /// that this process starts (`posix_spawn`, `Process`) holds a copy of every descriptor until its `exec`
    /// closes it, so a lock released just before a spawn can stay held for that short window.
    static func lock(directory: String) throws(IdempotencyError) -> Int32 {
        let path = directory + "/" + lockName
        let fd = try open(path, O_RDWR | O_CREAT)
        var backoff: UInt32 = 1_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK, backoff <= 128_000 {
                usleep(backoff)
                backoff *= 2
                continue
            }
            let failure =
                errno == EWOULDBLOCK
                ? failure("journal \(directory) is open in another process or store", code: .journalLocked)
                : failure("flock \(path)")
            _ = Glibc.close(fd)
            throw failure
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(IdempotencyError) {
        let failed = bytes.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed { throw failure("write to the journal") }
    }

    static func sync(_ fd: Int32) throws(IdempotencyError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw failure("fdatasync of the journal") }
        }
    }

    static func syncDirectory(_ path: String) throws(IdempotencyError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { _ = Glibc.close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw failure("fsync of directory \(path)") }
        }
    }

    static func readAll(_ fd: Int32) throws(IdempotencyError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read of the journal")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    static func truncate(_ fd: Int32, to length: Int) throws(IdempotencyError) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw failure("ftruncate of the journal") }
        }
    }

    static func rename(_ from: String, _ to: String) throws(IdempotencyError) {
        if Glibc.rename(from, to) != 0 { throw failure("rename \(from) to \(to)") }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}
