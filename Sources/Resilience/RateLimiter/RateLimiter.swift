import ETRMShared

/// A token-bucket rate limiter: protect an upstream's quota, or answer 429 with the right `Retry-After`.
///
/// ```swift
/// let limiter = try RateLimiter(.init(capacity: 20, refill: 10, per: .seconds(1)))
/// switch limiter.tryAcquire() {
/// case .acquired: try await handle(request)
/// case .rejected(let retryAfter): respond(429, retryAfter: retryAfter)
/// }
/// ```
///
/// ``tryAcquire(permits:)`` never waits. ``acquire(permits:maximumWait:)`` reserves tokens and sleeps until
/// they exist (callers are served in reservation order); a cancelled waiter gives its tokens back.
/// A lock guards the token bucket (an internal state machine); a call with tokens available takes the lock once
/// and reads the clock once.
public final class RateLimiter<C: Clock>: ResilienceStrategy, Sendable where C.Duration == Duration {
    /// The settings type (``RateLimiterConfiguration``).
    public typealias Configuration = RateLimiterConfiguration

    /// The answer to ``RateLimiter/tryAcquire(permits:)``.
    public enum Decision: Sendable, Equatable {
        /// The permits were taken.
        case acquired
        /// Too few tokens; enough exist after `retryAfter` (the `Retry-After` of a 429).
        case rejected(retryAfter: Duration)
    }

    /// A snapshot of the limiter's counters.
    public struct Metrics: Sendable, Equatable {
        /// Calls that got their tokens (at once or after a wait).
        public var acquired: Int
        /// Calls that had to wait for their tokens.
        public var waited: Int
        /// Calls rejected for lack of tokens.
        public var rejected: Int
        /// Tokens available now (negative while waiters hold reservations).
        public var availableTokens: Double
    }

    @usableFromInline
    struct State: Sendable {
        @usableFromInline var bucket: TokenBucket<C.Instant>
        @usableFromInline var acquired = 0
        @usableFromInline var waited = 0
        @usableFromInline var rejected = 0

        @usableFromInline
        init(bucket: TokenBucket<C.Instant>) { self.bucket = bucket }
    }

    /// The settings.
    public let configuration: RateLimiterConfiguration
    /// The clock.
    public let clock: C
    @usableFromInline let state: LockedState<State>

    /// Creates a limiter with a full bucket.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - clock: The clock for refills and waits.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: RateLimiterConfiguration = .init(), clock: C) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.state = LockedState(
            State(
                bucket: TokenBucket(
                    capacity: Double(configuration.capacity), refillPerSecond: configuration.refillPerSecond,
                    now: clock.now)))
    }

    /// Takes `permits` tokens if they are there, without waiting.
    /// - Parameter permits: The tokens wanted, in `1...capacity` (a request may cost more than one).
    /// - Returns: Acquired, or rejected with the time until enough tokens exist.
    /// - Throws: ``ResilienceError/Code/invalidArgument`` for permits out of range.
    @inlinable
    public func tryAcquire(permits: Int = 1) throws(ResilienceError) -> Decision {
        try configuration.checkPermits(permits)
        let clock = self.clock
        let wanted = Double(permits)
        let result = state.withLock { state in
            let result = state.bucket.tryAcquire(wanted, now: clock.now)
            if result == .acquired { state.acquired += 1 } else { state.rejected += 1 }
            return result
        }
        switch result {
        case .acquired:
            return .acquired
        case .rejected(let retryAfter):
            configuration.observer.emit(
                ResilienceEvent(
                    source: configuration.name, kind: .rejected, rejection: .rateLimited, retryAfter: retryAfter))
            return .rejected(retryAfter: retryAfter)
        }
    }

    /// Takes `permits` tokens, waiting up to `maximumWait` for them.
    /// - Parameters:
    ///   - permits: The tokens wanted, in `1...capacity`.
    ///   - maximumWait: The longest acceptable wait (zero: do not wait).
    /// - Throws: ``ResilienceError/Code/rateLimited`` (with `retryAfter`) when the wait would exceed
    ///   `maximumWait` or reach the task's ``TaskDeadline``, ``ResilienceError/Code/invalidArgument`` for permits out of range, or
    ///   `CancellationError` (the reserved tokens are given back).
    nonisolated(nonsending) public func acquire(permits: Int = 1, maximumWait: Duration) async throws {
        try configuration.checkPermits(permits)
        let clock = self.clock
        let wanted = Double(permits)
        let reservation = state.withLock { state in
            let reservation = state.bucket.reserve(wanted, now: clock.now, maximumWait: maximumWait)
            switch reservation {
            case .ready: state.acquired += 1
            case .wait:
                state.acquired += 1
                state.waited += 1
            case .rejected: state.rejected += 1
            }
            return reservation
        }
        switch reservation {
        case .ready:
            return
        case .rejected(let retryAfter):
            configuration.observer.emit(
                ResilienceEvent(
                    source: configuration.name, kind: .rejected, rejection: .rateLimited, retryAfter: retryAfter))
            throw ResilienceError(
                code: .rateLimited, message: "rate limiter '\(configuration.name)' has no tokens within \(maximumWait)",
                retryAfter: retryAfter)
        case .wait(let wait):
            if let deadline = TaskDeadline.current(on: clock), clock.now.advanced(by: wait) >= deadline {
                // The tokens would come at or after the task's deadline: refused like a wait past `maximumWait`.
                state.withLock { state in
                    state.bucket.refund(wanted, now: clock.now)
                    state.acquired -= 1
                    state.waited -= 1
                    state.rejected += 1
                }
                configuration.observer.emit(
                    ResilienceEvent(
                        source: configuration.name, kind: .rejected, rejection: .rateLimited, retryAfter: wait))
                throw ResilienceError(
                    code: .rateLimited,
                    message: "rate limiter '\(configuration.name)' has no tokens before the task's deadline",
                    retryAfter: wait)
            }
            configuration.observer.emit(
                ResilienceEvent(source: configuration.name, kind: .rateLimiterWaited, delay: wait))
            do {
                try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil)
            } catch {
                state.withLock { state in
                    state.bucket.refund(wanted, now: clock.now)
                    state.acquired -= 1
                }
                throw error
            }
        }
    }

    /// Runs `operation` once a token is available (waiting up to ``RateLimiterConfiguration/maximumWait``).
    /// - Parameter operation: The limited call.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/rateLimited``, `CancellationError`, or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        if configuration.maximumWait == .zero {
            if case .rejected(let retryAfter) = try tryAcquire() {
                throw ResilienceError(
                    code: .rateLimited, message: "rate limiter '\(configuration.name)' has no tokens",
                    retryAfter: retryAfter)
            }
        } else {
            try await acquire(maximumWait: configuration.maximumWait)
        }
        return try await operation()
    }

    /// The tokens available now (negative while waiters hold reservations).
    public var availableTokens: Double { metrics.availableTokens }

    /// A snapshot of the counters and the tokens available now.
    public var metrics: Metrics {
        let now = clock.now
        return state.withLock { state in
            _ = state.bucket.tryAcquire(0, now: now)
            return Metrics(
                acquired: state.acquired, waited: state.waited, rejected: state.rejected,
                availableTokens: state.bucket.tokens)
        }
    }
}

extension RateLimiter where C == ContinuousClock {
    /// Creates a limiter on the continuous clock.
    /// - Parameter configuration: The settings.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(_ configuration: RateLimiterConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}
