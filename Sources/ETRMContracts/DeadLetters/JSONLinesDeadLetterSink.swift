import ETRMShared
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An append-only dead-letter file with one JSON object per line (JSON Lines); see
/// ``JSONLinesDeadLetterReader`` to read it back.
///
/// Each letter is encoded first and then written with a single `write(2)` loop on a descriptor opened with
/// `O_APPEND`, under a `Mutex`, so lines from threads of one process never interleave and each line lands
/// whole at the end of the file. Raw bytes are kept exactly, as base64 (`raw_base64`), plus `raw_text` when
/// they are valid UTF-8. Embedded newlines are escaped by JSON, so a line break always ends a record.
///
/// Durability: `write(2)` hands each line to the kernel before ``quarantine(_:)`` returns, so it survives a
/// crash of the process. To survive a power loss as well, set ``Configuration/syncEachRecord`` (an `fsync`
/// per letter) or call ``synchronize()`` at the end of each batch (an `fsync` per batch, much cheaper).
public final class JSONLinesDeadLetterSink: DeadLetterSink {
    /// Settings of the sink.
    public struct Configuration: Sendable {
        /// Whether every letter is `fsync`ed before ``JSONLinesDeadLetterSink/quarantine(_:)`` returns.
        /// Off by default: call ``JSONLinesDeadLetterSink/synchronize()`` per batch instead.
        public var syncEachRecord: Bool
        /// The permission bits of a newly created file.
        public var fileMode: UInt32

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - syncEachRecord: Whether to `fsync` after every letter.
        ///   - fileMode: The permission bits of a newly created file.
        public init(syncEachRecord: Bool = false, fileMode: UInt32 = 0o640) {
            self.syncEachRecord = syncEachRecord
            self.fileMode = fileMode
        }
    }

    /// The file's path.
    public let path: String
    /// The sink's settings.
    public let configuration: Configuration
    private let descriptor: LockedState<Int32>

    /// Opens (creating if needed) a dead-letter file for appending.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - configuration: The sink's settings.
    /// - Throws: ``DeadLetterError`` with code ``DeadLetterError/Code/openFailed``.
    public init(path: String, configuration: Configuration = Configuration()) throws(DeadLetterError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(configuration.fileMode))
        guard fd >= 0 else {
            throw DeadLetterError(code: .openFailed, message: "cannot open \(path) for appending", errno: errno)
        }
        self.path = path
        self.configuration = configuration
        self.descriptor = LockedState(fd)
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { _ = closeDescriptor(fd) }
        }
    }

    /// Appends the letter as one line.
    ///
    /// - Parameter letter: The quarantined record.
    /// - Throws: ``DeadLetterError`` with code ``DeadLetterError/Code/writeFailed`` if the line could not be
    ///   written (or synced, under ``Configuration/syncEachRecord``), or the sink is closed.
    public func quarantine(_ letter: DeadLetter) throws {
        var line: Data
        do {
            line = try DeadLetterLine.encoder.encode(DeadLetterLine(letter))
        } catch {
            throw DeadLetterError(code: .writeFailed, message: "cannot encode the letter: \(error)", cause: error)
        }
        line.append(UInt8(ascii: "\n"))
        let sync = configuration.syncEachRecord
        try descriptor.withLock { fd throws(DeadLetterError) in
            guard fd >= 0 else { throw DeadLetterError(code: .writeFailed, message: "the sink is closed") }
            let failure = line.withUnsafeBytes { bytes -> DeadLetterError? in
                var offset = 0
                while offset < bytes.count {
                    let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return DeadLetterError(code: .writeFailed, message: "cannot append to \(path)", errno: errno)
                    }
                    offset += written
                }
                return nil
            }
            if let failure { throw failure }
            if sync { try Self.sync(fd, path) }
        }
    }

    /// Flushes every line written so far to stable storage (`fsync`): call it at the end of a batch.
    ///
    /// - Throws: ``DeadLetterError`` with code ``DeadLetterError/Code/writeFailed``.
    public func synchronize() throws(DeadLetterError) {
        try descriptor.withLock { fd throws(DeadLetterError) in
            guard fd >= 0 else { throw DeadLetterError(code: .writeFailed, message: "the sink is closed") }
            try Self.sync(fd, path)
        }
    }

    /// Syncs and closes the file; later ``quarantine(_:)`` calls throw.
    ///
    /// - Throws: ``DeadLetterError`` with code ``DeadLetterError/Code/writeFailed`` if the final sync fails.
    public func close() throws(DeadLetterError) {
        try descriptor.withLock { fd throws(DeadLetterError) in
            guard fd >= 0 else { return }
            defer {
                _ = closeDescriptor(fd)
                fd = -1
            }
            try Self.sync(fd, path)
        }
    }

    private static func sync(_ fd: Int32, _ path: String) throws(DeadLetterError) {
        guard fsync(fd) == 0 else {
            throw DeadLetterError(code: .writeFailed, message: "cannot fsync \(path)", errno: errno)
        }
    }
}

private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// Reads a dead-letter file written by ``JSONLinesDeadLetterSink`` back into ``DeadLetter`` values, checking each
/// record's bytes against its SHA-256.
public struct JSONLinesDeadLetterReader: Sendable {
    /// The file's path.
    public let path: String

    /// Creates a reader of the file at `path`.
    ///
    /// - Parameter path: The dead-letter file.
    public init(path: String) { self.path = path }

    /// Reads every letter in the file, in the order written.
    ///
    /// - Returns: The letters.
    /// - Throws: ``DeadLetterError`` with code ``DeadLetterError/Code/readFailed`` if the file cannot be read,
    ///   or ``DeadLetterError/Code/corruptRecord`` (naming the line) for a line that is not a valid record,
    ///   including a torn last line without its newline.
    public func readAll() throws(DeadLetterError) -> [DeadLetter] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DeadLetterError(code: .readFailed, message: "cannot read \(path): \(error)", cause: error)
        }
        var letters: [DeadLetter] = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let record: DeadLetterLine
            do {
                record = try decoder.decode(DeadLetterLine.self, from: line)
            } catch {
                throw DeadLetterError(
                    code: .corruptRecord, message: "line \(lineNumber) of \(path): \(error)", cause: error)
            }
            do {
                letters.append(try record.letter())
            } catch {
                throw DeadLetterError(
                    code: .corruptRecord, message: "line \(lineNumber) of \(path): \(error.message)", cause: error)
            }
        }
        if let last = data.last, last != UInt8(ascii: "\n") {
            throw DeadLetterError(code: .corruptRecord, message: "line \(lineNumber) of \(path) is torn (no newline)")
        }
        return letters
    }
}
