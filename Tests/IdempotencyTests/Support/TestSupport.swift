import Foundation
import Idempotency
import ResilienceTesting

extension ManualClock.Instant: JournalTimestamp {
    public init(journalNanoseconds: Int64) { self.init(offset: .nanoseconds(journalNanoseconds)) }

    public var journalNanoseconds: Int64 {
        let (seconds, attoseconds) = offset.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

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
