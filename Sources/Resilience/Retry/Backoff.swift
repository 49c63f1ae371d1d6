/// How long ``Retry`` waits before each retry, before jitter.
///
/// With `n` the retry number (1 before the second attempt) and every delay capped at ``maximum``:
/// - constant: `initial`
/// - linear: `initial + increment × (n − 1)`
/// - exponential: `initial × multiplierⁿ⁻¹` (AWS's `base × 2^attempt` with `multiplier` 2)
public struct Backoff: Sendable, Equatable {
    enum Shape: Sendable, Equatable {
        case constant
        case linear(increment: Duration)
        case exponential(multiplier: Double)
    }

    let shape: Shape
    /// The delay before the first retry (AWS's `base`).
    public var initial: Duration
    /// The largest delay ever returned (AWS's `cap`).
    public var maximum: Duration

    /// The same delay before every retry.
    /// - Parameter delay: The delay.
    /// - Returns: A constant backoff.
    public static func constant(_ delay: Duration) -> Backoff {
        Backoff(shape: .constant, initial: delay, maximum: delay)
    }

    /// A delay that grows by `increment` after each retry.
    /// - Parameters:
    ///   - initial: The first delay.
    ///   - increment: Added before each later retry.
    ///   - maximum: The cap.
    /// - Returns: A linear backoff.
    public static func linear(initial: Duration, increment: Duration, maximum: Duration = .seconds(60)) -> Backoff {
        Backoff(shape: .linear(increment: increment), initial: initial, maximum: maximum)
    }

    /// A delay multiplied by `multiplier` after each retry.
    /// - Parameters:
    ///   - initial: The first delay.
    ///   - multiplier: The growth factor (at least 1).
    ///   - maximum: The cap.
    /// - Returns: An exponential backoff.
    public static func exponential(
        initial: Duration = .milliseconds(200), multiplier: Double = 2, maximum: Duration = .seconds(30)
    ) -> Backoff {
        Backoff(shape: .exponential(multiplier: multiplier), initial: initial, maximum: maximum)
    }

    /// The nominal (un-jittered) delay before retry `retry`.
    /// - Parameter retry: The retry number, 1 for the wait before the second attempt.
    /// - Returns: The delay, never above ``maximum``.
    public func delay(beforeRetry retry: Int) -> Duration {
        let n = Swift.max(retry, 1)
        let cap = maximum.secondsValue
        switch shape {
        case .constant:
            return Swift.min(initial, maximum)
        case .linear(let increment):
            let seconds = initial.secondsValue + increment.secondsValue * Double(n - 1)
            return .clampedSeconds(seconds, maximumSeconds: cap)
        case .exponential(let multiplier):
            let seconds = initial.secondsValue * _pow(multiplier, n - 1)
            return .clampedSeconds(seconds, maximumSeconds: cap)
        }
    }

    func validate() throws(ResilienceError) {
        guard initial >= .zero, maximum >= .zero else {
            throw .invalidConfiguration("backoff delays must not be negative (initial \(initial), maximum \(maximum))")
        }
        switch shape {
        case .constant: break
        case .linear(let increment):
            guard increment >= .zero else {
                throw .invalidConfiguration("linear backoff increment must not be negative (got \(increment))")
            }
        case .exponential(let multiplier):
            guard multiplier.isFinite, multiplier >= 1 else {
                throw .invalidConfiguration(
                    "exponential backoff multiplier must be finite and >= 1 (got \(multiplier))")
            }
        }
    }
}

/// `base` raised to a small non-negative integer power, saturating at infinity (no Foundation `pow`).
private func _pow(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    var factor = base
    var remaining = exponent
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
        if !result.isFinite { return .infinity }
    }
    return result
}
