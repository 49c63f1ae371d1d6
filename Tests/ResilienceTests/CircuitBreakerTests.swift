import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct CircuitBreakerTests {
    private func fail(_ breaker: CircuitBreaker<ManualClock>, times: Int) async {
        for _ in 0..<times {
            _ = try? await breaker.execute { () -> Int in throw UpstreamError() }
        }
    }

    @Test func aRejectedCallFailsFastWithTheTimeUntilTheNextProbe() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(.init(), clock: clock)  // the seeds': 5 failures, 300 s
        await fail(breaker, times: 5)
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(100))
        let calls = Counter()
        await #expect {
            try await breaker.execute { calls.increment() }
        } throws: { error in
            guard let error = error as? ResilienceError else { return false }
            return error.code == .circuitOpen && error.retryAfter == .seconds(200)
        }
        #expect(calls.current == 0)
    }

    /// Issue 12 #8: `countWindow(size: 10)` with the default `minimumCalls` (20) stayed closed through 1,000
    /// failures, every one of which reached the upstream.
    @Test func aSmallCountWindowWithTheDefaultMinimumOpensAfterTenFailures() async throws {
        let breaker = try CircuitBreaker(.init(mode: .countWindow(size: 10)), clock: ManualClock())
        let calls = Counter()
        for _ in 0..<1_000 {
            _ = try? await breaker.execute { () -> Int in
                calls.increment()
                throw UpstreamError()
            }
        }
        #expect(breaker.state == .open)
        #expect(calls.current == 10)
    }

    @Test func errorClassificationDecidesWhatCounts() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            .init(mode: .consecutiveFailures(2)) { error in
                (error as? UpstreamError)?.status == 400 ? .ignored : .failure
            }, clock: clock)
        for _ in 0..<10 {
            _ = try? await breaker.execute { () -> Int in throw UpstreamError(status: 400) }
        }
        #expect(breaker.state == .closed)
        _ = try? await breaker.execute { () -> Int in throw CancellationError() }
        await fail(breaker, times: 2)
        #expect(breaker.state == .open)
        #expect(breaker.metrics.ignoredCalls == 10)
    }

    @Test func stateChangesAreReportedToTheObserver() async throws {
        let clock = ManualClock()
        let events = EventStream()
        let breaker = try CircuitBreaker(
            .init(name: "etrm", mode: .consecutiveFailures(1), openDuration: .seconds(5), observer: events.observer),
            clock: clock)
        await fail(breaker, times: 1)
        _ = try? await breaker.execute { 1 }
        clock.advance(by: .seconds(5))
        #expect(try await breaker.execute { 2 } == 2)
        let changes = events.recorder.values.compactMap { event -> [CircuitBreakerState]? in
            guard event.kind == .circuitStateChanged, let from = event.previousState, let to = event.state else {
                return nil
            }
            return [from, to]
        }
        #expect(changes == [[.closed, .open], [.open, .halfOpen], [.halfOpen, .closed]])
        #expect(events.names.filter { $0 == "rejected" }.count == 1)
        #expect(events.recorder.values.allSatisfy { $0.source == "etrm" })
    }

    /// r4j #903/#935/#1432: under a burst at the end of the open period exactly the permitted probes run.
    @Test(arguments: [1, 3, 10])
    func underTwoHundredConcurrentTasksHalfOpenAdmitsExactlyItsProbes(probes: Int) async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            .init(mode: .consecutiveFailures(1), openDuration: .seconds(60), halfOpenProbes: probes), clock: clock)
        await fail(breaker, times: 1)
        clock.advance(by: .seconds(60))
        let ran = Counter()
        let rejected = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    do {
                        try await breaker.execute {
                            ran.increment()
                            try await clock.sleep(for: .seconds(1))  // the probe is in flight
                        }
                    } catch {
                        rejected.increment()
                    }
                }
            }
            await clock.waitForSleepers(count: probes)
            // Every task either holds a probe (asleep) or was rejected; let the rejections finish.
            while rejected.current < 200 - probes { await Task.yield() }
            #expect(ran.current == probes)
            #expect(breaker.state == .halfOpen)
            clock.advance(by: .seconds(1))
        }
        #expect(ran.current == probes)
        #expect(rejected.current == 200 - probes)
        #expect(breaker.state == .closed)
    }

    @Test func aProbeThatNeverReturnsReleasesItsPermitAfterTheLease() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            .init(mode: .consecutiveFailures(1), openDuration: .seconds(10), probeLease: .seconds(30)), clock: clock)
        await fail(breaker, times: 1)
        clock.advance(by: .seconds(10))
        let hung = Task {
            try await breaker.execute { try await clock.sleep(for: .seconds(86_400)) }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(20))
        await #expect {
            try await breaker.execute { 1 }
        } throws: { error in
            (error as? ResilienceError)?.retryAfter == .seconds(10)
        }
        clock.advance(by: .seconds(10))
        #expect(try await breaker.execute { "recovered" } == "recovered")
        #expect(breaker.state == .closed)
        hung.cancel()
        await #expect(throws: CancellationError.self) { try await hung.value }
        #expect(breaker.state == .closed)
        #expect(breaker.metrics.expiredProbeLeases == 1)
    }

    @Test func manualStates() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(1)), clock: clock)
        breaker.transition(to: .forcedOpen)
        await #expect(throws: ResilienceError.self) { try await breaker.execute { 1 } }
        breaker.transition(to: .disabled)
        await fail(breaker, times: 3)
        #expect(try await breaker.execute { 1 } == 1)
        breaker.transition(to: .metricsOnly)
        await fail(breaker, times: 3)
        #expect(breaker.state == .metricsOnly)
        #expect(breaker.metrics.failedCalls == 3)
        breaker.transition(to: .closed)
        await fail(breaker, times: 1)
        #expect(breaker.state == .open)
    }

    @Test func slowCallsAreTimedOnTheClock() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            .init(
                mode: .countWindow(size: 4), slowCallRateThreshold: 0.5, slowCallDuration: .seconds(2), minimumCalls: 2),
            clock: clock)
        _ = try await breaker.execute { 1 }
        let slow = Task {
            try await breaker.execute { () -> Int in
                try await clock.sleep(for: .seconds(3))
                return 2
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(3))
        #expect(try await slow.value == 2)
        #expect(breaker.state == .open)
        #expect(breaker.metrics.slowCalls == 1)
    }

    @Test func theRegistryKeepsABreakerPerUpstream() async throws {
        let clock = ManualClock()
        let registry = try CircuitBreakerRegistry<String, ManualClock>(maximumBreakers: 3, clock: clock) { key in
            .init(name: "breaker.\(key)", mode: .consecutiveFailures(1))
        }
        let trades = try registry.breaker(for: "trades")
        #expect(try registry.breaker(for: "trades") === trades)
        await fail(trades, times: 1)
        let prices = try registry.breaker(for: "prices")
        #expect(prices.state == .closed)
        #expect(prices.configuration.name == "breaker.prices")
        #expect(registry.states == ["trades": .open, "prices": .closed])
    }

    @Test func aFullRegistryEvictsTheLeastRecentlyUsedClosedBreakerNeverAnOpenOne() async throws {
        let clock = ManualClock()
        let registry = try CircuitBreakerRegistry<Int, ManualClock>(maximumBreakers: 3, clock: clock) { _ in
            .init(mode: .consecutiveFailures(1))
        }
        await fail(try registry.breaker(for: 1), times: 1)  // open: never evicted
        _ = try registry.breaker(for: 2)
        _ = try registry.breaker(for: 3)
        _ = try registry.breaker(for: 2)  // 3 is now the least recently used closed breaker
        _ = try registry.breaker(for: 4)
        #expect(Set(registry.states.keys) == [1, 2, 4])
        #expect(registry.count == 3)
        for key in [2, 4] { await fail(try registry.breaker(for: key), times: 1) }
        #expect {
            _ = try registry.breaker(for: 5)
        } throws: { error in
            (error as? ResilienceError)?.code == .registryFull
        }
        #expect(throws: ResilienceError.self) {
            _ = try CircuitBreakerRegistry<Int, ManualClock>(maximumBreakers: 0, clock: clock) { _ in .init() }
        }
    }
}
