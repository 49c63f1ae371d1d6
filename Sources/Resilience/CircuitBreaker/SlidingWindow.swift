/// The failure counts a ``CircuitBreakerStateMachine`` evaluates: consecutive failures, the last N calls, or
/// the calls of the last period in fixed buckets. Memory is bounded by the configuration, not the traffic.
@usableFromInline
struct SlidingWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    @usableFromInline
    struct Counts: Sendable, Equatable {
        @usableFromInline var calls = 0
        @usableFromInline var failures = 0
        @usableFromInline var slow = 0

        @usableFromInline
        init(calls: Int = 0, failures: Int = 0, slow: Int = 0) {
            self.calls = calls
            self.failures = failures
            self.slow = slow
        }
    }

    @usableFromInline
    struct Bucket: Sendable {
        @usableFromInline var epoch: Int64 = .min
        @usableFromInline var counts = Counts()

        @usableFromInline
        init(epoch: Int64 = .min, counts: Counts = Counts()) {
            self.epoch = epoch
            self.counts = counts
        }
    }

    @usableFromInline
    enum Storage: Sendable {
        case consecutive(threshold: Int, failures: Int)
        /// Each slot: bit 0 failure, bit 1 slow.
        case count(slots: [UInt8], size: Int, next: Int, counts: Counts)
        case time(buckets: [Bucket], bucketDuration: Duration, origin: Instant?)
    }

    @usableFromInline var storage: Storage
    @usableFromInline let failureRateThreshold: Double
    @usableFromInline let slowCallRateThreshold: Double
    @usableFromInline let minimumCalls: Int

    init(configuration: CircuitBreakerConfiguration) {
        failureRateThreshold = configuration.failureRateThreshold
        slowCallRateThreshold = configuration.slowCallDuration == nil ? 2 : configuration.slowCallRateThreshold
        minimumCalls = configuration.effectiveMinimumCalls
        switch configuration.mode.kind {
        case .consecutiveFailures(let threshold):
            storage = .consecutive(threshold: threshold, failures: 0)
        case .countWindow(let size):
            storage = .count(slots: [], size: size, next: 0, counts: Counts())
        case .timeWindow(let duration, let buckets):
            storage = .time(
                buckets: Array(repeating: Bucket(), count: buckets), bucketDuration: duration / buckets, origin: nil)
        }
    }

    /// Whether recording needs the current time.
    @inlinable
    var needsTime: Bool {
        if case .time = storage { return true }
        return false
    }

    /// Records one call and says whether the thresholds are now reached.
    @inlinable
    mutating func record(failure: Bool, slow: Bool, now: Instant?) -> Bool {
        switch storage {
        case .consecutive(let threshold, let failures):
            let count = failure ? failures + 1 : 0
            storage = .consecutive(threshold: threshold, failures: count)
            return count >= threshold
        case .count(var slots, let size, var next, var counts):
            storage = .consecutive(threshold: 0, failures: 0)  // release the array so the edit is in place
            let flags: UInt8 = (failure ? 1 : 0) | (slow ? 2 : 0)
            if slots.count < size {
                slots.append(flags)
                counts.calls += 1
            } else {
                let old = slots[next]
                counts.failures -= Int(old & 1)
                counts.slow -= Int((old >> 1) & 1)
                slots[next] = flags
                next = (next + 1) % size
            }
            counts.failures += failure ? 1 : 0
            counts.slow += slow ? 1 : 0
            storage = .count(slots: slots, size: size, next: next, counts: counts)
            return exceedsThresholds(counts)
        case .time(var buckets, let bucketDuration, var origin):
            guard let now else { return false }
            storage = .consecutive(threshold: 0, failures: 0)
            let start = origin ?? now
            origin = start
            let epoch = Self.epoch(of: now, origin: start, bucketDuration: bucketDuration)
            let index = Int(epoch % Int64(buckets.count))
            if buckets[index].epoch != epoch { buckets[index] = Bucket(epoch: epoch, counts: Counts()) }
            buckets[index].counts.calls += 1
            buckets[index].counts.failures += failure ? 1 : 0
            buckets[index].counts.slow += slow ? 1 : 0
            storage = .time(buckets: buckets, bucketDuration: bucketDuration, origin: origin)
            return exceedsThresholds(Self.total(buckets, epoch: epoch))
        }
    }

    /// The counts in the window now.
    func counts(now: Instant?) -> Counts {
        switch storage {
        case .consecutive(_, let failures):
            return Counts(calls: failures, failures: failures, slow: 0)
        case .count(_, _, _, let counts):
            return counts
        case .time(let buckets, let bucketDuration, let origin):
            guard let origin, let now else { return Counts() }
            return Self.total(buckets, epoch: Self.epoch(of: now, origin: origin, bucketDuration: bucketDuration))
        }
    }

    /// Forgets every recorded call (after the breaker changes state).
    @usableFromInline
    mutating func reset() {
        switch storage {
        case .consecutive(let threshold, _):
            storage = .consecutive(threshold: threshold, failures: 0)
        case .count(var slots, let size, _, _):
            slots.removeAll(keepingCapacity: true)
            storage = .count(slots: slots, size: size, next: 0, counts: Counts())
        case .time(let buckets, let bucketDuration, _):
            storage = .time(
                buckets: Array(repeating: Bucket(), count: buckets.count), bucketDuration: bucketDuration, origin: nil)
        }
    }

    @inlinable
    func exceedsThresholds(_ counts: Counts) -> Bool {
        guard counts.calls >= minimumCalls, counts.calls > 0 else { return false }
        let calls = Double(counts.calls)
        return Double(counts.failures) / calls >= failureRateThreshold
            || Double(counts.slow) / calls >= slowCallRateThreshold
    }

    @inlinable
    static func epoch(of now: Instant, origin: Instant, bucketDuration: Duration) -> Int64 {
        let elapsed = origin.duration(to: now)
        guard elapsed > .zero else { return 0 }
        return Int64((elapsed / bucketDuration).rounded(.down))
    }

    @inlinable
    static func total(_ buckets: [Bucket], epoch: Int64) -> Counts {
        var total = Counts()
        let oldest = epoch - Int64(buckets.count) + 1
        for bucket in buckets where bucket.epoch >= oldest && bucket.epoch <= epoch {
            total.calls += bucket.counts.calls
            total.failures += bucket.counts.failures
            total.slow += bucket.counts.slow
        }
        return total
    }
}
