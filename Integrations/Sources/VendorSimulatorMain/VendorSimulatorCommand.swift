import ArgumentParser
import ETRMSampleFeed
import Foundation
import Logging
import VendorSimulator

/// `etrm-vendor-sim`: serves the pipeline's generated trades as a paginated vendor API with faults.
@main
struct VendorSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etrm-vendor-sim",
        abstract: "A vendor ETRM API over `etrm-pipeline generate`'s trades, with a seeded fault profile.",
        discussion: """
            Serves GET /v2/trades and /v2/broker-volumes (cursor pages, partitions, a bearer token) and
            GET /v2/_stats. Prints 'listening on http://HOST:PORT' once it accepts connections.
            """)

    @Option(help: "Listening address.") var host = "127.0.0.1"
    @Option(help: "Port; 0 picks a free one.") var port = 8090
    @Option(help: "Records of trades.json, as `etrm-pipeline generate --trades`.") var trades = 100_000
    @Option(help: "The generator's seed, as `etrm-pipeline generate --seed`; it also fixes the faults.")
    var seed: UInt64 = 42
    @Option(help: "The bearer token data requests must carry.") var token = "sim-token"
    @Option(
        help: "all, none, or a comma-separated list of throttle, unavailable, slow, truncated, malformed, duplicate.")
    var faults = "none"
    @Option(help: "Share of pages getting each page fault, besides one page per fault that always does.")
    var faultRate = 0.02
    @Option(help: "The wait of a slow page in milliseconds.") var slowMs = 250
    @Option(help: "The delay Retry-After asks for, in seconds.") var retryAfter = 1
    @Option(help: "Open an outage window this many seconds after the first authorised data request.")
    var outageAfter: Double?
    @Option(help: "Length of the outage window in seconds.") var outageDuration: Double = 5
    @Option(help: "Page I of partition 0 of /v2/trades is malformed on every request.") var poisonCursorIndex: Int?

    func run() async throws {
        // Log lines go to standard error; standard output carries the 'listening on' line alone.
        var logger = Logger(label: "etrm-vendor-sim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .notice
        var configuration = VendorSimulatorConfiguration(
            port: port, trades: trades, seed: seed, token: token, faults: [])
        do throws(VendorSimulatorError) {
            configuration.faults = try VendorSimulatorConfiguration.faults(parsing: faults)
        } catch {
            throw ValidationError(error.message)
        }
        configuration.host = host
        configuration.faultRate = faultRate
        configuration.slowDelay = .milliseconds(slowMs)
        configuration.retryAfterSeconds = retryAfter
        configuration.outageAfter = outageAfter.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        configuration.outageDuration = .milliseconds(Int64((outageDuration * 1000).rounded()))
        configuration.poisonPageIndex = poisonCursorIndex
        do throws(VendorSimulatorError) { try configuration.validate() } catch { throw ValidationError(error.message) }
        let running = try await VendorSimulator.start(
            configuration, clock: ContinuousClock(), logger: logger, signals: [.sigterm, .sigint])
        // Written at once: standard output is often a pipe a script reads the port from.
        FileHandle.standardOutput.write(
            Data(
                ("listening on http://\(host):\(running.port) (\(running.feed.feed.count(.trades)) trades, "
                    + "\(running.feed.feed.count(.brokerVolumes)) broker volumes, seed \(seed), faults \(faults))\n")
                    .utf8))
        try await running.wait()
    }
}
