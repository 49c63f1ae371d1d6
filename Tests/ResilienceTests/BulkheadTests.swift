import ETRMShared
import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

/// Tracks how many operations run at once and the most ever seen.
final class ConcurrencyGauge: Sendable {
    private let state = LockedState<(current: Int, peak: Int)>((0, 0))

    func enter() {
        state.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
    }

    func leave() { state.withLock { $0.current -= 1 } }

    var peak: Int { state.withLock { $0.peak } }
    var current: Int { state.withLock { $0.current } }
}

@Suite struct BulkheadTests {
    @Test func stateMachineHandsPermitsToWaitersInFIFOOrder() {
        var machine = BulkheadStateMachine(maxConcurrent: 2, maxQueue: 2)
        #expect(machine.acquire(waiter: 1) == .permitted)
        #expect(machine.acquire(waiter: 2) == .permitted)
        #expect(machine.acquire(waiter: 3) == .enqueued(position: 1))
        #expect(machine.acquire(waiter: 4) == .enqueued(position: 2))
        #expect(machine.acquire(waiter: 5) == .rejected)
        #expect(machine.release() == .resume(waiter: 3))
        #expect(machine.inUse == 2)
        let leftWhileQueued = machine.leave(waiter: 4)
        let leftWithPermit = machine.leave(waiter: 3)  // already holds a permit
        #expect(leftWhileQueued)
        #expect(!leftWithPermit)
        #expect(machine.release() == .none)
        #expect(machine.release() == .none)
        #expect(machine.inUse == 0)
        #expect(machine.acquire(waiter: 6) == .permitted)
    }

    @Test func aNewcomerNeverOvertakesTheQueue() {
        var machine = BulkheadStateMachine(maxConcurrent: 1, maxQueue: 5)
        #expect(machine.acquire(waiter: 1) == .permitted)
        #expect(machine.acquire(waiter: 2) == .enqueued(position: 1))
        #expect(machine.release() == .resume(waiter: 2))
        #expect(machine.acquire(waiter: 3) == .enqueued(position: 1))
    }

    @Test func callsBeyondConcurrencyAndQueueAreRejected() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(.init(maxConcurrent: 2, maxQueue: 1), clock: clock)
        let tasks = (0..<3).map { _ in Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } } }
        await clock.waitForSleepers(count: 2)
        while bulkhead.metrics.queued < 1 { await Task.yield() }
        await #expect {
            try await bulkhead.execute { 1 }
        } throws: { error in
            (error as? ResilienceError)?.code == .bulkheadFull
        }
        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        for task in tasks { try await task.value }
        #expect(bulkhead.metrics.inUse == 0)
        #expect(bulkhead.metrics.queued == 0)
        #expect(bulkhead.metrics.rejected == 1)
    }

    @Test func aQueuedCallGivesUpAfterTheMaximumQueueWait() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(.init(maxConcurrent: 1, maxQueue: 4, maximumQueueWait: .seconds(2)), clock: clock)
        let holder = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(10)) } }
        await clock.waitForSleepers(count: 1)
        let waiter = Task { try await bulkhead.execute { "ran" } }
        await clock.waitForSleepers(count: 2)  // the holder and the waiter's timer
        clock.advance(by: .seconds(2))
        await #expect {
            try await waiter.value
        } throws: { error in
            (error as? ResilienceError)?.code == .bulkheadQueueTimeout
        }
        #expect(bulkhead.metrics.queued == 0)
        #expect(bulkhead.metrics.timedOut == 1)
        clock.advance(by: .seconds(8))
        try await holder.value
        #expect(bulkhead.metrics.inUse == 0)
    }

    @Test func aWaiterServedBeforeItsMaximumWaitRuns() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(.init(maxConcurrent: 1, maxQueue: 4, maximumQueueWait: .seconds(5)), clock: clock)
        let holder = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } }
        await clock.waitForSleepers(count: 1)
        let waiter = Task { try await bulkhead.execute { "ran" } }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        #expect(try await waiter.value == "ran")
        try await holder.value
        #expect(clock.sleeperCount == 0)  // the waiter's timer was cancelled
        #expect(bulkhead.metrics.inUse == 0)
        #expect(bulkhead.metrics.timedOut == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueueAtOnce() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(.init(maxConcurrent: 1, maxQueue: 4), clock: clock)
        let holder = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } }
        await clock.waitForSleepers(count: 1)
        let ran = Counter()
        let cancelled = Task { try await bulkhead.execute { ran.increment() } }
        while bulkhead.metrics.queued < 1 { await Task.yield() }
        let next = Task { try await bulkhead.execute { ran.increment() } }
        while bulkhead.metrics.queued < 2 { await Task.yield() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(bulkhead.metrics.queued == 1)
        clock.advance(by: .seconds(1))
        try await holder.value
        #expect(try await next.value == 1)
        #expect(ran.current == 1)
        #expect(bulkhead.metrics.inUse == 0)
    }

    /// Thousands of callers, a random third of them cancelled at random moments (queued, just handed a
    /// permit, or running), some timing out: afterwards every permit is back and the queue is empty.
    @Test(arguments: [UInt64(1), 2, 3])
    func cancelledWaitersNeverLeakAPermit(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        let clock = ManualClock()
        let bulkhead = try Bulkhead(
            .init(maxConcurrent: 4, maxQueue: 5000, maximumQueueWait: seed == 3 ? .seconds(1) : nil), clock: clock)
        let gauge = ConcurrencyGauge()
        let completed = Counter()
        let failed = Counter()
        let plans = (0..<3000).map { _ in
            (
                yields: Int.random(in: 0...3, using: &generator), cancelAfter: Int.random(in: 0...8, using: &generator),
                cancel: Int.random(in: 0..<3, using: &generator) == 0
            )
        }
        await withTaskGroup(of: Void.self) { group in
            var tasks: [(Task<Void, Never>, Int)] = []
            for plan in plans {
                let task = Task {
                    do {
                        try await bulkhead.execute {
                            gauge.enter()
                            defer { gauge.leave() }
                            for _ in 0..<plan.yields { await Task.yield() }
                        }
                        completed.increment()
                    } catch {
                        failed.increment()
                    }
                }
                if plan.cancel { tasks.append((task, plan.cancelAfter)) }
                group.addTask { await task.value }
            }
            group.addTask {
                for (task, yields) in tasks {
                    for _ in 0..<yields { await Task.yield() }
                    task.cancel()
                }
            }
            if seed == 3 {
                group.addTask {
                    for _ in 0..<20 {
                        await Task.yield()
                        clock.advance(by: .milliseconds(100))
                    }
                    clock.advance(by: .seconds(5))
                }
            }
        }
        // The timers of waiters still queued when time stopped moving may remain; drain them.
        while completed.current + failed.current < plans.count {
            clock.advance(by: .seconds(1))
            await Task.yield()
        }
        #expect(completed.current + failed.current == plans.count)
        #expect(gauge.peak <= 4)
        #expect(gauge.current == 0)
        let metrics = bulkhead.metrics
        #expect(metrics.inUse == 0)
        #expect(metrics.queued == 0)
        // Every permit is really back: four calls run at once and a fifth queues.
        let holders = (0..<4).map { _ in Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } }
        }
        await clock.waitForSleepers(count: 4)
        #expect(bulkhead.metrics.inUse == 4)
        clock.advance(by: .seconds(1))
        for holder in holders { try await holder.value }
    }

    @Test func mapConcurrentlyKeepsInputOrderAndTheBound() async throws {
        let gauge = ConcurrencyGauge()
        let pages = try await mapConcurrently(1...500, maxConcurrent: 8) { page in
            gauge.enter()
            defer { gauge.leave() }
            for _ in 0..<(page % 5) { await Task.yield() }
            return "page-\(page)"
        }
        #expect(pages == (1...500).map { "page-\($0)" })
        #expect(gauge.peak <= 8)
        #expect(gauge.peak >= 2)
    }

    @Test func forEachConcurrentlyDeliversResultsAsTheyComplete() async throws {
        let clock = ManualClock()
        let order = Recorder<Int>()
        let task = Task {
            try await forEachConcurrently([4, 3, 2, 1], maxConcurrent: 4) { seconds in
                try await clock.sleep(for: .seconds(seconds))
                return seconds
            } onResult: { index, seconds in
                #expect([4, 3, 2, 1][index] == seconds)
                order.append(index)
            }
        }
        await clock.waitForSleepers(count: 4)
        for step in 1...4 {
            clock.advance(by: .seconds(1))
            while order.count < step { await Task.yield() }
        }
        try await task.value
        #expect(order.values == [3, 2, 1, 0])
    }

    @Test func theFirstErrorCancelsTheRestAndIsThrown() async throws {
        let started = Counter()
        let clock = ManualClock()
        await #expect(throws: UpstreamError(status: 404)) {
            _ = try await mapConcurrently(0..<100, maxConcurrent: 4) { page -> Int in
                started.increment()
                if page == 2 { throw UpstreamError(status: 404) }
                try await clock.sleep(for: .seconds(3600))  // cancelled by the error, never completes
                return page
            }
        }
        #expect(started.current <= 4)
        await #expect(throws: ResilienceError.self) {
            _ = try await mapConcurrently(0..<3, maxConcurrent: 0) { $0 }
        }
    }

    @Test func invalidBulkheadSettingsAreRejected() {
        let configurations: [BulkheadConfiguration] = [
            .init(maxConcurrent: 0), .init(maxQueue: -1), .init(maximumQueueWait: .zero),
        ]
        for configuration in configurations {
            #expect(throws: ResilienceError.self) { _ = try Bulkhead(configuration, clock: ManualClock()) }
        }
    }
}
