import Foundation
import Idempotency
import ResilienceTesting
import Testing

/// The journal's format versions and the records version 2 added: lease extensions and header fields.
@Suite struct JournalFormatTests {
    let clock = ManualClock()

    func open(_ directory: TemporaryDirectory) throws -> JournalIdempotencyStore<ManualClock> {
        try JournalIdempotencyStore(directory: directory.path, clock: clock)
    }

    func acquire(
        _ store: some IdempotencyStore, _ key: String, lease: Duration = .seconds(30)
    ) async throws
        -> OwnerToken
    {
        let outcome = try await store.claim(Fixtures.key(key), fingerprint: Fixtures.fingerprint, lease: lease)
        guard case .acquired(let token) = outcome else { throw Unexpected(outcome: outcome) }
        return token
    }

    struct Unexpected: Error { var outcome: ClaimOutcome }

    /// An extension is on disk when `extendLease` returns: a restart does not shorten the lease, and neither
    /// does a compaction.
    @Test(arguments: [false, true]) func extendedLeaseSurvivesReopen(compactFirst: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let token: OwnerToken
        do {
            let store = try open(directory)
            token = try await acquire(store, "long")
            clock.advance(by: .seconds(20))
            try await store.extendLease(Fixtures.key("long"), token: token, lease: .seconds(30))  // ends at 50 s
            if compactFirst { try await store.compact() }
            await store.close()
        }
        let store = try open(directory)
        clock.advance(by: .seconds(20))  // 40 s: past the first lease (30 s)
        let during = try await store.claim(Fixtures.key("long"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        #expect(during == .inProgress(leaseRemaining: .seconds(10)))
        try await store.extendLease(Fixtures.key("long"), token: token, lease: .seconds(30))  // the owner still owns it
        try await store.complete(Fixtures.key("long"), token: token, response: Fixtures.accepted, ttl: .seconds(60))
        await store.close()
        let reopened = try open(directory)
        let replay = try await reopened.claim(
            Fixtures.key("long"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        #expect(replay == .completed(Fixtures.accepted))
        await reopened.close()
    }

    @Test func headerFieldsSurviveReopenAndCompaction() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let response = StoredResponse(
            status: 201,
            headerFields: [
                HTTPHeaderField(name: "Content-Type", value: "application/json; charset=utf-8"),
                HTTPHeaderField(name: "Location", value: "/settlements/é-1"),
                HTTPHeaderField(name: "X-Empty", value: ""),
            ],
            body: Array(#"{"id":"é-1"}"#.utf8))
        do {
            let store = try open(directory)
            let token = try await acquire(store, "h")
            try await store.complete(Fixtures.key("h"), token: token, response: response, ttl: .seconds(60))
            await store.close()
        }
        for compact in [false, true] {
            let store = try open(directory)
            let outcome = try await store.claim(
                Fixtures.key("h"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
            #expect(outcome == .completed(response), "compacted: \(compact)")
            if !compact { try await store.compact() }
            await store.close()
        }
    }

    @Test(arguments: [
        HTTPHeaderField(name: "", value: "x"),
        HTTPHeaderField(name: "Bad Name", value: "x"),
        HTTPHeaderField(name: "Location", value: "/a\r\nSet-Cookie: stolen=1"),
        HTTPHeaderField(name: "X-Null", value: "a\u{0}b"),
        HTTPHeaderField(name: "X-Long", value: String(repeating: "v", count: 4096)),
    ])
    func invalidHeaderFieldsAreRefused(field: HTTPHeaderField) async throws {
        let store = try InMemoryIdempotencyStore(clock: clock)
        let token = try await acquire(store, "bad")
        let response = StoredResponse(status: 201, headerFields: [field], body: [])
        await #expect {
            try await store.complete(Fixtures.key("bad"), token: token, response: response, ttl: .seconds(60))
        } throws: { ($0 as? IdempotencyError)?.code == .invalidArgument }
        let tooMany = StoredResponse(
            status: 201, headerFields: Array(repeating: HTTPHeaderField(name: "X-A", value: "1"), count: 33), body: [])
        await #expect {
            try await store.complete(Fixtures.key("bad"), token: token, response: tooMany, ttl: .seconds(60))
        } throws: { ($0 as? IdempotencyError)?.code == .invalidArgument }
        let outcome = try await store.claim(Fixtures.key("bad"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(outcome == .inProgress(leaseRemaining: .seconds(30)), "nothing was stored")
    }

    /// A journal written by format version 1, built here byte by byte from the documented layout: it opens,
    /// its records replay (responses without header fields), and the file is rewritten as version 2.
    @Test func versionOneJournalStillReads() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        let fingerprint = Fixtures.fingerprint.bytes
        var payload: [UInt8] = []
        // claim "done", fence 1, lease end 30 s, remove-at 1 h
        payload += [1] + Self.key("done") + fingerprint + Self.le(UInt64(1)) + Self.le(Int64(30_000_000_000))
        payload += Self.le(Int64(3_600_000_000_000))
        // complete "done", fence 1, status 201, body "ok", remove-at 1 h
        payload += [2] + Self.key("done") + Self.le(UInt64(1)) + Self.le(UInt16(201)) + Self.le(UInt32(2))
        payload += Array("ok".utf8) + Self.le(Int64(3_600_000_000_000))
        // claim "open", fence 2, lease end 30 s, remove-at 1 h
        payload += [1] + Self.key("open") + fingerprint + Self.le(UInt64(2)) + Self.le(Int64(30_000_000_000))
        payload += Self.le(Int64(3_600_000_000_000))
        // fence floor 7
        let floor: [UInt8] = [4] + Self.le(UInt64(7))
        let file =
            Array("ETRMIJ01".utf8) + Self.frame(payload) + Self.frame(floor)
        try Data(file).write(to: URL(fileURLWithPath: directory.journal))

        let store = try open(directory)
        #expect(store.recoveryReport.framesReplayed == 2 && store.recoveryReport.recordsReplayed == 4)
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
        #expect(Array(written.prefix(8)) == Array("ETRMIJ03".utf8), "rewritten in the current version")
        let done = try await store.claim(Fixtures.key("done"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(done == .completed(StoredResponse(status: 201, body: Array("ok".utf8))))
        let pending = try await store.claim(Fixtures.key("open"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(pending == .inProgress(leaseRemaining: .seconds(30)))
        try await store.extendLease(Fixtures.key("open"), token: OwnerToken(fence: 2), lease: .seconds(60))
        try await store.complete(
            Fixtures.key("open"), token: OwnerToken(fence: 2), response: Fixtures.accepted, ttl: .seconds(60))
        let fresh = try await acquire(store, "fresh")
        #expect(fresh.fence == 8, "the version 1 fence floor holds")
        await store.close()

        let reopened = try open(directory)
        let replay = try await reopened.claim(
            Fixtures.key("open"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(replay == .completed(Fixtures.accepted))
        await reopened.close()
    }

    @Test func crc32cHelperMatchesTheStandardCheckValue() {
        #expect(Self.crc32c(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// A client key's stored form: kind 1, then tenant, operation and value, each `u16be length ‖ UTF-8`.
    static func key(_ value: String) -> [UInt8] {
        var stored: [UInt8] = [1]
        for part in ["desk-a", "POST /settlements", value] {
            let bytes = Array(part.utf8)
            stored += [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
        }
        return le(UInt16(stored.count)) + stored
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        le(UInt32(payload.count)) + le(crc32c(payload)) + payload
    }

    /// CRC-32C (Castagnoli), bit by bit: independent of the store's table-driven one.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
