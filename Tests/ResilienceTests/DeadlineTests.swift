import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

/// A clock whose instants are 24 bytes, too wide for the deadline's inline bits: exercises the boxed path.
struct WideClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        var epoch: Int64 = 7
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration, epoch: epoch) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }
    let base = ManualClock()
    var now: Instant { Instant(offset: base.now.offset) }
    var minimumResolution: Duration { .zero }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await base.sleep(until: .init(offset: deadline.offset), tolerance: tolerance)
    }
}

/// A clock whose instants are one `Int128` of nanoseconds: 16 bytes with 16-byte alignment, kept as the
/// deadline's inline bits, which are only 8-byte aligned (read back with `loadUnaligned`).
struct TickClock: Clock {
    struct Instant: InstantProtocol {
        var ticks: Int128
        func advanced(by duration: Duration) -> Instant {
            Instant(ticks: ticks + Int128(duration.components.seconds) * 1_000_000_000)
        }
        func duration(to other: Instant) -> Duration { .nanoseconds(Int64(other.ticks - ticks)) }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.ticks < rhs.ticks }
    }
    var now: Instant { Instant(ticks: 1 << 70) }
    var minimumResolution: Duration { .zero }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}

@Suite(.timeLimit(.minutes(1))) struct DeadlineTests {
    @Test func theWorkSeesTheDeadlineAndNestedLimitsKeepTheEarliest() async throws {
        let clock = ManualClock()
        let pipeline = try ResiliencePipeline(clock: clock).deadline(.seconds(60)).deadline(.seconds(10))
        let seen = try await pipeline.execute { TaskDeadline.remaining(on: clock) }
        #expect(seen == .seconds(10))
        // An inner limit longer than what is left of the outer one does not extend it.
        let long = try Deadline(.seconds(90), clock: clock)
        let outer = try Deadline(.seconds(30), clock: clock)
        let nested = try await outer.execute { try await long.execute { TaskDeadline.current(on: clock) } }
        #expect(nested == clock.now.advanced(by: .seconds(30)))
        // Outside every deadline there is none.
        #expect(TaskDeadline.current(on: clock) == nil)
        #expect(TaskDeadline.remaining(on: clock) == nil)
    }

    @Test func aCallThatStartsAfterTheDeadlineIsRefusedWithoutRunning() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let attempt = try Deadline(.seconds(10), clock: clock, name: "attempt", observer: events.observer)
        let runs = Counter()
        let passed = clock.now.advanced(by: .seconds(5))
        clock.advance(by: .seconds(6))
        await #expect {
            try await TaskDeadline.withDeadline(passed, on: clock) {
                try await attempt.execute { runs.increment() }
            }
        } throws: { error in
            (error as? ResilienceError)?.code == .timedOut
        }
        #expect(runs.current == 0)
        #expect(events.names == ["timed_out"])
    }

    @Test func theWorkIsNotCancelledAndItsResultIsReturnedAfterTheDeadline() async throws {
        let clock = ManualClock()
        let deadline = try Deadline(.seconds(5), clock: clock)
        let task = Task {
            try await deadline.execute { () -> String in
                try await clock.sleep(for: .seconds(8))
                return Task.isCancelled ? "cancelled" : "finished late"
            }
        }
        await clock.waitForSleepers(count: 1)
        #expect(clock.sleeperCount == 1)  // no timer: a deadline costs no task
        clock.advance(by: .seconds(8))
        #expect(try await task.value == "finished late")
    }

    @Test func checkThrowsOnceTheDeadlineHasPassed() async throws {
        let clock = ManualClock()
        let deadline = try Deadline(.seconds(5), clock: clock)
        let pagesDone = try await deadline.execute { () -> Int in
            var pages = 0
            do {
                while true {
                    try TaskDeadline.check(on: clock)
                    pages += 1
                    clock.advance(by: .seconds(2))  // each page takes 2 s
                }
            } catch {
                #expect((error as? ResilienceError)?.code == .timedOut)
            }
            return pages
        }
        #expect(pagesDone == 3)  // pages start at 0, 2 and 4 s; the check at 6 s stops the loop
    }

    /// tenacity PR #423: a retry must never sleep past the deadline it runs under, nor schedule an attempt for
    /// the deadline instant itself (it would have no time at all). Attempts fail every 5 s.
    @Test(arguments: [
        (deadline: 12, attempts: 3, stoppedAt: 10),  // attempts at 0, 5, 10 s; a wait to 15 s would cross 12 s
        (deadline: 10, attempts: 2, stoppedAt: 5),  // attempts at 0, 5 s; the next would start at the deadline
    ])
    func aRetryInsideADeadlineGivesUpInsteadOfSleepingToIt(deadline: Int, attempts: Int, stoppedAt: Int) async throws {
        let clock = ManualClock()
        let events = EventStream()
        let pipeline = try ResiliencePipeline(clock: clock)
            .deadline(.seconds(deadline))
            .retry(.init(maxAttempts: 10, backoff: .constant(.seconds(5)), jitter: .none, observer: events.observer))
        let made = Counter()
        let task = Task {
            try await pipeline.execute { () -> Int in
                made.increment()
                throw UpstreamError(status: 503)
            }
        }
        let driver = Task { await events.driveRetries(on: clock) }
        await #expect(throws: UpstreamError(status: 503)) { try await task.value }
        events.continuation.finish()
        await driver.value
        #expect(made.current == attempts)
        #expect(clock.now.offset == .seconds(stoppedAt))
        #expect(clock.sleeperCount == 0)
        let gaveUp = events.recorder.values.last
        #expect(gaveUp?.kind == .retryGaveUp)
        #expect(gaveUp?.giveUpReason == .deadlineWouldBeExceeded)
    }

    @Test func aLimiterRefusesAWaitThatWouldReachTheDeadlineAndKeepsItsTokens() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(
            .init(capacity: 1, refill: 1, per: .seconds(10), maximumWait: .seconds(30)), clock: clock)
        try await limiter.execute {}  // the only token
        let deadline = try Deadline(.seconds(4), clock: clock)
        let runs = Counter()
        await #expect {
            try await deadline.execute { try await limiter.execute { runs.increment() } }
        } throws: { error in
            let error = error as? ResilienceError
            return error?.code == .rateLimited && error?.retryAfter == .seconds(10)
        }
        #expect(runs.current == 0)
        #expect(clock.sleeperCount == 0)  // refused up front, not after a wait
        #expect(limiter.metrics.rejected == 1)
        #expect(limiter.metrics.waited == 0)
        // The refused reservation was given back: the next token still comes 10 s after the first was taken.
        clock.advance(by: .seconds(10))
        #expect(limiter.availableTokens == 1)
        // Without the deadline the same wait is taken.
        let waiter = Task { _ = try await limiter.execute { runs.increment() } }
        try await limiter.execute {}
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        try await waiter.value
        #expect(runs.current == 1)
    }

    @Test func aQueuedBulkheadCallStopsWaitingAtTheDeadlineAndLeaksNoPermit() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(.init(maxConcurrent: 1, maxQueue: 4, maximumQueueWait: .seconds(30)), clock: clock)
        let holder = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(10)) } }
        await clock.waitForSleepers(count: 1)
        let deadline = try Deadline(.seconds(3), clock: clock)
        let runs = Counter()
        let waiter = Task { try await deadline.execute { try await bulkhead.execute { runs.increment() } } }
        await clock.waitForSleepers(count: 2)  // the holder and the waiter's timer
        try #require(clock.nextDeadline?.offset == .seconds(3))  // the deadline, not the 30 s maximum
        clock.advance(by: .seconds(3))
        await #expect {
            try await waiter.value
        } throws: { error in
            (error as? ResilienceError)?.code == .bulkheadQueueTimeout
        }
        #expect(runs.current == 0)
        clock.advance(by: .seconds(7))
        try await holder.value
        #expect(bulkhead.metrics.inUse == 0)
        #expect(bulkhead.metrics.queued == 0)
        #expect(bulkhead.metrics.timedOut == 1)
    }

    @Test func aTimeoutGivesItsWorkTheDeadlineToo() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(8), clock: clock)
        #expect(try await timeout.execute { TaskDeadline.remaining(on: clock) } == .seconds(8))
        // Inside a shorter deadline the timeout's work sees the shorter one.
        let deadline = try Deadline(.seconds(3), clock: clock)
        let seen = try await deadline.execute { try await timeout.execute { TaskDeadline.remaining(on: clock) } }
        #expect(seen == .seconds(3))
    }

    @Test func aBatchUnderADeadlineGivesEveryPageTheSameDeadline() async throws {
        let clock = ManualClock()
        let batch = try Deadline(.seconds(30), clock: clock)
        let attempt = try Deadline(.seconds(10), clock: clock)
        let seen = try await batch.execute {
            try await mapConcurrently(1...12, maxConcurrent: 3) { _ in
                // Child tasks inherit the batch's deadline; each page's own limit is nested inside it.
                (TaskDeadline.current(on: clock), try await attempt.execute { TaskDeadline.current(on: clock) })
            }
        }
        #expect(seen.count == 12)
        #expect(seen.allSatisfy { $0.0 == clock.now.advanced(by: .seconds(30)) })
        #expect(seen.allSatisfy { $0.1 == clock.now.advanced(by: .seconds(10)) })
    }

    @Test func deadlinesOfAnotherClockTypeAreNotSeen() async throws {
        let manual = ManualClock()
        let continuous = ContinuousClock()
        let deadline = try Deadline(.seconds(5), clock: continuous)
        let seen = try await deadline.execute {
            (TaskDeadline.current(on: manual), TaskDeadline.remaining(on: continuous))
        }
        #expect(seen.0 == nil)
        let left = try #require(seen.1)
        #expect(left > .zero && left <= .seconds(5))
    }

    @Test func wideInstantsAreKeptAsWell() async throws {
        let clock = WideClock()
        let deadline = try Deadline(.seconds(5), clock: clock)
        let seen = try await deadline.execute {
            try await Deadline(.seconds(9), clock: clock).execute {
                TaskDeadline.current(on: clock)
            }
        }
        #expect(seen == WideClock.Instant(offset: .seconds(5)))
        #expect(TaskDeadline.current(on: clock.base) == nil)
        clock.base.advance(by: .seconds(6))
        await #expect(throws: ResilienceError.self) {
            try await TaskDeadline.withDeadline(WideClock.Instant(offset: .seconds(5)), on: clock) {
                try await deadline.execute {}
            }
        }
    }

    @Test func overAlignedInstantsRoundTrip() async throws {
        let clock = TickClock()
        #expect(MemoryLayout<TickClock.Instant>.alignment == 16)
        let seen = try await Deadline(.seconds(3), clock: clock).execute { TaskDeadline.current(on: clock) }
        #expect(seen == TickClock.Instant(ticks: (1 << 70) + 3_000_000_000))
    }

    @Test func aDeadlineMustBePositive() {
        #expect(throws: ResilienceError.self) { _ = try Deadline(.zero, clock: ManualClock()) }
        #expect(throws: ResilienceError.self) {
            _ = try ResiliencePipeline(clock: ManualClock()).deadline(.seconds(-1))
        }
    }
}
