/// One key's record and the protocol rules, shared by every store in this module.
///
/// Times are nanoseconds on the owning store's time line (since the store's creation for the memory store,
/// ``JournalTimestamp/journalNanoseconds`` for the journal), so the record type is not generic and the
/// stores' hot paths are compiled for it once, in this module.
struct IdempotencyRecord: Sendable {
    enum State: Sendable {
        case inProgress(leaseEnd: Int64)
        case completed(StoredResponse)
    }

    var fingerprint: Fingerprint
    var fence: UInt64
    var state: State
    /// When the record disappears: the TTL's end once completed; lease end plus retention while in progress.
    var removeAt: Int64
    /// A per-store sequence number of the record's last change (the journal's log sequence, the memory
    /// store's eviction stamp).
    var stamp: UInt64

    func isExpired(at now: Int64) -> Bool { now >= removeAt }

    /// Whether a store may drop the record to make room: expired, completed, or past its lease.
    func isEvictable(at now: Int64) -> Bool {
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

    /// Checks a response's status and header fields (see ``StoredResponse``).
    static func checkResponse(_ response: StoredResponse) throws(IdempotencyError) {
        guard (100...599).contains(response.status) else {
            throw IdempotencyError(
                code: .invalidArgument, message: "a stored status must be 100 to 599, got \(response.status)")
        }
        guard response.headerFields.count <= StoredResponse.maximumHeaderFieldCount else {
            throw IdempotencyError(
                code: .invalidArgument,
                message:
                    "a stored response keeps at most \(StoredResponse.maximumHeaderFieldCount) header fields, got \(response.headerFields.count)"
            )
        }
        for field in response.headerFields {
            guard !field.name.utf8.isEmpty, field.name.utf8.allSatisfy(isTokenByte) else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message: "header field name \(String(reflecting: field.name)) is not an HTTP token")
            }
            guard !field.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message: "header field \(field.name) has a control character in its value")
            }
            guard field.name.utf8.count + field.value.utf8.count <= StoredResponse.maximumHeaderFieldBytes else {
                throw IdempotencyError(
                    code: .invalidArgument,
                    message: "header field \(field.name) is over \(StoredResponse.maximumHeaderFieldBytes) bytes")
            }
        }
    }

    /// Whether `byte` may appear in an HTTP token (RFC 9110 `tchar`).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return tokenPunctuation.contains(byte)
        }
    }

    private static let tokenPunctuation: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)

    /// Applies a claim. When it returns `.acquired`, `record` holds the new in-progress record.
    @inline(__always)
    static func claim(
        _ record: inout IdempotencyRecord?, fingerprint: Fingerprint, lease: Int64, retention: Int64, now: Int64,
        stamp: UInt64, nextFence: () -> UInt64
    ) -> ClaimOutcome {
        if let existing = record, !existing.isExpired(at: now) {
            guard existing.fingerprint == fingerprint else { return .fingerprintMismatch }
            switch existing.state {
            case .completed(let response):
                return .completed(response)
            case .inProgress(let leaseEnd) where now < leaseEnd:
                return .inProgress(leaseRemaining: .nanoseconds(leaseEnd.subtractingClamped(now)))
            case .inProgress:
                break  // the lease ended: take over below with a new fence
            }
        }
        let fence = nextFence()
        let leaseEnd = now.addingClamped(lease)
        record = IdempotencyRecord(
            fingerprint: fingerprint, fence: fence, state: .inProgress(leaseEnd: leaseEnd),
            removeAt: leaseEnd.addingClamped(retention), stamp: stamp)
        return .acquired(OwnerToken(fence: fence))
    }

    /// Checks that `token` owns the in-progress `record`.
    static func checkOwner(
        _ record: IdempotencyRecord?, token: OwnerToken, key: IdempotencyKey, now: Int64
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

    /// Applies a lease extension after ``checkOwner(_:token:key:now:)`` passed: the lease ends `lease` from
    /// now, never earlier than it did. Returns the new lease end.
    @inline(__always)
    static func extend(
        _ record: inout IdempotencyRecord, lease: Int64, retention: Int64, now: Int64, stamp: UInt64
    ) -> Int64 {
        guard case .inProgress(let leaseEnd) = record.state else { return record.removeAt }
        let newEnd = max(leaseEnd, now.addingClamped(lease))
        record.state = .inProgress(leaseEnd: newEnd)
        record.removeAt = max(record.removeAt, newEnd.addingClamped(retention))
        record.stamp = stamp
        return newEnd
    }

    /// Applies a completion after ``checkOwner(_:token:key:now:)`` passed.
    @inline(__always)
    static func complete(
        _ record: inout IdempotencyRecord, response: StoredResponse, ttl: Int64, now: Int64, stamp: UInt64
    ) {
        record.state = .completed(response)
        record.removeAt = now.addingClamped(ttl)
        record.stamp = stamp
    }
}
