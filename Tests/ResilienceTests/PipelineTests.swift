import ETRMShared
import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct PipelineTests {
    @Test func anEmptyPipelineRunsTheOperation() async throws {
        let pipeline = ResiliencePipeline(clock: ManualClock())
        #expect(try await pipeline.execute { 7 } == 7)
    }

    @Test func strategiesRunOutermostFirst() async throws {
        let order = Recorder<String>()
        struct Tag: ResilienceStrategy {
            let name: String
            let order: Recorder<String>
            nonisolated(nonsending) func execute<Output: Sendable>(
                _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
            ) async throws -> Output {
                order.append("enter \(name)")
                defer { order.append("leave \(name)") }
                return try await operation()
            }
        }
        let pipeline = ResiliencePipeline(clock: ManualClock())
            .then(Tag(name: "a", order: order)).then(Tag(name: "b", order: order)).then(Tag(name: "c", order: order))
        _ = try await pipeline.execute { order.append("work") }
        #expect(order.values == ["enter a", "enter b", "enter c", "work", "leave c", "leave b", "leave a"])
    }

    /// Retry outside the breaker: each attempt is one breaker call, and once the breaker opens the default
    /// predicate stops at its refusal instead of waiting out the open time.
    @Test func retryOutsideTheBreakerStopsAtTheOpenBreakerByDefault() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let breaker = try CircuitBreaker(
            .init(mode: .consecutiveFailures(2), openDuration: .seconds(30), observer: events.observer), clock: clock)
        let pipeline = try ResiliencePipeline(clock: clock)
            .retry(.init(maxAttempts: 4, backoff: .constant(.seconds(1)), jitter: .none, observer: events.observer))
            .circuitBreaker(breaker)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await pipeline.execute { () -> String in
                calls.increment()
                throw UpstreamError(status: 503)
            }
        }
        await events.driveRetries(on: clock)
        // Attempt 1 fails, attempt 2 (after 1 s) fails and opens the breaker, attempt 3 (after 2 s) is refused
        // at once and the refusal is final.
        await #expect { try await task.value } throws: { ($0 as? ResilienceError)?.code == .circuitOpen }
        #expect(calls.current == 2)
        #expect(clock.now.offset == .seconds(2))
        #expect(breaker.state == .open)
        #expect(events.names.filter { $0 == "retry_scheduled" }.count == 2)
    }

    /// A predicate that opts in to wait for the probe: once the breaker opens, the retry honours its remaining
    /// open time as a server hint (capped by the retry's maximum).
    @Test func retryOutsideTheBreakerCanOptInToWaitForTheProbe() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let breaker = try CircuitBreaker(
            .init(mode: .consecutiveFailures(2), openDuration: .seconds(30), observer: events.observer), clock: clock)
        let pipeline = try ResiliencePipeline(clock: clock)
            .retry(
                .init(
                    maxAttempts: 4, backoff: .constant(.seconds(1)), jitter: .none, maximumServerDelay: .seconds(60),
                    observer: events.observer,
                    shouldRetryError: { error in
                        if let open = error as? ResilienceError, open.code == .circuitOpen, let wait = open.retryAfter {
                            return .retryAfter(wait)
                        }
                        return RetryConfiguration.defaultErrorDecision(error)
                    })
            )
            .circuitBreaker(breaker)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await pipeline.execute { () -> String in
                if calls.increment() <= 2 { throw UpstreamError(status: 503) }
                return "page 1"
            }
        }
        await events.driveRetries(on: clock)
        #expect(try await task.value == "page 1")
        // Attempt 1 fails, attempt 2 fails and opens the breaker, attempt 3 is rejected (open, 30 s to go),
        // the retry waits those 30 s, attempt 4 is the probe and succeeds.
        #expect(calls.current == 3)
        #expect(clock.now.offset == .seconds(31))
        #expect(breaker.state == .closed)
    }

    /// The order: overall timeout → retry → breaker → bulkhead → attempt timeout.
    @Test func theFiveStrategyPipelineProtectsAPaginatedFetch() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(5)), clock: clock)
        let bulkhead = try Bulkhead(.init(maxConcurrent: 8, maxQueue: 100), clock: clock)
        let pipeline = try ResiliencePipeline(clock: clock)
            .timeout(.seconds(120))
            .retry(
                .init(
                    maxAttempts: 3, backoff: .constant(.seconds(2)), jitter: .none,
                    random: RandomSource(SeededGenerator(seed: 1)), observer: events.observer)
            )
            .circuitBreaker(breaker)
            .bulkhead(bulkhead)
            .timeout(.seconds(10))
        let attempts = Counter()
        let finished = Counter()
        // Page 3's first attempt hangs and is cut by the attempt timeout; the retry then succeeds.
        let task = Task {
            defer { events.continuation.finish() }
            return try await mapConcurrently(1...5, maxConcurrent: 8) { page in
                let result = try await pipeline.execute { () -> String in
                    let attempt = attempts.increment()
                    if page == 3 && attempt <= 5 { try await clock.sleep(for: .seconds(3600)) }
                    return "page \(page)"
                }
                finished.increment()
                return result
            }
        }
        // Once the four other pages are done, only page 3 sleeps: its overall timer, attempt timer and hung work.
        while finished.current < 4 { await Task.yield() }
        await clock.waitForSleepers(count: 3)
        clock.advance(by: .seconds(10))  // page 3's attempt timeout fires
        await events.driveRetries(on: clock, otherSleepers: 1)  // page 3's overall timer
        #expect(try await task.value == (1...5).map { "page \($0)" })
        #expect(events.names.filter { $0 == "retry_scheduled" }.count == 1)
        #expect(bulkhead.metrics.inUse == 0)
        #expect(breaker.metrics.failedCalls == 1)
    }

    @Test func pipelineBuildersRejectInvalidSettings() {
        #expect(throws: ResilienceError.self) { _ = try ResiliencePipeline(clock: ManualClock()).timeout(.zero) }
        #expect(throws: ResilienceError.self) {
            _ = try ResiliencePipeline(clock: ManualClock()).retry(.init(maxAttempts: 0))
        }
    }
}
