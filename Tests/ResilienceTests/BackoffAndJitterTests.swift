import ETRMShared
import Resilience
import Testing

@Suite struct BackoffAndJitterTests {
    @Test(arguments: [
        (1, Duration.milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)), (4, .milliseconds(800)),
        (5, .milliseconds(1000)), (40, .milliseconds(1000)), (5000, .milliseconds(1000)),
    ])
    func exponentialDoublesUpToTheCap(retry: Int, expected: Duration) {
        let backoff = Backoff.exponential(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(1))
        #expect(backoff.delay(beforeRetry: retry) == expected)
    }

    @Test(arguments: [
        (1, Duration.seconds(1)), (2, .seconds(3)), (3, .seconds(5)), (4, .seconds(6)), (100, .seconds(6)),
    ])
    func linearAddsTheIncrementUpToTheCap(retry: Int, expected: Duration) {
        let backoff = Backoff.linear(initial: .seconds(1), increment: .seconds(2), maximum: .seconds(6))
        #expect(backoff.delay(beforeRetry: retry) == expected)
    }

    @Test func constantIsConstant() {
        let backoff = Backoff.constant(.milliseconds(750))
        #expect((1...10).map { backoff.delay(beforeRetry: $0) } == Array(repeating: .milliseconds(750), count: 10))
    }

    @Test func invalidBackoffsAreRejectedWithAClearError() {
        let cases: [Backoff] = [
            .exponential(multiplier: 0.5), .exponential(multiplier: .nan), .constant(.seconds(-1)),
            .linear(initial: .seconds(1), increment: .seconds(-1)),
        ]
        for backoff in cases {
            #expect {
                _ = try Retry(.init(backoff: backoff), clock: ContinuousClock())
            } throws: { error in
                (error as? ResilienceError)?.code == .invalidConfiguration
            }
        }
    }

    /// The AWS definitions: full in [0, temp), equal in [temp/2, temp), decorrelated in [base, min(cap, 3 × prev)].
    @Test func jitterStaysWithinItsFormulasBoundsOverManySamples() {
        var generator = SeededGenerator(seed: 42)
        let backoff = Backoff.exponential(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(10))
        let base = backoff.initial
        let cap = backoff.maximum
        var previous = base
        var fullSum = 0.0
        var equalMinimum = Duration.seconds(100)
        for sample in 0..<20_000 {
            let temp = backoff.delay(beforeRetry: sample % 12 + 1)
            let none = Jitter.none.apply(nominal: temp, base: base, cap: cap, previous: previous, using: &generator)
            #expect(none == temp)

            let full = Jitter.full.apply(nominal: temp, base: base, cap: cap, previous: previous, using: &generator)
            #expect(full >= .zero && full < temp)
            fullSum += full.seconds / temp.seconds

            let equal = Jitter.equal.apply(nominal: temp, base: base, cap: cap, previous: previous, using: &generator)
            #expect(equal >= temp / 2 - .nanoseconds(1) && equal < temp)
            equalMinimum = min(equalMinimum, equal)

            let decorrelated = Jitter.decorrelated.apply(
                nominal: temp, base: base, cap: cap, previous: previous, using: &generator)
            #expect(decorrelated >= base - .nanoseconds(1))
            #expect(decorrelated <= min(cap, previous * 3))
            previous = decorrelated
        }
        // Full jitter is uniform on [0, temp): its mean ratio is one half.
        #expect(abs(fullSum / 20_000 - 0.5) < 0.01)
        #expect(equalMinimum >= .milliseconds(50) - .nanoseconds(1))
    }

    @Test func decorrelatedJitterReachesTheCapAndStaysUnderIt() {
        var generator = SeededGenerator(seed: 7)
        var previous = Duration.milliseconds(100)
        var reachedHalfCap = false
        for _ in 0..<1000 {
            previous = Jitter.decorrelated.apply(
                nominal: .zero, base: .milliseconds(100), cap: .seconds(5), previous: previous, using: &generator)
            #expect(previous <= .seconds(5))
            if previous > .milliseconds(2500) { reachedHalfCap = true }
        }
        #expect(reachedHalfCap)
    }

    @Test func seededRandomSourcesRepeat() {
        var a = RandomSource(SeededGenerator(seed: 9))
        var b = RandomSource(SeededGenerator(seed: 9))
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
