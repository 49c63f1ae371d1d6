import ETRMShared
import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

/// The shared timer behind ``Timeout``, on the manual clock: every deadline fires at its instant, finished
/// calls leave nothing pending, one timer task serves every call (an idle timer finishes its sleep and then
/// parks without a sleep on the clock), and the timer ends with the last copy of its timeout.
@Suite struct TimeoutSchedulerTests {
    @Test func expiryCancelsTheWorkThrowsTimedOutAndParksTheTimer() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let cancelledAt = Recorder<Duration>()
        let task = Task {
            try await timeout.execute { () -> Int in
                do { try await clock.sleep(for: .seconds(60)) } catch {
                    cancelledAt.append(clock.now.offset)
                    throw error
                }
                return 1
            }
        }
        await clock.waitForSleepers(count: 2)  // the work and the timer
        #expect(clock.pendingDeadlines == [.init(offset: .seconds(5)), .init(offset: .seconds(60))])
        #expect(clock.advanceToNextDeadline() == .init(offset: .seconds(5)))
        await #expect { try await task.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        #expect(cancelledAt.values == [.seconds(5)])
        #expect(timeout.scheduler.pendingCount == 0)
        await timeout.scheduler.timer.waitUntilParked()
        #expect(timeout.scheduler.timer.runningTimers == 1)
        #expect(timeout.scheduler.timer.parkings == (parked: 1, resumed: 0))
        #expect(clock.sleeperCount == 0)
    }

    @Test func callsThatFinishInTimeShareOneTimerWhoseSleepEndsAtTheFirstDeadline() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let timeout = try Timeout(.seconds(5), clock: clock, observer: events.observer)
        for value in 1...200 {
            #expect(try await timeout.execute { value * 2 } == value * 2)
            #expect(timeout.scheduler.pendingCount == 0)
            // The first call set the timer asleep until its deadline; no call ends or adds a sleep.
            if value == 1 { await clock.waitForSleepers(count: 1) }
            #expect(clock.pendingDeadlines == [.init(offset: .seconds(5))])
        }
        let timer = timeout.scheduler.timer
        #expect(timer.startedTimers == 1)  // not one task per call
        #expect(timer.parkings == (parked: 0, resumed: 0))
        clock.advance(by: .seconds(5))
        await timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
        #expect(timer.runningTimers == 1)
        #expect(timer.parkings == (parked: 1, resumed: 0))
        clock.advance(by: .seconds(10))
        #expect(events.names.isEmpty)
    }

    @Test func anIdleTimerParksWithoutASleeperAndResumesForTheNextCall() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let timer = timeout.scheduler.timer
        #expect(try await timeout.execute { 1 } == 1)
        await clock.waitForSleepers(count: 1)  // the timer, until the call's deadline although it has finished
        clock.advance(by: .seconds(5))
        await timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
        #expect(timer.parkings == (parked: 1, resumed: 0))
        // The next call resumes the parked timer, which sleeps towards the new deadline: no new task.
        let hung = Task {
            try await timeout.execute { () -> Int in
                try await clock.sleep(for: .seconds(60))
                return 0
            }
        }
        await clock.waitForSleepers(count: 2)  // the work and the resumed timer
        #expect(clock.pendingDeadlines == [.init(offset: .seconds(10)), .init(offset: .seconds(65))])
        #expect(timer.startedTimers == 1)
        #expect(timer.parkings == (parked: 1, resumed: 1))
        clock.advance(to: .init(offset: .seconds(10)))
        await #expect { try await hung.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        await timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
        #expect(timer.startedTimers == 1)
        #expect(timer.parkings == (parked: 2, resumed: 1))
    }

    /// A timeout whose one call returned at once: its timer's view, for watching the timer after the timeout
    /// itself is gone (the timer task holds the state, not the timeout).
    static func timerOfADroppedTimeout(on clock: ManualClock, parked: Bool) async throws -> TimeoutTimer<ManualClock> {
        let timeout = try Timeout(.seconds(5), clock: clock)
        #expect(try await timeout.execute { 1 } == 1)
        await clock.waitForSleepers(count: 1)  // the idle timer's sleep
        if parked {
            clock.advance(by: .seconds(5))
            await timeout.scheduler.timer.waitUntilParked()
        }
        #expect(timeout.scheduler.timer.runningTimers == 1)
        return timeout.scheduler.timer
    }

    @Test(arguments: [true, false])
    func theTimerEndsWithTheLastCopyOfItsTimeoutParkedOrAsleep(parked: Bool) async throws {
        let clock = ManualClock()
        let timer = try await Self.timerOfADroppedTimeout(on: clock, parked: parked)
        await timer.waitForTimersToEnd()
        #expect(timer.runningTimers == 0)
        #expect(timer.startedTimers == 1)
        // An idle sleep is cancelled with the timeout: it leaves the clock without time moving.
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == (parked ? .seconds(5) : .zero))
        #expect(timer.parkings == (parked: parked ? 1 : 0, resumed: 0))
    }

    @Test func aShorterLaterCallFiresFirstAndTheLongerOneStillFiresOnTime() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(10), clock: clock)
        let cancelledAt = Recorder<Duration>()
        @Sendable func hang() async throws {
            do { try await clock.sleep(for: .seconds(3600)) } catch {
                cancelledAt.append(clock.now.offset)
                throw error
            }
        }
        let long = Task { try await timeout.execute { try await hang() } }
        await clock.waitForSleepers(count: 2)
        let short = Task { try await timeout.execute(within: .seconds(2)) { try await hang() } }
        // The first timer sleeps towards 10 s; the 2 s call replaces it with one that sleeps towards 2 s.
        await clock.waitForSleepers(count: 3)
        #expect(clock.nextDeadline == .init(offset: .seconds(2)))
        clock.advance(to: .init(offset: .seconds(2)))
        await #expect { try await short.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        await clock.waitForSleepers(count: 2)  // the long call and the timer, now towards 10 s
        #expect(clock.nextDeadline == .init(offset: .seconds(10)))
        clock.advance(to: .init(offset: .seconds(10)))
        await #expect { try await long.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        #expect(cancelledAt.values == [.seconds(2), .seconds(10)])
        await timeout.scheduler.timer.waitUntilParked()
        #expect(timeout.scheduler.timer.runningTimers == 1)  // the replaced timer ended, its replacement parked
        #expect(timeout.scheduler.timer.startedTimers == 2)
    }

    @Test func aPerCallLimitMustBePositive() async throws {
        let timeout = try Timeout(.seconds(5), clock: ManualClock())
        await #expect { try await timeout.execute(within: .zero) { 1 } } throws: {
            ($0 as? ResilienceError)?.code == .invalidConfiguration
        }
    }

    /// 1000 concurrent calls, each with a random limit and random work: every call that outlives its limit is
    /// cancelled at exactly its deadline, every other one returns at exactly its work's end.
    @Test(arguments: [UInt64(1), 2])
    func aThousandConcurrentTimeoutsEachFireExactlyWhenDue(seed: UInt64) async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(1000), clock: clock)
        var random = SeededGenerator(seed: seed)
        let calls = 1000
        // Limits and work lengths in whole milliseconds, never equal (a tie would be ambiguous).
        let plans: [(limit: Int, work: Int)] = (0..<calls).map { _ in
            let limit = Int.random(in: 1...2_000, using: &random)
            var work = Int.random(in: 1...2_000, using: &random)
            if work == limit { work += 1 }
            return (limit, work)
        }
        let outcomes = Recorder<(call: Int, timedOut: Bool, at: Duration)>()
        let done = Progress()
        let entered = Progress()
        for (call, plan) in plans.enumerated() {
            Task {
                do {
                    let at = try await timeout.execute(within: .milliseconds(plan.limit)) { () -> Duration in
                        entered.advance()  // registered, with its deadline read at 0
                        do { try await clock.sleep(for: .milliseconds(plan.work)) } catch {
                            outcomes.append((call, true, clock.now.offset))
                            throw error
                        }
                        return clock.now.offset
                    }
                    outcomes.append((call, false, at))
                } catch let error as ResilienceError where error.code == .timedOut {
                    // Recorded by the work when it saw the cancellation.
                }
                done.advance()
            }
        }
        await entered.wait(until: calls)
        await clock.waitForSleepers(count: calls + 1)
        // Registrations with earlier limits replaced the timer; wait until the replaced ones have ended and
        // exactly every work and the one current timer sleep (no real time passes: the loop only yields).
        var turns = 0
        while timeout.scheduler.timer.runningTimers != 1 || clock.sleeperCount != calls + 1, turns < 1_000_000 {
            await Task.yield()
            turns += 1
        }
        #expect(clock.sleeperCount == calls + 1)
        // Step through every instant something is due, waiting each time for the calls due then to finish
        // and for the timer to sleep again before time moves on.
        let ends = plans.map { min($0.limit, $0.work) }
        while let next = clock.nextDeadline {
            clock.advance(to: next)
            let finished = ends.filter { .milliseconds($0) <= next.offset }.count
            await done.wait(until: finished)
            let stillSleeping = calls - finished
            if stillSleeping > 0 { await clock.waitForSleepers(count: stillSleeping + 1) }
        }
        #expect(done.current == calls)
        let byCall = Dictionary(uniqueKeysWithValues: outcomes.values.map { ($0.call, ($0.timedOut, $0.at)) })
        #expect(byCall.count == calls)
        var mismatches = 0
        for (call, plan) in plans.enumerated() {
            let expected = (plan.work > plan.limit, Duration.milliseconds(min(plan.limit, plan.work)))
            if let outcome = byCall[call], outcome != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(plans.contains { $0.work > $0.limit } && plans.contains { $0.work < $0.limit })
        #expect(timeout.scheduler.pendingCount == 0)
        await timeout.scheduler.timer.waitUntilParked()
        #expect(timeout.scheduler.timer.runningTimers == 1)
        #expect(clock.sleeperCount == 0)
    }
}

/// Counts finished tasks and lets a test wait until a number of them have finished.
final class Progress: Sendable {
    private struct State {
        var count = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = LockedState(State())

    func advance() {
        let ready = state.withLock { state in
            state.count += 1
            let count = state.count
            let ready = state.waiters.filter { $0.target <= count }.map(\.continuation)
            state.waiters.removeAll { $0.target <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    var current: Int { state.withLock { $0.count } }

    func wait(until target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.count >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
