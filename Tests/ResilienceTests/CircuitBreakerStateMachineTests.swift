import Resilience
import ResilienceTesting
import Testing

@Suite struct CircuitBreakerStateMachineTests {
    typealias Machine = CircuitBreakerStateMachine<ManualClock>

    private func at(_ seconds: Double) -> ManualClock.Instant { .init(offset: .milliseconds(Int64(seconds * 1000))) }

    private func permit(_ machine: inout Machine, at time: Double = 0) -> Machine.Permit? {
        switch machine.acquire(now: at(time)) {
        case .permitted(let permit), .permittedAfterTransition(let permit, _): permit
        case .rejected: nil
        }
    }

    @discardableResult
    private func call(
        _ machine: inout Machine, _ outcome: CircuitBreakerOutcome, at time: Double = 0, duration: Duration? = nil
    ) -> Machine.Transition? {
        guard let permit = permit(&machine, at: time) else {
            Issue.record("call at \(time) was rejected")
            return nil
        }
        return machine.record(permit, outcome: outcome, duration: duration, now: at(time))
    }

    @Test func theSeedsBreakerOpensAfterFiveConsecutiveFailuresFor300Seconds() {
        var machine = Machine(configuration: .init())
        for _ in 0..<4 { #expect(call(&machine, .failure) == nil) }
        #expect(call(&machine, .success) == nil)
        for _ in 0..<4 { #expect(call(&machine, .failure) == nil) }
        #expect(call(&machine, .failure, at: 10) == .init(from: .closed, to: .open))
        #expect(machine.acquire(now: at(10)) == .rejected(retryAfter: .seconds(300)))
        #expect(machine.acquire(now: at(250)) == .rejected(retryAfter: .seconds(60)))
        #expect(machine.state == .open)
    }

    @Test func afterTheOpenDurationOneProbeRunsAndItsSuccessCloses() throws {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(1), openDuration: .seconds(60)))
        call(&machine, .failure)
        guard case .permittedAfterTransition(let probe, let transition) = machine.acquire(now: at(60)) else {
            Issue.record("expected the first probe")
            return
        }
        #expect(transition == .init(from: .open, to: .halfOpen))
        #expect(probe.isProbe)
        // The single probe is out: others are rejected until its lease (30 s) could expire.
        #expect(machine.acquire(now: at(70)) == .rejected(retryAfter: .seconds(20)))
        #expect(machine.record(probe, outcome: .success, now: at(71)) == .init(from: .halfOpen, to: .closed))
        #expect(machine.state == .closed)
    }

    @Test func aFailedProbeReopensForTheFullOpenDuration() throws {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(1), openDuration: .seconds(60)))
        call(&machine, .failure)
        let probe = try #require(permit(&machine, at: 60))
        #expect(machine.record(probe, outcome: .failure, now: at(65)) == .init(from: .halfOpen, to: .open))
        #expect(machine.acquire(now: at(65)) == .rejected(retryAfter: .seconds(60)))
    }

    @Test func halfOpenAdmitsExactlyItsProbesAndNeedsThemAllToSucceed() throws {
        var machine = Machine(
            configuration: .init(mode: .consecutiveFailures(1), openDuration: .seconds(10), halfOpenProbes: 3))
        call(&machine, .failure)
        let probes = (0..<10).compactMap { _ in permit(&machine, at: 10) }
        #expect(probes.count == 3)
        #expect(machine.record(probes[0], outcome: .success, now: at(11)) == nil)
        #expect(machine.record(probes[1], outcome: .success, now: at(11)) == nil)
        // Two successes leave room for no new probe: the third is still out.
        #expect(permit(&machine, at: 11) == nil)
        #expect(machine.record(probes[2], outcome: .success, now: at(12)) == .init(from: .halfOpen, to: .closed))
    }

    @Test func anIgnoredProbeReturnsItsPermit() throws {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(1), openDuration: .seconds(10)))
        call(&machine, .failure)
        let probe = try #require(permit(&machine, at: 10))
        #expect(permit(&machine, at: 10) == nil)
        #expect(machine.record(probe, outcome: .ignored, now: at(10)) == nil)
        #expect(machine.state == .halfOpen)
        #expect(permit(&machine, at: 10) != nil)
    }

    /// r4j #1090 / failsafe #391: a probe that never returns must not wedge the breaker in half-open.
    @Test func anExpiredProbeLeaseReturnsThePermitAndTheLateOutcomeIsIgnored() throws {
        var machine = Machine(
            configuration: .init(mode: .consecutiveFailures(1), openDuration: .seconds(10), probeLease: .seconds(30)))
        call(&machine, .failure)
        let hung = try #require(permit(&machine, at: 10))
        #expect(machine.acquire(now: at(39.999)) == .rejected(retryAfter: .milliseconds(1)))
        let next = try #require(permit(&machine, at: 40))
        #expect(machine.metrics(now: at(40)).expiredProbeLeases == 1)
        // The hung probe finally fails: too late to count.
        #expect(machine.record(hung, outcome: .failure, now: at(41)) == nil)
        #expect(machine.state == .halfOpen)
        #expect(machine.record(next, outcome: .success, now: at(42)) == .init(from: .halfOpen, to: .closed))
    }

    @Test func anOutcomeFromBeforeAStateChangeDoesNotCount() throws {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(2), openDuration: .seconds(10)))
        let slow = try #require(permit(&machine))
        call(&machine, .failure)
        call(&machine, .failure)
        #expect(machine.state == .open)
        let probe = try #require(permit(&machine, at: 10))
        // The slow call from the closed state reports success while half-open: it is not a probe.
        #expect(machine.record(slow, outcome: .success, now: at(11)) == nil)
        #expect(machine.state == .halfOpen)
        #expect(machine.record(probe, outcome: .success, now: at(11)) == .init(from: .halfOpen, to: .closed))
    }

    @Test func countWindowOpensOnTheFailureRateOnceMinimumCallsAreIn() {
        var machine = Machine(
            configuration: .init(mode: .countWindow(size: 10), failureRateThreshold: 0.5, minimumCalls: 6))
        for outcome in [CircuitBreakerOutcome.failure, .failure, .failure, .failure, .failure] {
            #expect(call(&machine, outcome) == nil)  // 100 % failures but only 5 calls
        }
        #expect(call(&machine, .success) == .init(from: .closed, to: .open))  // 5 / 6 ≥ 50 %
    }

    /// Issue 12 #8: a count window smaller than `minimumCalls` (the default 20) could never hold enough calls
    /// to be evaluated, so the breaker stayed closed through any number of failures.
    @Test func aCountWindowSmallerThanMinimumCallsOpensOnceTheWindowIsFullOfFailures() {
        var machine = Machine(configuration: .init(mode: .countWindow(size: 10)))
        for _ in 0..<9 { #expect(call(&machine, .failure) == nil) }  // 9 calls: the window is not yet full
        #expect(call(&machine, .failure) == .init(from: .closed, to: .open))
    }

    @Test func minimumCallsIsCappedAtTheCountWindowsSizeOnly() {
        #expect(CircuitBreakerConfiguration(mode: .countWindow(size: 10)).effectiveMinimumCalls == 10)
        #expect(CircuitBreakerConfiguration(mode: .countWindow(size: 10), minimumCalls: 50).effectiveMinimumCalls == 10)
        #expect(CircuitBreakerConfiguration(mode: .countWindow(size: 100)).effectiveMinimumCalls == 20)
        // A time window's reach depends on the traffic, so its minimum stands as configured.
        #expect(CircuitBreakerConfiguration(mode: .timeWindow(.seconds(10))).effectiveMinimumCalls == 20)
    }

    @Test func countWindowForgetsCallsThatSlideOut() {
        var machine = Machine(
            configuration: .init(mode: .countWindow(size: 4), failureRateThreshold: 0.75, minimumCalls: 4))
        for outcome in [CircuitBreakerOutcome.failure, .failure, .success, .success, .success, .failure, .success] {
            #expect(call(&machine, outcome) == nil)
        }
        // Window now: success, success, failure, success → 25 %.
        #expect(machine.metrics(now: at(0)).windowFailures == 1)
        #expect(machine.metrics(now: at(0)).windowCalls == 4)
        #expect(call(&machine, .failure) == nil)  // s, f, s, f: 50 %
        #expect(call(&machine, .failure) == .init(from: .closed, to: .open))  // f, s, f, f: 75 %
    }

    /// r4j #785 / Polly #1854: "N failures within a period".
    @Test func timeWindowCountsOnlyTheLastPeriod() {
        var machine = Machine(
            configuration: .init(
                mode: .timeWindow(.seconds(60), buckets: 6), failureRateThreshold: 0.5, minimumCalls: 4))
        call(&machine, .failure, at: 0)
        call(&machine, .failure, at: 10)
        call(&machine, .failure, at: 20)
        // At 75 s the failures at 0 and 10 have slid out: one failure and one success are in the window.
        #expect(call(&machine, .success, at: 75) == nil)
        #expect(machine.metrics(now: at(75)).windowCalls == 2)
        #expect(call(&machine, .failure, at: 76) == nil)  // 3 calls < 4
        #expect(call(&machine, .failure, at: 77) == .init(from: .closed, to: .open))  // 3 of 4 failed
    }

    @Test func slowCallRateOpensTheBreaker() {
        var machine = Machine(
            configuration: .init(
                mode: .countWindow(size: 10), slowCallRateThreshold: 0.5, slowCallDuration: .seconds(2),
                minimumCalls: 4))
        #expect(call(&machine, .success, duration: .seconds(3)) == nil)
        #expect(call(&machine, .success, duration: .milliseconds(100)) == nil)
        #expect(call(&machine, .success, duration: .milliseconds(100)) == nil)
        #expect(call(&machine, .success, duration: .seconds(2)) == .init(from: .closed, to: .open))
        #expect(machine.metrics(now: at(0)).slowCalls == 2)
    }

    @Test func ignoredOutcomesAreNotRecorded() {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(2)))
        call(&machine, .failure)
        for _ in 0..<10 { call(&machine, .ignored) }
        #expect(call(&machine, .failure) == .init(from: .closed, to: .open))
        #expect(machine.metrics(now: at(0)).ignoredCalls == 10)
    }

    @Test func forcedOpenRejectsWithoutATimeUntilReset() {
        var machine = Machine(configuration: .init())
        #expect(machine.transition(to: .forcedOpen, now: at(0)) == .init(from: .closed, to: .forcedOpen))
        #expect(machine.acquire(now: at(100_000)) == .rejected(retryAfter: nil))
        #expect(machine.transition(to: .forcedOpen, now: at(0)) == nil)
        #expect(machine.transition(to: .closed, now: at(0)) == .init(from: .forcedOpen, to: .closed))
        #expect(permit(&machine) != nil)
    }

    @Test func disabledRunsEverythingAndRecordsNothing() {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(1)))
        #expect(machine.transition(to: .disabled, now: at(0)) == .init(from: .closed, to: .disabled))
        for _ in 0..<20 { #expect(call(&machine, .failure) == nil) }
        #expect(machine.state == .disabled)
        #expect(machine.metrics(now: at(0)).failedCalls == 0)
    }

    @Test func metricsOnlyRecordsButNeverOpens() {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(1)))
        #expect(machine.transition(to: .metricsOnly, now: at(0)) == .init(from: .closed, to: .metricsOnly))
        for _ in 0..<20 { #expect(call(&machine, .failure) == nil) }
        let metrics = machine.metrics(now: at(0))
        #expect(metrics.state == .metricsOnly)
        #expect(metrics.failedCalls == 20)
        #expect(metrics.permittedCalls == 20)
    }

    @Test func metricsCountEveryKindOfCall() {
        var machine = Machine(configuration: .init(mode: .consecutiveFailures(3), openDuration: .seconds(5)))
        call(&machine, .success)
        call(&machine, .ignored)
        for _ in 0..<3 { call(&machine, .failure) }
        _ = machine.acquire(now: at(1))
        _ = machine.acquire(now: at(2))
        let metrics = machine.metrics(now: at(2))
        #expect(metrics.successfulCalls == 1)
        #expect(metrics.ignoredCalls == 1)
        #expect(metrics.failedCalls == 3)
        #expect(metrics.permittedCalls == 5)
        #expect(metrics.rejectedCalls == 2)
        #expect(metrics.state == .open)
    }

    @Test func invalidConfigurationsAreRejected() {
        let configurations: [CircuitBreakerConfiguration] = [
            .init(mode: .consecutiveFailures(0)), .init(mode: .countWindow(size: 0)),
            .init(mode: .timeWindow(.zero)), .init(mode: .timeWindow(.seconds(10), buckets: 0)),
            .init(failureRateThreshold: 1.5), .init(slowCallRateThreshold: .nan), .init(slowCallDuration: .zero),
            .init(minimumCalls: 0), .init(openDuration: .seconds(-1)), .init(halfOpenProbes: 0),
            .init(probeLease: .zero),
        ]
        for configuration in configurations {
            #expect(throws: ResilienceError.self) { _ = try CircuitBreaker(configuration, clock: ManualClock()) }
        }
    }
}
