import ETRMShared

/// A token bucket shared by every retry against one upstream, so that an outage does not multiply the load:
/// retries are capped at a ratio of requests, with a floor so that a quiet service can still retry.
///
/// Each call through a ``Retry`` deposits ``Configuration/retryRatio`` tokens; each retry withdraws one token
/// and is refused (the retry gives up with ``RetryGiveUpReason/budgetExhausted``) when fewer than
/// one remain. The floor adds ``Configuration/minimumRetriesPerSecond`` tokens every second. The balance never
/// exceeds ``Configuration/maximumBalance``. Over any period of `T` seconds with `R` requests, retries are
/// therefore at most `balance₀ + retryRatio × R + minimumRetriesPerSecond × T`.
///
/// This is Finagle's `RetryBudget` (a ratio of requests plus a minimum rate) and the idea behind gRPC's retry
/// throttling, as a single bucket. Defaults follow Finagle: 20 % of requests, 10 retries a second.
///
/// A lock protects the balance: a deposit is a few nanoseconds on every call, which an actor hop would
/// multiply.
public final class RetryBudget: Sendable {
    /// The budget's settings.
    public struct Configuration: Sendable {
        /// Tokens deposited per request (0.2: retries up to 20 % of requests).
        public var retryRatio: Double
        /// Tokens added per second whatever the traffic (the floor).
        public var minimumRetriesPerSecond: Double
        /// The most tokens the bucket holds, which bounds the burst of retries when an outage begins.
        public var maximumBalance: Double
        /// The tokens at creation.
        public var initialBalance: Double

        /// Creates a configuration.
        /// - Parameters:
        ///   - retryRatio: Tokens per request, in `0...1000`.
        ///   - minimumRetriesPerSecond: The floor rate, not negative.
        ///   - maximumBalance: The cap, at least 1.
        ///   - initialBalance: The starting balance (default: one second of the floor).
        public init(
            retryRatio: Double = 0.2, minimumRetriesPerSecond: Double = 10, maximumBalance: Double = 100,
            initialBalance: Double? = nil
        ) {
            self.retryRatio = retryRatio
            self.minimumRetriesPerSecond = minimumRetriesPerSecond
            self.maximumBalance = maximumBalance
            self.initialBalance = initialBalance ?? min(minimumRetriesPerSecond, maximumBalance)
        }
    }

    /// A snapshot of the budget's counters.
    public struct Metrics: Sendable, Equatable {
        /// Requests deposited.
        public var requests: Int
        /// Retries allowed.
        public var retriesAllowed: Int
        /// Retries refused.
        public var retriesRefused: Int
        /// Tokens in the bucket when the snapshot was taken.
        public var balance: Double
    }

    private struct State {
        var balance: Double
        var lastRefill: Duration
        var requests = 0
        var allowed = 0
        var refused = 0

        mutating func refill(now: Duration, configuration: Configuration) {
            let elapsed = (now - lastRefill).secondsValue
            guard elapsed > 0 else { return }
            lastRefill = now
            balance = min(configuration.maximumBalance, balance + elapsed * configuration.minimumRetriesPerSecond)
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let elapsed: @Sendable () -> Duration
    private let state: LockedState<State>

    /// Creates a budget on `clock`.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - clock: The clock behind the floor's refill.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a negative or non-finite setting.
    public init<C: Clock>(_ configuration: Configuration = .init(), clock: C) throws(ResilienceError)
    where C.Duration == Duration {
        let c = configuration
        guard c.retryRatio.isFinite, (0...1000).contains(c.retryRatio) else {
            throw .invalidConfiguration("retry budget retryRatio must be in 0...1000 (got \(c.retryRatio))")
        }
        guard c.minimumRetriesPerSecond.isFinite, c.minimumRetriesPerSecond >= 0 else {
            throw .invalidConfiguration(
                "retry budget minimumRetriesPerSecond must be finite and >= 0 (got \(c.minimumRetriesPerSecond))")
        }
        guard c.maximumBalance.isFinite, c.maximumBalance >= 1 else {
            throw .invalidConfiguration("retry budget maximumBalance must be finite and >= 1 (got \(c.maximumBalance))")
        }
        guard c.initialBalance.isFinite, c.initialBalance >= 0 else {
            throw .invalidConfiguration("retry budget initialBalance must be finite and >= 0 (got \(c.initialBalance))")
        }
        self.configuration = c
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
        self.state = LockedState(State(balance: min(c.initialBalance, c.maximumBalance), lastRefill: .zero))
    }

    /// Creates a budget on the continuous clock.
    /// - Parameter configuration: The settings.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a negative or non-finite setting.
    public convenience init(_ configuration: Configuration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }

    /// Records one request (``Retry`` calls this once per call): deposits ``Configuration/retryRatio`` tokens.
    public func deposit() {
        let ratio = configuration.retryRatio
        let cap = configuration.maximumBalance
        state.withLock { state in
            state.requests += 1
            state.balance = min(cap, state.balance + ratio)
        }
    }

    /// Withdraws one token for a retry.
    /// - Returns: Whether the retry may go ahead.
    public func tryWithdraw() -> Bool {
        let now = elapsed()
        return state.withLock { state in
            state.refill(now: now, configuration: configuration)
            guard state.balance >= 1 else {
                state.refused += 1
                return false
            }
            state.balance -= 1
            state.allowed += 1
            return true
        }
    }

    /// The budget's counters and current balance.
    public var metrics: Metrics {
        let now = elapsed()
        return state.withLock { state in
            state.refill(now: now, configuration: configuration)
            return Metrics(
                requests: state.requests, retriesAllowed: state.allowed, retriesRefused: state.refused,
                balance: state.balance)
        }
    }
}
