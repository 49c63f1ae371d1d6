import ETRMShared
import Resilience
import Testing

@Suite struct RetryStateMachineTests {
    private func machine(_ configure: (inout RetryConfiguration) -> Void = { _ in }) -> RetryStateMachine {
        var configuration = RetryConfiguration(
            maxAttempts: 4, backoff: .exponential(initial: .seconds(1), multiplier: 2, maximum: .seconds(30)),
            jitter: .none)
        configure(&configuration)
        return RetryStateMachine(configuration: configuration)
    }

    @Test func retriesWithTheBackoffUntilMaxAttemptsCountingTheFirst() {
        var state = machine()
        var generator = SeededGenerator(seed: 1)
        #expect(state.attempts == 1)
        #expect(
            state.attemptFailed(.retry, elapsed: .zero, using: &generator)
                == .retry(after: .seconds(1), fromServerHint: false))
        #expect(
            state.attemptFailed(.retry, elapsed: .zero, using: &generator)
                == .retry(after: .seconds(2), fromServerHint: false))
        #expect(
            state.attemptFailed(.retry, elapsed: .zero, using: &generator)
                == .retry(after: .seconds(4), fromServerHint: false))
        #expect(state.attempts == 4)
        #expect(state.attemptFailed(.retry, elapsed: .zero, using: &generator) == .giveUp(.attemptsExhausted))
    }

    @Test func oneAttemptNeverRetries() {
        var state = machine { $0.maxAttempts = 1 }
        var generator = SeededGenerator(seed: 1)
        #expect(state.attemptFailed(.retry, elapsed: .zero, using: &generator) == .giveUp(.attemptsExhausted))
    }

    @Test func nonRetryableGivesUpAtOnce() {
        var state = machine()
        var generator = SeededGenerator(seed: 1)
        #expect(state.attemptFailed(.doNotRetry, elapsed: .zero, using: &generator) == .giveUp(.notRetryable))
    }

    @Test func serverHintReplacesTheBackoffAndIsCapped() {
        var state = machine { $0.maximumServerDelay = .seconds(20) }
        var generator = SeededGenerator(seed: 1)
        #expect(
            state.attemptFailed(.retryAfter(.seconds(7)), elapsed: .zero, using: &generator)
                == .retry(after: .seconds(7), fromServerHint: true))
        #expect(
            state.attemptFailed(.retryAfter(.seconds(3600)), elapsed: .zero, using: &generator)
                == .retry(after: .seconds(20), fromServerHint: true))
    }

    @Test func serverHintOverTheMaximumCanEndTheRetry() {
        var state = machine {
            $0.maximumServerDelay = .seconds(20)
            $0.giveUpWhenServerDelayExceedsMaximum = true
        }
        var generator = SeededGenerator(seed: 1)
        #expect(
            state.attemptFailed(.retryAfter(.seconds(21)), elapsed: .zero, using: &generator)
                == .giveUp(.serverDelayTooLong(.seconds(21))))
    }

    @Test func aWaitThatWouldCrossTheDeadlineIsNotTaken() {
        var state = machine { $0.overallTimeout = .seconds(10) }
        var generator = SeededGenerator(seed: 1)
        // 1 s wait at 8.5 s ends at 9.5 s: allowed. 2 s wait at 9 s ends at 11 s: refused.
        #expect(
            state.attemptFailed(.retry, elapsed: .milliseconds(8500), using: &generator)
                == .retry(after: .seconds(1), fromServerHint: false))
        #expect(
            state.attemptFailed(.retry, elapsed: .seconds(9), using: &generator) == .giveUp(.deadlineWouldBeExceeded))
        // Ending exactly on the deadline is allowed.
        var exact = machine { $0.overallTimeout = .seconds(10) }
        #expect(
            exact.attemptFailed(.retry, elapsed: .seconds(9), using: &generator)
                == .retry(after: .seconds(1), fromServerHint: false))
    }

    @Test func invalidConfigurationsAreRejected() {
        let configurations: [RetryConfiguration] = [
            .init(maxAttempts: 0), .init(overallTimeout: .zero), .init(maximumServerDelay: .seconds(-1)),
        ]
        for configuration in configurations {
            #expect(throws: ResilienceError.self) { _ = try Retry(configuration, clock: ContinuousClock()) }
        }
    }
}
