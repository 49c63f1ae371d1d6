/// A token bucket: the logic of ``RateLimiter`` and ``PartitionedRateLimiter``, pure and clock-free.
///
/// The bucket holds up to ``capacity`` tokens and refills continuously at ``refillPerSecond``. A call takes
/// tokens; ``tryAcquire(_:now:)`` never waits and says how long until enough tokens exist (the `Retry-After`
/// of a 429). ``reserve(_:now:maximumWait:)`` takes tokens ahead of time, letting the balance go negative, and
/// returns the wait until they would have been there: waiting callers are therefore served in the order they
/// reserved, and a later caller's wait includes the earlier reservations.
@usableFromInline
package struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The answer to ``TokenBucket/tryAcquire(_:now:)``.
    @usableFromInline
    package enum Acquisition: Sendable, Equatable {
        /// The tokens were taken.
        case acquired
        /// Too few tokens; enough will exist after `retryAfter`.
        case rejected(retryAfter: Duration)
    }

    /// The answer to ``TokenBucket/reserve(_:now:maximumWait:)``.
    @usableFromInline
    package enum Reservation: Sendable, Equatable {
        /// The tokens were taken; go ahead now.
        case ready
        /// The tokens were reserved; go ahead after `wait`.
        case wait(Duration)
        /// The wait would exceed the maximum; nothing was taken. Enough tokens exist after `retryAfter`.
        case rejected(retryAfter: Duration)
    }

    /// The most tokens held.
    @usableFromInline package let capacity: Double
    /// Tokens added per second.
    @usableFromInline package let refillPerSecond: Double
    /// Tokens available after the last update (negative while reservations are outstanding).
    @inlinable package var tokens: Double { _tokens }
    @usableFromInline var _tokens: Double
    /// When the bucket was last refilled (its last use).
    @inlinable package var lastUpdate: Instant { _lastUpdate }
    @usableFromInline var _lastUpdate: Instant

    /// Creates a full bucket.
    /// - Parameters:
    ///   - capacity: The most tokens held (positive).
    ///   - refillPerSecond: The refill rate (positive).
    ///   - now: The current time.
    @usableFromInline package init(capacity: Double, refillPerSecond: Double, now: Instant) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self._tokens = capacity
        self._lastUpdate = now
    }

    @inlinable
    mutating func refill(now: Instant) {
        let elapsed = _lastUpdate.duration(to: now)
        guard elapsed > .zero else { return }
        _tokens = min(capacity, _tokens + elapsed.secondsValue * refillPerSecond)
        _lastUpdate = now
    }

    @inlinable
    func timeUntil(_ permits: Double) -> Duration {
        let missing = permits - tokens
        guard missing > 0 else { return .zero }
        // Round up to the nanosecond so that waking at now + wait always finds the tokens.
        let nanoseconds = (missing / refillPerSecond * 1e9).rounded(.up)
        return .nanoseconds(Int64(min(nanoseconds, 9.0e18)))
    }

    /// Takes `permits` tokens if they are there.
    /// - Parameters:
    ///   - permits: The tokens wanted (at most ``capacity``).
    ///   - now: The current time.
    /// - Returns: Acquired, or rejected with the time until enough tokens exist.
    @inlinable
    package mutating func tryAcquire(_ permits: Double, now: Instant) -> Acquisition {
        refill(now: now)
        guard _tokens >= permits else { return .rejected(retryAfter: timeUntil(permits)) }
        _tokens -= permits
        return .acquired
    }

    /// Takes `permits` tokens now or reserves them for the earliest time they will exist.
    /// - Parameters:
    ///   - permits: The tokens wanted (at most ``capacity``).
    ///   - now: The current time.
    ///   - maximumWait: The longest acceptable wait.
    /// - Returns: Ready, wait, or rejected when the wait would exceed `maximumWait`.
    @usableFromInline package mutating func reserve(
        _ permits: Double, now: Instant, maximumWait: Duration
    ) -> Reservation {
        refill(now: now)
        let wait = timeUntil(permits)
        guard wait <= maximumWait else { return .rejected(retryAfter: wait) }
        _tokens -= permits
        return wait == .zero ? .ready : .wait(wait)
    }

    /// Gives back tokens of a reservation that was not used (its caller was cancelled).
    /// - Parameters:
    ///   - permits: The tokens to return.
    ///   - now: The current time.
    @usableFromInline package mutating func refund(_ permits: Double, now: Instant) {
        refill(now: now)
        _tokens = min(capacity, _tokens + permits)
    }

    /// When the bucket is full again if nothing is taken before then (its last update when it is full now).
    @inlinable
    var fullAt: Instant { _lastUpdate.advanced(by: timeUntil(capacity)) }

    /// Whether the bucket is full at `now`, and so indistinguishable from a new one.
    /// - Parameter now: The current time.
    /// - Returns: True when refilled to capacity.
    @usableFromInline package func isFull(now: Instant) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= capacity
    }
}
