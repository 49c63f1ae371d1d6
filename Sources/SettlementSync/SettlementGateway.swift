import ETRMContracts
import ETRMShared
import Idempotency
import Resilience

/// The header field names the gateway reads and writes.
public enum SettlementHeaderName {
    /// The settlement run the instruction belongs to; required.
    public static let settlementRunID = "X-Settlement-Run-ID"
    /// The caller's desk and contract scope (``TraderScope``); required.
    public static let traderScope = "X-Trader-Scope"
    /// The desk's idempotency key; optional (a key is derived from the run id and body when absent).
    public static let idempotencyKey = "Idempotency-Key"
    /// The request id carried into the audit event; made up by the gateway when absent.
    public static let requestID = "X-Request-ID"
    /// Set to `true` on a replayed response.
    public static let replayed = "Idempotent-Replayed"
    /// Seconds to wait, on 409, 429 and 503.
    public static let retryAfter = "Retry-After"
}

/// The settlement-sync flow: a desk's settlement instruction in, one HTTP answer out, the upstream ETRM
/// booked at most once however often the desk retries.
///
/// ```swift
/// let gateway = try SettlementGateway(store: try InMemoryIdempotencyStore(), upstream: etrmClient,
///                                     clock: ContinuousClock())
/// let response = await gateway.handle(SettlementRequest(headers: headers, body: body))
/// ```
///
/// The steps, in order (see the "Building a settlement gateway" article for why this order):
///
/// | step | refusal |
/// |---|---|
/// | 1. `X-Settlement-Run-ID` and `X-Trader-Scope` present and well-formed | 400 naming the header |
/// | 2. the desk's rate limit | 429 + `Retry-After` |
/// | 3. the body: one JSON object, a valid instruction, its run id equal to the header's | 422 with every issue |
/// | 4. the scope covers the instruction's contract | 403 |
/// | 5. the key (`Idempotency-Key`, or SHA-256 of run id and canonical body), scoped by desk, is claimed | replay of the stored response, 409 in flight, 422 other payload |
/// | 6. the run is not on hold after a reconciliation drift | 409, key released |
/// | 7. forward: retry → circuit breaker → attempt timeout → upstream | 201 booked (stored), 502 rejected (stored), 503 + `Retry-After` (key released, or held while an attempt is unresolved) |
///
/// Every attempt carries the same upstream idempotency key (``UpstreamSubmission/idempotencyKey``). The attempt
/// timeout returns at its deadline even when the upstream ignores cancellation; such an attempt is ambiguous
/// and keeps the key: no second owner can claim it until the attempt's late outcome is in, a late booking is
/// stored as the key's 201, and the request answers 503 `upstream-outcome-pending` meanwhile (see
/// ``SettlementUpstream`` for the contract). Every store call is bounded by
/// ``SettlementGatewayConfiguration/storeTimeout``; a store failure is a 503 `store-unavailable` whose cause
/// goes to the audit event, never to the client.
///
/// Every request, whatever its outcome, leaves exactly one ``SettlementAuditEvent`` with the observer.
/// ``handle(_:)`` never throws: every failure is a response.
public final class SettlementGateway<C: Clock, Store: IdempotencyStore, Upstream: SettlementUpstream>: Sendable
where C.Duration == Duration {
    /// The forwarding pipeline's type: retry, then the breaker, outermost first. Inside it each attempt runs
    /// under ``attemptTimeout``, which returns at its deadline whatever the upstream does.
    public typealias Forwarding = ResiliencePipeline<C, Composed<Composed<PassThrough, Retry<C>>, CircuitBreaker<C>>>

    /// The settings type (``SettlementGatewayConfiguration``).
    public typealias Configuration = SettlementGatewayConfiguration

    /// The settings.
    public let configuration: Configuration
    /// The clock of the rate limiter, retries, breaker, timeouts and audit durations.
    public let clock: C
    /// The upstream ETRM.
    public let upstream: Upstream
    /// The circuit breaker in front of the upstream (for its state and metrics).
    public let breaker: CircuitBreaker<C>
    /// The per-run reconciliation of accepted and acknowledged positions.
    public let reconciler: SettlementReconciler
    /// The idempotency store.
    public let store: Store
    /// The limit on one upstream attempt (``SettlementGatewayConfiguration/attemptTimeout``).
    public let attemptTimeout: Timeout<C>
    let executor: IdempotentExecutor<GuardedStore<C, Store>>
    let guardedStore: GuardedStore<C, Store>
    private let limiter: PartitionedRateLimiter<String, C>
    private let forwarding: Forwarding
    private let reader: RecordReader<SettlementInstruction>
    private let auditObserver: (any SettlementAuditObserver)?

    /// Creates a gateway.
    ///
    /// - Parameters:
    ///   - store: The idempotency store (`InMemoryIdempotencyStore` for one process and tests,
    ///     `JournalIdempotencyStore` for one durable node, a shared store for several replicas).
    ///   - upstream: The upstream ETRM.
    ///   - configuration: The settings.
    ///   - clock: The clock for limits, retries, the breaker, timeouts and durations.
    ///   - reconciler: The reconciliation of positions per run; a fresh one with a 0.5 % tolerance by default.
    ///   - auditObserver: Receives one event per request.
    /// - Throws: ``SettlementSyncError/Code/invalidConfiguration`` for out-of-range or inconsistent settings.
    public init(
        store: Store, upstream: Upstream, configuration: Configuration = .init(), clock: C,
        reconciler: SettlementReconciler = SettlementReconciler(),
        auditObserver: (any SettlementAuditObserver)? = nil
    ) throws(SettlementSyncError) {
        try configuration.validate()
        do throws(ResilienceError) {
            breaker = try CircuitBreaker(configuration.breaker, clock: clock)
            var retry = configuration.retry
            let decide = retry.shouldRetryError
            // An attempt refused because an ambiguous one is unresolved (an upstream that cannot de-duplicate)
            // is final for this request.
            retry.shouldRetryError = { error in error is OutcomePending ? .doNotRetry : decide(error) }
            forwarding = try ResiliencePipeline(clock: clock).retry(retry).circuitBreaker(breaker)
            attemptTimeout = try Timeout(
                configuration.attemptTimeout, clock: clock, name: "settlement.upstream.attempt-timeout")
            guardedStore = try GuardedStore(
                base: store, clock: clock, timeout: configuration.storeTimeout, lease: configuration.lease,
                ttl: configuration.ttl, beat: configuration.leaseHeartbeat ?? configuration.lease / 3)
            limiter = try PartitionedRateLimiter(
                .init(partition: configuration.deskRateLimit, maximumPartitions: configuration.maximumDesks),
                clock: clock)
        } catch {
            throw SettlementSyncError(code: .invalidConfiguration, message: error.description, cause: error)
        }
        do throws(IdempotencyError) {
            _ = try IdempotencyScope(tenant: "desk", operation: configuration.operation)
        } catch {
            throw SettlementSyncError(
                code: .invalidConfiguration, message: "operation: \(error.message)", cause: error)
        }
        let heartbeat: IdempotentExecutor<GuardedStore<C, Store>>.Heartbeat?
        do throws(IdempotencyError) {
            heartbeat = try configuration.leaseHeartbeat.map { interval throws(IdempotencyError) in
                try IdempotentExecutor<GuardedStore<C, Store>>.Heartbeat(every: interval, clock: clock)
            }
        } catch {
            throw SettlementSyncError(
                code: .invalidConfiguration, message: "leaseHeartbeat: \(error.message)", cause: error)
        }
        self.configuration = configuration
        self.clock = clock
        self.upstream = upstream
        self.reconciler = reconciler
        self.auditObserver = auditObserver
        self.store = store
        executor = IdempotentExecutor(
            store: guardedStore,
            configuration: .init(
                lease: configuration.lease, ttl: configuration.ttl, failurePolicy: .releaseRecord,
                coalescesDuplicates: false, problemTypePrefix: configuration.problemTypePrefix, heartbeat: heartbeat))
        reader = RecordReader(configuration: configuration.reader)
    }

    /// Handles one request: checks, claims, validates, forwards, and answers; never throws.
    ///
    /// - Parameter request: The request's header fields and body.
    /// - Returns: The response to send. Its `X-Request-ID` names the request's audit event.
    public func handle(_ request: SettlementRequest) async -> SettlementResponse {
        let start = clock.now
        let requestID = request.header(SettlementHeaderName.requestID) ?? configuration.makeRequestID()
        var trail = Trail()
        var response = await process(request, trail: &trail)
        response.headers.append(HTTPHeaderField(SettlementHeaderName.requestID, requestID))
        if let auditObserver {
            auditObserver.record(
                SettlementAuditEvent(
                    requestID: requestID, desk: trail.desk, settlementRunID: trail.settlementRunID,
                    contractID: trail.contractID, keyHash: trail.keyHash, keyDerived: trail.keyDerived,
                    outcome: trail.outcome, status: response.status, duration: start.duration(to: clock.now),
                    cause: trail.cause))
        }
        return response
    }

    /// What the audit event says about a request, filled in as the steps learn it.
    struct Trail {
        var desk: String?
        var settlementRunID: String?
        var contractID: String?
        var keyHash: String?
        var keyDerived = false
        var outcome = SettlementOutcome.storeUnavailable
        var cause: String?
    }

    private func process(_ request: SettlementRequest, trail: inout Trail) async -> SettlementResponse {
        // 1. Headers: nothing else is looked at before the caller is known.
        guard let runHeader = request.header(SettlementHeaderName.settlementRunID) else {
            return missingHeader(SettlementHeaderName.settlementRunID, &trail)
        }
        trail.settlementRunID = runHeader
        guard let scopeHeader = request.header(SettlementHeaderName.traderScope) else {
            return missingHeader(SettlementHeaderName.traderScope, &trail)
        }
        let runID: SettlementRunID
        do throws(ValidationIssue) {
            runID = try SettlementRunID(runHeader)
        } catch {
            return invalidHeader(SettlementHeaderName.settlementRunID, error.message, &trail)
        }
        let scope: TraderScope
        do throws(SettlementSyncError) {
            scope = try TraderScope(headerValue: scopeHeader)
        } catch {
            return invalidHeader(SettlementHeaderName.traderScope, error.message, &trail)
        }
        trail.desk = scope.desk

        // 2. The desk's rate limit, before any parsing or store access, so a flooding desk costs nothing.
        if case .rejected(let retryAfter) = (try? limiter.tryAcquire(scope.desk)) ?? .acquired {
            trail.outcome = .rateLimited
            return problem(
                429, "rate-limited", "Too many requests",
                "Desk \(scope.desk) is over its rate limit; retry after the Retry-After delay.",
                retryAfter: retryAfter)
        }

        // 3. The payload, before the key: an invalid payload never touches the store, so it cannot burn the
        //    key (the desk fixes the body and retries with the same key) and costs no journal write.
        guard request.body.count <= configuration.reader.maximumDocumentSize else {
            return invalidPayload(
                [
                    ValidationIssue(
                        code: .limitExceeded,
                        message:
                            "the body is \(request.body.count) bytes; at most \(configuration.reader.maximumDocumentSize) are allowed"
                    )
                ], &trail)
        }
        let canonical: [UInt8]
        do throws(IdempotencyError) {
            canonical = try Fingerprint.canonicalJSON(request.body)
        } catch {
            return invalidPayload([ValidationIssue(code: .invalidJSON, message: error.message)], &trail)
        }
        let instruction: SettlementInstruction
        do throws(ValidationFailure) {
            instruction = try reader.decode(request.body)
        } catch {
            return invalidPayload(error.issues, &trail)
        }
        trail.contractID = instruction.contractID.description
        guard instruction.settlementRunID == runID else {
            return invalidPayload(
                [
                    ValidationIssue(
                        path: "/settlement_run_id", code: .headerMismatch,
                        message: "must equal the \(SettlementHeaderName.settlementRunID) header (\(runHeader))",
                        value: instruction.settlementRunID.description)
                ], &trail)
        }

        // 4. Scope: the desk may settle this contract.
        guard scope.allows(contractID: instruction.contractID.description) else {
            trail.outcome = .forbidden
            return problem(
                403, "scope-forbidden", "Contract outside the trader's scope",
                "Desk \(scope.desk) may not settle contract \(instruction.contractID); its scope is \(scope.contractPatterns.joined(separator: ","))."
            )
        }

        // 5. The key, scoped by desk; the fingerprint is of the canonical body, so a re-serialised retry
        //    (other key order or spacing) is the same request, and so is its derived key.
        let key: IdempotencyKey
        do throws(IdempotencyError) {
            let keyScope = try IdempotencyScope(tenant: scope.desk, operation: configuration.operation)
            if let header = request.header(SettlementHeaderName.idempotencyKey) {
                key = try IdempotencyKey(headerValue: header, scope: keyScope)
            } else {
                key = try IdempotencyKey.derived(settlementRunID: runHeader, body: canonical, scope: keyScope)
            }
        } catch {
            return invalidHeader(SettlementHeaderName.idempotencyKey, error.message, &trail)
        }
        let keyHash = Fingerprint(exactBytes: key.storageBytes).description
        trail.keyHash = keyHash
        trail.keyDerived = key.isDerived
        let submission = UpstreamSubmission(
            settlementRunID: runHeader, contractID: instruction.contractID.description,
            positionMWh: instruction.positionMWh, settlementPrice: instruction.settlementPrice, keyHash: keyHash,
            fence: 0, timeLeft: configuration.attemptTimeout, body: request.body)
        let forwarded = Forwarded(
            instruction: instruction, keyHash: keyHash, problemTypePrefix: configuration.problemTypePrefix)

        // 6–7. Claim, forward, complete (201, 502) or release (503, run on hold).
        let outcome = LockedState<StoredResponse?>(nil)
        do {
            let answer = try await executor.execute(key: key, fingerprint: Fingerprint(exactBytes: canonical)) {
                token in
                var submission = submission
                submission.fence = token.fence
                let response = try await self.forward(submission, Hold(key: key, token: token), forwarded)
                outcome.withLock { $0 = response }
                return response
            }
            return respond(answer, &trail)
        } catch let failure as StoreFailure where failure.operation == "complete" {
            // The upstream answered but the store did not take the answer: the desk gets it now, and the store's
            // keeper goes on recording it for the desk's retries.
            guard let response = outcome.withLock({ $0 }) else { return unavailable(failure, &trail) }
            trail.cause = failure.description
            return respond(
                IdempotentResponse(
                    status: response.status, body: response.body, headerFields: response.headerFields,
                    replayed: false, disposition: .executed), &trail)
        } catch {
            return unavailable(error, &trail)
        }
    }

    /// Runs under a claimed key: the stored response of a booked (201) or rejected (502) instruction; throws
    /// when the key must be released (unavailable, run on hold) or held (``OutcomePending``).
    private func forward(
        _ submission: UpstreamSubmission, _ hold: Hold, _ forwarded: Forwarded
    ) async throws -> StoredResponse {
        if reconciler.isOnHold(submission.settlementRunID) { throw RunOnHold() }
        let upstream = self.upstream
        let clock = self.clock
        let store = guardedStore
        let timeout = attemptTimeout
        let deduplicates = configuration.upstreamDeduplicates
        let reconciler = self.reconciler
        let reply: UpstreamReply
        do {
            reply = try await forwarding.execute {
                // A late attempt has reached a verdict, or (an upstream that cannot de-duplicate) one is
                // unresolved: no further attempt.
                if store.lateResponse(hold) != nil || (!deduplicates && store.hasPendingAttempt(hold)) {
                    throw OutcomePending()
                }
                store.attemptStarted(hold)
                do {
                    let reply = try await timeout.execute {
                        var submission = submission
                        submission.timeLeft = TaskDeadline.remaining(on: clock) ?? submission.timeLeft
                        do {
                            return try await upstream.submit(submission)
                        } catch let error as ResilienceError where error.code == .timedOut {
                            // The upstream's own timeout: not this attempt timeout's, which leaves a late outcome.
                            throw UpstreamError(code: .unavailable, message: error.description, cause: error)
                        }
                    } lateOutcome: { outcome in
                        let reply = try? outcome.get()
                        if case .acknowledged(let acknowledgement) = reply {
                            reconciler.record(
                                settlementRunID: submission.settlementRunID, accepted: submission.positionMWh,
                                acknowledged: acknowledgement.acknowledgedPositionMWh)
                        }
                        await store.attemptEndedLate(hold, response: reply.map(forwarded.response))
                    }
                    store.attemptEnded(hold)
                    return reply
                } catch let error as ResilienceError where error.code == .timedOut {
                    throw error  // the attempt is pending: its late outcome ends it
                } catch is CancellationError {
                    throw CancellationError()  // likewise
                } catch {
                    store.attemptEnded(hold)
                    throw error
                }
            }
        } catch {
            // A late attempt may have reached a verdict while this request retried; otherwise an unresolved
            // attempt holds the key.
            if let late = store.lateResponse(hold) { return late }
            if store.hasPendingAttempt(hold) { throw OutcomePending() }
            throw error
        }
        if case .acknowledged(let acknowledgement) = reply {
            reconciler.record(
                settlementRunID: submission.settlementRunID, accepted: submission.positionMWh,
                acknowledged: acknowledgement.acknowledgedPositionMWh)
        }
        return forwarded.response(reply)
    }

    /// What turns an upstream reply into the response to store.
    struct Forwarded: Sendable {
        let instruction: SettlementInstruction
        let keyHash: String
        let problemTypePrefix: String

        func response(_ reply: UpstreamReply) -> StoredResponse {
            switch reply {
            case .acknowledged(let acknowledgement):
                return StoredResponse(
                    status: 201, headerFields: [ProblemBody.jsonContentTypeField],
                    body: ProblemBody.accepted(instruction, acknowledgement: acknowledgement, keyHash: keyHash))
            case .rejected(let rejection):
                let document = ProblemDetails(
                    type: problemTypePrefix + "upstream-rejected", title: "The upstream ETRM rejected the instruction",
                    status: 502, detail: rejection.reason)
                return StoredResponse(
                    status: 502, headerFields: [ProblemBody.problemContentTypeField],
                    body: document.json(extensions: [("upstream_code", .string(rejection.code))]))
            }
        }
    }

    /// An attempt the gateway stopped waiting for is unresolved: the key stays held.
    struct OutcomePending: Error {}

    private struct RunOnHold: Error {}

    private func respond(_ answer: IdempotentResponse, _ trail: inout Trail) -> SettlementResponse {
        switch answer.disposition {
        case .executed: trail.outcome = answer.status == 201 ? .accepted : .upstreamRejected
        case .replayed, .coalesced: trail.outcome = .replayed
        case .inProgress: trail.outcome = .inProgress
        case .payloadMismatch: trail.outcome = .payloadMismatch
        default: trail.outcome = .invalidHeader
        }
        // The stored fields as they were stored (the executor appends `Idempotent-Replayed` to a replay), or
        // the executor's own refusal fields (409, 422).
        var headers = answer.headerFields
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }),
            let legacy = Self.legacyContentType(status: answer.status, body: answer.body)
        {
            // A record stored before responses kept their header fields (within its 24 h replay lifetime after
            // an upgrade) has none: it gets the type its status always had then.
            headers.insert(legacy, at: 0)
        }
        return SettlementResponse(status: answer.status, headers: headers, body: answer.body)
    }

    /// The `Content-Type` the gateway sent for a stored status before stored responses kept header fields:
    /// JSON for a 201, problem JSON for a 502; nothing for an empty body.
    static func legacyContentType(status: Int, body: [UInt8]) -> HTTPHeaderField? {
        guard !body.isEmpty else { return nil }
        switch status {
        case 201: return ProblemBody.jsonContentTypeField
        case 502: return ProblemBody.problemContentTypeField
        default: return nil
        }
    }

    private func unavailable(_ error: any Error, _ trail: inout Trail) -> SettlementResponse {
        if error is RunOnHold {
            trail.outcome = .runOnHold
            return problem(
                409, "settlement-run-on-hold", "The settlement run is on hold",
                "Run \(trail.settlementRunID ?? "") is on hold after a reconciliation drift; the key was released.")
        }
        if let error = error as? ResilienceError, error.code == .circuitOpen {
            trail.outcome = .circuitOpen
            return problem(
                503, "upstream-unavailable", "The upstream ETRM is unavailable",
                "The circuit breaker is open; the key was released, retry after the Retry-After delay.",
                retryAfter: error.retryAfter ?? configuration.unavailableRetryAfter)
        }
        if error is StoreFailure || error is IdempotencyError {
            // The cause (a pool message, a path) is for the log, not for the client.
            trail.outcome = .storeUnavailable
            trail.cause = (error as? StoreFailure)?.description ?? "store: \(error)"
            return problem(
                503, "store-unavailable", "The idempotency store is unavailable",
                "The idempotency store did not answer; retry with the same Idempotency-Key after the Retry-After delay.",
                retryAfter: configuration.unavailableRetryAfter)
        }
        if error is OutcomePending {
            trail.outcome = .upstreamOutcomePending
            return problem(
                503, "upstream-outcome-pending", "The upstream ETRM has not answered yet",
                "An attempt may have reached the upstream and is not resolved; the key is held. Retry with the same key after the Retry-After delay to get the outcome.",
                retryAfter: configuration.unavailableRetryAfter)
        }
        trail.outcome = .upstreamUnavailable
        trail.cause = "upstream: \(error)"
        let hint = (error as? any RetryAfterProviding)?.retryAfter
        return problem(
            503, "upstream-unavailable", "The upstream ETRM is unavailable",
            "The upstream did not book the instruction after every retry; the key was released.",
            retryAfter: hint ?? configuration.unavailableRetryAfter)
    }

    private func missingHeader(_ name: String, _ trail: inout Trail) -> SettlementResponse {
        trail.outcome = .missingHeader
        return problem(400, "missing-header", "\(name) is missing", "The \(name) header is required.")
    }

    private func invalidHeader(_ name: String, _ reason: String, _ trail: inout Trail) -> SettlementResponse {
        trail.outcome = .invalidHeader
        return problem(400, "invalid-header", "\(name) is invalid", reason)
    }

    private func invalidPayload(_ issues: [ValidationIssue], _ trail: inout Trail) -> SettlementResponse {
        trail.outcome = .invalidPayload
        return problem(
            422, "invalid-instruction", "The settlement instruction is invalid",
            "\(issues.count) issue\(issues.count == 1 ? "" : "s") in the instruction; the key was not used.",
            extensions: [ProblemBody.issues(issues)])
    }

    private func problem(
        _ status: Int, _ type: String, _ title: String, _ detail: String, retryAfter: Duration? = nil,
        extensions: [(String, JSONOutput)] = []
    ) -> SettlementResponse {
        var headers = [HTTPHeaderField("Content-Type", ProblemDetails.contentType)]
        if let retryAfter {
            headers.append(HTTPHeaderField(SettlementHeaderName.retryAfter, RetryAfter(delay: retryAfter).headerValue))
        }
        let document = ProblemDetails(
            type: configuration.problemTypePrefix + type, title: title, status: status, detail: detail)
        return SettlementResponse(
            status: status, headers: headers, body: document.json(extensions: extensions))
    }
}

extension SettlementGateway where C == ContinuousClock {
    /// Creates a gateway on the continuous clock.
    ///
    /// - Parameters:
    ///   - store: The idempotency store.
    ///   - upstream: The upstream ETRM.
    ///   - configuration: The settings.
    ///   - reconciler: The reconciliation of positions per run.
    ///   - auditObserver: Receives one event per request.
    /// - Throws: ``SettlementSyncError/Code/invalidConfiguration`` for inconsistent settings.
    public convenience init(
        store: Store, upstream: Upstream, configuration: Configuration = .init(),
        reconciler: SettlementReconciler = SettlementReconciler(),
        auditObserver: (any SettlementAuditObserver)? = nil
    ) throws(SettlementSyncError) {
        try self.init(
            store: store, upstream: upstream, configuration: configuration, clock: ContinuousClock(),
            reconciler: reconciler, auditObserver: auditObserver)
    }
}
