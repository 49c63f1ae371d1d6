/// The settings of a ``PartitionedRateLimiter``: each partition's bucket and the bound on partitions held.
///
/// `PartitionedRateLimiterConfiguration(partition: .init(capacity: 200, refill: 100, per: .seconds(1)),
/// maximumPartitions: 10_000)` gives each of up to 10,000 desks bursts of 200 and 100 calls a second.
public struct PartitionedRateLimiterConfiguration: Sendable {
    /// The settings of each partition's token bucket (and the name and observer of the limiter's events).
    public var partition: RateLimiterConfiguration
    /// The most partitions held; a new key at a full table replaces the longest-idle partition or is refused.
    public var maximumPartitions: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - partition: The settings of each partition.
    ///   - maximumPartitions: The bound on partitions held (at least 1).
    public init(partition: RateLimiterConfiguration = .init(), maximumPartitions: Int = 10_000) {
        self.partition = partition
        self.maximumPartitions = maximumPartitions
    }

    func validate() throws(ResilienceError) {
        try partition.validate()
        guard maximumPartitions >= 1 else {
            throw .invalidConfiguration("maximumPartitions must be at least 1 (got \(maximumPartitions))")
        }
    }
}
