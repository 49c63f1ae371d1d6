import Foundation
import Idempotency
import ResilienceTesting
import Testing

@Suite struct JournalStoreTests {
    let clock = ManualClock()

    func open(_ directory: TemporaryDirectory) throws -> JournalIdempotencyStore<ManualClock> {
        try JournalIdempotencyStore(directory: directory.path, clock: clock)
    }

    func acquire(
        _ store: some IdempotencyStore, _ key: String, _ fingerprint: Fingerprint = Fixtures.fingerprint
    )
        async throws -> OwnerToken
    {
        let outcome = try await store.claim(Fixtures.key(key), fingerprint: fingerprint, lease: .seconds(30))
        guard case .acquired(let token) = outcome else { throw Unexpected(outcome: outcome) }
        return token
    }

    struct Unexpected: Error { var outcome: ClaimOutcome }

    /// The frames of a journal file as (offset, total length), read from the documented format (version 3:
    /// a 20-byte header starting with the payload's length).
    func frames(_ path: String) throws -> [(offset: Int, length: Int)] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(8)) == Array("ETRMIJ03".utf8))
        var frames: [(Int, Int)] = []
        var offset = 8
        while offset + 20 <= bytes.count {
            let length = bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            frames.append((offset, 20 + length))
            offset += 20 + length
        }
        #expect(offset == bytes.count)
        return frames
    }

    /// Writes a journal with one frame per operation: a, b completed, then c claimed (the last frame).
    func writeThreeKeys(_ directory: TemporaryDirectory) async throws {
        let store = try open(directory)
        for name in ["a", "b"] {
            let token = try await acquire(store, name)
            try await store.complete(Fixtures.key(name), token: token, response: Fixtures.accepted, ttl: .seconds(3600))
        }
        _ = try await acquire(store, "c")
        await store.close()
    }

    func expectRecovered(_ store: JournalIdempotencyStore<ManualClock>, cIsPresent: Bool) async throws {
        for name in ["a", "b"] {
            let outcome = try await store.claim(
                Fixtures.key(name), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
            #expect(outcome == .completed(Fixtures.accepted), "key \(name)")
        }
        let c = try await store.claim(Fixtures.key("c"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        if cIsPresent {
            #expect(c == .inProgress(leaseRemaining: .seconds(30)))
        } else if case .acquired = c {
        } else {
            Issue.record("c should be free after its frame was dropped, got \(c)")
        }
    }

    @Test func recordsSurviveReopen() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await writeThreeKeys(directory)
        let released: OwnerToken
        do {
            let store = try open(directory)
            #expect(store.recoveryReport.recordsReplayed == 5 && store.recoveryReport.droppedTailBytes == 0)
            released = try await acquire(store, "d")
            try await store.release(Fixtures.key("d"), token: released)
            await store.close()
        }
        let store = try open(directory)
        try await expectRecovered(store, cIsPresent: true)
        let fresh = try await acquire(store, "d")
        #expect(fresh.fence > released.fence, "fences keep rising across restarts")
        await store.close()
    }

    @Test func secondOpenIsRefusedUntilClose() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try open(directory)
        #expect {
            try open(directory)
        } throws: { ($0 as? IdempotencyError)?.code == .journalLocked }
        await first.close()
        let second = try open(directory)
        await second.close()
        do {
            _ = try await first.claim(Fixtures.key("x"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
            Issue.record("a closed store must refuse work")
        } catch let error as IdempotencyError {
            #expect(error.code == .storeClosed)
        }
    }

    @Test func everyTruncationOfTheLastFrameIsATornTail() async throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        try await writeThreeKeys(source)
        let original = try Data(contentsOf: URL(fileURLWithPath: source.journal))
        guard let last = try frames(source.journal).last else { throw Unexpected(outcome: .fingerprintMismatch) }
        for cut in last.offset..<(last.offset + last.length) {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            try original.prefix(cut).write(to: URL(fileURLWithPath: directory.journal))
            let store = try open(directory)
            #expect(store.recoveryReport.droppedTailBytes == cut - last.offset)
            try await expectRecovered(store, cIsPresent: false)
            await store.close()
        }
    }

    @Test func flippedBytesInTheLastFrameAreATornTail() async throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        try await writeThreeKeys(source)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source.journal)))
        guard let last = try frames(source.journal).last else { throw Unexpected(outcome: .fingerprintMismatch) }
        for position in last.offset..<(last.offset + last.length) {
            var damaged = original
            damaged[position] ^= position % 2 == 0 ? 0x01 : 0x80
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            try Data(damaged).write(to: URL(fileURLWithPath: directory.journal))
            let store = try open(directory)
            let size = try FileManager.default.attributesOfItem(atPath: directory.journal)[.size] as? Int
            #expect(size == last.offset, "the torn tail is truncated away (flip at \(position))")
            #expect(store.recoveryReport.droppedTailBytes == last.length, "flip at \(position)")
            try await expectRecovered(store, cIsPresent: false)
            await store.close()
        }
    }

    @Test func garbageAfterTheLastFrameIsDropped() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await writeThreeKeys(directory)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0, count: 4096))
        try handle.close()
        let store = try open(directory)
        #expect(store.recoveryReport.droppedTailBytes == 4096)
        try await expectRecovered(store, cIsPresent: true)
        await store.close()
    }

    @Test func damageBeforeAGoodFrameIsCorruptionNotATornTail() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await writeThreeKeys(directory)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
        let first = try frames(directory.journal)[0]
        bytes[first.offset + 12] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: directory.journal))
        #expect {
            try open(directory)
        } throws: { ($0 as? IdempotencyError)?.code == .journalCorrupt }
    }

    @Test func aFileThatIsNotAJournalIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        try Data("not a journal at all".utf8).write(to: URL(fileURLWithPath: directory.journal))
        #expect {
            try open(directory)
        } throws: { ($0 as? IdempotencyError)?.code == .journalCorrupt }
    }

    @Test func compactionKeepsLiveRecordsAndDropsExpiredOnes() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try open(directory)
        var highest = OwnerToken(fence: 0)
        for index in 0..<200 {
            let token = try await acquire(store, "k\(index)")
            highest = max(highest, token)
            let ttl: Duration = index < 150 ? .seconds(10) : .seconds(3600)
            try await store.complete(Fixtures.key("k\(index)"), token: token, response: Fixtures.accepted, ttl: ttl)
        }
        let before = try FileManager.default.attributesOfItem(atPath: directory.journal)[.size] as? Int ?? 0
        clock.advance(by: .seconds(11))
        try await store.compact()
        #expect(store.recordCount == 50)
        let token = try await acquire(store, "after")
        #expect(token > highest)
        await store.close()
        let after = try FileManager.default.attributesOfItem(atPath: directory.journal)[.size] as? Int ?? 0
        #expect(after < before / 3, "compacted from \(before) to \(after) bytes")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/journal.log.compact"))

        let reopened = try open(directory)
        #expect(reopened.recordCount == 51)
        for index in [0, 149] {
            let outcome = try await reopened.claim(
                Fixtures.key("k\(index)"), fingerprint: Fixtures.other, lease: .seconds(1))
            guard case .acquired(let fresh) = outcome else {
                Issue.record("expired k\(index) should be free, got \(outcome)")
                continue
            }
            #expect(fresh > token, "the fence floor survives compaction")
        }
        let live = try await reopened.claim(Fixtures.key("k150"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(live == .completed(Fixtures.accepted))
        await reopened.close()
    }

    @Test func concurrentClaimsShareSyncs() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try open(directory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 { group.addTask { _ = try await acquire(store, "g\(index)") } }
            try await group.waitForAll()
        }
        await store.close()
        let reopened = try open(directory)
        #expect(reopened.recoveryReport.recordsReplayed == 64)
        #expect(reopened.recoveryReport.framesReplayed < 64, "64 concurrent claims should share group commits")
        await reopened.close()
    }
}
