import ETRMShared
import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct RetryTests {
    private func configuration(_ events: EventStream? = nil) -> RetryConfiguration {
        RetryConfiguration(
            maxAttempts: 4, backoff: .exponential(initial: .seconds(1), multiplier: 2, maximum: .seconds(30)),
            jitter: .none, observer: events?.observer)
    }

    @Test func successOnTheFirstAttemptRunsOnceAndNeverSleeps() async throws {
        let clock = ManualClock()
        let calls = Counter()
        let retry = try Retry(configuration(), clock: clock)
        let value = try await retry.execute {
            calls.increment()
            return 42
        }
        #expect(value == 42)
        #expect(calls.current == 1)
        #expect(clock.now.offset == .zero)
    }

    @Test func retriesAtTheBackoffDelaysUntilSuccess() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let retry = try Retry(configuration(events), clock: clock)
        let attemptTimes = Recorder<Duration>()
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute {
                attemptTimes.append(clock.now.offset)
                if attemptTimes.count < 4 { throw UpstreamError() }
                return "page"
            }
        }
        await events.driveRetries(on: clock)
        #expect(try await task.value == "page")
        #expect(attemptTimes.values == [.zero, .seconds(1), .seconds(3), .seconds(7)])
        #expect(
            events.names == [
                "attempt_started", "attempt_failed", "retry_scheduled", "attempt_started", "attempt_failed",
                "retry_scheduled", "attempt_started", "attempt_failed", "retry_scheduled", "attempt_started",
            ])
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastError() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let retry = try Retry(configuration(events), clock: clock)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute { () -> Int in
                throw UpstreamError(status: 500 + calls.increment())
            }
        }
        await events.driveRetries(on: clock)
        await #expect(throws: UpstreamError(status: 504)) { try await task.value }
        #expect(calls.current == 4)
        let gaveUp = events.recorder.values.compactMap { event -> RetryGiveUpReason? in
            event.kind == .retryGaveUp && event.attempt == 4 ? event.giveUpReason : nil
        }
        #expect(gaveUp == [.attemptsExhausted])
    }

    @Test func errorPredicateStopsNonRetryableErrors() async throws {
        var configuration = configuration()
        configuration.shouldRetryError = { error in
            (error as? UpstreamError).map { $0.status >= 500 ? .retry : .doNotRetry } ?? .doNotRetry
        }
        let retry = try Retry(configuration, clock: ManualClock())
        let calls = Counter()
        await #expect(throws: UpstreamError(status: 422)) {
            try await retry.execute { () -> Int in
                calls.increment()
                throw UpstreamError(status: 422)
            }
        }
        #expect(calls.current == 1)
    }

    @Test func a503ResultIsRetriedAndTheFirstGoodResultReturned() async throws {
        let clock = ManualClock()
        let events = EventStream()
        var configuration = configuration(events)
        configuration.retryResult(Response.self) { $0.status == 503 ? .retry : .doNotRetry }
        let retry = try Retry(configuration, clock: clock)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute { Response(status: calls.increment() < 3 ? 503 : 200) }
        }
        await events.driveRetries(on: clock)
        #expect(try await task.value == Response(status: 200))
        #expect(calls.current == 3)
    }

    @Test func whenResultRetriesRunOutTheLastResultIsReturned() async throws {
        let clock = ManualClock()
        let events = EventStream()
        var configuration = configuration(events)
        configuration.retryResult(Response.self) { $0.status == 503 ? .retry : .doNotRetry }
        let retry = try Retry(configuration, clock: clock)
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute { Response(status: 503) }
        }
        await events.driveRetries(on: clock)
        #expect(try await task.value == Response(status: 503))
    }

    @Test func aRetryAfterHintOnAnErrorIsHonoured() async throws {
        let clock = ManualClock()
        let retry = try Retry(configuration(), clock: clock)
        let attemptTimes = Recorder<Duration>()
        let task = Task {
            try await retry.execute {
                attemptTimes.append(clock.now.offset)
                if attemptTimes.count == 1 { throw UpstreamError(status: 429, retryAfter: .seconds(30)) }
                return 1
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(29))
        #expect(attemptTimes.count == 1)
        clock.advance(by: .seconds(1))
        #expect(try await task.value == 1)
        #expect(attemptTimes.values == [.zero, .seconds(30)])
    }

    @Test func aRetryAfterHintOnAResultIsHonouredAndCapped() async throws {
        let clock = ManualClock()
        var configuration = configuration()
        configuration.maximumServerDelay = .seconds(60)
        configuration.retryResult(Response.self) { response in
            guard response.status == 429 || response.status == 503 else { return .doNotRetry }
            return response.retryAfter.map(RetryDecision.retryAfter) ?? .retry
        }
        let retry = try Retry(configuration, clock: clock)
        let attemptTimes = Recorder<Duration>()
        let task = Task {
            try await retry.execute {
                attemptTimes.append(clock.now.offset)
                return attemptTimes.count == 1
                    ? Response(status: 429, retryAfter: .seconds(3600)) : Response(status: 200)
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(60))
        #expect(try await task.value == Response(status: 200))
        #expect(attemptTimes.values == [.zero, .seconds(60)])
    }

    /// tenacity PR #423: a retry must never sleep past its deadline. Random jitter, random attempt durations
    /// (the operation moves the clock itself), random deadlines: the call always ends by the deadline.
    @Test(arguments: 0..<40)
    func theOverallDeadlineIsNeverOvershot(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        let clock = ManualClock()
        let events = EventStream()
        let deadline = Duration.milliseconds(Int64.random(in: 2_000...60_000, using: &generator))
        let attemptCost = Duration.milliseconds(Int64.random(in: 0...1_500, using: &generator))
        let configuration = RetryConfiguration(
            maxAttempts: 50, backoff: .exponential(initial: .milliseconds(200), maximum: .seconds(20)),
            jitter: [.full, .equal, .decorrelated, .none][Int(seed % 4)], overallTimeout: deadline,
            random: RandomSource(SeededGenerator(seed: seed &+ 1000)), observer: events.observer)
        let retry = try Retry(configuration, clock: clock)
        let calls = Counter()
        let task = Task {
            defer { events.continuation.finish() }
            return try await retry.execute { () -> Int in
                calls.increment()
                clock.advance(by: attemptCost)
                throw UpstreamError()
            }
        }
        await events.driveRetries(on: clock)
        await #expect(throws: UpstreamError.self) { try await task.value }
        // The last attempt may itself run past the deadline (that is the attempt timeout's job); no wait may.
        #expect(clock.now.offset <= max(deadline, .zero) + attemptCost)
        let waits = events.recorder.values.compactMap { event -> Duration? in
            event.kind == .retryScheduled ? event.delay : nil
        }
        #expect(waits.count == calls.current - 1)
        #expect(waits.reduce(.zero, +) + attemptCost * (calls.current - 1) <= deadline)
        let reasons = events.recorder.values.compactMap { event -> RetryGiveUpReason? in
            event.kind == .retryGaveUp ? event.giveUpReason : nil
        }
        #expect(reasons == [.deadlineWouldBeExceeded] || reasons == [.attemptsExhausted])
    }

    @Test func cancellationInterruptsTheWaitAtOnceAndIsNotRetried() async throws {
        let clock = ManualClock()
        let retry = try Retry(.init(maxAttempts: 5, backoff: .constant(.seconds(60)), jitter: .none), clock: clock)
        let calls = Counter()
        let task = Task {
            try await retry.execute { () -> Int in
                calls.increment()
                throw UpstreamError()
            }
        }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(calls.current == 1)
        #expect(clock.now.offset == .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test func aCancellationErrorFromTheOperationIsNeverRetried() async throws {
        let retry = try Retry(.init(maxAttempts: 5, backoff: .constant(.zero)), clock: ManualClock())
        let calls = Counter()
        await #expect(throws: CancellationError.self) {
            try await retry.execute { () -> Int in
                calls.increment()
                throw CancellationError()
            }
        }
        #expect(calls.current == 1)
    }

    /// r4j #172: an outage must not multiply the load. 1000 failing calls with 3 attempts each would make 3000
    /// requests; a 10 % budget with no floor allows at most its initial 10 tokens plus 100.
    @Test func theBudgetStopsARetryStorm() async throws {
        let clock = ManualClock()
        let budget = try RetryBudget(
            .init(retryRatio: 0.1, minimumRetriesPerSecond: 0, maximumBalance: 100, initialBalance: 10), clock: clock)
        let retry = try Retry(.init(maxAttempts: 3, backoff: .constant(.zero), budget: budget), clock: clock)
        let requests = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    _ = try? await retry.execute { () -> Int in
                        requests.increment()
                        throw UpstreamError(status: 503)
                    }
                }
            }
        }
        let metrics = budget.metrics
        #expect(metrics.requests == 1000)
        #expect(metrics.retriesAllowed <= 110)
        #expect(metrics.retriesAllowed >= 100)
        #expect(requests.current == 1000 + metrics.retriesAllowed)
        #expect(metrics.retriesRefused > 800)
    }

    @Test func theBudgetFloorRefillsWithTime() throws {
        let clock = ManualClock()
        let budget = try RetryBudget(
            .init(retryRatio: 0, minimumRetriesPerSecond: 10, maximumBalance: 20, initialBalance: 0), clock: clock)
        #expect(!budget.tryWithdraw())
        clock.advance(by: .milliseconds(500))
        #expect((0..<6).filter { _ in budget.tryWithdraw() }.count == 5)
        clock.advance(by: .seconds(60))
        #expect((0..<30).filter { _ in budget.tryWithdraw() }.count == 20)
    }

    @Test func invalidBudgetsAreRejected() {
        let configurations: [RetryBudget.Configuration] = [
            .init(retryRatio: -1), .init(retryRatio: .nan), .init(minimumRetriesPerSecond: -1),
            .init(maximumBalance: 0),
            .init(initialBalance: .infinity),
        ]
        for configuration in configurations {
            #expect(throws: ResilienceError.self) { _ = try RetryBudget(configuration, clock: ManualClock()) }
        }
    }

    @Test func anOpenBreakerIsNotRetriedByDefault() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(1), openDuration: .seconds(30)), clock: clock)
        breaker.transition(to: .open)
        let retry = try Retry(configuration(), clock: clock)
        let calls = Counter()
        await #expect {
            try await retry.execute { try await breaker.execute { calls.increment() } }
        } throws: { error in
            (error as? ResilienceError)?.code == .circuitOpen
        }
        #expect(calls.current == 0)
        #expect(clock.now.offset == .zero)  // refused once, at once: no wait on the backoff or the hint
        #expect(
            RetryConfiguration.defaultErrorDecision(ResilienceError(code: .circuitOpen, message: "open")) == .doNotRetry
        )
        #expect(RetryConfiguration.defaultErrorDecision(UpstreamError()) == .retry)
    }

    @Test func aPredicateCanOptInToWaitForTheHalfOpenProbe() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(1), openDuration: .seconds(2)), clock: clock)
        breaker.transition(to: .open)
        var settings = configuration()
        settings.shouldRetryError = { error in
            if let open = error as? ResilienceError, open.code == .circuitOpen, let wait = open.retryAfter {
                return .retryAfter(wait)
            }
            return RetryConfiguration.defaultErrorDecision(error)
        }
        let retry = try Retry(settings, clock: clock)
        let calls = Counter()
        let task = Task { try await retry.execute { try await breaker.execute { calls.increment() } } }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == .init(offset: .seconds(2)))  // the breaker's hint: its next probe
        clock.advanceToNextDeadline()
        #expect(try await task.value == 1)
        #expect(breaker.state == .closed)
    }
}
