import ResilienceTesting
import Testing
import VendorSimulator

/// The outcomes the DocC article `TestingIngestionAgainstTheVendorSimulator` states for its samples.
@Suite struct ArticleSampleTests {
    /// "Time by hand": the first authorised request starts the outage clock; ten seconds later the feed
    /// answers 503 without `Retry-After` and counts one outage request.
    @Test func theOutageWindowOfTheManualClockSampleAnswers200Then503() {
        let clock = ManualClock()
        var windowed = VendorSimulatorConfiguration(port: 0, trades: 3_000, seed: 5, token: "t", faults: [])
        windowed.outageAfter = .seconds(10)
        windowed.outageDuration = .seconds(5)
        let feed = VendorFeed(configuration: windowed, clock: clock)
        let before = feed.respond(to: .trades, query: "limit=10", authorization: "Bearer t")
        clock.advance(by: .seconds(10))
        let during = feed.respond(to: .trades, query: "limit=10", authorization: "Bearer t")
        #expect(before.status == 200)
        #expect(during.status == 503)
        #expect(during.headers["Retry-After"] == nil)
        #expect(feed.statistics.outageRequests == 1)
    }

    /// "In the test's process": `faults(parsing: "all")` turns every fault on, and the configuration is valid.
    @Test func theInProcessSampleConfigurationIsValidWithEveryFault() throws {
        var configuration = VendorSimulatorConfiguration(
            port: 0, trades: 10_000, seed: 42, token: "sim-token",
            faults: try VendorSimulatorConfiguration.faults(parsing: "all"))
        configuration.retryAfterSeconds = 0
        configuration.slowDelay = .milliseconds(20)
        configuration.outageAfter = .seconds(1)
        configuration.outageDuration = .seconds(6)
        #expect(configuration.faults == Set(VendorFault.allCases))
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
