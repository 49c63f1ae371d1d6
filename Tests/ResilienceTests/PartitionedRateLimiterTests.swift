import ResilienceTesting
import Testing

@testable import Resilience

/// The bound of a ``PartitionedRateLimiter``: a full table makes room only by dropping an idle partition (its
/// bucket has refilled, so dropping it loses nothing), never a throttled one (issue 12 #9), and a new key
/// costs O(1) amortised whatever the table's size (issue 12 #10).
@Suite struct PartitionedRateLimiterTests {
    typealias Limiter = PartitionedRateLimiter<String, ManualClock>

    /// 10 tokens, one back every 100 ms.
    private func limiter(partitions: Int, clock: ManualClock) throws -> Limiter {
        try Limiter(
            .init(
                partition: .init(name: "desks", capacity: 10, refill: 10, per: .seconds(1)),
                maximumPartitions: partitions),
            clock: clock)
    }

    @Test func rotatingDeskNamesDoNotHandAnExhaustedDeskAFreshBucket() throws {
        let clock = ManualClock()
        let limiter = try limiter(partitions: 100, clock: clock)
        for _ in 0..<10 { #expect(try limiter.tryAcquire("power") == .acquired) }
        #expect(try limiter.tryAcquire("power") == .rejected(retryAfter: .milliseconds(100)))
        // 100 other names: 99 fill the table, the 100th finds every partition throttled and is refused with
        // the time until the first of them has refilled.
        var refused: [String] = []
        for desk in 0..<100 where try limiter.tryAcquire("desk-\(desk)") != .acquired { refused.append("desk-\(desk)") }
        #expect(refused == ["desk-99"])
        #expect(limiter.partitionCount == 100)
        #expect(limiter.refusedNewKeys == 1)
        #expect(limiter.evictions == 0)
        #expect(try limiter.tryAcquire("power") == .rejected(retryAfter: .milliseconds(100)))
        // 100 ms on, one token is back for "power", and the other desks' partitions are idle again.
        clock.advance(by: .milliseconds(100))
        #expect(try limiter.tryAcquire("power") == .acquired)
        #expect(try limiter.tryAcquire("power") == .rejected(retryAfter: .milliseconds(100)))
    }

    @Test func aNewKeyAtATableOfThrottledPartitionsIsRefusedWithAStructuredError() throws {
        let clock = ManualClock()
        let limiter = try limiter(partitions: 2, clock: clock)
        #expect(try limiter.tryAcquire("gas", permits: 10) == .acquired)
        clock.advance(by: .milliseconds(30))
        #expect(try limiter.tryAcquire("power", permits: 4) == .acquired)
        // "power" is full again after 400 ms, at 430 ms; "gas" after 1 s.
        #expect(try limiter.tryAcquire("oil") == .rejected(retryAfter: .milliseconds(400)))
        #expect {
            try limiter.acquire("oil")
        } throws: { error in
            guard let error = error as? ResilienceError else { return false }
            return error.code == .rateLimited && error.retryAfter == .milliseconds(400)
                && error.message.contains("all 2 partitions")
        }
        #expect(limiter.partitionCount == 2)
        #expect(limiter.refusedNewKeys == 2)
        clock.advance(by: .milliseconds(400))
        try limiter.acquire("oil")
        #expect(limiter.evictions == 1)
        #expect(try limiter.tryAcquire("gas", permits: 5) != .acquired)  // 4.3 tokens: its history is kept
    }

    @Test func aNewKeyTakesThePlaceOfThePartitionIdleLongestNeverAThrottledOne() throws {
        let clock = ManualClock()
        let limiter = try limiter(partitions: 3, clock: clock)
        #expect(try limiter.tryAcquire("power", permits: 10) == .acquired)  // full again at 1 s
        #expect(try limiter.tryAcquire("gas", permits: 2) == .acquired)  // at 200 ms
        #expect(try limiter.tryAcquire("oil", permits: 3) == .acquired)  // at 300 ms
        clock.advance(by: .milliseconds(500))
        // "gas" and "oil" are idle, "power" is not: the new keys replace "gas", then "oil"; a third is refused.
        #expect(try limiter.tryAcquire("lng", permits: 10) == .acquired)
        #expect(try limiter.tryAcquire("coal", permits: 10) == .acquired)
        #expect(try limiter.tryAcquire("carbon") == .rejected(retryAfter: .milliseconds(500)))
        #expect(limiter.evictions == 2)
        #expect(try limiter.tryAcquire("power", permits: 10) == .rejected(retryAfter: .milliseconds(500)))
    }

    @Test func aPartitionUsedSinceItWasQueuedIsNotMistakenForIdle() throws {
        let clock = ManualClock()
        let limiter = try limiter(partitions: 2, clock: clock)
        #expect(try limiter.tryAcquire("gas") == .acquired)  // full again at 100 ms, as first recorded
        #expect(try limiter.tryAcquire("power") == .acquired)
        clock.advance(by: .milliseconds(90))
        #expect(try limiter.tryAcquire("gas", permits: 9) == .acquired)  // now full again at 1,000 ms
        clock.advance(by: .milliseconds(20))
        // "power" (idle since 100 ms) makes room; "gas" keeps its history.
        #expect(try limiter.tryAcquire("oil") == .acquired)
        #expect(try limiter.tryAcquire("coal") == .rejected(retryAfter: .milliseconds(100)))
        #expect(try limiter.tryAcquire("gas", permits: 2) != .acquired)  // 1.1 tokens: its history is kept
    }

    /// Issue 12 #10: at 10,000 partitions each new key scanned (and copied) the whole table.
    @Test func aNewKeyAtAFullTableExaminesAConstantNumberOfPartitionsAmortised() throws {
        let clock = ManualClock()
        let limiter = try PartitionedRateLimiter<Int, ManualClock>(
            .init(partition: .init(capacity: 10, refill: 10, per: .seconds(1)), maximumPartitions: 10_000), clock: clock
        )
        for key in 0..<10_000 {
            clock.advance(to: .init(offset: .microseconds(key)))
            #expect(try limiter.tryAcquire(key) == .acquired)
        }
        // Each new key arrives as exactly one partition has refilled; then a burst finds none idle.
        for i in 0..<1_000 {
            clock.advance(to: .init(offset: .microseconds(i) + .milliseconds(100)))
            #expect(try limiter.tryAcquire(10_000 + i) == .acquired)
        }
        for i in 0..<1_000 { #expect(try limiter.tryAcquire(20_000 + i) != .acquired) }
        #expect(limiter.partitionCount == 10_000)
        #expect(limiter.evictions == 1_000)
        #expect(limiter.partitionsExamined <= 2 * 2_000)
    }
}
