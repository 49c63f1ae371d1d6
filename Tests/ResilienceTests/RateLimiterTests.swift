import ETRMTestSupport
import Resilience
import ResilienceTesting
import Testing

@Suite struct RateLimiterTests {
    typealias Bucket = TokenBucket<ManualClock.Instant>

    private func at(_ milliseconds: Int64) -> ManualClock.Instant { .init(offset: .milliseconds(milliseconds)) }

    @Test func tokenBucketRefillsContinuouslyAndSaysWhenTokensReturn() {
        var bucket = Bucket(capacity: 5, refillPerSecond: 2, now: at(0))
        for _ in 0..<5 { #expect(bucket.tryAcquire(1, now: at(0)) == .acquired) }
        #expect(bucket.tryAcquire(1, now: at(0)) == .rejected(retryAfter: .milliseconds(500)))
        #expect(bucket.tryAcquire(1, now: at(250)) == .rejected(retryAfter: .milliseconds(250)))
        #expect(bucket.tryAcquire(1, now: at(500)) == .acquired)
        #expect(bucket.tryAcquire(3, now: at(1500)) == .rejected(retryAfter: .milliseconds(500)))
        #expect(bucket.isFull(now: at(4000)))
        #expect(!bucket.isFull(now: at(1000)))
    }

    @Test func reservationsQueueBehindEachOther() {
        var bucket = Bucket(capacity: 2, refillPerSecond: 1, now: at(0))
        #expect(bucket.reserve(2, now: at(0), maximumWait: .seconds(10)) == .ready)
        #expect(bucket.reserve(1, now: at(0), maximumWait: .seconds(10)) == .wait(.seconds(1)))
        #expect(bucket.reserve(1, now: at(0), maximumWait: .seconds(10)) == .wait(.seconds(2)))
        #expect(bucket.reserve(1, now: at(0), maximumWait: .seconds(2)) == .rejected(retryAfter: .seconds(3)))
        bucket.refund(1, now: at(0))
        #expect(bucket.reserve(1, now: at(0), maximumWait: .seconds(2)) == .wait(.seconds(2)))
    }

    @Test func tryAcquireGivesTheRetryAfterA429Needs() throws {
        let clock = ManualClock()
        let events = EventStream()
        let limiter = try RateLimiter(
            .init(capacity: 10, refill: 10, per: .seconds(1), observer: events.observer), clock: clock)
        var acquired = 0
        while case .acquired = try limiter.tryAcquire() { acquired += 1 }
        #expect(acquired == 10)
        #expect(try limiter.tryAcquire() == .rejected(retryAfter: .milliseconds(100)))
        #expect(try limiter.tryAcquire(permits: 5) == .rejected(retryAfter: .milliseconds(500)))
        clock.advance(by: .milliseconds(500))
        #expect(try limiter.tryAcquire(permits: 5) == .acquired)
        #expect(events.names == ["rejected", "rejected", "rejected"])  // the loop's last call and the two above
        #expect(throws: ResilienceError.self) { _ = try limiter.tryAcquire(permits: 11) }
        #expect(throws: ResilienceError.self) { _ = try limiter.tryAcquire(permits: 0) }
    }

    @Test func acquireWaitsForItsTokensInOrder() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(.init(capacity: 1, refill: 1, per: .seconds(1)), clock: clock)
        try await limiter.acquire(maximumWait: .zero)
        let order = Recorder<Int>()
        let first = Task {
            try await limiter.acquire(maximumWait: .seconds(5))
            order.append(1)
        }
        await clock.waitForSleepers(count: 1)
        let second = Task {
            try await limiter.acquire(maximumWait: .seconds(5))
            order.append(2)
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        try await first.value
        #expect(order.values == [1])
        clock.advance(by: .seconds(1))
        try await second.value
        #expect(order.values == [1, 2])
        let metrics = limiter.metrics
        #expect(metrics.acquired == 3)
        #expect(metrics.waited == 2)
        #expect(metrics.rejected == 0)
        #expect(metrics.availableTokens == 0)
    }

    @Test func aWaitLongerThanTheMaximumIsRejectedWithRetryAfter() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(.init(capacity: 1, refill: 1, per: .seconds(10)), clock: clock)
        try await limiter.acquire(maximumWait: .zero)
        await #expect {
            try await limiter.acquire(maximumWait: .seconds(9))
        } throws: { error in
            guard let error = error as? ResilienceError else { return false }
            return error.code == .rateLimited && error.retryAfter == .seconds(10)
        }
    }

    @Test func aCancelledWaiterGivesItsTokensBack() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter(.init(capacity: 1, refill: 1, per: .seconds(1)), clock: clock)
        try await limiter.acquire(maximumWait: .zero)
        let waiter = Task { try await limiter.acquire(maximumWait: .seconds(10)) }
        await clock.waitForSleepers(count: 1)
        #expect(limiter.availableTokens == -1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.availableTokens == 0)
        #expect(limiter.metrics.acquired == 1)
        clock.advance(by: .seconds(1))
        #expect(try limiter.tryAcquire() == .acquired)
    }

    @Test func executeRejectsOrWaitsAsConfigured() async throws {
        let clock = ManualClock()
        let immediate = try RateLimiter(.init(capacity: 1, refill: 1, per: .seconds(1)), clock: clock)
        #expect(try await immediate.execute { 1 } == 1)
        await #expect(throws: ResilienceError.self) { try await immediate.execute { 1 } }

        let patient = try RateLimiter(
            .init(capacity: 1, refill: 1, per: .seconds(1), maximumWait: .seconds(2)), clock: clock)
        #expect(try await patient.execute { 1 } == 1)
        let task = Task { try await patient.execute { 2 } }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(try await task.value == 2)
    }

    @Test func partitionsAreIndependentAndBounded() throws {
        let clock = ManualClock()
        let limiter = try PartitionedRateLimiter<String, ManualClock>(
            .init(partition: .init(capacity: 2, refill: 1, per: .seconds(1)), maximumPartitions: 3), clock: clock)
        #expect(try limiter.tryAcquire("power-desk") == .acquired)
        #expect(try limiter.tryAcquire("power-desk") == .acquired)
        #expect(try limiter.tryAcquire("power-desk") == .rejected(retryAfter: .seconds(1)))
        #expect(try limiter.tryAcquire("gas-desk") == .acquired)
        #expect(try limiter.tryAcquire("lng-desk") == .acquired)
        #expect(limiter.partitionCount == 3)
        // Full, and every partition has spent tokens: a fourth key waits until the first has refilled.
        #expect(try limiter.tryAcquire("oil-desk") == .rejected(retryAfter: .seconds(1)))
        #expect(limiter.partitionCount == 3)
        #expect(limiter.refusedNewKeys == 1)
        // After the buckets refill, idle partitions make room for new keys.
        clock.advance(by: .seconds(5))
        for key in ["a", "b", "c"] { #expect(try limiter.tryAcquire(key) == .acquired) }
        #expect(limiter.partitionCount == 3)
        #expect(limiter.evictions == 3)
    }

    @Test func aPartitionedLimiterWithManyClientsStaysWithinItsBound() throws {
        let clock = ManualClock()
        let limiter = try PartitionedRateLimiter<Int, ManualClock>(
            .init(partition: .init(capacity: 5, refill: 5, per: .seconds(1)), maximumPartitions: 100), clock: clock)
        for client in 0..<10_000 {
            _ = try limiter.tryAcquire(client)
            if client % 50 == 0 { clock.advance(by: .milliseconds(100)) }
        }
        #expect(limiter.partitionCount <= 100)
    }

    @Test func aDailyQuotaResetsAtTheWindowBoundary() throws {
        let clock = ManualClock(now: .init(offset: .seconds(3600)))
        // Windows start at offset 0: the first resets 23 h from now.
        let quota = try FixedWindowQuota(
            .init(limit: 3, window: .seconds(86_400)), origin: .init(offset: .zero), clock: clock)
        #expect(try quota.tryAcquire() == .granted(remaining: 2, resetIn: .seconds(82_800)))
        #expect(try quota.tryAcquire(permits: 2) == .granted(remaining: 0, resetIn: .seconds(82_800)))
        clock.advance(by: .seconds(800))
        #expect(try quota.tryAcquire() == .exhausted(resetIn: .seconds(82_000)))
        #expect {
            try quota.acquire()
        } throws: { error in
            guard let error = error as? ResilienceError else { return false }
            return error.code == .quotaExhausted && error.retryAfter == .seconds(82_000)
        }
        clock.advance(by: .seconds(82_000))
        #expect(try quota.tryAcquire() == .granted(remaining: 2, resetIn: .seconds(86_400)))
        #expect(throws: ResilienceError.self) { _ = try quota.tryAcquire(permits: 4) }
    }

    @Test func invalidLimiterSettingsAreRejected() {
        let configurations: [RateLimiterConfiguration] = [
            .init(capacity: 0), .init(refill: 0), .init(per: .zero), .init(maximumWait: .seconds(-1)),
        ]
        for configuration in configurations {
            #expect(throws: ResilienceError.self) { _ = try RateLimiter(configuration, clock: ManualClock()) }
        }
        #expect(throws: ResilienceError.self) {
            _ = try PartitionedRateLimiter<Int, ManualClock>(.init(maximumPartitions: 0), clock: ManualClock())
        }
        #expect(throws: ResilienceError.self) {
            _ = try FixedWindowQuota(.init(limit: 0, window: .seconds(1)), clock: ManualClock())
        }
        #expect(throws: ResilienceError.self) {
            _ = try FixedWindowQuota(.init(limit: 1, window: .zero), clock: ManualClock())
        }
    }
}
