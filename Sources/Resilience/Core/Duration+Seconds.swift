extension Duration {
    /// The duration in seconds as a `Double` (exact to about a nanosecond for durations under a century).
    @inlinable
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// A duration from seconds, clamped to `0...maximumSeconds` (NaN becomes zero), so arithmetic on
    /// user-supplied multipliers can never trap.
    static func clampedSeconds(_ seconds: Double, maximumSeconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        let bounded = Swift.min(seconds, maximumSeconds, 9.0e9)
        return .nanoseconds(Int64((bounded * 1e9).rounded(.down)))
    }
}
