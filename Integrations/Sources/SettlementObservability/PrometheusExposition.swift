import Prometheus

/// The Prometheus side of the bridge: a registry, the swift-metrics factory writing into it, and its text
/// exposition for `GET /metrics`.
public struct PrometheusExposition: Sendable {
    /// The registry the metrics are kept in.
    public let registry: PrometheusCollectorRegistry
    /// The factory to hand to ``SettlementObservability``.
    public let factory: PrometheusMetricsFactory

    /// Creates a registry of its own (no global bootstrap, so several servers in one process stay apart).
    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The content type of ``render()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The text exposition of every metric.
    ///
    /// - Returns: The Prometheus text format.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
