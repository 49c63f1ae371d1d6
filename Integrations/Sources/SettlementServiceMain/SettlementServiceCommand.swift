import ArgumentParser
import Foundation
import Logging
import Resilience
import SettlementAuth
import SettlementObservability
import SettlementService
import SettlementSync

/// `settlement-service`: the settlement gateway as an HTTP service. Every flag also reads an environment
/// variable (named in its help), so a container is configured by environment alone.
@main
struct SettlementServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settlement-service",
        abstract: "The settlement gateway as an HTTP service.",
        subcommands: [Serve.self, PrintOpenAPI.self, IssueToken.self],
        defaultSubcommand: Serve.self)
}

/// Reads a flag, else its environment variable.
func setting(_ flag: String?, _ variable: String) -> String? {
    flag ?? ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")

    @Option(help: "Listening address (SETTLEMENT_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port; 0 picks a free one (SETTLEMENT_PORT, default 8080).") var port: Int?
    @Option(help: "Journal store directory (SETTLEMENT_JOURNAL_DIR, default ./settlement-journal).")
    var journalDirectory: String?
    @Option(help: "PostgreSQL URL of a store shared by replicas (SETTLEMENT_POSTGRES_URL).") var postgresURL: String?
    @Option(help: "Upstream ETRM endpoint (SETTLEMENT_UPSTREAM_URL).") var upstreamURL: String?
    @Option(help: "HS256 secret of bearer tokens, at least 32 bytes (SETTLEMENT_JWT_HS256_SECRET).")
    var jwtHS256Secret: String?
    @Option(help: "File with the ES256 public key PEM of bearer tokens (SETTLEMENT_JWT_ES256_PUBLIC_KEY_FILE).")
    var jwtES256PublicKeyFile: String?
    @Option(
        help:
            "Without JWT keys, the scope given to every request, e.g. 'desk-7; contracts=*' (SETTLEMENT_FIXED_SCOPE); only behind an authenticating proxy."
    )
    var fixedScope: String?
    @Option(help: "Each desk's sustained requests per second (SETTLEMENT_DESK_RATE, default 100).") var deskRate: Int?
    @Option(help: "Each desk's burst (SETTLEMENT_DESK_BURST, default 200).") var deskBurst: Int?
    @Option(help: "Limit of one upstream attempt in ms (SETTLEMENT_ATTEMPT_TIMEOUT_MS, default 5000).")
    var attemptTimeoutMs: Int?
    @Option(help: "Upstream attempts per instruction (SETTLEMENT_RETRY_ATTEMPTS, default 4).") var retryAttempts: Int?
    @Option(
        help: "Overall time for an instruction's upstream attempts in s (SETTLEMENT_RETRY_BUDGET_SECONDS, default 60).")
    var retryBudgetSeconds: Int?
    @Option(help: "Claim lease in seconds (SETTLEMENT_LEASE_SECONDS, default 600).") var leaseSeconds: Int?
    @Option(help: "Largest request body in bytes (SETTLEMENT_BODY_LIMIT, default 65536).") var bodyLimit: Int?
    @Flag(help: "Start an in-process upstream simulator and print a demo token.") var demo = false

    func run() async throws {
        var logger = Logger(label: "settlement") { JSONLogHandler(label: $0) }
        logger.logLevel = .info
        let configuration = try makeConfiguration()
        let running: SettlementService.Running
        do {
            running = try await SettlementService.start(configuration, logger: logger, signals: [.sigterm, .sigint])
        } catch let error as SettlementServiceError {
            FileHandle.standardError.write(Data("settlement-service: \(error)\n".utf8))
            throw ExitCode(2)
        }
        logger.info(
            "listening", metadata: ["address": "http://\(configuration.host):\(running.port)", "docs": "/docs"])
        if demo, let secret = configuration.hs256Secret {
            let token = try await SettlementTokenIssuer(hs256Secret: secret).token(
                SettlementClaims(
                    subject: "demo", expires: Date().addingTimeInterval(86_400), desk: "DESK-07", contracts: ["DE-*"]))
            // Written at once (standard output may be a pipe, and print would hold it in a buffer).
            FileHandle.standardOutput.write(
                Data(
                    """

                    Demo: an upstream simulator books instructions; a token for desk DESK-07 (contracts DE-*):
                      curl -i http://\(configuration.host):\(running.port)/v1/settlements/sync \\
                        -H 'Authorization: Bearer \(token)' -H 'X-Settlement-Run-ID: SR2025060100000A' \\
                        -H 'Idempotency-Key: demo-1' -H 'Content-Type: application/json' \\
                        -d '\(SettlementOpenAPI.exampleInstruction)'
                      Docs: http://\(configuration.host):\(running.port)/docs  Metrics: /metrics  Ready: /ready

                    """.utf8))
        }
        try await running.wait()
        logger.info("stopped")
    }

    func makeConfiguration() throws -> SettlementServiceConfiguration {
        var configuration = SettlementServiceConfiguration()
        configuration.demo = demo
        configuration.host = setting(host, "SETTLEMENT_HOST") ?? "127.0.0.1"
        configuration.port = try number(port, "SETTLEMENT_PORT") ?? 8080
        if let url = setting(postgresURL, "SETTLEMENT_POSTGRES_URL") {
            configuration.store = .postgres(url: url)
        } else {
            configuration.store = .journal(
                directory: setting(journalDirectory, "SETTLEMENT_JOURNAL_DIR") ?? "settlement-journal")
        }
        configuration.upstreamURL = setting(upstreamURL, "SETTLEMENT_UPSTREAM_URL")
        configuration.hs256Secret = setting(jwtHS256Secret, "SETTLEMENT_JWT_HS256_SECRET")
        if let file = setting(jwtES256PublicKeyFile, "SETTLEMENT_JWT_ES256_PUBLIC_KEY_FILE") {
            guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the ES256 public key file \(file)")
            }
            configuration.es256PublicKeyPEM = pem
        }
        if demo, configuration.hs256Secret == nil, configuration.es256PublicKeyPEM == nil {
            configuration.hs256Secret = (0..<4).map { _ in UUID().uuidString }.joined()
        }
        if let scope = setting(fixedScope, "SETTLEMENT_FIXED_SCOPE") {
            do throws(SettlementSyncError) {
                configuration.fixedScope = try TraderScope(headerValue: scope)
            } catch {
                throw ValidationError("--fixed-scope: \(error.message)")
            }
        }
        var gateway = configuration.gateway
        let rate = try number(deskRate, "SETTLEMENT_DESK_RATE") ?? 100
        let burst = try number(deskBurst, "SETTLEMENT_DESK_BURST") ?? max(200, rate * 2)
        gateway.deskRateLimit = RateLimiterConfiguration(
            name: "settlement.desk.limiter", capacity: burst, refill: rate, per: .seconds(1))
        if let timeout = try number(attemptTimeoutMs, "SETTLEMENT_ATTEMPT_TIMEOUT_MS") {
            gateway.attemptTimeout = .milliseconds(timeout)
        }
        if let attempts = try number(retryAttempts, "SETTLEMENT_RETRY_ATTEMPTS") {
            gateway.retry.maxAttempts = attempts
        }
        if let budget = try number(retryBudgetSeconds, "SETTLEMENT_RETRY_BUDGET_SECONDS") {
            gateway.retry.overallTimeout = .seconds(budget)
        }
        if let lease = try number(leaseSeconds, "SETTLEMENT_LEASE_SECONDS") { gateway.lease = .seconds(lease) }
        configuration.gateway = gateway
        configuration.bodyLimit = try number(bodyLimit, "SETTLEMENT_BODY_LIMIT") ?? configuration.bodyLimit
        return configuration
    }

    private func number(_ flag: Int?, _ variable: String) throws -> Int? {
        if let flag { return flag }
        guard let text = setting(nil, variable) else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(variable) must be an integer (got '\(text)')") }
        return value
    }
}

struct PrintOpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 document (Integrations/openapi.json).")

    func run() { print(SettlementOpenAPI.document, terminator: "") }
}

struct IssueToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Print an HS256 bearer token for a desk (tests, demos, load scripts).")

    @Option(help: "The HS256 secret (SETTLEMENT_JWT_HS256_SECRET).") var secret: String?
    @Option(help: "The desk.") var desk: String
    @Option(help: "Comma-separated contract patterns.") var contracts: String = "*"
    @Option(help: "Lifetime in seconds.") var seconds: Int = 3600

    func run() async throws {
        guard let secret = setting(secret, "SETTLEMENT_JWT_HS256_SECRET") else {
            throw ValidationError("--secret or SETTLEMENT_JWT_HS256_SECRET is required")
        }
        let claims = SettlementClaims(
            subject: desk, expires: Date().addingTimeInterval(Double(seconds)), desk: desk,
            contracts: contracts.split(separator: ",").map(String.init))
        print(try await SettlementTokenIssuer(hs256Secret: secret).token(claims))
    }
}
