import Resilience
import Testing

/// `Timeout` on `ContinuousClock`: the production timer path (real instants, a real sleep that parks when it
/// ends), with the same behaviour the manual-clock tests pin down. The test itself never sleeps; only the timer
/// under test does, for 50 ms at a time.
@Suite struct TimeoutContinuousClockTests {
    @Test func expiresWorkThatWaitsForeverAndReturnsWorkThatFinishes() async throws {
        let timeout = try Timeout(.milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            try await timeout.execute { () -> Int in
                try await Task.sleep(for: .seconds(3_600))  // ends only when the timeout cancels it
                return 0
            }
        } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        let waited = start.duration(to: clock.now)
        #expect(waited >= .milliseconds(50))
        // Cancelled by the timer, not by the hour-long sleep. The bound is loose: on a loaded machine the
        // cooperative pool (one thread a core) can be busy with other tests for a minute or more.
        #expect(waited < .seconds(900))
        // The same timeout, reused right away: quick work returns its value and leaves nothing pending.
        for value in 1...100 { #expect(try await timeout.execute { value } == value) }
        #expect(timeout.scheduler.pendingCount == 0)
        let timer = timeout.scheduler.timer
        #expect(timer.startedTimers == 1)  // the 100 calls reused the timer of the first call
        await timer.waitUntilParked()  // its sleep ends within 50 ms of the last call's start
        #expect(timer.runningTimers == 1)
        #expect(timer.isParked)
    }
}
