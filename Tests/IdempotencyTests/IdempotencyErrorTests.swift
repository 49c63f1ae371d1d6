import ETRMShared
import ETRMTestSupport
import Foundation
import Idempotency
import IdempotencyConformance
import ResilienceTesting
import Testing

@Suite struct IdempotencyErrorTests {
    @Test func codesAreDistinctKeepTheirWireNamesAndAreDocumented() {
        let expected: [(IdempotencyError.Code, String)] = [
            (.invalidKey, "invalid_key"), (.invalidScope, "invalid_scope"), (.invalidJSON, "invalid_json"),
            (.invalidArgument, "invalid_argument"), (.notOwner, "not_owner"), (.alreadyCompleted, "already_completed"),
            (.capacityExceeded, "capacity_exceeded"), (.journalLocked, "journal_locked"),
            (.journalCorrupt, "journal_corrupt"), (.journalVersionUnsupported, "journal_version_unsupported"),
            (.journalIO, "journal_io"), (.storeClosed, "store_closed"), (.storeIO, "store_io"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: IdempotencyError.Code.all, expected: expected, module: "Idempotency")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func malformedJSONCarriesTheSyntaxErrorAsCause() {
        #expect {
            try Fingerprint(canonicalJSON: Array(#"{"volume": 1,}"#.utf8))
        } throws: { error in
            guard let error = error as? IdempotencyError, let cause = error.cause as? JSONError else { return false }
            return error.code == .invalidJSON && cause.code == .invalidJSON && error.message.contains("offset")
        }
    }

    @Test func theDescriptionNamesCodeErrnoAndCause() {
        let error = IdempotencyError(
            code: .journalIO, message: "fdatasync failed", systemErrno: 5, cause: CocoaError(.fileWriteUnknown))
        #expect(error.description.hasPrefix("journal_io: fdatasync failed (errno 5) (cause: "))
    }

    @Test func equalityComparesCodeMessageAndErrnoNotTheCause() {
        let plain = IdempotencyError(code: .storeIO, message: "down")
        let caused = IdempotencyError(code: .storeIO, message: "down", cause: CocoaError(.fileNoSuchFile))
        #expect(plain == caused)
        #expect(Set([plain, caused]).count == 1)
        #expect(plain != IdempotencyError(code: .storeIO, message: "down", systemErrno: 5))
    }
}

@Suite struct ConformanceFailureTests {
    @Test func codesAreDistinctKeepTheirNamesAndAreDocumented() {
        let expected: [(IdempotencyStoreConformance.Failure.Code, String)] = [
            (.brokenRule, "broken_rule"), (.unexpectedError, "unexpected_error"), (.unknownCheck, "unknown_check"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: IdempotencyStoreConformance.Failure.Code.all, expected: expected,
            module: "IdempotencyConformance")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func anUnknownCheckIsNamed() async {
        let clock = ManualClock()
        await #expect {
            try await IdempotencyStoreConformance.run(
                check: "noSuchCheck",
                on: .init(makeStore: { try InMemoryIdempotencyStore(clock: clock) }, advance: { clock.advance(by: $0) })
            )
        } throws: { error in
            let failure = error as? IdempotencyStoreConformance.Failure
            return failure?.code == .unknownCheck && failure?.check == "noSuchCheck" && failure?.cause == nil
        }
    }

    /// A store that throws its own error type where the protocol names an `IdempotencyError`: the failure says
    /// so and carries the store's error.
    @Test func aForeignErrorIsTheFailuresCause() async throws {
        let store = ThrowingStore(inner: try InMemoryIdempotencyStore(clock: ManualClock()))
        let failure = try #require(try await failure(of: store))
        #expect(failure.code == .unexpectedError)
        #expect(failure.cause is DiskOnFire)
    }

    /// A store that throws another `IdempotencyError` code than the protocol's breaks the rule, and the failure
    /// carries the error it threw.
    @Test func aWrongCodeIsABrokenRuleWithTheErrorAsCause() async throws {
        var store = ThrowingStore(inner: try InMemoryIdempotencyStore(clock: ManualClock()))
        store.error = IdempotencyError(code: .storeClosed, message: "closed")
        let failure = try #require(try await failure(of: store))
        #expect(failure.code == .brokenRule)
        #expect((failure.cause as? IdempotencyError)?.code == .storeClosed)
    }

    /// The failure of the check that completes a key never claimed, nil when it passes.
    private func failure(of store: ThrowingStore) async throws -> IdempotencyStoreConformance.Failure? {
        do {
            try await IdempotencyStoreConformance.run(
                check: "unclaimedKeyHasNoOwner", on: .init(makeStore: { store }, advance: { _ in }))
            return nil
        } catch let failure as IdempotencyStoreConformance.Failure {
            return failure
        }
    }
}

private struct DiskOnFire: Error {}

/// Throws `error` from `complete`.
private struct ThrowingStore: ForwardingStore {
    let inner: InMemoryIdempotencyStore<ManualClock>
    var error: any Error = DiskOnFire()

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        throw error
    }
}
