import Foundation
import Idempotency

/// A page committed by the network job: where it came from, where it leads, and its records as sent.
package struct CommittedPage: Sendable, Equatable {
    package var kind: FeedKind
    package var partition: Int
    /// The page's position in its partition, from 0.
    package var sequence: Int
    package var cursor: String?
    package var nextCursor: String?
    package var count: Int
    package var records: [UInt8]

    package init(
        kind: FeedKind, partition: Int, sequence: Int, cursor: String?, nextCursor: String?, count: Int,
        records: [UInt8]
    ) {
        self.kind = kind
        self.partition = partition
        self.sequence = sequence
        self.cursor = cursor
        self.nextCursor = nextCursor
        self.count = count
        self.records = records
    }

    /// The batch id of this page, as ``PageRequest/batchID``.
    package func batchID(partitions: Int) -> String {
        PageRequest(kind: kind, partition: partition, partitions: partitions, cursor: cursor, limit: 0).batchID
    }
}

/// The checkpoint of `etrm-pipeline run --url … --checkpoint DIR`: an append-only log of committed pages
/// (`DIR/pages.log`) and the job's identity (`DIR/job.json`).
///
/// Each page is one frame, `length (4 bytes, little endian) ‖ payload ‖ SHA-256(payload)`, written with one
/// `write` and made durable with `fsync` before the job goes on: a page is committed once its frame is on
/// disk. A crash can leave a torn last frame; opening the log keeps the frames whose checksum holds and
/// truncates the rest (the layout of the Idempotency journal's frames, whose codec is internal to that module).
/// The pages themselves are kept, so a resumed job refetches nothing it committed, and the final summary and
/// dead letters are computed from exactly the records an uninterrupted run would have read: the recovered pages
/// are handed to the caller one at a time as the log is opened (validating a page is deterministic).
package final class PageLog: Sendable {
    package let directory: String
    private let descriptor: Int32
    /// The number of pages read back when the log was opened.
    package let recoveredCount: Int
    /// Bytes of a torn tail dropped when the log was opened.
    package let truncatedBytes: Int
    /// The job's identity recorded by its first start: the arguments that decide what is fetched.
    package let identity: String
    /// The Unix time of the job's first start (the dead letters' `quarantined_at`, the same on every resume).
    package let startedAt: Int64

    /// Opens (creating if needed) the checkpoint in `directory` for the job `identity`.
    ///
    /// - Parameters:
    ///   - directory: The checkpoint directory.
    ///   - identity: What the job fetches (URL, partitions, page size): a checkpoint of another job is refused.
    ///   - now: The current Unix time, recorded at the first start.
    ///   - recover: Receives each committed page read back, in log order.
    /// - Throws: ``PipelineError`` with code `io_failure` if the files cannot be read or written,
    ///   `bad_argument` for a checkpoint of another job, or what `recover` throws.
    package init(
        directory: String, identity: String, now: Int64,
        recover: (CommittedPage) throws(PipelineError) -> Void = { _ in }
    ) throws(PipelineError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.ioFailure, "cannot create checkpoint directory \(directory): \(error)")
        }
        let jobPath = directory + "/job.json"
        if let existing = FileManager.default.contents(atPath: jobPath) {
            guard let object = try? JSONSerialization.jsonObject(with: existing) as? [String: Any],
                let recorded = object["identity"] as? String, let started = object["started_at"] as? Int
            else { throw PipelineError(.ioFailure, "checkpoint \(jobPath) is unreadable; remove \(directory)") }
            guard recorded == identity else {
                throw PipelineError(
                    .badArgument,
                    "checkpoint \(directory) belongs to another job (\(recorded)); this one is \(identity)")
            }
            self.identity = recorded
            startedAt = Int64(started)
        } else {
            let object: [String: Any] = ["identity": identity, "started_at": Int(now)]
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
                throw PipelineError(.internalFailure, "cannot encode the checkpoint's identity")
            }
            try Self.replaceDurably(jobPath, with: [UInt8](data) + [0x0A])
            self.identity = identity
            startedAt = now
        }
        let logPath = directory + "/pages.log"
        let descriptor = open(logPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw PipelineError(.ioFailure, "cannot open \(logPath) (errno \(errno))") }
        var offset = 0
        var pages = 0
        var size = 0
        do {
            let bytes = [UInt8](FileManager.default.contents(atPath: logPath) ?? Data())
            size = bytes.count
            while let (page, end) = Self.frame(in: bytes, at: offset) {
                try recover(page)
                pages += 1
                offset = end
            }
        } catch {
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        recoveredCount = pages
        truncatedBytes = size - offset
        if truncatedBytes > 0 {
            guard ftruncate(descriptor, off_t(offset)) == 0, fsync(descriptor) == 0 else {
                throw PipelineError(.ioFailure, "cannot truncate the torn tail of \(logPath) (errno \(errno))")
            }
        }
        guard lseek(descriptor, 0, SEEK_END) >= 0 else {
            throw PipelineError(.ioFailure, "cannot seek \(logPath) (errno \(errno))")
        }
    }

    deinit { close(descriptor) }

    /// Appends a page and waits until it is on disk.
    ///
    /// - Parameter page: The page.
    /// - Throws: ``PipelineError`` with code `io_failure`.
    package func append(_ page: CommittedPage) throws(PipelineError) {
        let frame = Self.encode(page)
        var written = 0
        while written < frame.count {
            let result = frame.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, frame.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                throw PipelineError(.ioFailure, "cannot append to \(directory)/pages.log (errno \(errno))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw PipelineError(.ioFailure, "cannot sync \(directory)/pages.log (errno \(errno))")
        }
    }

    /// Writes `bytes` to `path` through a temporary file, `fsync` and `rename`, then syncs the directory.
    static func replaceDurably(_ path: String, with bytes: [UInt8]) throws(PipelineError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw PipelineError(.ioFailure, "cannot create \(temporary) (errno \(errno))") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            throw PipelineError(.ioFailure, "cannot write \(path) durably (errno \(errno))")
        }
        let parent = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if parent >= 0 {
            _ = fsync(parent)
            close(parent)
        }
    }

    // MARK: Frames

    static func encode(_ page: CommittedPage) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(page.records.count + 64)
        payload.append(page.kind == .trades ? 0 : 1)
        for number in [page.partition, page.sequence, page.count] { appendUInt32(UInt32(number), to: &payload) }
        for text in [page.cursor, page.nextCursor] {
            if let text {
                appendUInt32(UInt32(text.utf8.count), to: &payload)
                payload.append(contentsOf: text.utf8)
            } else {
                appendUInt32(UInt32.max, to: &payload)
            }
        }
        appendUInt32(UInt32(page.records.count), to: &payload)
        payload.append(contentsOf: page.records)
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 36)
        appendUInt32(UInt32(payload.count), to: &frame)
        frame.append(contentsOf: payload)
        frame.append(contentsOf: Fingerprint(exactBytes: payload).bytes)
        return frame
    }

    /// The page framed at `offset`, and the frame's end; `nil` for a torn or corrupt frame or the end.
    static func frame(in bytes: [UInt8], at offset: Int) -> (CommittedPage, Int)? {
        guard let length = readUInt32(bytes, offset).map(Int.init) else { return nil }
        let start = offset + 4
        let end = start + length + 32
        guard end <= bytes.count else { return nil }
        let payload = Array(bytes[start..<start + length])
        guard Fingerprint(exactBytes: payload).bytes.elementsEqual(bytes[start + length..<end]) else { return nil }
        var position = 1
        func number() -> Int? {
            defer { position += 4 }
            return readUInt32(payload, position).map(Int.init)
        }
        func text() -> String?? {
            guard let count = readUInt32(payload, position) else { return .none }
            position += 4
            if count == UInt32.max { return .some(nil) }
            guard position + Int(count) <= payload.count else { return .none }
            defer { position += Int(count) }
            return .some(String(decoding: payload[position..<position + Int(count)], as: UTF8.self))
        }
        guard let kindByte = payload.first, kindByte < 2, let partition = number(), let sequence = number(),
            let count = number(), let cursor = text(), let next = text(), let recordBytes = number(),
            position + recordBytes == payload.count
        else { return nil }
        let page = CommittedPage(
            kind: kindByte == 0 ? .trades : .broker, partition: partition, sequence: sequence, cursor: cursor,
            nextCursor: next, count: count, records: Array(payload[position...]))
        return (page, end)
    }

    private static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
