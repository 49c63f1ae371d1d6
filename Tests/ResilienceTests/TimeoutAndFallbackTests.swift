import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct TimeoutAndFallbackTests {
    /// r4j #905/#1041: a timeout must cancel the work, not abandon it running.
    @Test func aTimeoutCancelsTheWorkAndThrowsTimedOut() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let timeout = try Timeout(.seconds(5), clock: clock, name: "attempt", observer: events.observer)
        let sawCancellation = Counter()
        let task = Task {
            try await timeout.execute { () -> Int in
                do {
                    try await clock.sleep(for: .seconds(60))
                } catch {
                    sawCancellation.increment()
                    throw error
                }
                return 1
            }
        }
        await clock.waitForSleepers(count: 2)  // the work and the timer
        clock.advance(by: .seconds(5))
        await #expect {
            try await task.value
        } throws: { error in
            (error as? ResilienceError)?.code == .timedOut
        }
        #expect(sawCancellation.current == 1)  // the work was cancelled and finished before the throw
        #expect(clock.sleeperCount == 0)
        #expect(events.names == ["timed_out"])
    }

    @Test func workThatFinishesInTimeReturnsAndTheTimerParksAtItsDeadline() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let task = Task {
            try await timeout.execute { () -> String in
                try await clock.sleep(for: .seconds(4))
                return "done"
            }
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(4))
        #expect(try await task.value == "done")
        #expect(clock.pendingDeadlines == [.init(offset: .seconds(5))])  // the timer, until the deadline
        clock.advance(by: .seconds(1))
        await timeout.scheduler.timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
    }

    @Test func theWorksErrorPassesThrough() async throws {
        let timeout = try Timeout(.seconds(5), clock: ManualClock())
        await #expect(throws: UpstreamError(status: 502)) {
            try await timeout.execute { () -> Int in throw UpstreamError(status: 502) }
        }
    }

    @Test func aCancelledCallerGetsCancellationNotATimeout() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let task = Task { try await timeout.execute { try await clock.sleep(for: .seconds(60)) } }
        await clock.waitForSleepers(count: 2)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.now.offset == .zero)
    }

    @Test func aTimeoutMustBePositive() {
        #expect(throws: ResilienceError.self) { _ = try Timeout(.zero, clock: ManualClock()) }
    }

    @Test func fallbackReplacesTheChosenErrorsOnly() async throws {
        let events = EventStream()
        let fallback = Fallback<String>(
            observer: events.observer, handling: { ($0 as? ResilienceError)?.code == .circuitOpen }
        ) { _ in "queued for later" }
        let open = ResilienceError(code: .circuitOpen, message: "open")
        #expect(try await fallback.execute { throw open } == "queued for later")
        #expect(try await fallback.execute { "sent" } == "sent")
        await #expect(throws: UpstreamError.self) { try await fallback.execute { throw UpstreamError() } }
        await #expect(throws: CancellationError.self) { try await fallback.execute { throw CancellationError() } }
        #expect(events.names == ["fallback_used"])
    }

    @Test func aFallbackRoutesAnOpenBreakersCallsElsewhere() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(1)), clock: clock)
        let queued = Recorder<Int>()
        func submit(_ id: Int) async throws -> String {
            try await Fallback<String>(handling: { ($0 as? ResilienceError)?.code == .circuitOpen }) { _ in
                queued.append(id)
                return "queued"
            }.execute {
                try await breaker.execute { () -> String in
                    if id == 1 { throw UpstreamError(status: 503) }
                    return "submitted"
                }
            }
        }
        await #expect(throws: UpstreamError.self) { try await submit(1) }
        #expect(try await submit(2) == "queued")
        #expect(queued.values == [2])
    }
}
