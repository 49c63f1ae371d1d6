import ETRMShared
import Idempotency
import Resilience

/// The idempotency store failed: it threw an error of its own or did not answer within the store timeout.
/// The gateway answers a stable 503 and hands ``cause`` to the audit event only.
struct StoreFailure: Error, CustomStringConvertible {
    /// The store call: `claim`, `complete`, `release` or `extendLease`.
    let operation: String
    /// What the store threw (or the timeout).
    let cause: any Error

    var description: String { "store \(operation) failed: \(cause)" }
}

/// One owner's hold on a key: the key and its owner token's fence.
struct Hold: Hashable, Sendable {
    let key: IdempotencyKey
    let token: OwnerToken
}

/// The gateway's view of its idempotency store: every call bounded by a timeout and its failures reported as
/// ``StoreFailure``, and the ownership rule of the gateway kept underneath the executor.
///
/// The rule: a key the gateway owns does not pass to another owner while an attempt that may reach the upstream
/// is unresolved. An attempt the gateway stopped waiting for (the attempt timeout returns at its deadline even
/// when the upstream ignores cancellation) stays *pending* until its late outcome arrives. While a hold has
/// pending attempts, the executor's `release` is deferred: a keeper task extends the lease instead, records a
/// late booking (201) or rejection (502) as the key's response, and releases the key only when every attempt
/// ended without a booking. A `complete` that fails is retried, and when it still fails the keeper goes on
/// recording the response, so the desk's retry replays the booking instead of 409 and a takeover.
final class GuardedStore<C: Clock, Base: IdempotencyStore>: IdempotencyStore where C.Duration == Duration {
    struct Entry {
        /// Attempts started whose outcome the gateway has not seen.
        var pending = 0
        /// A response to record: a late booking or rejection, or one whose completion failed.
        var response: StoredResponse?
        /// Whether the key's response is stored.
        var recorded = false
        /// Whether the request that owns the hold has finished with the store (completed or released).
        var foregroundDone = false
        /// Whether a keeper task runs for the hold.
        var keeping = false
    }

    let base: Base
    let clock: C
    let timeout: Timeout<C>
    let lease: Duration
    let ttl: Duration
    /// The keeper's interval between lease extensions.
    let beat: Duration
    /// The tries of one completion before it is left to the keeper.
    static var completionTries: Int { 3 }
    private let holds = LockedState<[Hold: Entry]>([:])

    init(
        base: Base, clock: C, timeout: Duration, lease: Duration, ttl: Duration, beat: Duration
    ) throws(ResilienceError) {
        self.base = base
        self.clock = clock
        self.timeout = try Timeout(timeout, clock: clock, name: "settlement.store.timeout")
        self.lease = lease
        self.ttl = ttl
        self.beat = beat
    }

    // MARK: The store protocol, as the executor sees it

    func claim(_ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration) async throws -> ClaimOutcome {
        let base = self.base
        return try await guarded("claim") {
            try await base.claim(key, fingerprint: fingerprint, lease: lease)
        } late: { outcome in
            // A claim that succeeded after the gateway gave up on it holds the key for nobody: give it back.
            guard case .success(.acquired(let token)) = outcome else { return }
            try? await base.release(key, token: token)
        }
    }

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        let hold = Hold(key: key, token: token)
        let alreadyRecorded = holds.withLock { holds -> Bool in
            guard let entry = holds[hold], entry.recorded else { return false }
            forget(hold, in: &holds, foregroundDone: true)
            return true
        }
        if alreadyRecorded { return }  // a late booking of this owner was recorded first
        do {
            try await completeWithRetries(hold, response)
            holds.withLock { holds in
                holds[hold]?.recorded = true
                forget(hold, in: &holds, foregroundDone: true)
            }
        } catch let error as IdempotencyError where error.code == .notOwner || error.code == .alreadyCompleted {
            holds.withLock { _ = $0.removeValue(forKey: hold) }
            throw error
        } catch {
            // The upstream's outcome is known but not stored: the keeper goes on storing it, under a live lease.
            let start = holds.withLock { holds -> Bool in
                var entry = holds[hold] ?? Entry()
                entry.response = response
                entry.foregroundDone = true
                defer { holds[hold] = entry }
                return startKeeping(&entry)
            }
            if start { keep(hold) }
            throw error
        }
    }

    func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        let hold = Hold(key: key, token: token)
        let (deferred, start) = holds.withLock { holds -> (Bool, Bool) in
            guard var entry = holds[hold], entry.pending > 0 || (entry.response != nil && !entry.recorded) else {
                holds.removeValue(forKey: hold)
                return (false, false)
            }
            entry.foregroundDone = true
            defer { holds[hold] = entry }
            return (true, startKeeping(&entry))
        }
        if start { keep(hold) }
        if deferred { return }
        let base = self.base
        try await guarded("release") { try await base.release(key, token: token) }
    }

    func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws {
        let base = self.base
        try await guarded("extendLease") { try await base.extendLease(key, token: token, lease: lease) }
    }

    // MARK: Attempts

    /// An attempt for `hold` is about to reach the upstream.
    func attemptStarted(_ hold: Hold) {
        holds.withLock { $0[hold, default: Entry()].pending += 1 }
    }

    /// The request saw the attempt's outcome in time.
    func attemptEnded(_ hold: Hold) {
        holds.withLock { holds in
            holds[hold]?.pending -= 1
            if holds[hold]?.recorded == true { forget(hold, in: &holds, foregroundDone: false) }
        }
    }

    /// An attempt the request stopped waiting for has ended; `response` is what to store when it reached a
    /// verdict (booked or rejected), `nil` when it failed.
    func attemptEndedLate(_ hold: Hold, response: StoredResponse?) async {
        let kick = holds.withLock { holds -> Bool in
            guard var entry = holds[hold] else { return false }
            entry.pending -= 1
            if let response, entry.response == nil, !entry.recorded { entry.response = response }
            holds[hold] = entry
            if entry.recorded { forget(hold, in: &holds, foregroundDone: false) }
            return entry.foregroundDone && !entry.recorded
        }
        // Record or release at once rather than at the keeper's next beat.
        if kick { _ = await step(hold) }
    }

    /// Whether an attempt for `hold` is still unresolved.
    func hasPendingAttempt(_ hold: Hold) -> Bool { holds.withLock { ($0[hold]?.pending ?? 0) > 0 } }

    /// A late verdict for `hold` that arrived while its request still runs.
    func lateResponse(_ hold: Hold) -> StoredResponse? { holds.withLock { $0[hold]?.response } }

    // MARK: The keeper

    private func startKeeping(_ entry: inout Entry) -> Bool {
        if entry.keeping { return false }
        entry.keeping = true
        return true
    }

    private func forget(_ hold: Hold, in holds: inout [Hold: Entry], foregroundDone: Bool) {
        guard var entry = holds[hold] else { return }
        if foregroundDone { entry.foregroundDone = true }
        if entry.pending <= 0 && !entry.keeping { holds.removeValue(forKey: hold) } else { holds[hold] = entry }
    }

    /// Extends the hold's lease every ``beat`` until its response is stored or it is released; gives up when
    /// the store refused extensions for a whole lease (the lease is then gone anyway).
    private func keep(_ hold: Hold) {
        Task {
            var lastExtension = clock.now
            while true {
                switch await step(hold) {
                case .done:
                    holds.withLock { holds in
                        holds[hold]?.keeping = false
                        forget(hold, in: &holds, foregroundDone: false)
                    }
                    return
                case .extended:
                    lastExtension = clock.now
                case .failed:
                    if lastExtension.duration(to: clock.now) >= lease {
                        holds.withLock { _ = $0.removeValue(forKey: hold) }
                        return
                    }
                }
                try? await clock.sleep(for: beat)
            }
        }
    }

    enum Step { case done, extended, failed }

    /// One round of the keeper: store the response, release the key, or extend the lease.
    private func step(_ hold: Hold) async -> Step {
        guard let entry = holds.withLock({ $0[hold] }) else { return .done }
        if let response = entry.response, !entry.recorded {
            do {
                try await completeWithRetries(hold, response)
            } catch let error as IdempotencyError where error.code == .notOwner || error.code == .alreadyCompleted {
                // Stored meanwhile by this owner's request, or the key is no longer ours: nothing left to keep.
            } catch {
                return await extend(hold)
            }
            holds.withLock { $0[hold]?.recorded = true }
            return .done
        }
        if entry.recorded { return .done }
        if entry.pending <= 0 && entry.foregroundDone {
            let base = self.base
            try? await guarded("release") { try await base.release(hold.key, token: hold.token) }
            holds.withLock { $0[hold]?.recorded = true }  // nothing more to do for it
            return .done
        }
        return await extend(hold)
    }

    private func extend(_ hold: Hold) async -> Step {
        do {
            try await extendLease(hold.key, token: hold.token, lease: lease)
            return .extended
        } catch let error as IdempotencyError where error.code == .notOwner || error.code == .alreadyCompleted {
            return .done
        } catch {
            return .failed
        }
    }

    private func completeWithRetries(_ hold: Hold, _ response: StoredResponse) async throws {
        let base = self.base
        let ttl = self.ttl
        var tries = 0
        while true {
            tries += 1
            do {
                return try await guarded("complete") {
                    try await base.complete(hold.key, token: hold.token, response: response, ttl: ttl)
                }
            } catch let error as IdempotencyError where error.code == .notOwner || error.code == .alreadyCompleted {
                throw error
            } catch {
                if tries >= Self.completionTries || Task.isCancelled { throw error }
                try? await clock.sleep(for: .milliseconds(50 << tries))
            }
        }
    }

    /// Runs one store call under the store timeout; anything but the protocol's own answers (not the owner,
    /// already completed) becomes a ``StoreFailure``.
    private func guarded<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable () async throws -> T,
        late: @escaping @Sendable (Result<T, any Error>) async -> Void = { _ in }
    ) async throws -> T {
        do {
            return try await timeout.execute(body, lateOutcome: late)
        } catch let error as IdempotencyError where error.code == .notOwner || error.code == .alreadyCompleted {
            throw error
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            throw StoreFailure(operation: operation, cause: error)
        }
    }
}
