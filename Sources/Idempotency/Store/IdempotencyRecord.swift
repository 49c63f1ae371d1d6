/// One key's record and the protocol rules, shared by every store in this module.
struct IdempotencyRecord<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    enum State: Sendable {
        case inProgress(leaseEnd: Instant)
        case completed(StoredResponse)
    }

    var fingerprint: Fingerprint
    var fence: UInt64
    var state: State
    /// When the record disappears: the TTL's end once completed; lease end plus retention while in progress.
    var removeAt: Instant
    /// A per-store sequence number of the record's last change (the journal's log sequence, the memory
    /// store's eviction stamp).
    var stamp: UInt64

    func isExpired(at now: Instant) -> Bool { now >= removeAt }

    /// Whether a store may drop the record to make room: expired, completed, or past its lease.
    func isEvictable(at now: Instant) -> Bool {
        if isExpired(at: now) { return true }
        switch state {
        case .completed: return true
        case .inProgress(let leaseEnd): return now >= leaseEnd
        }
    }
}

/// The pure claim/complete/release rules over an optional record (absent = no record).
enum IdempotencyRules {
    static func checkPositive(_ duration: Duration, _ name: String) throws(IdempotencyError) {
        guard duration > .zero else {
            throw IdempotencyError(code: .invalidArgument, message: "\(name) must be positive, got \(duration)")
        }
    }

    static func checkStatus(_ response: StoredResponse) throws(IdempotencyError) {
        guard (100...599).contains(response.status) else {
            throw IdempotencyError(
                code: .invalidArgument, message: "a stored status must be 100 to 599, got \(response.status)")
        }
    }

    /// Applies a claim. When it returns `.acquired`, `record` holds the new in-progress record.
    static func claim<Instant>(
        _ record: inout IdempotencyRecord<Instant>?, fingerprint: Fingerprint, lease: Duration,
        retention: Duration, now: Instant, stamp: UInt64, nextFence: () -> UInt64
    ) -> ClaimOutcome {
        if let existing = record, !existing.isExpired(at: now) {
            guard existing.fingerprint == fingerprint else { return .fingerprintMismatch }
            switch existing.state {
            case .completed(let response):
                return .completed(response)
            case .inProgress(let leaseEnd) where now < leaseEnd:
                return .inProgress(leaseRemaining: now.duration(to: leaseEnd))
            case .inProgress:
                break  // the lease ended: take over below with a new fence
            }
        }
        let fence = nextFence()
        let leaseEnd = now.advanced(by: lease)
        record = IdempotencyRecord(
            fingerprint: fingerprint, fence: fence, state: .inProgress(leaseEnd: leaseEnd),
            removeAt: leaseEnd.advanced(by: retention), stamp: stamp)
        return .acquired(OwnerToken(fence: fence))
    }

    /// Checks that `token` owns the in-progress `record`.
    static func checkOwner<Instant>(
        _ record: IdempotencyRecord<Instant>?, token: OwnerToken, key: IdempotencyKey, now: Instant
    ) throws(IdempotencyError) {
        guard let record, !record.isExpired(at: now) else {
            throw IdempotencyError(
                code: .notOwner, message: "\(key) has no record for \(token): it was released or expired")
        }
        guard record.fence == token.fence else {
            throw IdempotencyError(
                code: .notOwner,
                message: "\(key) is owned by fence \(record.fence), not \(token.fence): the lease was taken over")
        }
        if case .completed = record.state {
            throw IdempotencyError(code: .alreadyCompleted, message: "\(key) is already completed")
        }
    }

    /// Applies a completion after ``checkOwner(_:token:key:now:)`` passed.
    static func complete<Instant>(
        _ record: inout IdempotencyRecord<Instant>, response: StoredResponse, ttl: Duration, now: Instant,
        stamp: UInt64
    ) {
        record.state = .completed(response)
        record.removeAt = now.advanced(by: ttl)
        record.stamp = stamp
    }
}
