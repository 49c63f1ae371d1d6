import Foundation
import Idempotency
import IdempotencyConformance
import ResilienceTesting

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("idempotency-\(safe)-\(UUID().uuidString)").path
    }

    var journal: String { path + "/journal.log" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixtures {
    static let scope = try! IdempotencyScope(tenant: "desk-a", operation: "POST /settlements")
    static let body = Array(#"{"settlement_run_id":"RUN0000000000001","position_mwh":"12.5"}"#.utf8)
    static let fingerprint = Fingerprint(exactBytes: body)
    static let other = Fingerprint(exactBytes: Array("other".utf8))
    static let accepted = StoredResponse(
        status: 201,
        headerFields: [
            HTTPHeaderField(name: "Content-Type", value: "application/json"),
            HTTPHeaderField(name: "Location", value: "/settlements/RUN0000000000001"),
        ],
        body: Array(#"{"status":"accepted"}"#.utf8))

    static func key(_ value: String) -> IdempotencyKey { try! IdempotencyKey(headerValue: value, scope: scope) }
}

/// A store that forwards every call to an in-memory store; a test wrapper implements only what it changes.
protocol ForwardingStore: IdempotencyStore {
    var inner: InMemoryIdempotencyStore<ManualClock> { get }
}

extension ForwardingStore {
    func claim(_ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration) async throws -> ClaimOutcome {
        try await inner.claim(key, fingerprint: fingerprint, lease: lease)
    }

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        try await inner.complete(key, token: token, response: response, ttl: ttl)
    }

    func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        try await inner.release(key, token: token)
    }

    func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws {
        try await inner.extendLease(key, token: token, lease: lease)
    }
}
