import ETRMShared
import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

/// Work that ignores cancellation: it waits until the test lets it go, however often it is cancelled.
private final class DeafWork: Sendable {
    // A pthread lock, not `Mutex`: the sanitizer run cannot see `Mutex`'s futex and reports false races.
    private let state = LockedState<(released: Bool, entered: Bool, waiter: CheckedContinuation<Void, Never>?)>(
        (false, false, nil))

    func run() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let go = state.withLock { state -> Bool in
                state.entered = true
                if state.released { return true }
                state.waiter = continuation
                return false
            }
            if go { continuation.resume() }
        }
    }

    var entered: Bool { state.withLock { $0.entered } }

    func release() {
        let waiter = state.withLock { state in
            state.released = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

/// Collects late outcomes and lets a test wait for the next one.
private final class LateOutcomes: Sendable {
    private let stream: AsyncStream<Result<Int, any Error>>
    private let continuation: AsyncStream<Result<Int, any Error>>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    @Sendable func record(_ result: Result<Int, any Error>) async { continuation.yield(result) }

    func next() async -> Result<Int, any Error>? {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next()
    }
}

@Suite(.timeLimit(.minutes(1))) struct TimeoutLateOutcomeTests {
    @Test func returnsAtItsDeadlineWhenTheWorkIgnoresCancellationAndHandsOverTheLateResult() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.milliseconds(100), clock: clock, name: "attempt")
        let work = DeafWork()
        let late = LateOutcomes()
        let caller = Task {
            try await timeout.execute(
                { () -> Int in
                    await work.run()
                    return 42
                }, lateOutcome: late.record)
        }
        await clock.waitForSleepers(count: 1)  // the timer
        while !work.entered { await Task.yield() }
        clock.advance(by: .milliseconds(100))
        // The caller has its answer at the deadline although the work still runs.
        await #expect {
            try await caller.value
        } throws: { error in
            (error as? ResilienceError)?.code == .timedOut
        }
        #expect(clock.now.offset == .milliseconds(100))
        work.release()
        let outcome = try #require(await late.next())
        #expect(try outcome.get() == 42)
    }

    @Test func workThatFinishesInTimeIsReturnedAndNeverReportedLate() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(1), clock: clock)
        let lateCalls = Counter()
        let value = try await timeout.execute({ 7 }, lateOutcome: { _ in lateCalls.increment() })
        #expect(value == 7)
        await clock.waitForSleepers(count: 1)  // the timer, set asleep until the first call's deadline
        let failure = await #expect(throws: ResilienceError.self) {
            try await timeout.execute(
                { () -> Int in throw ResilienceError(code: .invalidArgument, message: "own") },
                lateOutcome: { _ in lateCalls.increment() })
        }
        #expect(failure?.code == .invalidArgument)
        #expect(lateCalls.current == 0)
        // Only the timer's sleep, until the first call's deadline; past it, the timer parks.
        #expect(clock.pendingDeadlines == [.init(offset: .seconds(1))])
        clock.advance(by: .seconds(1))
        await timeout.scheduler.timer.waitUntilParked()
        #expect(clock.sleeperCount == 0)
    }

    @Test func aCancelledCallerLeavesAtOnceAndTheWorkStillReportsItsResult() async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(5), clock: clock)
        let work = DeafWork()
        let late = LateOutcomes()
        let caller = Task {
            try await timeout.execute(
                { () -> Int in
                    await work.run()
                    return 9
                }, lateOutcome: late.record)
        }
        while !work.entered { await Task.yield() }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(clock.now.offset == .zero)
        work.release()
        let outcome = try #require(await late.next())
        #expect(try outcome.get() == 9)
    }

    /// Many callers whose work ends at once, so that the work settles the race while its caller is still
    /// on its way to waiting: each value reaches its caller, none is reported late. Half the callers are
    /// cancelled as they start, and then every value is seen exactly once, by the caller or as a late outcome.
    @Test(arguments: [false, true])
    func manyCallersRacingTheirWorkSeeEveryResultExactlyOnce(cancelling: Bool) async throws {
        let clock = ManualClock()
        let timeout = try Timeout(.seconds(1), clock: clock)
        let calls = 4_000
        let lateCount = Counter()
        let lateSum = Counter()
        let (returnedCount, returnedSum, cancelled) = await withTaskGroup(of: Int?.self) { group in
            for index in 1...calls {
                group.addTask {
                    if cancelling, index.isMultiple(of: 2) { withUnsafeCurrentTask { $0?.cancel() } }
                    return try? await timeout.execute(
                        { index },
                        lateOutcome: { outcome in
                            lateSum.increment(by: (try? outcome.get()) ?? 0)
                            lateCount.increment()
                        })
                }
            }
            var (count, sum, cancelled) = (0, 0, 0)
            for await value in group {
                if let value {
                    count += 1
                    sum += value
                } else {
                    cancelled += 1
                }
            }
            return (count, sum, cancelled)
        }
        #expect(returnedCount + cancelled == calls)
        if !cancelling { #expect(cancelled == 0) }
        // A cancelled caller's value arrives late, on the work's task: wait for all of them.
        while lateCount.current < cancelled { await Task.yield() }
        #expect(lateCount.current == cancelled)
        #expect(returnedSum + lateSum.current == calls * (calls + 1) / 2)
    }
}
