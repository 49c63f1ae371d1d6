/// The settings of a ``RateLimiter`` or of each partition of a ``PartitionedRateLimiter``.
///
/// `RateLimiterConfiguration(capacity: 20, refill: 10, per: .seconds(1))` allows bursts of 20 and 10 calls a
/// second sustained.
public struct RateLimiterConfiguration: Sendable {
    /// The name in events.
    public var name: String
    /// The bucket's size: the largest burst.
    public var capacity: Int
    /// Tokens added every ``refillInterval`` (continuously, pro rata).
    public var refillAmount: Int
    /// The interval ``refillAmount`` tokens are added over.
    public var refillInterval: Duration
    /// How long ``RateLimiter/execute(_:)`` may wait for a token; zero (the default) rejects at once.
    public var maximumWait: Duration
    /// Receives the limiter's events. Default none.
    public var observer: (any ResilienceObserver)?

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: The name in events.
    ///   - capacity: The burst size (at least 1).
    ///   - refill: Tokens per interval (at least 1).
    ///   - interval: The refill interval (positive).
    ///   - maximumWait: The longest wait in ``RateLimiter/execute(_:)``.
    ///   - observer: The event observer.
    public init(
        name: String = "rate-limiter", capacity: Int = 100, refill: Int = 100, per interval: Duration = .seconds(1),
        maximumWait: Duration = .zero, observer: (any ResilienceObserver)? = nil
    ) {
        self.name = name
        self.capacity = capacity
        self.refillAmount = refill
        self.refillInterval = interval
        self.maximumWait = maximumWait
        self.observer = observer
    }

    @usableFromInline
    var refillPerSecond: Double { Double(refillAmount) / refillInterval.secondsValue }

    func validate() throws(ResilienceError) {
        guard capacity >= 1 else {
            throw .invalidConfiguration("rate limiter capacity must be at least 1 (got \(capacity))")
        }
        guard refillAmount >= 1 else {
            throw .invalidConfiguration("rate limiter refill must be at least 1 (got \(refillAmount))")
        }
        guard refillInterval > .zero else {
            throw .invalidConfiguration("rate limiter refill interval must be positive (got \(refillInterval))")
        }
        guard maximumWait >= .zero else {
            throw .invalidConfiguration("rate limiter maximumWait must not be negative (got \(maximumWait))")
        }
    }

    @inlinable
    func checkPermits(_ permits: Int) throws(ResilienceError) {
        guard permits >= 1, permits <= capacity else {
            throw ResilienceError(
                code: .invalidArgument,
                message: "permits must be in 1...\(capacity) (the bucket's capacity); got \(permits)")
        }
    }
}
