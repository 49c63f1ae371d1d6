import Foundation
import Idempotency
import IdempotencyConformance
import ResilienceTesting
import Testing

@Suite struct StoreConformanceTests {
    @Test func inMemoryStorePassesTheConformanceSuite() async throws {
        let clock = ManualClock()
        try await IdempotencyStoreConformance.run(
            makeStore: {
                try InMemoryIdempotencyStore(configuration: .init(capacity: 1000, shardCount: 4), clock: clock)
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

    /// Two in-memory stores are two backends, not two replicas of one: the two-instance checks must fail them.
    @Test(arguments: ["concurrentClaimsAcrossInstancesAcquireOnce", "fencesIncreaseAcrossInstances"])
    func twoInMemoryStoresFailTheReplicaChecks(check: String) async throws {
        let clock = ManualClock()
        let subject = IdempotencyStoreConformance.Subject(
            makeStore: { try InMemoryIdempotencyStore(clock: clock) }, advance: { clock.advance(by: $0) },
            makeReplica: { _ in try InMemoryIdempotencyStore(clock: clock) })
        #expect(IdempotencyStoreConformance.requirements[check] == .twoInstances)
        await #expect(throws: IdempotencyStoreConformance.Failure.self) {
            try await IdempotencyStoreConformance.run(check: check, on: subject)
        }
    }

    /// A store that keeps a response it should refuse (a status of 99, CR LF in a header) fails the suite.
    @Test func suiteCatchesAStoreThatKeepsInvalidResponses() async throws {
        let clock = ManualClock()
        let subject = IdempotencyStoreConformance.Subject(
            makeStore: { LenientStore(inner: try InMemoryIdempotencyStore(clock: clock)) },
            advance: { clock.advance(by: $0) })
        await #expect(throws: IdempotencyStoreConformance.Failure.self) {
            try await IdempotencyStoreConformance.run(check: "invalidResponsesAreRefused", on: subject)
        }
    }

    /// Every check runs and is reported on its own: the unfenced store fails some and passes the others, and
    /// the checks an in-memory store cannot run are reported as skipped, not passed.
    @Test func eachCheckIsReportedOnItsOwn() async throws {
        let clock = ManualClock()
        let reports = await IdempotencyStoreConformance.runEach(
            on: .init(
                makeStore: { UnfencedStore(inner: try InMemoryIdempotencyStore(clock: clock)) },
                advance: { clock.advance(by: $0) }))
        #expect(reports.map(\.check) == IdempotencyStoreConformance.checkNames)
        let failed = reports.filter { $0.failure != nil }.map(\.check)
        let skipped = reports.filter { $0.skipped != nil }.map(\.check)
        #expect(failed.contains("staleOwnerIsRefusedAfterTakeover"))
        #expect(!failed.contains("completedResponseReplaysExactly"))
        #expect(
            Set(skipped) == [
                "concurrentClaimsAcrossInstancesAcquireOnce", "fencesIncreaseAcrossInstances",
                "unreachableBackendIsAnIOError",
            ])
        #expect(reports.filter(\.passed).count == reports.count - failed.count - skipped.count)
    }

    /// A store of one's own validates responses with the same rules as the package's stores.
    @Test func checkResponseIsTheStoresRule() throws {
        #expect(throws: IdempotencyError.self) {
            try InMemoryIdempotencyStore<ManualClock>.checkResponse(StoredResponse(status: 99, body: []))
        }
        try InMemoryIdempotencyStore<ManualClock>.checkResponse(Fixtures.accepted)
    }

    /// The conformance article's example compiles and passes as written: a journal store on a `ManualClock`.
    @Test func documentedJournalExampleRuns() async throws {
        let clock = ManualClock()
        try await IdempotencyStoreConformance.run(
            makeStore: {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
                return try JournalIdempotencyStore(directory: directory.path, clock: clock)
            },
            advance: { clock.advance(by: $0) })
    }

    @Test func suiteNamesItsChecks() {
        #expect(IdempotencyStoreConformance.checkNames.contains("staleOwnerIsRefusedAfterTakeover"))
        #expect(IdempotencyStoreConformance.checkNames.contains("staleOwnerCannotExtend"))
        #expect(IdempotencyStoreConformance.checkNames.contains("headerFieldsReplayInOrder"))
        #expect(IdempotencyStoreConformance.checkNames.count == 26)
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

/// Stores any response, turning one it should refuse into a valid one instead of throwing.
private struct LenientStore: ForwardingStore {
    let inner: InMemoryIdempotencyStore<ManualClock>

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        let kept =
            (try? Self.checkResponse(response)) != nil ? response : StoredResponse(status: 200, body: response.body)
        try await inner.complete(key, token: token, response: kept, ttl: ttl)
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
