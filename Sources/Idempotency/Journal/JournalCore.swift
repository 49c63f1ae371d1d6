import Dispatch
import ETRMShared
import Foundation

/// What the journal store keeps behind its one lock: the records, the log not yet on disk, and who waits.
struct JournalState {
    typealias Continuation = CheckedContinuation<Result<Void, IdempotencyError>, Never>

    struct Waiter {
        var sequence: UInt64
        var continuation: Continuation
    }

    var records: [IdempotencyKey: IdempotencyRecord]
    var lastFence: UInt64
    /// Records appended since the last write, after 8 bytes reserved for the frame header.
    var pending: [UInt8] = JournalState.emptyFrame(capacity: 0)
    /// The sequence number of the last record appended to `pending`.
    var appendedSequence: UInt64 = 0
    /// Every record up to this sequence number is on disk (written and `fdatasync`ed).
    var durableSequence: UInt64 = 0
    var waiters: [Waiter] = []
    var failure: IdempotencyError?
    var closed = false
    var writerAwake = false
    var writerExited = false
    var compactionRequested = false
    var compactionWaiters: [Continuation] = []
    var closeWaiters: [CheckedContinuation<Void, Never>] = []
    var bytesSinceCompaction = 0
    var lastSnapshotBytes = 0

    init(records: [IdempotencyKey: IdempotencyRecord], lastFence: UInt64) {
        self.records = records
        self.lastFence = lastFence
    }

    var hasPending: Bool { pending.count > JournalCodec.frameHeaderCount }

    /// A frame with its header bytes reserved and room for `capacity` bytes, at least 512 (a claim and a small
    /// completion), so that appending records seldom grows it.
    static func emptyFrame(capacity: Int) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(max(capacity, 512))
        frame.append(contentsOf: repeatElement(0, count: JournalCodec.frameHeaderCount))
        return frame
    }

    func checkUsable() throws(IdempotencyError) {
        if let failure { throw failure }
        if closed { throw IdempotencyError(code: .storeClosed, message: "the journal store is closed") }
    }

    /// Marks the writer awake; returns whether the caller must signal it.
    mutating func wakeWriter() -> Bool {
        if writerAwake { return false }
        writerAwake = true
        return true
    }

    mutating func nextSequence() -> UInt64 {
        appendedSequence += 1
        return appendedSequence
    }
}

/// The journal's shared state and its writer thread, which group-commits: it writes everything appended
/// while the previous `fdatasync` ran as one frame, syncs it, and wakes every operation it covered.
final class JournalCore: Sendable {
    let state: LockedState<JournalState>
    let wake = DispatchSemaphore(value: 0)
    let directory: String
    let automaticCompactionBytes: Int
    let now: @Sendable () -> Int64

    init(
        directory: String, records: [IdempotencyKey: IdempotencyRecord], lastFence: UInt64,
        automaticCompactionBytes: Int, now: @escaping @Sendable () -> Int64
    ) {
        self.directory = directory
        self.automaticCompactionBytes = automaticCompactionBytes
        self.now = now
        state = LockedState(JournalState(records: records, lastFence: lastFence))
    }

    /// Starts the writer on `journalFD`, whose next frame must carry `nextFrameSequence`.
    func start(journalFD: Int32, lockFD: Int32, nextFrameSequence: UInt64) {
        let thread = Thread { [self] in
            writerLoop(journalFD: journalFD, lockFD: lockFD, nextFrameSequence: nextFrameSequence)
        }
        thread.name = "idempotency-journal-writer"
        thread.start()
    }

    /// Suspends until the record with `sequence` is on disk.
    func waitDurable(_ sequence: UInt64) async throws(IdempotencyError) {
        let ready: Result<Void, IdempotencyError>? = state.withLock { state in
            if state.durableSequence >= sequence { return .success(()) }
            if let failure = state.failure { return .failure(failure) }
            return nil
        }
        if let ready { return try ready.get() }
        let result = await withCheckedContinuation { (continuation: JournalState.Continuation) in
            let immediate: Result<Void, IdempotencyError>? = state.withLock { state in
                if state.durableSequence >= sequence { return .success(()) }
                if let failure = state.failure { return .failure(failure) }
                state.waiters.append(.init(sequence: sequence, continuation: continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        try result.get()
    }

    func requestClose() {
        let signal = state.withLock { state in
            state.closed = true
            return state.wakeWriter()
        }
        if signal { wake.signal() }
    }

    private enum Job {
        case sleep
        case exit
        case write(frame: [UInt8], upTo: UInt64)
        case compact(snapshot: [UInt8], carried: [UInt8], upTo: UInt64)
    }

    private func writerLoop(journalFD: Int32, lockFD: Int32, nextFrameSequence: UInt64) {
        var fd = journalFD
        // The writer alone numbers frames: the next one appended to `fd`. A compaction's new file starts at 1
        // (its snapshot), so the next frame there is 2.
        var sequence = nextFrameSequence
        while true {
            wake.wait()
            drain: while true {
                let job = nextJob()
                switch job {
                case .sleep:
                    break drain
                case .exit:
                    JournalFiles.close(fd)
                    JournalFiles.close(lockFD)
                    let (closeWaiters, compactionWaiters) = state.withLock { state in
                        state.writerExited = true
                        defer {
                            state.closeWaiters = []
                            state.compactionWaiters = []
                        }
                        return (state.closeWaiters, state.compactionWaiters)
                    }
                    let closed = IdempotencyError(code: .storeClosed, message: "the journal store is closed")
                    for waiter in compactionWaiters { waiter.resume(returning: .failure(closed)) }
                    for waiter in closeWaiters { waiter.resume() }
                    return
                case .write(var frame, let upTo):
                    let result = Self.append(&frame, sequence: sequence, to: fd)
                    sequence += 1
                    finish(upTo: upTo, result: result, written: frame.count)
                case .compact(var snapshot, var carried, let upTo):
                    let outcome = compact(snapshot: &snapshot, currentFD: fd)
                    switch outcome {
                    case .success(let newFD):
                        JournalFiles.close(fd)
                        fd = newFD
                        sequence = 2
                        finish(upTo: upTo, result: .success(()), written: 0, compaction: .success(()))
                    case .failure(let error):
                        var result: Result<Void, IdempotencyError> = .success(())
                        if carried.count > JournalCodec.frameHeaderCount {
                            result = Self.append(&carried, sequence: sequence, to: fd)
                            sequence += 1
                        }
                        finish(upTo: upTo, result: result, written: carried.count, compaction: .failure(error))
                    }
                }
            }
        }
    }

    private func nextJob() -> Job {
        let now = self.now()
        return state.withLock { state -> Job in
            if state.failure == nil, state.compactionRequested {
                state.compactionRequested = false
                let (snapshot, expired) = Self.snapshot(of: state.records, lastFence: state.lastFence, now: now)
                for key in expired { state.records[key] = nil }
                let carried = state.pending
                state.pending = JournalState.emptyFrame(capacity: 0)
                state.lastSnapshotBytes = snapshot.count
                return .compact(snapshot: snapshot, carried: carried, upTo: state.appendedSequence)
            }
            if state.hasPending {
                let frame = state.pending
                state.pending = JournalState.emptyFrame(capacity: frame.count)
                if state.failure != nil { return .sleep }
                return .write(frame: frame, upTo: state.appendedSequence)
            }
            if state.closed { return .exit }
            state.writerAwake = false
            return .sleep
        }
    }

    /// A frame (header bytes reserved) holding the fence floor and every live record, and the expired keys.
    static func snapshot(
        of records: [IdempotencyKey: IdempotencyRecord], lastFence: UInt64, now: Int64
    ) -> (frame: [UInt8], expired: [IdempotencyKey]) {
        var snapshot = [UInt8](repeating: 0, count: JournalCodec.frameHeaderCount)
        JournalCodec.appendFenceFloor(to: &snapshot, fence: lastFence)
        var expired: [IdempotencyKey] = []
        for (key, record) in records {
            if record.isExpired(at: now) {
                expired.append(key)
                continue
            }
            appendSnapshot(of: record, key: key, to: &snapshot)
        }
        return (snapshot, expired)
    }

    private static func appendSnapshot(
        of record: IdempotencyRecord, key: IdempotencyKey, to bytes: inout [UInt8]
    ) {
        let removeAt = record.removeAt
        switch record.state {
        case .inProgress(let leaseEnd):
            JournalCodec.appendClaim(
                to: &bytes, key: key, fingerprint: record.fingerprint, fence: record.fence,
                leaseEnd: leaseEnd, removeAt: removeAt)
        case .completed(let response):
            JournalCodec.appendClaim(
                to: &bytes, key: key, fingerprint: record.fingerprint, fence: record.fence, leaseEnd: removeAt,
                removeAt: removeAt)
            JournalCodec.appendComplete(
                to: &bytes, key: key, fence: record.fence, response: response, removeAt: removeAt)
        }
    }

    private static func append(
        _ frame: inout [UInt8], sequence: UInt64, to fd: Int32
    ) -> Result<Void, IdempotencyError> {
        JournalCodec.sealFrame(&frame, sequence: sequence)
        do throws(IdempotencyError) {
            try JournalFiles.writeAll(fd, frame)
            try JournalFiles.sync(fd)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Writes the snapshot to a new file, syncs it, renames it over the journal and syncs the directory.
    private func compact(snapshot: inout [UInt8], currentFD: Int32) -> Result<Int32, IdempotencyError> {
        switch Self.replaceJournal(directory: directory, snapshot: &snapshot) {
        case .failure(let error):
            return .failure(error)
        case .success(let (fd, directorySyncFailure)):
            if let directorySyncFailure {
                // The rename happened but may not be durable: continue on the new file, and fail the store so
                // that nothing more is acknowledged on a journal whose directory entry is in doubt.
                state.withLock { $0.failure = directorySyncFailure }
            }
            return .success(fd)
        }
    }

    /// Writes a journal of the current format version holding `snapshot` (a frame with its header bytes
    /// reserved), as its frame 1, to a new file, syncs it, renames it over the journal and syncs the directory. Returns the new
    /// file, opened for appending, and the directory sync's failure if only that failed (the rename happened).
    static func replaceJournal(
        directory: String, snapshot: inout [UInt8]
    ) -> Result<(fd: Int32, directorySyncFailure: IdempotencyError?), IdempotencyError> {
        let temporary = directory + "/" + JournalFiles.compactName
        let journal = directory + "/" + JournalFiles.journalName
        JournalCodec.sealFrame(&snapshot, sequence: 1)
        let fd: Int32
        do throws(IdempotencyError) {
            fd = try JournalFiles.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        } catch {
            return .failure(error)
        }
        do throws(IdempotencyError) {
            try JournalFiles.writeAll(fd, JournalCodec.Version.current.magic)
            try JournalFiles.writeAll(fd, snapshot)
            try JournalFiles.sync(fd)
            try JournalFiles.rename(temporary, journal)
        } catch {
            JournalFiles.close(fd)
            JournalFiles.remove(temporary)
            return .failure(error)
        }
        do throws(IdempotencyError) {
            try JournalFiles.syncDirectory(directory)
        } catch {
            return .success((fd, error))
        }
        return .success((fd, nil))
    }

    private func finish(
        upTo sequence: UInt64, result: Result<Void, IdempotencyError>, written: Int,
        compaction: Result<Void, IdempotencyError>? = nil
    ) {
        let automatic = automaticCompactionBytes
        let (ready, compactionWaiters, outcome) = state.withLock { state in
            var ready: [JournalState.Continuation] = []
            var outcome: Result<Void, IdempotencyError> = .success(())
            if case .failure(let error) = result, state.failure == nil { state.failure = error }
            if let failure = state.failure {
                outcome = .failure(failure)
                ready = state.waiters.map(\.continuation)
                state.waiters = []
            } else {
                state.durableSequence = max(state.durableSequence, sequence)
                let durable = state.durableSequence
                var waiting: [JournalState.Waiter] = []
                for waiter in state.waiters {
                    if waiter.sequence <= durable { ready.append(waiter.continuation) } else { waiting.append(waiter) }
                }
                state.waiters = waiting
                if compaction.map({ if case .success = $0 { true } else { false } }) == true {
                    state.bytesSinceCompaction = 0
                } else {
                    state.bytesSinceCompaction += written
                }
                if automatic > 0, state.bytesSinceCompaction > max(automatic, state.lastSnapshotBytes) {
                    state.compactionRequested = true
                }
            }
            var compactionWaiters: [JournalState.Continuation] = []
            if compaction != nil {
                compactionWaiters = state.compactionWaiters
                state.compactionWaiters = []
            }
            return (ready, compactionWaiters, outcome)
        }
        for continuation in ready { continuation.resume(returning: outcome) }
        let compactionResult: Result<Void, IdempotencyError>
        switch (outcome, compaction) {
        case (.failure(let error), _): compactionResult = .failure(error)
        case (_, .some(let result)): compactionResult = result
        case (_, .none): compactionResult = .success(())
        }
        for continuation in compactionWaiters { continuation.resume(returning: compactionResult) }
    }
}
