/// Randomisation of ``Retry``'s delays so that many clients do not retry in lock-step.
///
/// The definitions are those of the AWS Architecture Blog, "Exponential Backoff And Jitter" (Marc Brooker,
/// 2015), with `temp` the nominal ``Backoff`` delay (already capped), `base` the backoff's
/// ``Backoff/initial`` and `cap` its ``Backoff/maximum``:
/// - ``none``: `sleep = temp`
/// - ``full``: `sleep = random_between(0, temp)`
/// - ``equal``: `sleep = temp / 2 + random_between(0, temp / 2)`
/// - ``decorrelated``: `sleep = min(cap, random_between(base, previous_sleep × 3))`, with `previous_sleep`
///   starting at `base`; it ignores the backoff's shape.
///
/// `random_between(a, b)` is uniform on `[a, b)`.
public struct Jitter: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case none, full, equal, decorrelated }
    let kind: Kind

    /// No jitter: the backoff's delay exactly.
    public static let none = Jitter(kind: .none)
    /// Uniform on `[0, temp)`: the most spread, the lowest mean.
    public static let full = Jitter(kind: .full)
    /// Uniform on `[temp/2, temp)`: never shorter than half the backoff.
    public static let equal = Jitter(kind: .equal)
    /// Uniform on `[base, 3 × previous)`, capped: grows from the previous delay, not the attempt number.
    public static let decorrelated = Jitter(kind: .decorrelated)

    /// The jittered delay.
    /// - Parameters:
    ///   - nominal: The backoff's delay for this retry (`temp`).
    ///   - base: The backoff's initial delay.
    ///   - cap: The backoff's maximum.
    ///   - previous: The previous jittered delay (`base` before the first retry).
    ///   - generator: The random source.
    /// - Returns: The delay to sleep.
    public func apply(
        nominal: Duration, base: Duration, cap: Duration, previous: Duration,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        switch kind {
        case .none:
            return nominal
        case .full:
            return .clampedSeconds(nominal.secondsValue * unit(&generator), maximumSeconds: nominal.secondsValue)
        case .equal:
            let half = nominal.secondsValue / 2
            return .clampedSeconds(half + half * unit(&generator), maximumSeconds: nominal.secondsValue)
        case .decorrelated:
            let low = base.secondsValue
            let high = Swift.max(low, previous.secondsValue * 3)
            return .clampedSeconds(low + (high - low) * unit(&generator), maximumSeconds: cap.secondsValue)
        }
    }

    private func unit(_ generator: inout some RandomNumberGenerator) -> Double {
        Double.random(in: 0..<1, using: &generator)
    }
}
