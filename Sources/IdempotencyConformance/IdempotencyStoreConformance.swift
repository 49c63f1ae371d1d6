import Idempotency

/// The protocol checks every `IdempotencyStore` must pass: the package's own stores, and a service's Redis
/// or PostgreSQL store.
///
/// Call it from any test framework; it throws ``Failure`` naming the first broken rule:
///
/// ```swift
/// let clock = ManualClock()
/// try await IdempotencyStoreConformance.run(
///     makeStore: { try MyRedisStore(clock: clock, prefix: UUID().uuidString) },
///     advance: { clock.advance(by: $0) })
/// ```
///
/// `makeStore` is called once per check and must return an empty store (or one whose keys cannot collide
/// with an earlier check's); `advance` must move that store's clock forward by the given duration. Stores
/// must throw `IdempotencyError` with the codes the protocol names.
public enum IdempotencyStoreConformance {
    /// A broken protocol rule.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The check that failed, such as `staleOwnerIsRefusedAfterTakeover`.
        public var check: String
        /// What was expected and what happened.
        public var message: String

        public var description: String { "\(check): \(message)" }
    }

    /// The names of the checks ``run(makeStore:advance:)`` performs, in order.
    public static var checkNames: [String] { checks.map(\.name) }

    /// Runs every check against fresh stores.
    ///
    /// - Parameters:
    ///   - makeStore: Returns an empty store on the clock `advance` moves.
    ///   - advance: Moves the store's clock forward.
    /// - Throws: ``Failure`` for the first broken rule, or whatever `makeStore` throws.
    public static func run<Store: IdempotencyStore>(
        makeStore: () async throws -> Store, advance: @escaping @Sendable (Duration) async throws -> Void
    ) async throws {
        for check in checks {
            let store = try await makeStore()
            try await check.body(Context(store: store, advance: advance, check: check.name))
        }
    }

    struct Context: Sendable {
        let store: any IdempotencyStore
        let advance: @Sendable (Duration) async throws -> Void
        let check: String

        func fail(_ message: String) -> Failure { Failure(check: check, message: message) }

        func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(Failure) {
            if !condition { throw fail(message()) }
        }

        func acquire(_ key: IdempotencyKey, _ fingerprint: Fingerprint) async throws -> OwnerToken {
            let outcome = try await store.claim(key, fingerprint: fingerprint, lease: lease)
            guard case .acquired(let token) = outcome else {
                throw fail("claim of a free key \(key) returned \(outcome)")
            }
            return token
        }

        func expectClaim(
            _ key: IdempotencyKey, _ fingerprint: Fingerprint, _ expected: String,
            _ matches: (ClaimOutcome) -> Bool
        ) async throws {
            let outcome = try await store.claim(key, fingerprint: fingerprint, lease: lease)
            try expect(matches(outcome), "claim of \(key): expected \(expected), got \(outcome)")
        }

        func expectError(
            _ code: IdempotencyError.Code, _ what: String, _ body: () async throws -> Void
        ) async throws {
            do {
                try await body()
            } catch let error as IdempotencyError {
                try expect(error.code == code, "\(what): expected \(code), got \(error)")
                return
            }
            throw fail("\(what): expected \(code), but it succeeded")
        }
    }

    static let lease: Duration = .seconds(30)
    static let ttl: Duration = .seconds(3600)
    static let fingerprint = Fingerprint(exactBytes: Array(#"{"settlement_run_id":"RUN0000000000001"}"#.utf8))
    static let otherFingerprint = Fingerprint(exactBytes: Array(#"{"settlement_run_id":"RUN0000000000002"}"#.utf8))
    static let response = StoredResponse(
        status: 201,
        headerFields: [
            HTTPHeaderField(name: "Content-Type", value: "application/json"),
            HTTPHeaderField(name: "Location", value: "/settlements/RUN0000000000001"),
        ],
        body: Array(#"{"status":"accepted"}"#.utf8))

    static func key(
        _ value: String, tenant: String = "desk-a", operation: String = "POST /settlements"
    ) throws -> IdempotencyKey {
        try IdempotencyKey(headerValue: value, scope: IdempotencyScope(tenant: tenant, operation: operation))
    }

    static func isInProgress(_ outcome: ClaimOutcome) -> Bool {
        if case .inProgress(let remaining) = outcome { return remaining > .zero && remaining <= lease }
        return false
    }

    static func isAcquired(_ outcome: ClaimOutcome) -> Bool {
        if case .acquired = outcome { return true }
        return false
    }

    struct Check: Sendable {
        var name: String
        var body: @Sendable (Context) async throws -> Void
    }

    static let checks: [Check] = [
        Check(name: "claimAcquiresThenReportsInProgress") { context in
            let key = try key("k-1")
            _ = try await context.acquire(key, fingerprint)
            try await context.expectClaim(key, fingerprint, "in progress with 0 < remaining <= lease", isInProgress)
        },
        Check(name: "completedResponseReplaysExactly") { context in
            let key = try key("k-2")
            let token = try await context.acquire(key, fingerprint)
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            for _ in 0..<2 {
                try await context.expectClaim(key, fingerprint, "completed(\(response))") { $0 == .completed(response) }
            }
        },
        Check(name: "emptyAndFalsyResponsesAreStored") { context in
            let bodies: [(Int, String)] = [
                (204, ""), (200, "0"), (200, "false"), (200, "null"), (200, "[]"), (500, ""),
            ]
            for (index, (status, body)) in bodies.enumerated() {
                let key = try key("falsy-\(index)")
                let stored = StoredResponse(status: status, body: Array(body.utf8))
                let token = try await context.acquire(key, fingerprint)
                try await context.store.complete(key, token: token, response: stored, ttl: ttl)
                try await context.expectClaim(key, fingerprint, "completed(\(stored))") { $0 == .completed(stored) }
            }
        },
        Check(name: "otherPayloadIsAMismatch") { context in
            let key = try key("k-3")
            let token = try await context.acquire(key, fingerprint)
            try await context.expectClaim(key, otherFingerprint, "fingerprintMismatch while in progress") {
                $0 == .fingerprintMismatch
            }
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectClaim(key, otherFingerprint, "fingerprintMismatch once completed") {
                $0 == .fingerprintMismatch
            }
        },
        Check(name: "scopesNeverMeet") { context in
            let keys = [
                try key("same"), try key("same", tenant: "desk-b"), try key("same", operation: "POST /orders"),
                try IdempotencyKey.derived(
                    settlementRunID: "RUN0000000000001", body: [],
                    scope: IdempotencyScope(tenant: "desk-a", operation: "POST /settlements")),
            ]
            for key in keys { _ = try await context.acquire(key, fingerprint) }
        },
        Check(name: "staleOwnerIsRefusedAfterTakeover") { context in
            let key = try key("k-4")
            let first = try await context.acquire(key, fingerprint)
            try await context.advance(lease + .seconds(1))
            let second = try await context.acquire(key, fingerprint)
            try context.expect(second.fence > first.fence, "takeover fence \(second.fence) is not above \(first.fence)")
            try await context.expectError(.notOwner, "complete with the stale token") {
                try await context.store.complete(
                    key, token: first, response: StoredResponse(status: 500, body: []), ttl: ttl)
            }
            try await context.expectError(.notOwner, "release with the stale token") {
                try await context.store.release(key, token: first)
            }
            try await context.expectClaim(key, fingerprint, "still in progress for the successor", isInProgress)
            try await context.store.complete(key, token: second, response: response, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "the successor's response") { $0 == .completed(response) }
        },
        Check(name: "endedLeaseWithoutTakeoverMayStillComplete") { context in
            let key = try key("k-5")
            let token = try await context.acquire(key, fingerprint)
            try await context.advance(lease + .seconds(1))
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "completed") { $0 == .completed(response) }
        },
        Check(name: "releaseFreesTheKey") { context in
            let key = try key("k-6")
            let first = try await context.acquire(key, fingerprint)
            try await context.store.release(key, token: first)
            let second = try await context.acquire(key, otherFingerprint)
            try context.expect(
                second.fence > first.fence, "fence \(second.fence) after release is not above \(first.fence)")
            try await context.expectError(.notOwner, "release with the released token") {
                try await context.store.release(key, token: first)
            }
        },
        Check(name: "completedRecordExpiresAfterTTL") { context in
            let key = try key("k-7")
            let token = try await context.acquire(key, fingerprint)
            try await context.store.complete(key, token: token, response: response, ttl: .seconds(60))
            try await context.advance(.seconds(59))
            try await context.expectClaim(key, fingerprint, "completed before the TTL") { $0 == .completed(response) }
            try await context.advance(.seconds(2))
            try await context.expectClaim(key, otherFingerprint, "acquired after the TTL", isAcquired)
        },
        Check(name: "completedRecordRefusesSecondCompletionAndRelease") { context in
            let key = try key("k-8")
            let token = try await context.acquire(key, fingerprint)
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectError(.alreadyCompleted, "a second complete") {
                try await context.store.complete(
                    key, token: token, response: StoredResponse(status: 500, body: []), ttl: ttl)
            }
            try await context.expectError(.alreadyCompleted, "release of a completed record") {
                try await context.store.release(key, token: token)
            }
            try await context.expectClaim(key, fingerprint, "the first response") { $0 == .completed(response) }
        },
        Check(name: "unclaimedKeyHasNoOwner") { context in
            let key = try key("k-9")
            try await context.expectError(.notOwner, "complete of a key never claimed") {
                try await context.store.complete(key, token: OwnerToken(fence: 1), response: response, ttl: ttl)
            }
        },
        Check(name: "nonPositiveDurationsAreRejected") { context in
            let key = try key("k-10")
            try await context.expectError(.invalidArgument, "a zero lease") {
                _ = try await context.store.claim(key, fingerprint: fingerprint, lease: .zero)
            }
            let token = try await context.acquire(key, fingerprint)
            try await context.expectError(.invalidArgument, "a zero TTL") {
                try await context.store.complete(key, token: token, response: response, ttl: .zero)
            }
        },
        Check(name: "concurrentClaimsAcquireOnce") { context in
            let key = try key("k-11")
            let store = context.store
            let outcomes = try await withThrowingTaskGroup(of: ClaimOutcome.self) { group in
                for _ in 0..<64 { group.addTask { try await store.claim(key, fingerprint: fingerprint, lease: lease) } }
                var outcomes: [ClaimOutcome] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let acquired = outcomes.filter(isAcquired).count
            let inProgress = outcomes.filter(isInProgress).count
            try context.expect(
                acquired == 1 && inProgress == 63, "64 claims: \(acquired) acquired, \(inProgress) in progress")
        },
        Check(name: "headerFieldsReplayInOrder") { context in
            let key = try key("k-13")
            let stored = StoredResponse(
                status: 303,
                headerFields: [
                    HTTPHeaderField(name: "Location", value: "/settlements/42"),
                    HTTPHeaderField(name: "Content-Type", value: "text/plain; charset=utf-8"),
                    HTTPHeaderField(name: "Link", value: "</settlements/42/ack>; rel=\"ack\""),
                    HTTPHeaderField(name: "Content-Language", value: ""),
                ],
                body: [])
            let token = try await context.acquire(key, fingerprint)
            try await context.store.complete(key, token: token, response: stored, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "completed(\(stored))") { $0 == .completed(stored) }
        },
        Check(name: "extendedLeaseHoldsOffTakeover") { context in
            let key = try key("k-14")
            let token = try await context.acquire(key, fingerprint)
            try await context.advance(.seconds(20))
            try await context.store.extendLease(key, token: token, lease: lease)
            try await context.advance(.seconds(20))  // 40 s: past the first lease, inside the extended one
            try await context.expectClaim(key, fingerprint, "in progress for 10 s more") {
                $0 == .inProgress(leaseRemaining: .seconds(10))
            }
            try await context.advance(.seconds(11))
            let successor = try await context.acquire(key, fingerprint)
            try context.expect(
                successor.fence > token.fence, "takeover fence \(successor.fence) not above \(token.fence)")
        },
        Check(name: "extensionNeverShortensTheLease") { context in
            let key = try key("k-15")
            let token = try await context.acquire(key, fingerprint)
            try await context.store.extendLease(key, token: token, lease: .seconds(5))
            try await context.expectClaim(key, fingerprint, "in progress for the whole first lease") {
                $0 == .inProgress(leaseRemaining: lease)
            }
        },
        Check(name: "staleOwnerCannotExtend") { context in
            let key = try key("k-16")
            let first = try await context.acquire(key, fingerprint)
            try await context.advance(lease + .seconds(1))
            let second = try await context.acquire(key, fingerprint)
            try await context.expectError(.notOwner, "extendLease with the stale token") {
                try await context.store.extendLease(key, token: first, lease: .seconds(600))
            }
            try await context.advance(lease - .seconds(1))
            try await context.expectClaim(key, fingerprint, "in progress for 1 s more: the successor's lease") {
                $0 == .inProgress(leaseRemaining: .seconds(1))
            }
            try await context.store.extendLease(key, token: second, lease: lease)
            try await context.expectClaim(key, fingerprint, "the successor's extended lease") {
                $0 == .inProgress(leaseRemaining: lease)
            }
        },
        Check(name: "extensionIsRefusedWithoutALiveClaim") { context in
            let key = try key("k-17")
            try await context.expectError(.notOwner, "extendLease of a key never claimed") {
                try await context.store.extendLease(key, token: OwnerToken(fence: 1), lease: lease)
            }
            let released = try await context.acquire(key, fingerprint)
            try await context.store.release(key, token: released)
            try await context.expectError(.notOwner, "extendLease after release") {
                try await context.store.extendLease(key, token: released, lease: lease)
            }
            let token = try await context.acquire(key, fingerprint)
            try await context.expectError(.invalidArgument, "extendLease by zero") {
                try await context.store.extendLease(key, token: token, lease: .zero)
            }
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectError(.alreadyCompleted, "extendLease of a completed record") {
                try await context.store.extendLease(key, token: token, lease: lease)
            }
            try await context.expectClaim(key, fingerprint, "the response") { $0 == .completed(response) }
        },
        Check(name: "endedLeaseWithoutTakeoverMayBeExtended") { context in
            let key = try key("k-18")
            let token = try await context.acquire(key, fingerprint)
            try await context.advance(lease + .seconds(1))
            try await context.store.extendLease(key, token: token, lease: lease)
            try await context.expectClaim(key, fingerprint, "in progress again for a whole lease") {
                $0 == .inProgress(leaseRemaining: lease)
            }
        },
        Check(name: "fencesIncreaseOverTakeovers") { context in
            let key = try key("k-12")
            var previous = try await context.acquire(key, fingerprint)
            for _ in 0..<5 {
                try await context.advance(lease + .seconds(1))
                let next = try await context.acquire(key, fingerprint)
                try context.expect(next.fence > previous.fence, "fence \(next.fence) is not above \(previous.fence)")
                previous = next
            }
        },
    ]
}
