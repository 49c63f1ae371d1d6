import ETRMShared

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

    /// Settings for an ``IdempotentExecutor``.
    public struct Configuration: Sendable {
        /// How long a claim holds the key; longer than the operation's worst case.
        public var lease: Duration
        /// How long a completed response replays.
        public var ttl: Duration
        /// What happens to the record when the operation throws.
        public var failurePolicy: FailurePolicy
        /// Whether a concurrent duplicate in this process waits for the first call instead of getting 409.
        /// A waiting duplicate is not cancelled with its task; it returns when the first call does. If the first
        /// call throws (and its record is released), the waiting duplicates try again and one of them runs.
        public var coalescesDuplicates: Bool
        /// The prefix of the problem `type` URIs, followed by `idempotency-key-missing`,
        /// `idempotency-key-invalid`, `idempotency-key-reused` or `idempotency-key-in-progress`.
        public var problemTypePrefix: String

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - lease: 60 seconds by default.
        ///   - ttl: 24 hours by default.
        ///   - failurePolicy: ``FailurePolicy/releaseRecord`` by default.
        ///   - coalescesDuplicates: `false` by default.
        ///   - problemTypePrefix: `urn:etrm:problem:` by default; a service points it at its own docs.
        public init(
            lease: Duration = .seconds(60), ttl: Duration = .seconds(86_400),
            failurePolicy: FailurePolicy = .releaseRecord, coalescesDuplicates: Bool = false,
            problemTypePrefix: String = "urn:etrm:problem:"
        ) {
            self.lease = lease
            self.ttl = ttl
            self.failurePolicy = failurePolicy
            self.coalescesDuplicates = coalescesDuplicates
            self.problemTypePrefix = problemTypePrefix
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
            return problem(400, "idempotency-key-invalid", "Idempotency-Key is invalid", error.message, .invalidKey)
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
                "This operation is idempotent and requires an Idempotency-Key header.", .missingKey)
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
                return mismatch()
            case .follow(let entry):
                guard var response = await entry.wait() else { continue }
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
                response = try await operation(token)
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
                status: response.status, body: response.body, replayed: false, disposition: .executed)
        case .completed(let response):
            return IdempotentResponse(
                status: response.status, body: response.body,
                headerFields: [.init(name: "Idempotent-Replayed", value: "true")], replayed: true,
                disposition: .replayed)
        case .inProgress(let remaining):
            var response = problem(
                409, "idempotency-key-in-progress", "A request with this Idempotency-Key is in progress",
                "A request with the same Idempotency-Key for this operation is still being processed; retry later.",
                .inProgress)
            let (seconds, attoseconds) = remaining.components
            let retryAfter = max(1, seconds + (attoseconds > 0 ? 1 : 0))
            response.headerFields.append(.init(name: "Retry-After", value: String(retryAfter)))
            return response
        case .fingerprintMismatch:
            return mismatch()
        }
    }

    private func mismatch() -> IdempotentResponse {
        problem(
            422, "idempotency-key-reused", "Idempotency-Key is already used",
            "This Idempotency-Key was used with a different payload for this operation; a key must not be reused.",
            .payloadMismatch)
    }

    private func problem(
        _ status: Int, _ type: String, _ title: String, _ detail: String, _ disposition: IdempotentResponse.Disposition
    ) -> IdempotentResponse {
        let document = ProblemDetails(
            type: configuration.problemTypePrefix + type, title: title, status: status, detail: detail)
        return IdempotentResponse(
            status: status, body: document.json,
            headerFields: [.init(name: "Content-Type", value: ProblemDetails.contentType)], replayed: false,
            disposition: disposition)
    }

    private enum Role {
        case lead(InFlight)
        case follow(InFlight)
        case mismatch
    }

    /// A call in progress in this process that duplicates wait for.
    private final class InFlight: Sendable {
        let fingerprint: Fingerprint
        private let state = LockedState<(done: Bool, response: IdempotentResponse?, waiters: [Waiter])>(
            (false, nil, []))
        typealias Waiter = CheckedContinuation<IdempotentResponse?, Never>

        init(fingerprint: Fingerprint) { self.fingerprint = fingerprint }

        /// The leader's response, or `nil` when the leader failed and the caller should try again.
        func wait() async -> IdempotentResponse? {
            await withCheckedContinuation { (continuation: Waiter) in
                let ready: IdempotentResponse?? = state.withLock { state in
                    if state.done { return .some(state.response) }
                    state.waiters.append(continuation)
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        func publish(_ response: IdempotentResponse?) {
            let waiters = state.withLock { state in
                state.done = true
                state.response = response
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: response) }
        }
    }
}
