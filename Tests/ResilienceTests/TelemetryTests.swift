import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct TelemetryTests {
    @Test func aGivenUpRetryReportsWhyWithTheBudgetReason() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let budget = try RetryBudget(
            .init(retryRatio: 0, minimumRetriesPerSecond: 0, maximumBalance: 1, initialBalance: 0), clock: clock)
        let retry = try Retry(
            .init(
                name: "vendor.retry", maxAttempts: 5, backoff: .constant(.zero), budget: budget,
                observer: events.observer),
            clock: clock)
        await #expect(throws: UpstreamError.self) {
            try await retry.execute { () -> Int in throw UpstreamError() }
        }
        let last = try #require(events.recorder.values.last)
        #expect(last.kind == .retryGaveUp)
        #expect(last.attempt == 1)
        #expect(last.giveUpReason == .budgetExhausted)
        #expect(budget.metrics.retriesRefused == 1)
        #expect(budget.metrics.requests == 1)
        #expect(events.recorder.values.allSatisfy { $0.source == "vendor.retry" })
    }

    @Test func aServerHintIsReportedAsSuch() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let retry = try Retry(.init(maxAttempts: 2, observer: events.observer), clock: clock)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute { () -> Int in
                if calls.increment() == 1 { throw UpstreamError(status: 429, retryAfter: .seconds(2)) }
                return 1
            }
        }
        await events.driveRetries(on: clock)
        #expect(try await task.value == 1)
        let scheduled = events.recorder.values.compactMap { event -> Bool? in
            guard event.kind == .retryScheduled, event.attempt == 1, event.delay == .seconds(2) else { return nil }
            return event.fromServerHint
        }
        #expect(scheduled == [true])
    }

    @Test func everyStrategyNamesItsRejectionCode() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let limiter = try RateLimiter(
            .init(capacity: 1, refill: 1, per: .seconds(60), observer: events.observer), clock: clock)
        let bulkhead = try Bulkhead(.init(maxConcurrent: 1, observer: events.observer), clock: clock)
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(1), observer: events.observer), clock: clock)
        _ = try limiter.tryAcquire()
        _ = try limiter.tryAcquire()
        let holder = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } }
        await clock.waitForSleepers(count: 1)
        _ = try? await bulkhead.execute { 1 }
        _ = try? await breaker.execute { () -> Int in throw UpstreamError() }
        _ = try? await breaker.execute { 1 }
        clock.advance(by: .seconds(1))
        try await holder.value
        let codes = events.recorder.values.compactMap { event -> ResilienceError.Code? in
            event.kind == .rejected ? event.rejection : nil
        }
        #expect(codes == [.rateLimited, .bulkheadFull, .circuitOpen])
        #expect(events.names.contains("circuit_state_changed"))
    }

    @Test func withoutAnObserverNothingIsBuilt() async throws {
        // The closure observer counts; the strategies without it must not reach it.
        let counted = Counter()
        let observer = ClosureObserver { _ in counted.increment() }
        let retry = try Retry(.init(maxAttempts: 2, backoff: .constant(.zero)), clock: ManualClock())
        _ = try? await retry.execute { () -> Int in throw UpstreamError() }
        #expect(counted.current == 0)
        observer.observe(ResilienceEvent(source: "manual", kind: .timedOut, timeout: .seconds(1)))
        #expect(counted.current == 1)
    }

    @Test func errorsDescribeThemselves() {
        let error = ResilienceError(
            code: .circuitOpen, message: "circuit breaker 'etrm' is open", retryAfter: .seconds(12),
            cause: UpstreamError(status: 503))
        #expect(error.description.contains("circuitOpen"))
        #expect(error.description.contains("12"))
        #expect(error.description.contains("503"))
        #expect(ResilienceError.Code.rateLimited != .quotaExhausted)
        // An open breaker is final by default; another refusal with a hint is retried after it.
        #expect(RetryConfiguration.defaultErrorDecision(error) == .doNotRetry)
        let limited = ResilienceError(code: .rateLimited, message: "limited", retryAfter: .seconds(12))
        #expect(RetryConfiguration.defaultErrorDecision(limited) == .retryAfter(.seconds(12)))
        #expect(RetryConfiguration.defaultErrorDecision(UpstreamError()) == .retry)
    }

    @Test func permitsOutOfRangeAreRejectedBeforeWaiting() async throws {
        let limiter = try RateLimiter(.init(capacity: 5), clock: ManualClock())
        await #expect {
            try await limiter.acquire(permits: 6, maximumWait: .seconds(60))
        } throws: { error in
            (error as? ResilienceError)?.code == .invalidArgument
        }
    }

    @Test func retryCountersCountCallsRetriesAndGiveUps() async throws {
        let counters = RetryMetrics()
        let retry = try Retry(.init(maxAttempts: 3, backoff: .constant(.zero), metrics: counters), clock: ManualClock())
        #expect(try await retry.execute { 1 } == 1)
        let calls = Counter()
        #expect(
            try await retry.execute { () -> Int in
                if calls.increment() == 1 { throw UpstreamError() }
                return 2
            } == 2)
        await #expect(throws: UpstreamError.self) { try await retry.execute { () -> Int in throw UpstreamError() } }
        #expect(counters.snapshot == RetryMetrics.Snapshot(calls: 3, retries: 3, gaveUp: 1))
    }
}
