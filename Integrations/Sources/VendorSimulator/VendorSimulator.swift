import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SettlementService
import UnixSignals

/// `etrm-vendor-sim`: a vendor ETRM API over the pipeline's generated trades, for `etrm-pipeline run --url`
/// (the wire protocol is `PROTOCOL.md`; the README of Integrations/ describes the flags).
///
/// | route | answer |
/// |---|---|
/// | `GET /v2/trades?limit=L[&cursor=C][&partition=p&partitions=K]` | a page of `trades.json`'s records |
/// | `GET /v2/broker-volumes?…` | a page of `broker.json`'s records |
/// | `GET /v2/_stats` | the counters (no authentication) |
///
/// ```swift
/// var configuration = VendorSimulatorConfiguration()
/// configuration.port = 0
/// configuration.faults = Set(VendorFault.allCases)
/// let running = try await VendorSimulator.start(configuration, clock: ContinuousClock(), logger: logger)
/// print("http://127.0.0.1:\(running.port)")
/// try await running.stop()
/// ```
public enum VendorSimulator {
    /// A started simulator: its server and its feed (for the counters).
    public struct Running<C: Clock>: Sendable where C.Duration == Duration {
        /// The HTTP server.
        public let server: RunningServer
        /// What the server answers from.
        public let feed: VendorFeed<C>

        /// The port the simulator listens on.
        public var port: Int { server.port }

        /// Waits until the server ends (after a signal or ``stop()``).
        ///
        /// - Throws: The server's error, if it failed.
        public func wait() async throws { try await server.wait() }

        /// Stops the server gracefully.
        ///
        /// - Throws: The server's error, if it failed.
        public func stop() async throws { try await server.stop() }
    }

    /// Generates the feed and starts the server in the background of this process.
    ///
    /// - Parameters:
    ///   - configuration: What to serve, where, and which faults are on.
    ///   - clock: The clock of the outage window and of slow pages (`ContinuousClock()`, or a manual clock in
    ///     tests).
    ///   - logger: The server's logger.
    ///   - signals: Signals that stop the server gracefully (SIGTERM and SIGINT in the executable).
    /// - Returns: The running simulator.
    /// - Throws: ``VendorSimulatorError`` for an invalid configuration; the server's error when it cannot listen.
    public static func start<C: Clock>(
        _ configuration: VendorSimulatorConfiguration, clock: C, logger: Logger, signals: [UnixSignal] = []
    ) async throws -> Running<C> where C.Duration == Duration {
        try configuration.validate()
        let feed = VendorFeed(configuration: configuration, clock: clock)
        let router = Router()
        for resource in VendorResource.allCases {
            router.get(RouterPath(stringLiteral: resource.path)) { request, _ in
                let answer = feed.respond(
                    to: resource, query: request.uri.query, authorization: request.headers[.authorization])
                if answer.delay > .zero { try await clock.sleep(for: answer.delay) }
                return response(answer)
            }
        }
        router.get("/v2/_stats") { _, _ in
            response(
                VendorResponse(
                    status: 200, headers: ["Content-Type": "application/json"],
                    body: Array(feed.statistics.json.utf8), delay: .zero))
        }
        let server = try await RunningServer.start(logger: logger, signals: signals) { onServerRunning in
            Application(
                router: router,
                configuration: .init(
                    address: .hostname(configuration.host, port: configuration.port), serverName: "etrm-vendor-sim"),
                onServerRunning: onServerRunning, logger: logger)
        }
        return Running(server: server, feed: feed)
    }

    private static func response(_ answer: VendorResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
