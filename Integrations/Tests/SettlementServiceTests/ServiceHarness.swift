import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import Resilience
import SettlementAuth
import SettlementObservability
import SettlementService
import SettlementSync
import Synchronization

/// The real service on a free loopback port with a journal in a fresh folder, in front of a real HTTP
/// upstream simulator, and a real AsyncHTTPClient to talk to it.
struct ServiceHarness {
    static let secret = "test-secret-of-at-least-thirty-two-bytes!"
    static let runID = "SR2025060100000A"

    let service: SettlementService.Running
    let upstream: RunningServer
    let simulator: UpstreamSimulator
    let client: HTTPClient
    let journal: String
    let logLines: LogLines

    var base: String { "http://127.0.0.1:\(service.port)" }

    /// Starts everything; `adjust` changes the configuration (limits, retries) first.
    static func start(
        behaviour: @escaping UpstreamSimulator.Behaviour = { _ in .book },
        es256PublicKeyPEM: String? = nil,
        adjust: (inout SettlementServiceConfiguration) -> Void = { _ in }
    ) async throws -> ServiceHarness {
        let logLines = LogLines()
        let logger = Logger(label: "test") { label in
            var handler = JSONLogHandler(label: label) { line in logLines.append(line) }
            handler.logLevel = .info
            return handler
        }
        let simulator = UpstreamSimulator(behaviour: behaviour)
        let upstream = try await simulator.start(logger: logger)
        let journal = FileManager.default.temporaryDirectory.appendingPathComponent("settlement-\(UUID().uuidString)")
            .path
        var configuration = SettlementServiceConfiguration(
            port: 0, store: .journal(directory: journal),
            upstreamURL: "http://127.0.0.1:\(upstream.port)/api/v1/settlements/sync", hs256Secret: secret,
            es256PublicKeyPEM: es256PublicKeyPEM)
        configuration.gateway.retry = RetryConfiguration(
            name: "settlement.upstream.retry", maxAttempts: 2, backoff: .constant(.milliseconds(10)), jitter: .none,
            overallTimeout: .seconds(10), maximumServerDelay: .milliseconds(50))
        configuration.gateway.lease = .seconds(60)
        adjust(&configuration)
        let service = try await SettlementService.start(configuration, logger: logger)
        return ServiceHarness(
            service: service, upstream: upstream, simulator: simulator,
            client: HTTPClient(eventLoopGroupProvider: .singleton),
            journal: journal, logLines: logLines)
    }

    func stop() async throws {
        try await client.shutdown()
        try await service.stop()
        try await upstream.stop()
        try? FileManager.default.removeItem(atPath: journal)
    }

    func token(
        desk: String = "DESK-07", contracts: [String] = ["DE-*"], expires: Date = Date().addingTimeInterval(600)
    )
        async throws -> String
    {
        try await SettlementTokenIssuer(hs256Secret: Self.secret).token(
            SettlementClaims(subject: "tester", expires: expires, desk: desk, contracts: contracts))
    }

    static func instruction(contract: String = "DE-BASE:2025-06", position: String = "-2500.125") -> String {
        #"{"settlement_run_id":"\#(runID)","contract_id":"\#(contract)","position_mwh":\#(position),"settlement_price":87.35,"timestamp_utc":"2025-06-01T12:00:00Z"}"#
    }

    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// Posts an instruction; `token` nil sends no Authorization header.
    func post(
        _ body: String, token: String?, key: String? = nil, runID: String? = ServiceHarness.runID,
        extra: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + SettlementService.settlementPath)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let key { request.headers.add(name: "Idempotency-Key", value: key) }
        if let runID { request.headers.add(name: "X-Settlement-Run-ID", value: runID) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    func get(_ path: String) async throws -> Answer {
        try await send(HTTPClientRequest(url: base + path))
    }

    private func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 1 << 22)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: buffer))
    }
}

/// Log lines captured from the service's logger.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
