import ETRMShared
import Resilience

/// Runs an operation at most once per idempotency key: claim → run → complete, replaying the stored
/// response to every retry.
///
/// Outcomes follow the IETF Idempotency-Key draft, with RFC 9457 problem-details bodies:
///
/// | situation | status | ``IdempotentResponse/Disposition-swift.struct`` |
/// |---|---|---|
/// | no key | 400 | ``IdempotentResponse/Disposition-swift.struct/missingKey`` |
/// | a key that breaks the rules | 400 | ``IdempotentResponse/Disposition-swift.struct/invalidKey`` |
/// | key reused with another payload | 422 | ``IdempotentResponse/Disposition-swift.struct/payloadMismatch`` |
/// | still in progress | 409 + `Retry-After` | ``IdempotentResponse/Disposition-swift.struct/inProgress`` |
/// | done before | stored status | ``IdempotentResponse/Disposition-swift.struct/replayed`` |
/// | first call | operation's status | ``IdempotentResponse/Disposition-swift.struct/executed`` |
///
/// Refusals carry a ``ProblemDetails`` document in ``IdempotentResponse/problem`` as well as rendered in the
/// body. A 409's `Retry-After` is the owner's remaining lease in whole seconds, rounded up, at least 1 and at
/// most ``Configuration-swift.struct/maximumRetryAfter``.
///
/// With ``Configuration-swift.struct/heartbeat`` the executor extends the lease while the operation runs
/// (``IdempotencyStore/extendLease(_:token:lease:)``), so work longer than one lease is not taken over.
///
/// With ``Configuration-swift.struct/coalescesDuplicates`` a concurrent duplicate in this process waits for
/// the first call's response (``IdempotentResponse/Disposition-swift.struct/coalesced``) instead of getting
/// 409; duplicates in other processes still get 409 from the store.
///
/// The operation receives the ``OwnerToken``: pass its fence downstream so that a system of record can refuse
/// a write from an owner whose lease was taken over.
public final class IdempotentExecutor<Store: IdempotencyStore>: Sendable {
    /// What happens to the record when the operation throws.
    public struct FailurePolicy: Sendable {
        let storeResponse: (@Sendable (any Error) -> StoredResponse)?

        /// Delete the record, so a retry runs the operation again (the default). The error is rethrown.
        public static var releaseRecord: FailurePolicy { FailurePolicy(storeResponse: nil) }

        /// Store the response `map` makes of the error, so retries replay the failure (as Stripe replays a
        /// 500). A `CancellationError` is never stored: the record is released and the error rethrown.
        ///
        /// - Parameter map: Turns the error into the response to store and return.
        /// - Returns: The policy.
        public static func storeResponse(_ map: @escaping @Sendable (any Error) -> StoredResponse) -> FailurePolicy {
            FailurePolicy(storeResponse: map)
        }
    }

    /// Extends the lease at a fixed interval while the operation runs.
    ///
    /// Every ``interval`` on the heartbeat's clock the executor calls ``IdempotencyStore/extendLease(_:token:lease:)``
    /// with the configured lease, so the lease always ends at least `lease - interval` ahead; choose an
    /// interval well below the lease (a third of it is usual). The heartbeat is a child task of the call: it
    /// stops when the operation returns or throws. When the store refuses an extension
    /// (``IdempotencyError/Code/notOwner``: the lease was taken over meanwhile), the heartbeat stops and the
    /// operation's result will be refused when it completes; other errors (a store briefly unreachable) are
    /// retried at the next beat.
    ///
    /// The clock is a generic parameter of the initialiser, not of the type: the heartbeat keeps only a sleep
    /// specialised for that clock, so ``IdempotentExecutor/Configuration-swift.struct`` and the executor need
    /// no clock parameter of their own (leases and TTLs run on the store's clock), and
    /// `heartbeat: try .init(every:)` still works in a configuration.
    public struct Heartbeat: Sendable {
        /// The time between extensions; positive.
        public let interval: Duration
        /// Waits one interval on the heartbeat's clock (the clock's type is fixed by the initialiser).
        let sleep: @Sendable (Duration) async throws -> Void

        /// Creates a heartbeat that waits on `clock`.
        ///
        /// - Parameters:
        ///   - interval: The time between extensions; positive and below the lease.
        ///   - clock: The clock to wait on (a manual clock in tests).
        /// - Throws: ``IdempotencyError/Code/invalidArgument`` for an interval that is not positive.
        public init<C: Clock>(every interval: Duration, clock: C) throws(IdempotencyError)
        where C.Duration == Duration {
            try IdempotencyRules.checkPositive(interval, "heartbeat interval")
            self.interval = interval
            self.sleep = { try await clock.sleep(for: $0) }
        }

        /// Creates a heartbeat that waits on the continuous clock.
        ///
        /// - Parameter interval: The time between extensions; positive and below the lease.
        /// - Throws: ``IdempotencyError/Code/invalidArgument`` for an interval that is not positive.
        public init(every interval: Duration) throws(IdempotencyError) {
            try self.init(every: interval, clock: ContinuousClock())
        }
    }

    /// Settings for an ``IdempotentExecutor``.
    public struct Configuration: Sendable {
        /// How long a claim holds the key; longer than the operation's worst case.
        public var lease: Duration
        /// How long a completed response replays.
        public var ttl: Duration
        /// What happens to the record when the operation throws.
        public var failurePolicy: FailurePolicy
        /// Whether a concurrent duplicate in this process waits for the first call instead of getting 409.
        /// A waiting duplicate whose task is cancelled leaves at once with `CancellationError`, without affecting
        /// the first call or the other duplicates. If the first call throws (and its record is released), the
        /// waiting duplicates try again and one of them runs.
        public var coalescesDuplicates: Bool
        /// The prefix of the problem `type` URIs, followed by `idempotency-key-missing`,
        /// `idempotency-key-invalid`, `idempotency-key-reused` or `idempotency-key-in-progress`.
        public var problemTypePrefix: String
        /// The largest `Retry-After` a 409 carries, however long the owner's lease still runs; rounded up to
        /// whole seconds, and never below 1 second.
        public var maximumRetryAfter: Duration
        /// Extends the lease while the operation runs; `nil` (no heartbeat) by default.
        public var heartbeat: Heartbeat?

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - lease: 60 seconds by default.
        ///   - ttl: 24 hours by default.
        ///   - failurePolicy: ``FailurePolicy/releaseRecord`` by default.
        ///   - coalescesDuplicates: `false` by default.
        ///   - problemTypePrefix: `urn:etrm:problem:` by default; a service points it at its own docs.
        ///   - maximumRetryAfter: 30 seconds by default.
        ///   - heartbeat: `nil` (no heartbeat) by default.
        public init(
            lease: Duration = .seconds(60), ttl: Duration = .seconds(86_400),
            failurePolicy: FailurePolicy = .releaseRecord, coalescesDuplicates: Bool = false,
            problemTypePrefix: String = "urn:etrm:problem:", maximumRetryAfter: Duration = .seconds(30),
            heartbeat: Heartbeat? = nil
        ) {
            self.lease = lease
            self.ttl = ttl
            self.failurePolicy = failurePolicy
            self.coalescesDuplicates = coalescesDuplicates
            self.problemTypePrefix = problemTypePrefix
            self.maximumRetryAfter = maximumRetryAfter
            self.heartbeat = heartbeat
        }
    }

    /// The store records live in.
    public let store: Store
    /// The executor's settings.
    public let configuration: Configuration
    private let inFlight = LockedState<[IdempotencyKey: InFlight]>([:])

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - store: The store records live in.
    ///   - configuration: Lease, TTL, failure policy and coalescing.
    public init(store: Store, configuration: Configuration = .init()) {
        self.store = store
        self.configuration = configuration
    }

    /// Runs `operation` under the key in an `Idempotency-Key` header value.
    ///
    /// - Parameters:
    ///   - idempotencyKeyHeader: The header value, or `nil` when the request has none (400).
    ///   - scope: The caller's tenant and the operation.
    ///   - fingerprint: The request payload's fingerprint.
    ///   - operation: The work; it gets the owner token and returns the response to store.
    /// - Returns: The response to send.
    /// - Throws: The operation's error under ``FailurePolicy/releaseRecord``, a store error, or
    ///   ``IdempotencyError/Code/notOwner`` when the lease was taken over before the operation finished
    ///   (its result is then not stored; the successor's is).
    public nonisolated(nonsending) func execute(
        idempotencyKeyHeader: String?, scope: IdempotencyScope, fingerprint: Fingerprint,
        operation: @escaping @Sendable (OwnerToken) async throws -> StoredResponse
    ) async throws -> IdempotentResponse {
        guard let idempotencyKeyHeader else {
            return try await execute(key: nil, fingerprint: fingerprint, operation: operation)
        }
        let key: IdempotencyKey
        do {
            key = try IdempotencyKey(headerValue: idempotencyKeyHeader, scope: scope)
        } catch {
            return problem(
                400, "idempotency-key-invalid", "Idempotency-Key is invalid", error.message, .invalidKey, key: nil)
        }
        return try await execute(key: key, fingerprint: fingerprint, operation: operation)
    }

    /// Runs `operation` under `key`.
    ///
    /// - Parameters:
    ///   - key: The scoped key, or `nil` when the request has none (400).
    ///   - fingerprint: The request payload's fingerprint.
    ///   - operation: The work; it gets the owner token and returns the response to store.
    /// - Returns: The response to send.
    /// - Throws: As ``execute(idempotencyKeyHeader:scope:fingerprint:operation:)``.
    public nonisolated(nonsending) func execute(
        key: IdempotencyKey?, fingerprint: Fingerprint,
        operation: @escaping @Sendable (OwnerToken) async throws -> StoredResponse
    ) async throws -> IdempotentResponse {
        guard let key else {
            return problem(
                400, "idempotency-key-missing", "Idempotency-Key is missing",
                "This operation is idempotent and requires an Idempotency-Key header.", .missingKey, key: nil)
        }
        guard configuration.coalescesDuplicates else {
            return try await runOnce(key: key, fingerprint: fingerprint, operation: operation)
        }
        while true {
            let role: Role = inFlight.withLock { inFlight in
                if let existing = inFlight[key] {
                    return existing.fingerprint == fingerprint ? .follow(existing) : .mismatch
                }
                let entry = InFlight(fingerprint: fingerprint)
                inFlight[key] = entry
                return .lead(entry)
            }
            switch role {
            case .mismatch:
                return mismatch(key)
            case .follow(let entry):
                guard var response = try await entry.wait() else { continue }
                if response.disposition == .executed || response.disposition == .replayed {
                    response.replayed = true
                    response.disposition = .coalesced
                    response.headerFields.append(.init(name: "Idempotent-Replayed", value: "true"))
                }
                return response
            case .lead(let entry):
                let result: Result<IdempotentResponse, any Error>
                do {
                    result = .success(try await runOnce(key: key, fingerprint: fingerprint, operation: operation))
                } catch {
                    result = .failure(error)
                }
                inFlight.withLock { _ = $0.removeValue(forKey: key) }
                entry.publish(try? result.get())
                return try result.get()
            }
        }
    }

    private nonisolated(nonsending) func runOnce(
        key: IdempotencyKey, fingerprint: Fingerprint,
        operation: @Sendable (OwnerToken) async throws -> StoredResponse
    ) async throws -> IdempotentResponse {
        switch try await store.claim(key, fingerprint: fingerprint, lease: configuration.lease) {
        case .acquired(let token):
            let response: StoredResponse
            do {
                response = try await withHeartbeat(key: key, token: token) { try await operation(token) }
            } catch {
                guard let map = configuration.failurePolicy.storeResponse, !(error is CancellationError) else {
                    // The record is released so a retry runs again; if the release fails the lease runs out.
                    try? await store.release(key, token: token)
                    throw error
                }
                response = map(error)
            }
            try await store.complete(key, token: token, response: response, ttl: configuration.ttl)
            return IdempotentResponse(
                status: response.status, body: response.body, headerFields: response.headerFields, replayed: false,
                disposition: .executed)
        case .completed(let response):
            return IdempotentResponse(
                status: response.status, body: response.body,
                headerFields: response.headerFields + [.init(name: "Idempotent-Replayed", value: "true")],
                replayed: true, disposition: .replayed)
        case .inProgress(let remaining):
            var response = problem(
                409, "idempotency-key-in-progress", "A request with this Idempotency-Key is in progress",
                "A request with the same Idempotency-Key for this operation is still being processed; retry later.",
                .inProgress, key: key)
            let retryAfter = RetryAfter(delay: min(remaining, configuration.maximumRetryAfter))
            response.headerFields.append(.init(name: "Retry-After", value: retryAfter.headerValue))
            return response
        case .fingerprintMismatch:
            return mismatch(key)
        }
    }

    /// Runs `body` while a child task extends the lease every heartbeat interval, if a heartbeat is
    /// configured; the child is cancelled and awaited before this returns or throws.
    private nonisolated(nonsending) func withHeartbeat(
        key: IdempotencyKey, token: OwnerToken, _ body: () async throws -> StoredResponse
    ) async throws -> StoredResponse {
        guard let heartbeat = configuration.heartbeat else { return try await body() }
        let store = self.store
        let lease = configuration.lease
        return try await withThrowingTaskGroup(of: Void.self, returning: StoredResponse.self) { group in
            group.addTask {
                while true {
                    do {
                        try await heartbeat.sleep(heartbeat.interval)
                    } catch {
                        return  // cancelled: the operation ended
                    }
                    do {
                        try await store.extendLease(key, token: token, lease: lease)
                    } catch let error as IdempotencyError
                        where error.code == .notOwner || error.code == .alreadyCompleted
                    {
                        return  // the lease is gone: the completion will be refused
                    } catch {
                        if Task.isCancelled { return }  // otherwise try again at the next beat
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    private func mismatch(_ key: IdempotencyKey) -> IdempotentResponse {
        problem(
            422, "idempotency-key-reused", "Idempotency-Key is already used",
            "This Idempotency-Key was used with a different payload for this operation; a key must not be reused.",
            .payloadMismatch, key: key)
    }

    private func problem(
        _ status: Int, _ type: String, _ title: String, _ detail: String,
        _ disposition: IdempotentResponse.Disposition, key: IdempotencyKey?
    ) -> IdempotentResponse {
        let document = ProblemDetails(
            type: configuration.problemTypePrefix + type, title: title, status: status, detail: detail,
            idempotencyKey: key?.value)
        return IdempotentResponse(
            status: status, body: document.json,
            headerFields: [.init(name: "Content-Type", value: ProblemDetails.contentType)], replayed: false,
            disposition: disposition, problem: document)
    }

    private enum Role {
        case lead(InFlight)
        case follow(InFlight)
        case mismatch
    }

    /// A call in progress in this process that duplicates wait for.
    private final class InFlight: Sendable {
        typealias Waiter = CheckedContinuation<IdempotentResponse?, any Error>

        private struct State {
            var done = false
            var response: IdempotentResponse?
            var nextWaiter: UInt64 = 0
            var waiters: [UInt64: Waiter] = [:]
            /// Waiters cancelled before they suspended.
            var cancelled: Set<UInt64> = []
        }

        let fingerprint: Fingerprint
        private let state = LockedState(State())

        init(fingerprint: Fingerprint) { self.fingerprint = fingerprint }

        /// The leader's response, or `nil` when the leader failed and the caller should try again.
        ///
        /// - Throws: `CancellationError` as soon as the caller's task is cancelled while it waits.
        func wait() async throws -> IdempotentResponse? {
            let id = state.withLock { state in
                defer { state.nextWaiter += 1 }
                return state.nextWaiter
            }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: Waiter) in
                    let ready: Result<IdempotentResponse?, any Error>? = state.withLock { state in
                        if state.done { return .success(state.response) }
                        if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let ready { continuation.resume(with: ready) }
                }
            } onCancel: {
                let waiter: Waiter? = state.withLock { state in
                    if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                    if !state.done { state.cancelled.insert(id) }
                    return nil
                }
                waiter?.resume(throwing: CancellationError())
            }
        }

        func publish(_ response: IdempotentResponse?) {
            let waiters = state.withLock { state in
                state.done = true
                state.response = response
                state.cancelled = []
                defer { state.waiters = [:] }
                return state.waiters.values
            }
            for waiter in waiters { waiter.resume(returning: response) }
        }
    }
}
