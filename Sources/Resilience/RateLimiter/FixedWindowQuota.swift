import ETRMShared

/// A quota of calls per fixed window (per day, per hour), reset at each window boundary: an ETRM vendor's
/// "10 000 requests per day".
///
/// Windows are `[origin + k × window, origin + (k + 1) × window)`, with the window of
/// ``FixedWindowQuotaConfiguration/window``. For a daily quota that resets at midnight UTC, pass the clock
/// instant of a past midnight as `origin`.
public final class FixedWindowQuota<C: Clock>: Sendable where C.Duration == Duration {
    /// The answer to ``FixedWindowQuota/tryAcquire(permits:)``.
    public enum Decision: Sendable, Equatable {
        /// Granted; `remaining` calls are left in this window, which resets after `resetIn`.
        case granted(remaining: Int, resetIn: Duration)
        /// The window's quota is spent; it resets after `resetIn`.
        case exhausted(resetIn: Duration)
    }

    private struct State {
        var windowIndex: Int64 = .min
        var used = 0
    }

    /// The settings type (``FixedWindowQuotaConfiguration``).
    public typealias Configuration = FixedWindowQuotaConfiguration

    /// The settings.
    public let configuration: FixedWindowQuotaConfiguration
    /// The start of window 0.
    public let origin: C.Instant
    /// The clock.
    public let clock: C
    private let state = LockedState(State())
    private var limit: Int { configuration.limit }
    private var window: Duration { configuration.window }

    /// Creates a quota.
    /// - Parameters:
    ///   - configuration: The limit per window and the window's length.
    ///   - origin: The start of a window (default: now).
    ///   - clock: The clock.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(
        _ configuration: FixedWindowQuotaConfiguration = .init(), origin: C.Instant? = nil, clock: C
    ) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.origin = origin ?? clock.now
        self.clock = clock
    }

    /// Uses `permits` calls of the current window's quota if they are left.
    /// - Parameter permits: The calls to use (at least 1).
    /// - Returns: Granted with what remains, or exhausted; both with the time to the window's reset.
    /// - Throws: ``ResilienceError/Code/invalidArgument`` when `permits` is below 1 or above the limit.
    public func tryAcquire(permits: Int = 1) throws(ResilienceError) -> Decision {
        guard permits >= 1, permits <= limit else {
            throw ResilienceError(code: .invalidArgument, message: "permits must be in 1...\(limit); got \(permits)")
        }
        let elapsed = origin.duration(to: clock.now)
        let index = Int64((elapsed / window).rounded(.down))
        let untilReset = window * (index + 1) - elapsed
        return state.withLock { state in
            if state.windowIndex != index {
                state.windowIndex = index
                state.used = 0
            }
            guard state.used + permits <= limit else { return .exhausted(resetIn: untilReset) }
            state.used += permits
            return .granted(remaining: limit - state.used, resetIn: untilReset)
        }
    }

    /// Uses one call of the quota or throws.
    /// - Throws: ``ResilienceError/Code/quotaExhausted`` with `retryAfter` set to the time until the reset.
    public func acquire() throws(ResilienceError) {
        if case .exhausted(let resetIn) = try tryAcquire() {
            throw ResilienceError(
                code: .quotaExhausted, message: "quota of \(limit) per \(window) is used up", retryAfter: resetIn)
        }
    }
}

extension FixedWindowQuota where C == ContinuousClock {
    /// Creates a quota on the continuous clock whose windows start now.
    /// - Parameter configuration: The limit per window and the window's length.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(_ configuration: FixedWindowQuotaConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}
