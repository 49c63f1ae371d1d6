import Idempotency
import IdempotencyConformance
import ResilienceTesting
import Testing

@Suite struct StoreConformanceTests {
    @Test func inMemoryStorePassesTheConformanceSuite() async throws {
        let clock = ManualClock()
        try await IdempotencyStoreConformance.run(
            makeStore: {
                try InMemoryIdempotencyStore(clock: clock, configuration: .init(capacity: 1000, shardCount: 4))
            },
            advance: { clock.advance(by: $0) })
    }

    @Test func journalStorePassesTheConformanceSuite() async throws {
        let clock = ManualClock()
        var directories: [TemporaryDirectory] = []
        var stores: [JournalIdempotencyStore<ManualClock>] = []
        defer { directories.forEach { $0.remove() } }
        try await IdempotencyStoreConformance.run(
            makeStore: {
                let directory = TemporaryDirectory()
                directories.append(directory)
                let store = try JournalIdempotencyStore(directory: directory.path, clock: clock)
                stores.append(store)
                return store
            },
            advance: { clock.advance(by: $0) })
        for store in stores { await store.close() }
    }

    /// A store that forgets ownership (the Powertools ts#5675 bug: complete without a fencing check) must
    /// fail the suite, so the suite can fail.
    @Test func suiteCatchesAStoreWithoutFencing() async throws {
        let clock = ManualClock()
        await #expect(throws: IdempotencyStoreConformance.Failure.self) {
            try await IdempotencyStoreConformance.run(
                makeStore: { UnfencedStore(inner: try InMemoryIdempotencyStore(clock: clock)) },
                advance: { clock.advance(by: $0) })
        }
    }

    /// A store that extends any token's lease (no owner check on the heartbeat) must fail the suite.
    @Test func suiteCatchesAStoreThatExtendsForAStaleOwner() async throws {
        let clock = ManualClock()
        await #expect(throws: IdempotencyStoreConformance.Failure.self) {
            try await IdempotencyStoreConformance.run(
                makeStore: { UnfencedExtensionStore(inner: try InMemoryIdempotencyStore(clock: clock)) },
                advance: { clock.advance(by: $0) })
        }
    }

    /// A store that drops header fields (as a version-1 journal record would) must fail the suite.
    @Test func suiteCatchesAStoreThatDropsHeaderFields() async throws {
        let clock = ManualClock()
        await #expect(throws: IdempotencyStoreConformance.Failure.self) {
            try await IdempotencyStoreConformance.run(
                makeStore: { HeaderlessStore(inner: try InMemoryIdempotencyStore(clock: clock)) },
                advance: { clock.advance(by: $0) })
        }
    }

    @Test func suiteNamesItsChecks() {
        #expect(IdempotencyStoreConformance.checkNames.contains("staleOwnerIsRefusedAfterTakeover"))
        #expect(IdempotencyStoreConformance.checkNames.contains("staleOwnerCannotExtend"))
        #expect(IdempotencyStoreConformance.checkNames.contains("headerFieldsReplayInOrder"))
        #expect(IdempotencyStoreConformance.checkNames.count == 20)
    }
}

/// Completes with whatever token is current, like a store with no owner check.
private struct UnfencedStore: ForwardingStore {
    let inner: InMemoryIdempotencyStore<ManualClock>

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        for fence in (1...max(token.fence, 64)).reversed() {
            if (try? await inner.complete(key, token: OwnerToken(fence: fence), response: response, ttl: ttl)) != nil {
                return
            }
        }
        try await inner.complete(key, token: token, response: response, ttl: ttl)
    }
}

/// Extends the lease of whatever token is current, like a store whose heartbeat has no owner check.
private struct UnfencedExtensionStore: ForwardingStore {
    let inner: InMemoryIdempotencyStore<ManualClock>

    func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws {
        for fence in (1...max(token.fence, 64)).reversed() {
            if (try? await inner.extendLease(key, token: OwnerToken(fence: fence), lease: lease)) != nil { return }
        }
        try await inner.extendLease(key, token: token, lease: lease)
    }
}

/// Stores status and body only.
private struct HeaderlessStore: ForwardingStore {
    let inner: InMemoryIdempotencyStore<ManualClock>

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        try await inner.complete(
            key, token: token, response: StoredResponse(status: response.status, body: response.body), ttl: ttl)
    }
}
