#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A durable ``IdempotencyStore`` for one node: an append-only, checksummed journal in a directory.
///
/// - **Durability.** An operation returns only after its record is written and `fdatasync`ed. Concurrent
///   operations share one sync: while one sync runs, new records collect and the next write carries them
///   all as one frame (group commit). A claim that *observes* a record (in progress, completed, mismatch)
///   also waits until that record is on disk, so nothing is ever acknowledged on the strength of a record a
///   crash could still lose.
/// - **Format.** `journal.log` is a magic naming the format version (`ETRMIJ03`) and frames of
///   `length ‖ sequence number ‖ CRC-32C of the records ‖ CRC-32C of the header ‖ records`, numbered from 1;
///   see the DocC article for the layout. A journal of an older format version (1 or 2) is read, then
///   rewritten in the current version on open, atomically as a compaction does; a newer one is refused with
///   ``IdempotencyError/Code/journalVersionUnsupported``.
/// - **Recovery.** Opening replays the journal. A torn last frame (cut short, or damaged with nothing good
///   after it) is dropped and the file truncated to the last good frame, whatever the torn frame's payload
///   holds. A damaged frame with a good frame after it, or a frame whose number is not the next one (a frame
///   missing, repeated or out of order), fails the open with ``IdempotencyError/Code/journalCorrupt`` rather
///   than dropping acknowledged records.
/// - **Compaction.** ``compact()`` (and automatically, past ``Configuration-swift.struct/automaticCompactionBytes``)
///   writes the live records to `journal.log.compact`, syncs it, renames it over `journal.log`, and syncs
///   the directory: a crash at any point leaves either the old or the new journal, both complete.
/// - **Exclusion.** An exclusive `flock` on `LOCK` in the directory: a second process, or a second store in
///   this process, gets ``IdempotencyError/Code/journalLocked``.
///
/// Time comes from a clock whose instants survive restarts (``JournalTimestamp``), ``WallClock`` by default.
public final class JournalIdempotencyStore<C: Clock>: IdempotencyStore
where C.Duration == Duration, C.Instant: JournalTimestamp {
    /// Settings for a ``JournalIdempotencyStore``.
    public struct Configuration: Sendable {
        /// How long an in-progress record outlives its lease when nobody takes it over.
        public var abandonedLeaseRetention: Duration
        /// Compact automatically once this many bytes were appended since the last compaction (and more than
        /// the last snapshot's size); 0 turns automatic compaction off.
        public var automaticCompactionBytes: Int
        /// The largest response body ``complete(_:token:response:ttl:)`` accepts (at most 4 GiB - 1, the format's limit).
        public var maximumResponseBytes: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - abandonedLeaseRetention: 1 hour by default.
        ///   - automaticCompactionBytes: 64 MiB by default.
        ///   - maximumResponseBytes: 16 MiB by default.
        public init(
            abandonedLeaseRetention: Duration = .seconds(3600), automaticCompactionBytes: Int = 64 << 20,
            maximumResponseBytes: Int = 16 << 20
        ) {
            self.abandonedLeaseRetention = abandonedLeaseRetention
            self.automaticCompactionBytes = automaticCompactionBytes
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    /// The directory holding `journal.log` and `LOCK`.
    public let directory: String
    /// What opening the journal found.
    public let recoveryReport: JournalRecoveryReport
    private let clock: C
    private let configuration: Configuration
    private let core: JournalCore

    /// Opens (or creates) the journal in `directory`, takes its lock and replays it.
    ///
    /// - Parameters:
    ///   - directory: The journal's directory; created if missing.
    ///   - configuration: Retention, compaction and limits.
    ///   - clock: The clock leases and TTLs are measured on.
    /// - Throws: ``IdempotencyError/Code/journalLocked`` when the journal is open elsewhere,
    ///   ``IdempotencyError/Code/journalCorrupt`` for damage other than a torn tail, or
    ///   ``IdempotencyError/Code/journalIO``.
    public init(directory: String, configuration: Configuration = .init(), clock: C) throws(IdempotencyError) {
        self.directory = directory
        self.clock = clock
        self.configuration = configuration
        try JournalFiles.makeDirectory(directory)
        let lockFD = try JournalFiles.lock(directory: directory)
        var fd: Int32
        var nextFrameSequence: UInt64
        let recovered: JournalRecovery
        do throws(IdempotencyError) {
            JournalFiles.remove(directory + "/" + JournalFiles.compactName)
            fd = try JournalFiles.open(directory + "/" + JournalFiles.journalName, O_RDWR | O_CREAT | O_APPEND)
            do throws(IdempotencyError) {
                recovered = try JournalRecovery(fd: fd, directory: directory)
                nextFrameSequence = recovered.nextFrameSequence
                if recovered.version != .current {
                    // An older format: rewrite it in the current one (atomically, as a compaction does) before
                    // appending records the older version cannot hold.
                    var (snapshot, _) = JournalCore.snapshot(
                        of: recovered.records, lastFence: recovered.lastFence, now: clock.now.journalNanoseconds)
                    let (upgraded, directorySyncFailure) = try JournalCore.replaceJournal(
                        directory: directory, snapshot: &snapshot
                    ).get()
                    JournalFiles.close(fd)
                    fd = upgraded
                    nextFrameSequence = 2
                    if let directorySyncFailure { throw directorySyncFailure }
                }
            } catch {
                JournalFiles.close(fd)
                throw error
            }
        } catch {
            JournalFiles.close(lockFD)
            throw error
        }
        recoveryReport = recovered.report
        let clock = self.clock
        core = JournalCore(
            directory: directory, records: recovered.records, lastFence: recovered.lastFence,
            automaticCompactionBytes: configuration.automaticCompactionBytes, now: { clock.now.journalNanoseconds })
        core.start(journalFD: fd, lockFD: lockFD, nextFrameSequence: nextFrameSequence)
    }

    deinit { core.requestClose() }

    /// The number of records held (live, or expired and not yet compacted away).
    public var recordCount: Int { core.state.withLock { $0.records.count } }

    public nonisolated(nonsending) func claim(
        _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration
    ) async throws -> ClaimOutcome {
        try IdempotencyRules.checkPositive(lease, "lease")
        let now = clock.now.journalNanoseconds
        let lease = lease.clampedNanoseconds
        let retention = configuration.abandonedLeaseRetention.clampedNanoseconds
        let (outcome, sequence, signal) = try core.state.withLock {
            (state) throws(IdempotencyError) -> (ClaimOutcome, UInt64, Bool) in
            try state.checkUsable()
            var fence = state.lastFence
            let outcome = IdempotencyRules.claim(
                &state.records[key], fingerprint: fingerprint, lease: lease, retention: retention, now: now,
                stamp: state.appendedSequence + 1,
                nextFence: {
                    fence += 1
                    return fence
                })
            guard case .acquired = outcome, let record = state.records[key],
                case .inProgress(let leaseEnd) = record.state
            else {
                return (outcome, state.records[key]?.stamp ?? 0, false)
            }
            state.lastFence = fence
            JournalCodec.appendClaim(
                to: &state.pending, key: key, fingerprint: fingerprint, fence: fence,
                leaseEnd: leaseEnd, removeAt: record.removeAt)
            return (outcome, state.nextSequence(), state.wakeWriter())
        }
        if signal { core.wake.signal() }
        try await core.waitDurable(sequence)
        return outcome
    }

    public nonisolated(nonsending) func complete(
        _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration
    ) async throws {
        try IdempotencyRules.checkPositive(ttl, "ttl")
        try IdempotencyRules.checkResponse(response)
        guard response.body.count <= min(configuration.maximumResponseBytes, Int(UInt32.max)) else {
            throw IdempotencyError(
                code: .invalidArgument,
                message:
                    "a response body of \(response.body.count) bytes is over the journal's limit of \(configuration.maximumResponseBytes)"
            )
        }
        let now = clock.now.journalNanoseconds
        let ttl = ttl.clampedNanoseconds
        let (sequence, signal) = try core.state.withLock { (state) throws(IdempotencyError) -> (UInt64, Bool) in
            try state.checkUsable()
            try IdempotencyRules.checkOwner(state.records[key], token: token, key: key, now: now)
            let sequence = state.nextSequence()
            IdempotencyRules.complete(&state.records[key]!, response: response, ttl: ttl, now: now, stamp: sequence)
            JournalCodec.appendComplete(
                to: &state.pending, key: key, fence: token.fence, response: response,
                removeAt: now.addingClamped(ttl))
            return (sequence, state.wakeWriter())
        }
        if signal { core.wake.signal() }
        try await core.waitDurable(sequence)
    }

    public nonisolated(nonsending) func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        let now = clock.now.journalNanoseconds
        let (sequence, signal) = try core.state.withLock { (state) throws(IdempotencyError) -> (UInt64, Bool) in
            try state.checkUsable()
            try IdempotencyRules.checkOwner(state.records[key], token: token, key: key, now: now)
            state.records[key] = nil
            JournalCodec.appendRelease(to: &state.pending, key: key, fence: token.fence)
            return (state.nextSequence(), state.wakeWriter())
        }
        if signal { core.wake.signal() }
        try await core.waitDurable(sequence)
    }

    public nonisolated(nonsending) func extendLease(
        _ key: IdempotencyKey, token: OwnerToken, lease: Duration
    ) async throws {
        try IdempotencyRules.checkPositive(lease, "lease")
        let now = clock.now.journalNanoseconds
        let lease = lease.clampedNanoseconds
        let retention = configuration.abandonedLeaseRetention.clampedNanoseconds
        let (sequence, signal) = try core.state.withLock { (state) throws(IdempotencyError) -> (UInt64, Bool) in
            try state.checkUsable()
            try IdempotencyRules.checkOwner(state.records[key], token: token, key: key, now: now)
            let sequence = state.nextSequence()
            let leaseEnd = IdempotencyRules.extend(
                &state.records[key]!, lease: lease, retention: retention, now: now, stamp: sequence)
            JournalCodec.appendExtension(
                to: &state.pending, key: key, fence: token.fence, leaseEnd: leaseEnd,
                removeAt: state.records[key]!.removeAt)
            return (sequence, state.wakeWriter())
        }
        if signal { core.wake.signal() }
        try await core.waitDurable(sequence)
    }

    /// Rewrites the journal with only the live records, atomically, and drops expired records.
    ///
    /// - Throws: ``IdempotencyError`` when the store is closed or failed, or the rewrite failed (the old
    ///   journal then stays in place and the store keeps working).
    public func compact() async throws(IdempotencyError) {
        let result = await withCheckedContinuation { (continuation: JournalState.Continuation) in
            let (failure, signal) = core.state.withLock { state -> (IdempotencyError?, Bool) in
                do throws(IdempotencyError) {
                    try state.checkUsable()
                } catch {
                    return (error, false)
                }
                state.compactionRequested = true
                state.compactionWaiters.append(continuation)
                return (nil, state.wakeWriter())
            }
            if let failure { continuation.resume(returning: .failure(failure)) }
            if signal { core.wake.signal() }
        }
        try result.get()
    }

    /// Writes what is pending, stops the writer, closes the journal and releases the lock. Later operations
    /// throw ``IdempotencyError/Code/storeClosed``; calling it again does nothing.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (done, signal) = core.state.withLock { state -> (Bool, Bool) in
                if state.writerExited { return (true, false) }
                state.closed = true
                state.closeWaiters.append(continuation)
                return (false, state.wakeWriter())
            }
            if done { continuation.resume() }
            if signal { core.wake.signal() }
        }
    }
}

extension JournalIdempotencyStore where C == WallClock {
    /// Opens (or creates) the journal in `directory` on the system's wall clock.
    ///
    /// - Parameters:
    ///   - directory: The journal's directory; created if missing.
    ///   - configuration: Retention, compaction and limits.
    /// - Throws: As ``init(directory:configuration:clock:)``.
    public convenience init(directory: String, configuration: Configuration = .init()) throws(IdempotencyError) {
        try self.init(directory: directory, configuration: configuration, clock: WallClock())
    }
}

/// What opening a ``JournalIdempotencyStore`` found in its journal.
public struct JournalRecoveryReport: Hashable, Sendable {
    /// Frames read and replayed.
    public var framesReplayed: Int
    /// Records replayed from those frames.
    public var recordsReplayed: Int
    /// Bytes of a torn tail that were dropped (0 for a clean journal).
    public var droppedTailBytes: Int
}
