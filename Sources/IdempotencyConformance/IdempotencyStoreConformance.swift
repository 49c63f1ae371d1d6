import Idempotency
import ResilienceTesting

/// The protocol checks every `IdempotencyStore` must pass: the package's own stores, and a service's Redis
/// or PostgreSQL store.
///
/// Call it from any test framework; it throws ``Failure`` naming the first broken rule:
///
/// ```swift
/// import Foundation
/// import Idempotency
/// import IdempotencyConformance
/// import ResilienceTesting
///
/// let clock = ManualClock()
/// try await IdempotencyStoreConformance.run(
///     makeStore: {
///         let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
///         return try JournalIdempotencyStore(directory: directory.path, clock: clock)
///     },
///     advance: { clock.advance(by: $0) })
/// ```
///
/// `makeStore` is called once per check and must return an empty store (or one whose keys cannot collide
/// with an earlier check's); `advance` must move that store's clock forward by the given duration. Stores
/// must throw `IdempotencyError` with the codes the protocol names.
///
/// A shared store says more in a ``Subject``: how far its own clock may be from the suite's expectations
/// (``Subject/clockTolerance``), how to open a second instance on the same backend (``Subject/makeReplica``,
/// for the checks that two replicas cannot both acquire a key and that fences rise across them), and how to
/// open one whose backend cannot be reached (``Subject/makeUnreachableStore``). Each check also runs on its
/// own (``run(check:on:)``), so a test framework can report every check, and ``runEach(on:)`` runs them all
/// without stopping at the first failure.
public enum IdempotencyStoreConformance {
    /// A broken protocol rule: a ``code``, the check that found it, a message and the store's error as ``cause``
    /// where the store threw one the rule did not allow.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name
        /// (its ``description``). New codes may be added in minor releases; compare with `==`.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            private enum Value: String, CaseIterable, Sendable {
                case brokenRule = "broken_rule"
                case unexpectedError = "unexpected_error"
                case unknownCheck = "unknown_check"
            }
            private let value: Value
            private init(_ value: Value) { self.value = value }

            /// Every code this release declares, for tests and documentation.
            package static let all = Value.allCases.map(Code.init)

            /// The code's stable `snake_case` name.
            public var description: String { value.rawValue }

            /// The store answered other than the protocol requires (another outcome, another error code).
            public static let brokenRule = Code(.brokenRule)
            /// The store threw an error that is not an `IdempotencyError`; ``Failure/cause`` is that error.
            public static let unexpectedError = Code(.unexpectedError)
            /// ``IdempotencyStoreConformance/run(check:on:)`` was given a name that is not a check.
            public static let unknownCheck = Code(.unknownCheck)
        }

        /// What went wrong.
        public var code: Code
        /// The check that failed, such as `staleOwnerIsRefusedAfterTakeover`.
        public var check: String
        /// What was expected and what happened.
        public var message: String
        /// The store's error that broke the rule, if any.
        public var cause: (any Error)?

        init(_ code: Code = .brokenRule, check: String, message: String, cause: (any Error)? = nil) {
            self.code = code
            self.check = check
            self.message = message
            self.cause = cause
        }

        public var description: String { "\(code): \(check): \(message)" }
    }

    /// What a check needs from the ``Subject`` beyond fresh stores.
    public struct Requirement: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String

        /// Fresh stores and a clock to move: every store runs these.
        public static let oneInstance = Requirement(rawValue: "one instance")
        /// A second instance on the same backend (``Subject/makeReplica``).
        public static let twoInstances = Requirement(rawValue: "two instances on one backend")
        /// A store whose backend cannot be reached (``Subject/makeUnreachableStore``).
        public static let unreachableBackend = Requirement(rawValue: "an unreachable backend")

        public var description: String { rawValue }
    }

    /// How the suite opens and drives the stores under test.
    public struct Subject<Store: IdempotencyStore> {
        /// Returns an empty store (or one whose keys cannot collide with an earlier check's).
        public var makeStore: () async throws -> Store
        /// Moves the store's clock forward by the given duration.
        public var advance: @Sendable (Duration) async throws -> Void
        /// How far a remaining lease that the store reports may be from the one the suite expects. Zero (exact
        /// equality) for a store on the clock `advance` moves; for a store whose time is its own (a database's
        /// clock, Redis's expiry) the real time a check may take, such as one second.
        public var clockTolerance: Duration
        /// Opens a second instance on the backend of the given store, as a second replica would; nil for a store
        /// that has no shared backend. An in-process store given here fails the two-instance checks.
        public var makeReplica: ((Store) async throws -> Store)?
        /// Opens a store whose backend cannot be reached (a database that is down); nil where there is none.
        public var makeUnreachableStore: (() async throws -> Store)?

        /// Creates a subject.
        ///
        /// - Parameters:
        ///   - makeStore: Returns an empty store on the clock `advance` moves.
        ///   - advance: Moves the store's clock forward.
        ///   - clockTolerance: How far a reported remaining lease may be from the expected one; zero by default.
        ///   - makeReplica: Opens a second instance on the same backend; none by default.
        ///   - makeUnreachableStore: Opens a store whose backend cannot be reached; none by default.
        public init(
            makeStore: @escaping () async throws -> Store, advance: @escaping @Sendable (Duration) async throws -> Void,
            clockTolerance: Duration = .zero, makeReplica: ((Store) async throws -> Store)? = nil,
            makeUnreachableStore: (() async throws -> Store)? = nil
        ) {
            self.makeStore = makeStore
            self.advance = advance
            self.clockTolerance = clockTolerance
            self.makeReplica = makeReplica
            self.makeUnreachableStore = makeUnreachableStore
        }
    }

    /// What running one check found.
    public struct Report: Sendable, CustomStringConvertible {
        /// The check's name.
        public var check: String
        /// The broken rule, if the check failed.
        public var failure: (any Error)?
        /// Why the check did not run (the subject lacks what it requires), if it was skipped.
        public var skipped: String?

        /// Whether the check ran and passed.
        public var passed: Bool { failure == nil && skipped == nil }

        public var description: String {
            if let failure { return "\(check): FAILED: \(failure)" }
            if let skipped { return "\(check): skipped: \(skipped)" }
            return "\(check): passed"
        }
    }

    /// The names of the checks, in the order ``run(makeStore:advance:)`` performs them.
    public static var checkNames: [String] { checks.map(\.name) }

    /// What each check needs, by name.
    public static var requirements: [String: Requirement] {
        Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.requirement) })
    }

    /// Runs every one-instance check against fresh stores, on an exact clock.
    ///
    /// - Parameters:
    ///   - makeStore: Returns an empty store on the clock `advance` moves.
    ///   - advance: Moves the store's clock forward.
    /// - Throws: ``Failure`` for the first broken rule, or whatever `makeStore` throws.
    public static func run<Store: IdempotencyStore>(
        makeStore: @escaping () async throws -> Store, advance: @escaping @Sendable (Duration) async throws -> Void
    ) async throws {
        try await run(Subject(makeStore: makeStore, advance: advance))
    }

    /// Runs every check the subject can run (those whose requirement it lacks are skipped), stopping at the
    /// first failure.
    ///
    /// - Parameter subject: The stores under test.
    /// - Throws: ``Failure`` for the first broken rule, or whatever the subject's factories throw.
    public static func run<Store: IdempotencyStore>(_ subject: Subject<Store>) async throws {
        for check in checks { _ = try await run(check.name, on: subject) }
    }

    /// Runs one check.
    ///
    /// - Parameters:
    ///   - check: The check's name, one of ``checkNames``.
    ///   - subject: The stores under test.
    /// - Returns: Nil when the check ran and passed, or why it was skipped.
    /// - Throws: ``Failure`` for a broken rule or an unknown name, or whatever the subject's factories throw.
    @discardableResult
    public static func run<Store: IdempotencyStore>(check: String, on subject: Subject<Store>) async throws -> String? {
        try await run(check, on: subject)
    }

    /// Runs every check, each on its own, and reports each; it does not stop at a failure.
    ///
    /// - Parameter subject: The stores under test.
    /// - Returns: One report per check, in the order of ``checkNames``.
    public static func runEach<Store: IdempotencyStore>(on subject: Subject<Store>) async -> [Report] {
        var reports: [Report] = []
        for check in checks {
            do {
                let skipped = try await run(check.name, on: subject)
                reports.append(Report(check: check.name, failure: nil, skipped: skipped))
            } catch {
                reports.append(Report(check: check.name, failure: error, skipped: nil))
            }
        }
        return reports
    }

    private static func run<Store: IdempotencyStore>(
        _ name: String, on subject: Subject<Store>
    ) async throws
        -> String?
    {
        guard let check = checks.first(where: { $0.name == name }) else {
            throw Failure(.unknownCheck, check: name, message: "no such check; the checks are \(checkNames)")
        }
        let store: Store
        var replica: Store?
        switch check.requirement {
        case .twoInstances:
            guard let makeReplica = subject.makeReplica else { return "needs \(check.requirement)" }
            store = try await subject.makeStore()
            replica = try await makeReplica(store)
        case .unreachableBackend:
            guard let makeUnreachableStore = subject.makeUnreachableStore else { return "needs \(check.requirement)" }
            store = try await makeUnreachableStore()
        default:
            store = try await subject.makeStore()
        }
        try await check.body(
            Context(
                store: store, replica: replica, advance: subject.advance, tolerance: subject.clockTolerance,
                check: check.name))
        return nil
    }

    struct Context: Sendable {
        let store: any IdempotencyStore
        /// The second instance on the same backend, for two-instance checks.
        let replica: (any IdempotencyStore)?
        let advance: @Sendable (Duration) async throws -> Void
        let tolerance: Duration
        let check: String

        func fail(_ message: String, _ code: Failure.Code = .brokenRule, cause: (any Error)? = nil) -> Failure {
            Failure(code, check: check, message: message, cause: cause)
        }

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
            _ matches: (ClaimOutcome) -> Bool, on store: (any IdempotencyStore)? = nil
        ) async throws {
            let outcome = try await (store ?? self.store).claim(key, fingerprint: fingerprint, lease: lease)
            try expect(matches(outcome), "claim of \(key): expected \(expected), got \(outcome)")
        }

        func requireReplica() throws(Failure) -> any IdempotencyStore {
            guard let replica else { throw fail("the check needs a second instance") }
            return replica
        }

        /// Expects a claim to find the key in progress with `remaining` left, within the subject's tolerance.
        func expectInProgress(
            _ key: IdempotencyKey, _ fingerprint: Fingerprint, remaining: Duration, _ what: String,
            on store: (any IdempotencyStore)? = nil
        ) async throws {
            let outcome = try await (store ?? self.store).claim(key, fingerprint: fingerprint, lease: lease)
            guard case .inProgress(let reported) = outcome,
                reported >= remaining - tolerance, reported <= remaining + tolerance
            else {
                throw fail(
                    "claim of \(key): expected \(what), in progress for \(remaining) ± \(tolerance), got \(outcome)")
            }
        }

        func expectError(
            _ code: IdempotencyError.Code, _ what: String, _ body: () async throws -> Void
        ) async throws {
            do {
                try await body()
            } catch let error as IdempotencyError {
                if error.code != code { throw fail("\(what): expected \(code), got \(error)", cause: error) }
                return
            } catch let error as Failure {
                throw error
            } catch {
                throw fail(
                    "\(what): expected IdempotencyError \(code), got \(type(of: error)): \(error)", .unexpectedError,
                    cause: error)
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
        var requirement: Requirement = .oneInstance
        var body: @Sendable (Context) async throws -> Void
    }

    /// The I/O codes a store reports for a backend it cannot reach.
    static let ioCodes: Set<IdempotencyError.Code> = [.storeIO, .journalIO]

    /// Sends 64 claims of `key` at once, spread over `stores`, and expects one to acquire and 63 to find it in
    /// progress.
    static func expectOneOf64ClaimsAcquires(
        _ key: IdempotencyKey, over stores: [any IdempotencyStore], _ context: Context
    ) async throws {
        let outcomes = try await withThrowingTaskGroup(of: ClaimOutcome.self) { group in
            for index in 0..<64 {
                let store = stores[index % stores.count]
                group.addTask { try await store.claim(key, fingerprint: fingerprint, lease: lease) }
            }
            var outcomes: [ClaimOutcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let acquired = outcomes.filter(isAcquired).count
        let inProgress = outcomes.filter(isInProgress).count
        try context.expect(
            acquired == 1 && inProgress == 63,
            "64 claims over \(stores.count) instance(s): \(acquired) acquired, \(inProgress) in progress")
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
            try await expectOneOf64ClaimsAcquires(try key("k-11"), over: [context.store], context)
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
            try await context.expectInProgress(key, fingerprint, remaining: .seconds(10), "the extended lease")
            try await context.advance(.seconds(11))
            let successor = try await context.acquire(key, fingerprint)
            try context.expect(
                successor.fence > token.fence, "takeover fence \(successor.fence) not above \(token.fence)")
        },
        Check(name: "extensionNeverShortensTheLease") { context in
            let key = try key("k-15")
            let token = try await context.acquire(key, fingerprint)
            try await context.store.extendLease(key, token: token, lease: .seconds(5))
            try await context.expectInProgress(key, fingerprint, remaining: lease, "the whole first lease")
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
            try await context.expectInProgress(key, fingerprint, remaining: .seconds(1), "the successor's lease")
            try await context.store.extendLease(key, token: second, lease: lease)
            try await context.expectInProgress(key, fingerprint, remaining: lease, "the successor's extended lease")
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
            try await context.expectInProgress(key, fingerprint, remaining: lease, "a whole lease again")
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
        Check(name: "invalidResponsesAreRefused") { context in
            let key = try key("k-19")
            let token = try await context.acquire(key, fingerprint)
            let tooMany = (0...StoredResponse.maximumHeaderFieldCount).map {
                HTTPHeaderField(name: "X-Field-\($0)", value: "v")
            }
            let invalid: [(String, StoredResponse)] = [
                ("status 99", StoredResponse(status: 99, body: [])),
                ("status 600", StoredResponse(status: 600, body: [])),
                (
                    "a field name with a space",
                    StoredResponse(status: 200, headerFields: [.init(name: "Bad Name", value: "v")], body: [])
                ),
                (
                    "an empty field name",
                    StoredResponse(status: 200, headerFields: [.init(name: "", value: "v")], body: [])
                ),
                (
                    "CR LF in a value",
                    StoredResponse(
                        status: 200, headerFields: [.init(name: "Location", value: "/a\r\nSet-Cookie: x")], body: [])
                ),
                ("\(tooMany.count) header fields", StoredResponse(status: 200, headerFields: tooMany, body: [])),
                (
                    "an oversized field",
                    StoredResponse(
                        status: 200,
                        headerFields: [
                            .init(
                                name: "X-Big",
                                value: String(repeating: "a", count: StoredResponse.maximumHeaderFieldBytes))
                        ], body: [])
                ),
            ]
            for (what, response) in invalid {
                try await context.expectError(.invalidArgument, "complete with \(what)") {
                    try await context.store.complete(key, token: token, response: response, ttl: ttl)
                }
            }
            try await context.expectClaim(key, fingerprint, "still in progress after the refusals", isInProgress)
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "the valid response") { $0 == .completed(response) }
        },
        Check(name: "abandonedLeaseIsRetained") { context in
            // The suite expects a retention of at least 2 minutes and at most 2 days (the package's stores keep
            // an ended lease's record for 1 hour by default).
            let key = try key("k-20")
            let token = try await context.acquire(key, fingerprint)
            try await context.advance(lease + .seconds(90))
            try await context.expectClaim(
                key, otherFingerprint, "fingerprintMismatch: the ended lease's record is kept"
            ) {
                $0 == .fingerprintMismatch
            }
            try await context.store.complete(key, token: token, response: response, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "the late owner's response") { $0 == .completed(response) }
            let abandoned = try IdempotencyStoreConformance.key("k-20-abandoned")
            let first = try await context.acquire(abandoned, fingerprint)
            try await context.advance(.seconds(2 * 86_400))
            let outcome = try await context.store.claim(abandoned, fingerprint: otherFingerprint, lease: lease)
            guard case .acquired(let next) = outcome else {
                throw context.fail("an abandoned record still held its key after 2 days: \(outcome)")
            }
            try context.expect(
                next.fence > first.fence, "fence \(next.fence) after retention is not above \(first.fence)")
        },
        Check(name: "fencesRiseAfterTTLExpiry") { context in
            let key = try key("k-21")
            let first = try await context.acquire(key, fingerprint)
            try await context.store.complete(key, token: first, response: response, ttl: .seconds(60))
            try await context.advance(.seconds(61))
            let second = try await context.acquire(key, fingerprint)
            try context.expect(
                second.fence > first.fence, "fence \(second.fence) after the TTL is not above \(first.fence)")
            try await context.expectError(.notOwner, "complete with the expired record's token") {
                try await context.store.complete(key, token: first, response: response, ttl: ttl)
            }
            try await context.store.release(key, token: second)
            let third = try await context.acquire(key, otherFingerprint)
            try context.expect(
                third.fence > second.fence, "fence \(third.fence) after release is not above \(second.fence)")
        },
        Check(name: "concurrentClaimsAcrossInstancesAcquireOnce", requirement: .twoInstances) { context in
            try await expectOneOf64ClaimsAcquires(
                try key("k-22"), over: [context.store, try context.requireReplica()], context)
        },
        Check(name: "fencesIncreaseAcrossInstances", requirement: .twoInstances) { context in
            let key = try key("k-23")
            let replica = try context.requireReplica()
            let first = try await context.acquire(key, fingerprint)
            try await context.expectClaim(
                key, fingerprint, "in progress on the other instance", isInProgress, on: replica)
            try await context.advance(lease + .seconds(1))
            let outcome = try await replica.claim(key, fingerprint: fingerprint, lease: lease)
            guard case .acquired(let second) = outcome else {
                throw context.fail("takeover on the other instance returned \(outcome)")
            }
            try context.expect(
                second.fence > first.fence, "fence \(second.fence) on the other instance is not above \(first.fence)")
            try await context.expectError(.notOwner, "complete with the first instance's stale token") {
                try await context.store.complete(key, token: first, response: response, ttl: ttl)
            }
            try await replica.complete(key, token: second, response: response, ttl: ttl)
            try await context.expectClaim(key, fingerprint, "the other instance's response") {
                $0 == .completed(response)
            }
        },
        Check(name: "unreachableBackendIsAnIOError", requirement: .unreachableBackend) { context in
            let key = try key("k-24")
            let operations: [(String, @Sendable () async throws -> Void)] = [
                ("claim", { _ = try await context.store.claim(key, fingerprint: fingerprint, lease: lease) }),
                (
                    "complete",
                    { try await context.store.complete(key, token: OwnerToken(fence: 1), response: response, ttl: ttl) }
                ),
                ("release", { try await context.store.release(key, token: OwnerToken(fence: 1)) }),
            ]
            for (what, operation) in operations {
                do {
                    try await operation()
                    throw context.fail("\(what) on an unreachable backend succeeded")
                } catch let error as IdempotencyError {
                    try context.expect(
                        ioCodes.contains(error.code),
                        "\(what) on an unreachable backend: expected an I/O code, got \(error)")
                } catch let error as Failure {
                    throw error
                } catch {
                    throw context.fail(
                        "\(what) on an unreachable backend threw \(type(of: error)), not IdempotencyError: \(error)",
                        .unexpectedError, cause: error)
                }
            }
        },
    ]
}

/// A `ManualClock` drives a `JournalIdempotencyStore` in tests: its instants
/// are offsets from the clock's origin, which the journal stores as nanoseconds.
extension ManualClock.Instant: JournalTimestamp {
    /// Rebuilds an instant from stored nanoseconds since the clock's origin.
    ///
    /// - Parameter journalNanoseconds: The stored nanoseconds.
    public init(journalNanoseconds: Int64) { self.init(offset: .nanoseconds(journalNanoseconds)) }

    /// The instant as nanoseconds since the clock's origin.
    public var journalNanoseconds: Int64 {
        let (seconds, attoseconds) = offset.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
