import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Idempotency
import IdempotencyPostgres
import Logging
import NIOCore
import PostgresNIO
import Resilience
import ServiceLifecycle
import SettlementAuth
import SettlementHTTPUpstream
import SettlementHummingbird
import SettlementObservability
import SettlementSync
import Synchronization
import UnixSignals

/// The settlement service: the gateway behind Hummingbird with JWT authentication, the AsyncHTTPClient
/// upstream, JSON logs, Prometheus metrics and the operational endpoints.
///
/// | route | answer |
/// |---|---|
/// | `POST /v1/settlements/sync` | the gateway (see the OpenAPI document) |
/// | `GET /health` | 200 while the process serves |
/// | `GET /ready` | 200 when the store is reachable and the breaker is not open, else 503; JSON with the breaker state and the last processed request's time |
/// | `GET /metrics` | Prometheus text |
/// | `GET /openapi.json` | the OpenAPI 3.1 document |
/// | `GET /docs` | the document as a self-contained HTML page |
public enum SettlementService {
    /// The path instructions are posted to.
    public static let settlementPath = "/v1/settlements/sync"

    /// A started service and what it owns.
    public struct Running: Sendable {
        /// The HTTP server.
        public let server: RunningServer
        /// The demo upstream, when the configuration asked for one.
        public let simulator: RunningServer?
        /// The bridge's Prometheus registry.
        public let metrics: PrometheusExposition
        fileprivate let cleanup: @Sendable () async -> Void

        /// The port the service listens on.
        public var port: Int { server.port }

        /// Runs until a shutdown signal ended the server, then closes the upstream client and the store.
        ///
        /// - Throws: The server's error, if it failed.
        public func wait() async throws {
            do { try await server.wait() } catch {
                await cleanup()
                throw error
            }
            await cleanup()
            try await simulator?.stop()
        }

        /// Stops accepting, lets in-flight requests finish (so their keys are completed or released), then
        /// closes the upstream client and the store.
        ///
        /// - Throws: The server's error, if it failed.
        public func stop() async throws {
            do { try await server.stop() } catch {
                await cleanup()
                throw error
            }
            await cleanup()
            try await simulator?.stop()
        }
    }

    /// Starts the service in the background of this process (tests, the demo).
    ///
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - logger: The JSON request log and the server's own lines.
    ///   - signals: Signals that shut the service down gracefully (none in tests; SIGTERM and SIGINT in the
    ///     executable).
    /// - Returns: The running service.
    /// - Throws: ``SettlementServiceError`` for an invalid configuration or an unavailable store.
    public static func start(
        _ configuration: SettlementServiceConfiguration, logger: Logger, signals: [UnixSignal] = []
    ) async throws -> Running {
        var configuration = configuration
        var simulator: RunningServer?
        if configuration.demo, configuration.upstreamURL == nil {
            let running = try await UpstreamSimulator().start(logger: logger)
            simulator = running
            configuration.upstreamURL = "http://127.0.0.1:\(running.port)/api/v1/settlements/sync"
        }
        switch configuration.store {
        case .journal(let directory):
            let store: JournalIdempotencyStore<WallClock>
            do throws(IdempotencyError) {
                store = try JournalIdempotencyStore(directory: directory)
            } catch {
                throw SettlementServiceError(
                    code: .storeUnavailable, message: "journal \(directory): \(error.message)", cause: error)
            }
            let check: @Sendable () async -> Bool = { FileManager.default.isWritableFile(atPath: directory) }
            return try await start(
                configuration, store: store, storeCheck: check, closeStore: { await store.close() },
                simulator: simulator, logger: logger, signals: signals)
        case .postgres(let url):
            let database = try await PostgresStore.open(url: url, logger: logger)
            return try await start(
                configuration, store: database.store, storeCheck: database.isReachable, closeStore: database.close,
                simulator: simulator, logger: logger, signals: signals)
        }
    }

    /// Starts the service over a store of the caller's.
    ///
    /// - Parameters:
    ///   - configuration: The settings (its `store` is not used).
    ///   - store: The idempotency store.
    ///   - storeCheck: Whether the store is reachable, for `/ready`.
    ///   - closeStore: Closes the store after the server stopped.
    ///   - simulator: A demo upstream to stop with the service.
    ///   - logger: The logger.
    ///   - signals: Signals that shut the service down gracefully.
    /// - Returns: The running service.
    /// - Throws: ``SettlementServiceError`` for an invalid configuration.
    public static func start<Store: IdempotencyStore>(
        _ configuration: SettlementServiceConfiguration, store: Store, storeCheck: @escaping @Sendable () async -> Bool,
        closeStore: @escaping @Sendable () async -> Void, simulator: RunningServer? = nil, logger: Logger,
        signals: [UnixSignal] = []
    ) async throws -> Running {
        guard let upstreamURL = configuration.upstreamURL else {
            await closeStore()
            throw SettlementServiceError(
                code: .invalidConfiguration, message: "an upstream URL is required (or --demo)")
        }
        let authenticator: SettlementAuthenticator?
        if configuration.hs256Secret != nil || configuration.es256PublicKeyPEM != nil {
            do throws(SettlementAuthError) {
                authenticator = try await SettlementAuthenticator(
                    hs256Secret: configuration.hs256Secret, es256PublicKeyPEM: configuration.es256PublicKeyPEM)
            } catch {
                await closeStore()
                throw SettlementServiceError(code: .invalidConfiguration, message: error.message, cause: error)
            }
        } else if configuration.fixedScope != nil {
            authenticator = nil
        } else {
            await closeStore()
            throw SettlementServiceError(
                code: .invalidConfiguration,
                message: "configure a JWT key (HS256 secret or ES256 public key), or a fixed scope behind a proxy")
        }
        let metrics = PrometheusExposition()
        let observability = SettlementObservability(logger: logger, factory: metrics.factory)
        let tracker = ActivityTracker(next: observability)
        var gatewayConfiguration = configuration.gateway
        gatewayConfiguration.retry.observer = observability
        gatewayConfiguration.breaker.observer = observability
        let client = HTTPSettlementUpstream.makeClient(maximumConnections: configuration.upstreamConnections)
        let upstream = HTTPSettlementUpstream(url: upstreamURL, client: client)
        let gateway: SettlementGateway<ContinuousClock, Store, HTTPSettlementUpstream>
        do throws(SettlementSyncError) {
            gateway = try SettlementGateway(
                store: store, upstream: upstream, configuration: gatewayConfiguration, auditObserver: tracker)
        } catch {
            try? await client.shutdown()
            await closeStore()
            throw SettlementServiceError(code: .invalidConfiguration, message: error.message, cause: error)
        }
        let responder = SettlementResponder(
            handle: gateway.handle, authenticator: authenticator, fixedScope: configuration.fixedScope,
            bodyLimit: configuration.bodyLimit, auditObserver: tracker,
            problemTypePrefix: gatewayConfiguration.problemTypePrefix)
        let router = Router()
        router.addSettlementRoute(RouterPath(stringLiteral: settlementPath), responder: responder)
        addOperationalRoutes(
            to: router, breaker: gateway.breaker, storeCheck: storeCheck, tracker: tracker, metrics: metrics)
        let server: RunningServer
        do {
            server = try await RunningServer.start(logger: logger, signals: signals) { onServerRunning in
                Application(
                    router: router,
                    configuration: .init(
                        address: .hostname(configuration.host, port: configuration.port),
                        serverName: "settlement-service"),
                    onServerRunning: onServerRunning, logger: logger)
            }
        } catch {
            try? await client.shutdown()
            await closeStore()
            throw error
        }
        return Running(
            server: server, simulator: simulator, metrics: metrics,
            cleanup: {
                try? await client.shutdown()
                await closeStore()
            })
    }

    private static func addOperationalRoutes(
        to router: Router<BasicRequestContext>, breaker: CircuitBreaker<ContinuousClock>,
        storeCheck: @escaping @Sendable () async -> Bool, tracker: ActivityTracker, metrics: PrometheusExposition
    ) {
        router.get("/health") { _, _ in json(200, #"{"status":"alive"}"#) }
        router.get("/ready") { _, _ in
            let reachable = await storeCheck()
            let state = breaker.state
            let ready = reachable && state != .open && state != .forcedOpen
            let last = tracker.lastProcessed.map { "\"\($0)\"" } ?? "null"
            return json(
                ready ? 200 : 503,
                "{\"status\":\"\(ready ? "ready" : "not_ready")\",\"store\":\"\(reachable ? "reachable" : "unreachable")\","
                    + "\"breaker\":\"\(state)\",\"last_processed_at\":\(last)}")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: PrometheusExposition.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("/openapi.json") { _, _ in json(200, SettlementOpenAPI.document) }
        router.get("/docs") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: SettlementDocsPage.html)))
        }
    }

    private static func json(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Passes audit events on and remembers when the last request was processed (for `/ready`).
final class ActivityTracker: SettlementAuditObserver {
    private let next: any SettlementAuditObserver
    private let lastMilliseconds = Atomic<Int64>(0)

    init(next: any SettlementAuditObserver) { self.next = next }

    func record(_ event: SettlementAuditEvent) {
        lastMilliseconds.store(Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
        next.record(event)
    }

    /// The last processed request's time in ISO 8601 UTC, or `nil` before the first.
    var lastProcessed: String? {
        let milliseconds = lastMilliseconds.load(ordering: .relaxed)
        guard milliseconds > 0 else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
