/// How the gateway ended a request: a stable, low-cardinality label for logs and metrics. An open set.
public struct SettlementOutcome: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The outcome in `snake_case`.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// 201: the upstream booked the instruction.
    public static let accepted = SettlementOutcome(rawValue: "accepted")
    /// The stored response of an earlier request with the same key was replayed (its status).
    public static let replayed = SettlementOutcome(rawValue: "replayed")
    /// 400: `X-Settlement-Run-ID` or `X-Trader-Scope` is missing.
    public static let missingHeader = SettlementOutcome(rawValue: "missing_header")
    /// 400: a header is present but malformed (a run id, a scope, an `Idempotency-Key`).
    public static let invalidHeader = SettlementOutcome(rawValue: "invalid_header")
    /// 403: the trader's scope does not cover the instruction's contract.
    public static let forbidden = SettlementOutcome(rawValue: "forbidden")
    /// 429: the desk's rate limit is spent.
    public static let rateLimited = SettlementOutcome(rawValue: "rate_limited")
    /// 422: the payload failed validation (every issue is in the body).
    public static let invalidPayload = SettlementOutcome(rawValue: "invalid_payload")
    /// 409: a request with the same key is in progress.
    public static let inProgress = SettlementOutcome(rawValue: "in_progress")
    /// 422: the key was used with another payload.
    public static let payloadMismatch = SettlementOutcome(rawValue: "payload_mismatch")
    /// 409: the settlement run is on hold after a reconciliation drift.
    public static let runOnHold = SettlementOutcome(rawValue: "run_on_hold")
    /// 502: the upstream refused the instruction.
    public static let upstreamRejected = SettlementOutcome(rawValue: "upstream_rejected")
    /// 503: the upstream stayed unavailable through every retry.
    public static let upstreamUnavailable = SettlementOutcome(rawValue: "upstream_unavailable")
    /// 503: the circuit breaker is open.
    public static let circuitOpen = SettlementOutcome(rawValue: "circuit_open")
    /// 503: an attempt may have reached the upstream and has not answered; the key is held until it does.
    public static let upstreamOutcomePending = SettlementOutcome(rawValue: "upstream_outcome_pending")
    /// 503: the idempotency store failed.
    public static let storeUnavailable = SettlementOutcome(rawValue: "store_unavailable")
}

/// The one structured record every request leaves, whatever its outcome.
public struct SettlementAuditEvent: Hashable, Sendable, CustomStringConvertible {
    /// The request id: the `X-Request-ID` header, or one the gateway made.
    public var requestID: String
    /// The desk (the trader of `X-Trader-Scope`), when the header was readable.
    public var desk: String?
    /// The settlement run id of `X-Settlement-Run-ID`, when present.
    public var settlementRunID: String?
    /// The instruction's contract id, when the payload was readable.
    public var contractID: String?
    /// The hexadecimal SHA-256 of the scoped idempotency key, once the key was formed (never the key itself).
    public var keyHash: String?
    /// Whether the key was derived from the run id and body (the desk sent no `Idempotency-Key`).
    public var keyDerived: Bool
    /// How the request ended.
    public var outcome: SettlementOutcome
    /// The HTTP status answered.
    public var status: Int
    /// The time from receipt to answer, on the gateway's clock.
    public var duration: Duration
    /// Why a request failed, for the log: the store's or the upstream's error (never sent to the client);
    /// `nil` when it did not fail.
    public var cause: String?

    /// Creates an event.
    ///
    /// - Parameters:
    ///   - requestID: The request id.
    ///   - desk: The desk, if known.
    ///   - settlementRunID: The run id, if known.
    ///   - contractID: The contract id, if known.
    ///   - keyHash: The key's hash, if formed.
    ///   - keyDerived: Whether the key was derived.
    ///   - outcome: How the request ended.
    ///   - status: The HTTP status.
    ///   - duration: The handling time.
    ///   - cause: Why the request failed, if it did.
    public init(
        requestID: String, desk: String?, settlementRunID: String?, contractID: String?, keyHash: String?,
        keyDerived: Bool, outcome: SettlementOutcome, status: Int, duration: Duration, cause: String? = nil
    ) {
        self.requestID = requestID
        self.desk = desk
        self.settlementRunID = settlementRunID
        self.contractID = contractID
        self.keyHash = keyHash
        self.keyDerived = keyDerived
        self.outcome = outcome
        self.status = status
        self.duration = duration
        self.cause = cause
    }

    public var description: String {
        "request=\(requestID) desk=\(desk ?? "-") run=\(settlementRunID ?? "-") contract=\(contractID ?? "-") "
            + "key=\(keyHash.map { String($0.prefix(12)) } ?? "-") outcome=\(outcome) status=\(status) "
            + "duration=\(duration)" + (cause.map { " cause=\($0)" } ?? "")
    }
}

/// Receives the gateway's audit events; a service bridges them to its logger or audit trail.
///
/// `record` is called once per request, synchronously on the request's task, after the response is built:
/// keep it cheap (append to a buffer, hand to a stream).
public protocol SettlementAuditObserver: Sendable {
    /// Handles one event.
    ///
    /// - Parameter event: The request's audit record.
    func record(_ event: SettlementAuditEvent)
}

/// An audit observer that forwards each event to a closure.
public struct ClosureAuditObserver: SettlementAuditObserver {
    private let handler: @Sendable (SettlementAuditEvent) -> Void

    /// Creates an observer.
    ///
    /// - Parameter handler: Called with every event.
    public init(_ handler: @escaping @Sendable (SettlementAuditEvent) -> Void) { self.handler = handler }

    /// Forwards `event` to the closure.
    ///
    /// - Parameter event: The request's audit record.
    public func record(_ event: SettlementAuditEvent) { handler(event) }
}
