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

    @Test func workThatFinishesInTimeReturnsAndLeavesNothingForTheTimer() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let timeout = try Timeout(.seconds(5), clock: clock, observer: events.observer)
        let task = Task {
            try await timeout.execute { () -> String in
                try await clock.sleep(for: .seconds(4))
                return "done"
            }
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(4))
        #expect(try await task.value == "done")
        // The shared timer still sleeps until the finished call's deadline; no call is pending when it wakes.
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(clock.sleeperCount == 0)
        #expect(events.names.isEmpty)
    }

    @Test func concurrentCallsShareOneTimerAndEachTimesOutAtItsOwnDeadline() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let timeout = try Timeout(.seconds(5), clock: clock, observer: events.observer)
        let cancelled = Counter()
        @Sendable func hang() async throws -> Int {
            do { try await clock.sleep(for: .seconds(3600)) } catch {
                cancelled.increment()
                throw error
            }
            return 0
        }
        let first = Task { try await timeout.execute { try await hang() } }
        let second = Task { try await timeout.execute { try await hang() } }
        await clock.waitForSleepers(count: 3)  // two hung calls and one timer
        clock.advance(by: .seconds(3))
        let third = Task { try await timeout.execute { try await hang() } }  // deadline 8 s
        await clock.waitForSleepers(count: 4)
        clock.advance(by: .seconds(2))  // 5 s: the first two expire
        for task in [first, second] {
            await #expect { try await task.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        }
        #expect(cancelled.current == 2)
        await clock.waitForSleepers(count: 2)  // the third call and the timer, asleep until 8 s
        clock.advance(by: .seconds(3))
        await #expect { try await third.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        #expect(cancelled.current == 3)
        #expect(events.names == ["timed_out", "timed_out", "timed_out"])
    }

    @Test func aHungCallTimesOutBehindManyFinishedCalls() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let hung = Task { try await timeout.execute { try await clock.sleep(for: .seconds(3600)) } }
        await clock.waitForSleepers(count: 2)
        // 3000 calls finish in time while the hung call holds the front of the deadline queue.
        var sum = 0
        for value in 1...3000 { sum += try await timeout.execute { value } }
        #expect(sum == 3000 * 3001 / 2)
        clock.advance(by: .seconds(5))
        await #expect { try await hung.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        // The timer parked with an empty queue; the next call wakes it and still times out.
        let again = Task { try await timeout.execute { try await clock.sleep(for: .seconds(3600)) } }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(5))
        await #expect { try await again.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
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
