import ETRMTestSupport
import ResilienceTesting
import Testing

@Suite struct ManualClockTests {
    @Test func startsAtTheGivenInstantAndAdvances() {
        let clock = ManualClock(now: .init(offset: .seconds(10)))
        #expect(clock.now == .init(offset: .seconds(10)))
        #expect(clock.minimumResolution == .zero)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now.offset == .milliseconds(11_500))
        clock.advance(to: .init(offset: .seconds(20)))
        #expect(clock.now.offset == .seconds(20))
    }

    @Test func neverMovesBackwards() {
        let clock = ManualClock(now: .init(offset: .seconds(5)))
        clock.advance(to: .init(offset: .seconds(1)))
        clock.advance(by: .seconds(-3))
        #expect(clock.now.offset == .seconds(5))
    }

    @Test func instantArithmetic() {
        let a = ManualClock.Instant(offset: .seconds(3))
        let b = a.advanced(by: .milliseconds(250))
        #expect(b.offset == .milliseconds(3250))
        #expect(a.duration(to: b) == .milliseconds(250))
        #expect(b.duration(to: a) == .milliseconds(-250))
        #expect(a < b)
        #expect(Set([a, a, b]).count == 2)
    }

    @Test func pastDeadlineReturnsWithoutSuspending() async throws {
        let clock = ManualClock(now: .init(offset: .seconds(10)))
        try await clock.sleep(until: .init(offset: .seconds(10)), tolerance: nil)
        try await clock.sleep(until: .init(offset: .seconds(2)), tolerance: nil)
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test func sleeperResumesOnlyWhenItsDeadlineIsReached() async throws {
        let clock = ManualClock()
        let woke = Counter()
        let task = Task {
            try await clock.sleep(for: .seconds(5))
            woke.increment()
        }
        await clock.waitForSleepers(count: 1)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        #expect(woke.current == 0)
        clock.advance(by: .seconds(1))
        try await task.value
        #expect(woke.current == 1)
        #expect(clock.sleeperCount == 0)
    }

    @Test func advanceResumesDueSleepersInDeadlineOrder() async throws {
        let clock = ManualClock()
        let order = Recorder<Int>()
        // Sleep for 3, 1, 2 seconds, then advance past all three at once: the continuations are resumed in
        // deadline order; each task records its deadline once it runs, and the set of woken tasks is checked.
        let tasks = [3, 1, 2].map { seconds in
            Task {
                try await clock.sleep(until: .init(offset: .seconds(seconds)), tolerance: nil)
                order.append(seconds)
            }
        }
        await clock.waitForSleepers(count: 3)
        clock.advance(by: .milliseconds(2500))
        try await tasks[1].value
        try await tasks[2].value
        #expect(order.values.sorted() == [1, 2])
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await tasks[0].value
        #expect(order.count == 3)
    }

    @Test func cancellationThrowsAtOnceWithoutAdvancing() async {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .zero)
    }

    @Test func alreadyCancelledTaskThrowsBeforeSuspending() async {
        let clock = ManualClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func manyRacingCancellationsLeaveNoSleeper() async {
        let clock = ManualClock()
        let cancelled = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    do { try await clock.sleep(for: .seconds(1)) } catch { cancelled.increment() }
                }
            }
            group.cancelAll()
        }
        #expect(cancelled.current == 500)
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitForSleepersReturnsAtOnceWhenEnoughAreSuspended() async throws {
        let clock = ManualClock()
        await clock.waitForSleepers(count: 0)
        let tasks = (0..<4).map { _ in Task { try await clock.sleep(for: .seconds(1)) } }
        await clock.waitForSleepers(count: 4)
        #expect(clock.sleeperCount == 4)
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        for task in tasks { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancelledWaitForSleepersReturns() async {
        let clock = ManualClock()
        let task = Task { await clock.waitForSleepers(count: 1) }
        task.cancel()
        await task.value
        #expect(clock.sleeperCount == 0)
    }

    @Test func worksAsAGenericClock() async throws {
        func measure<C: Clock>(_ clock: C, sleeping duration: C.Duration) async throws -> C.Duration {
            let start = clock.now
            try await clock.sleep(until: start.advanced(by: duration), tolerance: nil)
            return start.duration(to: clock.now)
        }
        let clock = ManualClock()
        let task = Task { try await measure(clock, sleeping: .seconds(7)) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(9))
        #expect(try await task.value == .seconds(9))
    }

    @Test func exposesItsSleepersDeadlinesAndAdvancesExactlyToTheNext() async throws {
        let clock = ManualClock()
        #expect(clock.pendingDeadlines.isEmpty)
        #expect(clock.nextDeadline == nil)
        #expect(clock.advanceToNextDeadline() == nil)
        #expect(clock.now.offset == .zero)
        let woken = Recorder<Int>()
        let tasks = [7, 3, 3, 12].enumerated().map { index, seconds in
            Task {
                try await clock.sleep(for: .seconds(seconds))
                woken.append(index)
            }
        }
        await clock.waitForSleepers(count: 4)
        #expect(clock.pendingDeadlines.map(\.offset) == [.seconds(3), .seconds(3), .seconds(7), .seconds(12)])
        #expect(clock.nextDeadline == .init(offset: .seconds(3)))
        #expect(clock.advanceToNextDeadline() == .init(offset: .seconds(3)))  // both 3 s sleepers, no other
        for task in tasks[1...2] { try await task.value }
        #expect(Set(woken.values) == [1, 2])
        #expect(clock.pendingDeadlines.map(\.offset) == [.seconds(7), .seconds(12)])
        #expect(clock.advanceToNextDeadline()?.offset == .seconds(7))
        try await tasks[0].value
        #expect(clock.advanceToNextDeadline()?.offset == .seconds(12))
        try await tasks[3].value
        #expect(woken.values.count == 4)
        #expect(clock.nextDeadline == nil)
    }
}
