import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

/// The child task a ``Timeout`` runs the work in (an immediate child where the runtime has one, else an
/// `async let`): work that never suspends still runs in its own cancellable task and returns its value, work
/// that suspends past the deadline is cancelled then, and the caller's task-local values reach the work.
@Suite struct TimeoutChildTaskTests {
    @TaskLocal static var desk: String?

    /// The identity of the current task (0 outside a task).
    static func currentTaskID() -> Int {
        withUnsafeCurrentTask { task in task.map { $0.hashValue } ?? 0 }
    }

    @Test func workThatNeverSuspendsReturnsItsValueFromItsOwnTask() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let caller = Self.currentTaskID()
        for value in 1...50 {
            let (result, workTask) = try await timeout.execute { () -> (Int, Int) in
                (value * 3, Self.currentTaskID())
            }
            #expect(result == value * 3)
            // A task of its own, which the timer can cancel without cancelling the caller.
            #expect(workTask != 0 && workTask != caller)
            #expect(timeout.scheduler.pendingCount == 0)
            // One sleep for all the calls: the timer's, until the first call's deadline.
            await clock.waitForSleepers(count: 1)
            #expect(clock.pendingDeadlines == [.init(offset: .seconds(5))])
        }
        #expect(clock.now.offset == .zero)
        #expect(timeout.scheduler.timer.startedTimers == 1)
    }

    @Test func workThatSuspendsPastTheDeadlineIsCancelledAtTheDeadline() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let ranBeforeSuspending = Counter()
        let cancelledAt = Recorder<Duration>()
        let task = Task {
            try await timeout.execute { () -> Int in
                ranBeforeSuspending.increment()  // the synchronous start, before the first suspension
                do { try await clock.sleep(for: .seconds(6)) } catch {
                    cancelledAt.append(clock.now.offset)
                    throw error
                }
                return 1
            }
        }
        await clock.waitForSleepers(count: 2)  // the work and the timer
        #expect(ranBeforeSuspending.current == 1)
        clock.advance(by: .seconds(4))
        #expect(cancelledAt.values.isEmpty)
        #expect(clock.nextDeadline == .init(offset: .seconds(5)))
        clock.advance(by: .seconds(1))
        await #expect { try await task.value } throws: { ($0 as? ResilienceError)?.code == .timedOut }
        #expect(cancelledAt.values == [.seconds(5)])
        #expect(timeout.scheduler.pendingCount == 0)
        await timeout.scheduler.timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
    }

    @Test func aCancelledCallersWorkThatNeverSuspendsSeesTheCancellation() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let sawCancellation = Counter()
        let gate = AsyncGate()
        let task = Task {
            await gate.wait()  // cancelled before the call starts
            return try await timeout.execute { () -> Int in
                if Task.isCancelled { sawCancellation.increment() }
                try Task.checkCancellation()
                return 7
            }
        }
        task.cancel()
        gate.open()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(sawCancellation.current == 1)
        #expect(timeout.scheduler.pendingCount == 0)
    }

    @Test func theCallersTaskLocalsReachTheWork() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let seen = try await Self.$desk.withValue("power-de") {
            try await timeout.execute { () -> String? in
                await Task.yield()  // and still after a suspension
                return Self.desk
            }
        }
        #expect(seen == "power-de")
        #expect(Self.desk == nil)
    }
}

/// A one-shot gate a task waits at until the test opens it.
final class AsyncGate: Sendable {
    private let opened = Progress()
    func open() { opened.advance() }
    func wait() async { await opened.wait(until: 1) }
}
