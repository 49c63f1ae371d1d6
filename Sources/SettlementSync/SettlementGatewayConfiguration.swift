import ETRMContracts
import Resilience

/// The settings of a ``SettlementGateway``; every field has a default.
public struct SettlementGatewayConfiguration: Sendable {
    /// The operation idempotency keys are scoped to, with the desk as tenant. Default `POST /settlements`.
    public var operation: String
    /// How long a claim holds a key. Without a ``leaseHeartbeat`` it must exceed the longest a forward can
    /// take (``retry``'s overall timeout plus one ``attemptTimeout``), or a duplicate could take the key over
    /// while the first request is still forwarding and send the instruction twice; the initialiser checks it.
    /// Default 10 minutes.
    public var lease: Duration
    /// The interval at which the claim's lease is extended while the instruction is forwarded, or `nil` for
    /// none (the default).
    ///
    /// With a heartbeat the lease may be shorter than the longest forward: a gateway that crashes mid-forward
    /// then holds the key for one short lease instead of the whole forward's worst case. The lease must be at
    /// least twice the interval, so one late beat does not lose the key. The trade: the at-most-once
    /// guarantee now also rests on the store being reachable for the beats; when extensions fail for longer
    /// than the lease, a duplicate can take the key over mid-forward and send again under a new owner fence,
    /// and only the upstream's de-duplication on ``UpstreamSubmission/idempotencyKey`` keeps the booking single. Without a heartbeat the lease check alone
    /// guarantees it, which is why the default has none.
    public var leaseHeartbeat: Duration?
    /// How long a finished response (201 or 502) replays. Default 24 hours.
    public var ttl: Duration
    /// The limit on one upstream attempt: the attempt is cancelled when it passes, and the gateway stops
    /// waiting for it then even if the upstream ignores cancellation (the attempt is then ambiguous; see
    /// ``SettlementUpstream``). Default 5 s.
    public var attemptTimeout: Duration
    /// Whether the upstream de-duplicates on ``UpstreamSubmission/idempotencyKey`` (the contract of
    /// ``SettlementUpstream``). Default `true`. When `false`, an ambiguous attempt (one the gateway stopped
    /// waiting for) is the key's last: nothing more is sent for the key, and its late outcome is recorded.
    public var upstreamDeduplicates: Bool
    /// The retry around the attempts. Its `RetryConfiguration.overallTimeout` must be set (the lease is
    /// checked against it). Every error goes to `RetryConfiguration.shouldRetryError`; the default predicate
    /// (`RetryConfiguration.defaultErrorDecision`) never retries a rejection by the open breaker, so the
    /// gateway answers 503 at once. Default: 4 attempts, exponential backoff from 200 ms capped at 5 s, full
    /// jitter, 60 s overall.
    public var retry: RetryConfiguration
    /// The circuit breaker each attempt passes. Only thrown errors (unavailable, timed out, throttled)
    /// count as failures; an upstream's business rejection is a healthy answer. Default: open after 10
    /// consecutive failures, stay open 10 s, one probe.
    public var breaker: CircuitBreakerConfiguration
    /// Each desk's token bucket. Default: bursts of 200, 100 requests a second sustained.
    public var deskRateLimit: RateLimiterConfiguration
    /// The most desks the limiter tracks at once. Default 10 000.
    public var maximumDesks: Int
    /// The `Retry-After` of a 503 when neither the breaker nor the upstream said when to come back.
    /// Default 5 s.
    public var unavailableRetryAfter: Duration
    /// The limit on one call to the idempotency store (claim, complete, release, lease extension): a store
    /// that does not answer in time is a 503 `store-unavailable` with `Retry-After`. Default 2 s.
    public var storeTimeout: Duration
    /// Makes the request id of a request without `X-Request-ID`. Default ``SettlementRequestID/make()``
    /// (a UUIDv7: unique across replicas, ordered by time); a test injects its own.
    public var makeRequestID: @Sendable () -> String
    /// The reader's limits and unknown-field policy for request bodies. Default: 64 KiB, depth 8, unknown
    /// fields rejected (an instruction contract is exact).
    public var reader: RecordReaderConfiguration
    /// The prefix of every problem `type` URI. Default `urn:etrm:problem:`.
    public var problemTypePrefix: String

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - operation: The idempotency operation.
    ///   - lease: The claim lease.
    ///   - leaseHeartbeat: The lease extension interval while forwarding; none by default.
    ///   - ttl: The replay lifetime.
    ///   - attemptTimeout: The limit per upstream attempt.
    ///   - upstreamDeduplicates: Whether the upstream de-duplicates on the upstream idempotency key.
    ///   - retry: The retry settings.
    ///   - breaker: The circuit breaker settings.
    ///   - deskRateLimit: Each desk's rate limit.
    ///   - maximumDesks: The bound on limiter partitions.
    ///   - unavailableRetryAfter: The default `Retry-After` of a 503.
    ///   - storeTimeout: The limit on one store call.
    ///   - makeRequestID: Makes request ids.
    ///   - reader: The body reader's configuration.
    ///   - problemTypePrefix: The problem type prefix.
    public init(
        operation: String = "POST /settlements",
        lease: Duration = .seconds(600),
        leaseHeartbeat: Duration? = nil,
        ttl: Duration = .seconds(86_400),
        attemptTimeout: Duration = .seconds(5),
        upstreamDeduplicates: Bool = true,
        retry: RetryConfiguration = .init(
            name: "settlement.upstream.retry", maxAttempts: 4,
            backoff: .exponential(initial: .milliseconds(200), maximum: .seconds(5)), jitter: .full,
            overallTimeout: .seconds(60)),
        breaker: CircuitBreakerConfiguration = .init(
            name: "settlement.upstream.breaker", mode: .consecutiveFailures(10), openDuration: .seconds(10)),
        deskRateLimit: RateLimiterConfiguration = .init(
            name: "settlement.desk.limiter", capacity: 200, refill: 100, per: .seconds(1)),
        maximumDesks: Int = 10_000,
        unavailableRetryAfter: Duration = .seconds(5),
        storeTimeout: Duration = .seconds(2),
        makeRequestID: @escaping @Sendable () -> String = SettlementRequestID.make,
        reader: RecordReaderConfiguration = .init(
            unknownFields: .reject, maximumDocumentSize: 64 << 10, maximumDepth: 8),
        problemTypePrefix: String = "urn:etrm:problem:"
    ) {
        self.operation = operation
        self.lease = lease
        self.leaseHeartbeat = leaseHeartbeat
        self.ttl = ttl
        self.attemptTimeout = attemptTimeout
        self.upstreamDeduplicates = upstreamDeduplicates
        self.retry = retry
        self.breaker = breaker
        self.deskRateLimit = deskRateLimit
        self.maximumDesks = maximumDesks
        self.unavailableRetryAfter = unavailableRetryAfter
        self.storeTimeout = storeTimeout
        self.makeRequestID = makeRequestID
        self.reader = reader
        self.problemTypePrefix = problemTypePrefix
    }

    func validate() throws(SettlementSyncError) {
        if let leaseHeartbeat {
            guard leaseHeartbeat > .zero, leaseHeartbeat * 2 <= lease else {
                throw SettlementSyncError(
                    code: .invalidConfiguration,
                    message:
                        "leaseHeartbeat (\(leaseHeartbeat)) must be positive and at most half the lease (\(lease)), so one late beat does not lose the key"
                )
            }
        } else {
            try validateLeaseOutlastsForward()
        }
        guard ttl > .zero, unavailableRetryAfter > .zero, storeTimeout > .zero else {
            throw SettlementSyncError(
                code: .invalidConfiguration, message: "ttl, unavailableRetryAfter and storeTimeout must be positive")
        }
    }

    private func validateLeaseOutlastsForward() throws(SettlementSyncError) {
        guard let overall = retry.overallTimeout else {
            throw SettlementSyncError(
                code: .invalidConfiguration,
                message:
                    "retry.overallTimeout must be set: the lease is checked against the longest forward (or set leaseHeartbeat)"
            )
        }
        let longestForward = overall + attemptTimeout
        guard lease > longestForward else {
            throw SettlementSyncError(
                code: .invalidConfiguration,
                message:
                    "lease (\(lease)) must exceed retry.overallTimeout + attemptTimeout (\(longestForward)), or a duplicate could take over a key mid-forward (or set leaseHeartbeat)"
            )
        }
    }
}
