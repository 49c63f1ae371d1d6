import Logging
import Metrics
import Resilience
import SettlementSync

/// Turns the gateway's audit events and the resilience pipeline's events into one JSON log line per request
/// (through swift-log) and swift-metrics counters and timers. A service passes it to `SettlementGateway` as the
/// audit observer and to the retry and breaker configurations as their resilience observer; it needs no server.
///
/// The metrics it keeps (labels in brackets):
///
/// | metric | kind | meaning |
/// |---|---|---|
/// | `settlement_requests_total` [status, outcome] | counter | requests answered |
/// | `settlement_request_duration_seconds` [status] | timer | time from receipt to answer |
/// | `settlement_replays_total` | counter | stored responses replayed |
/// | `settlement_throttled_total` | counter | 429 answers |
/// | `settlement_breaker_open` | gauge | 1 while the upstream breaker is open or half-open, else 0 |
/// | `settlement_resilience_events_total` [source, kind] | counter | retries, give-ups, breaker changes, timeouts |
public final class SettlementObservability: SettlementAuditObserver, ResilienceObserver, Sendable {
    private let logger: Logger
    private let factory: any MetricsFactory
    private let breakerOpen: Gauge
    private let replays: Counter
    private let throttled: Counter

    /// Creates a bridge.
    ///
    /// - Parameters:
    ///   - logger: Receives one `info` line per request; use ``JSONLogHandler`` for JSON lines.
    ///   - factory: Where the metrics go; `PrometheusMetricsFactory` to expose them at `/metrics`.
    public init(logger: Logger, factory: any MetricsFactory) {
        self.logger = logger
        self.factory = factory
        breakerOpen = Gauge(label: "settlement_breaker_open", factory: factory)
        replays = Counter(label: "settlement_replays_total", factory: factory)
        throttled = Counter(label: "settlement_throttled_total", factory: factory)
        breakerOpen.record(0)
    }

    /// Logs the request and counts it.
    ///
    /// - Parameter event: The gateway's audit record of one request.
    public func record(_ event: SettlementAuditEvent) {
        let status = String(event.status)
        Counter(
            label: "settlement_requests_total", dimensions: [("status", status), ("outcome", event.outcome.rawValue)],
            factory: factory
        ).increment()
        Timer(label: "settlement_request_duration_seconds", dimensions: [("status", status)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(event.duration))
        if event.outcome == .replayed { replays.increment() }
        if event.outcome == .rateLimited { throttled.increment() }
        logger.info("request", metadata: Self.metadata(event))
    }

    /// Counts a resilience event and follows the breaker's state.
    ///
    /// - Parameter event: A retry, breaker or timeout event.
    public func observe(_ event: ResilienceEvent) {
        Counter(
            label: "settlement_resilience_events_total", dimensions: [("source", event.source), ("kind", event.name)],
            factory: factory
        ).increment()
        if event.kind == .circuitStateChanged, let state = event.state {
            breakerOpen.record(state == .closed ? 0 : 1)
            logger.warning(
                "breaker", metadata: ["source": .string(event.source), "state": .string(state.description)])
        } else if event.kind == .retryGaveUp {
            logger.warning("retry gave up", metadata: ["source": .string(event.source)])
        }
    }

    /// The log metadata of an audit event: request id, desk, run id, contract, key hash, status, outcome and
    /// duration in milliseconds (absent fields are left out).
    ///
    /// - Parameter event: The audit event.
    /// - Returns: The metadata.
    public static func metadata(_ event: SettlementAuditEvent) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "request_id": .string(event.requestID), "status": .stringConvertible(event.status),
            "outcome": .string(event.outcome.rawValue),
            "duration_ms": .stringConvertible(Double(nanoseconds(event.duration) / 1000) / 1000),
            "key_derived": .stringConvertible(event.keyDerived),
        ]
        if let desk = event.desk { metadata["desk"] = .string(desk) }
        if let run = event.settlementRunID { metadata["run_id"] = .string(run) }
        if let contract = event.contractID { metadata["contract"] = .string(contract) }
        if let keyHash = event.keyHash { metadata["key_hash"] = .string(keyHash) }
        return metadata
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
