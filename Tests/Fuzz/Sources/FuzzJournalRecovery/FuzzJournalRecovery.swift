import Foundation
import Idempotency

/// Writes arbitrary bytes as a journal file and opens it with ``JournalIdempotencyStore``. The open must either
/// succeed or throw `journal_corrupt` / `journal_version_unsupported` with a message; never crash or hang. A
/// journal that opened opens again: with nothing more to cut, the same frames and records for a version 3
/// journal, and the one rewritten frame for an older version upgraded by the first open.
///
/// Input whose first byte is odd is not written as it is: the rest is cut into frames (a length byte, then
/// that many payload bytes), sealed with valid checksums and numbers, so that the fuzzer reaches the records
/// behind the checksums. Bit 1 of the first byte selects version 2 framing, bit 2 appends the unused rest as
/// a torn tail.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournalRecovery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let file = input.first.map { $0 & 1 == 1 } == true ? sealed(input) : input
    let directory = Scratch.directory
    precondition(FileManager.default.createFile(atPath: directory + "/journal.log", contents: Data(file)))
    defer {
        try? FileManager.default.removeItem(atPath: directory + "/journal.log")
        try? FileManager.default.removeItem(atPath: directory + "/LOCK")
    }
    let first: (report: JournalRecoveryReport, records: Int)
    do {
        first = try openAndClose(directory)
    } catch {
        let expected: [IdempotencyError.Code] = [.journalCorrupt, .journalVersionUnsupported]
        precondition(expected.contains(error.code) && !error.message.isEmpty, "unexpected error \(error)")
        return 0
    }
    let second: (report: JournalRecoveryReport, records: Int)
    do {
        second = try openAndClose(directory)
    } catch {
        preconditionFailure("a journal that opened once is refused the second time: \(error)")
    }
    precondition(second.report.droppedTailBytes == 0, "the second open cut \(second.report.droppedTailBytes) bytes")
    if file.starts(with: Array("ETRMIJ03".utf8)) {
        precondition(second.report.framesReplayed == first.report.framesReplayed, "frames differ")
        precondition(second.report.recordsReplayed == first.report.recordsReplayed, "records replayed differ")
        precondition(second.records == first.records, "records differ: \(first.records), then \(second.records)")
    } else if file.count >= 8 {
        precondition(second.report.framesReplayed == 1, "an upgraded journal is one snapshot frame")
        precondition(second.records <= first.records, "the upgrade invented records")
    }
    return 0
}

/// Opens the journal in `directory`, notes what it found, and closes it.
func openAndClose(_ directory: String) throws(IdempotencyError) -> (report: JournalRecoveryReport, records: Int) {
    let store = try JournalIdempotencyStore(directory: directory, clock: FrozenClock())
    let result = (store.recoveryReport, store.recordCount)
    let closed = DispatchSemaphore(value: 0)
    Task {
        await store.close()
        closed.signal()
    }
    closed.wait()
    return result
}

/// Frames sealed from `input` (see ``fuzzJournalRecovery(_:_:)``).
func sealed(_ input: [UInt8]) -> [UInt8] {
    let versionTwo = input[0] & 2 != 0
    var file = Array((versionTwo ? "ETRMIJ02" : "ETRMIJ03").utf8)
    var index = 1
    var sequence: UInt64 = 1
    while index < input.count {
        let length = Int(input[index])
        guard length > 0, input.count - index - 1 >= length else { break }
        let payload = Array(input[(index + 1)...(index + length)])
        let crc = CRC32C.checksum(payload)
        if versionTwo {
            file += le(UInt32(length)) + le(crc) + payload
        } else {
            let header = le(UInt32(length)) + le(sequence) + le(crc)
            file += header + le(CRC32C.checksum(header)) + payload
        }
        sequence += 1
        index += 1 + length
    }
    if input[0] & 4 != 0, index < input.count { file += input[index...] }
    return file
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// CRC-32C (Castagnoli), bit by bit.
enum CRC32C {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}

/// One directory for this process's runs, on tmpfs when there is one (the store syncs what it writes), removed
/// when the process exits.
enum Scratch {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/fuzz-journal-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.directory) }
        return path
    }()
}

/// A clock frozen at the earliest instant, so that no record is ever expired and two opens see the same.
struct FrozenClock: Clock {
    struct Instant: JournalTimestamp {
        var journalNanoseconds: Int64
        init(journalNanoseconds: Int64) { self.journalNanoseconds = journalNanoseconds }
        func advanced(by duration: Duration) -> Instant {
            let (seconds, attoseconds) = duration.components
            let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            guard !nanoseconds.overflow else { return self }
            let (sum, overflow) = journalNanoseconds.addingReportingOverflow(
                nanoseconds.partialValue + attoseconds / 1_000_000_000)
            return Instant(journalNanoseconds: overflow ? journalNanoseconds : sum)
        }
        func duration(to other: Instant) -> Duration {
            .nanoseconds(Int128(other.journalNanoseconds) - Int128(journalNanoseconds))
        }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.journalNanoseconds < rhs.journalNanoseconds }
    }

    var now: Instant { Instant(journalNanoseconds: .min) }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}
