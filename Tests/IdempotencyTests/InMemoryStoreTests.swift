import Idempotency
import ResilienceTesting
import Testing

@Suite struct InMemoryStoreTests {
    let clock = ManualClock()

    func store(capacity: Int, shards: Int = 1) throws -> InMemoryIdempotencyStore<ManualClock> {
        try InMemoryIdempotencyStore(configuration: .init(capacity: capacity, shardCount: shards), clock: clock)
    }

    func acquire(
        _ store: InMemoryIdempotencyStore<ManualClock>, _ key: String, lease: Duration = .seconds(30)
    ) throws
        -> OwnerToken
    {
        let outcome = try store.claimNow(Fixtures.key(key), fingerprint: Fixtures.fingerprint, lease: lease)
        guard case .acquired(let token) = outcome else {
            Issue.record("expected acquired for \(key), got \(outcome)")
            return OwnerToken(fence: 0)
        }
        return token
    }

    @Test func evictsTheOldestCompletedRecordFirst() throws {
        let store = try store(capacity: 3)
        for name in ["a", "b", "c"] {
            let token = try acquire(store, name)
            try store.completeNow(Fixtures.key(name), token: token, response: Fixtures.accepted, ttl: .seconds(3600))
        }
        _ = try acquire(store, "d")
        #expect(store.recordCount == 3)
        // "a" completed first, so it went; "b" and "c" still replay.
        #expect(
            try store.claimNow(Fixtures.key("b"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
                == .completed(Fixtures.accepted))
        #expect(
            try store.claimNow(Fixtures.key("c"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
                == .completed(Fixtures.accepted))
        if case .acquired = try store.claimNow(
            Fixtures.key("a"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        {
        } else {
            Issue.record("the evicted key a should be free")
        }
    }

    @Test func neverEvictsALiveLease() throws {
        let store = try store(capacity: 2)
        _ = try acquire(store, "a")
        let b = try acquire(store, "b")
        try store.completeNow(Fixtures.key("b"), token: b, response: Fixtures.accepted, ttl: .seconds(3600))
        _ = try acquire(store, "c")  // evicts the completed b, skipping the live a
        #expect(
            try store.claimNow(Fixtures.key("a"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
                == .inProgress(leaseRemaining: .seconds(30)))
        #expect {
            try store.claimNow(Fixtures.key("d"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        } throws: { ($0 as? IdempotencyError)?.code == .capacityExceeded }
        // Once the leases end, the records can go.
        clock.advance(by: .seconds(31))
        _ = try acquire(store, "d")
        #expect(store.recordCount == 2)
    }

    @Test func expiredRecordsAreDroppedAndTheirKeysFree() throws {
        let store = try store(capacity: 100, shards: 4)
        let token = try acquire(store, "a")
        try store.completeNow(Fixtures.key("a"), token: token, response: Fixtures.accepted, ttl: .seconds(10))
        clock.advance(by: .seconds(10))
        let outcome = try store.claimNow(Fixtures.key("a"), fingerprint: Fixtures.other, lease: .seconds(30))
        guard case .acquired(let next) = outcome else {
            Issue.record("expected the expired key to be acquired, got \(outcome)")
            return
        }
        #expect(next.fence > token.fence)
    }

    @Test func abandonedLeaseIsDroppedAfterRetention() throws {
        let store = try InMemoryIdempotencyStore(
            configuration: .init(capacity: 10, shardCount: 1, abandonedLeaseRetention: .seconds(60)), clock: clock)
        let token = try acquire(store, "a", lease: .seconds(10))
        clock.advance(by: .seconds(69))
        try store.releaseNow(Fixtures.key("a"), token: token)  // still the owner within retention
        let again = try acquire(store, "a", lease: .seconds(10))
        clock.advance(by: .seconds(70))
        #expect {
            try store.completeNow(Fixtures.key("a"), token: again, response: Fixtures.accepted, ttl: .seconds(1))
        } throws: { ($0 as? IdempotencyError)?.code == .notOwner }
    }

    @Test func invalidConfigurationIsRejected() {
        #expect(throws: IdempotencyError.self) {
            try InMemoryIdempotencyStore(configuration: .init(capacity: 0), clock: clock)
        }
        #expect(throws: IdempotencyError.self) {
            try InMemoryIdempotencyStore(configuration: .init(shardCount: 0), clock: clock)
        }
        let store = try? InMemoryIdempotencyStore(clock: clock)
        #expect {
            let token = try acquire(#require(store), "s")
            try store?.completeNow(
                Fixtures.key("s"), token: token, response: StoredResponse(status: 42, body: []), ttl: .seconds(1))
        } throws: { ($0 as? IdempotencyError)?.code == .invalidArgument }
    }

    /// Many tasks on many keys: every key is acquired exactly once.
    @Test func concurrentClaimsOnManyKeysAcquireEachOnce() async throws {
        let store = try store(capacity: 100_000, shards: 16)
        let acquired = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var count = 0
                    for index in 0..<200 {
                        let key = Fixtures.key("k-\((index + task * 7) % 500)")
                        if case .acquired = try await store.claim(
                            key, fingerprint: Fixtures.fingerprint, lease: .seconds(30))
                        {
                            count += 1
                        }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(acquired == 500)
    }
}
