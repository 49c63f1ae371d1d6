import Foundation
import Idempotency
import ResilienceTesting
import Testing

/// Journals of format version 3 built byte by byte from the documented layout: numbered, header-checked
/// frames; a torn tail, a gap, a damaged middle frame; and the older versions and a newer one.
@Suite struct JournalFrameTests {
    let clock = ManualClock()
    typealias Format = JournalFormatTests

    func open(_ directory: TemporaryDirectory) throws -> JournalIdempotencyStore<ManualClock> {
        try JournalIdempotencyStore(directory: directory.path, clock: clock)
    }

    /// Writes `bytes` as the journal in a fresh directory.
    func journal(_ bytes: [UInt8], _ name: String = #function) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory(name)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: directory.journal))
        return directory
    }

    static let hour = Int64(3_600_000_000_000)

    /// Claim of `key` with `fence`: lease end 30 s, remove-at 1 h.
    static func claim(_ key: String, fence: UInt64) -> [UInt8] {
        [1] + Format.key(key) + Fixtures.fingerprint.bytes + Format.le(fence) + Format.le(Int64(30_000_000_000))
            + Format.le(hour)
    }

    /// Completion (type 5) of `key` with `fence`: status 201, one header field, `body`, remove-at 1 h.
    static func complete(_ key: String, fence: UInt64, body: [UInt8]) -> [UInt8] {
        var record: [UInt8] = [5] + Format.key(key) + Format.le(fence) + Format.le(UInt16(201)) + Format.le(UInt16(1))
        for text in ["Content-Type", "application/octet-stream"] {
            record += Format.le(UInt16(text.utf8.count)) + Array(text.utf8)
        }
        return record + Format.le(UInt32(body.count)) + body + Format.le(hour)
    }

    static func response(_ body: [UInt8]) -> StoredResponse {
        StoredResponse(
            status: 201, headerFields: [HTTPHeaderField(name: "Content-Type", value: "application/octet-stream")],
            body: body)
    }

    static let magic = Array("ETRMIJ03".utf8)

    /// Three frames: claim "done" (fence 1); its completion; claim "open" (fence 2) and fence floor 7.
    static let threeFrames: [[UInt8]] = [
        Format.frame3(claim("done", fence: 1), sequence: 1),
        Format.frame3(complete("done", fence: 1, body: Array("ok".utf8)), sequence: 2),
        Format.frame3(claim("open", fence: 2) + [4] + Format.le(UInt64(7)), sequence: 3),
    ]

    @Test func versionThreeJournalBuiltByHandOpensAndContinuesTheNumbering() async throws {
        let directory = try journal(Self.magic + Self.threeFrames.joined())
        defer { directory.remove() }
        let store = try open(directory)
        #expect(store.recoveryReport.framesReplayed == 3 && store.recoveryReport.recordsReplayed == 4)
        let done = try await store.claim(Fixtures.key("done"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(done == .completed(Self.response(Array("ok".utf8))))
        let pending = try await store.claim(Fixtures.key("open"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(pending == .inProgress(leaseRemaining: .seconds(30)))
        let fresh = try await store.claim(Fixtures.key("new"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(fresh == .acquired(OwnerToken(fence: 8)), "the fence floor holds")
        await store.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
        #expect(Format.sequences(bytes) == [1, 2, 3, 4], "the new frame is number 4")
    }

    /// The torn last frame is a completion whose body holds whole, valid frames numbered 3 and 4, exactly
    /// what recovery would look for after a damaged frame 3. Its header is intact, so its extent is known and
    /// nothing inside it is read: cut short or zero-filled to its end, it is a torn tail.
    @Test(arguments: [false, true]) func tornLastFrameEmbeddingTheNextFramesIsCutOff(zeroFilled: Bool) async throws {
        let embedded =
            Format.frame3(Self.claim("ghost", fence: 9), sequence: 3)
            + Format.frame3(Self.claim("ghost2", fence: 10), sequence: 4)
        let torn = Format.frame3(
            Self.claim("open", fence: 2) + Self.complete("open", fence: 2, body: embedded + embedded), sequence: 3)
        let good = Self.magic + Self.threeFrames[0] + Self.threeFrames[1]
        var file = good + torn
        if zeroFilled {
            file.replaceSubrange((file.count - 12)..., with: repeatElement(0, count: 12))
        } else {
            file.removeLast(12)
        }
        let directory = try journal(file)
        defer { directory.remove() }
        let store = try open(directory)
        #expect(store.recoveryReport.droppedTailBytes == file.count - good.count)
        #expect(store.recoveryReport.framesReplayed == 2)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal))) == good)
        for ghost in ["ghost", "ghost2", "open"] {
            let outcome = try await store.claim(
                Fixtures.key(ghost), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
            guard case .acquired = outcome else {
                Issue.record("\(ghost) was never acknowledged, got \(outcome)")
                continue
            }
        }
        await store.close()
    }

    @Test func aRemovedMiddleFrameIsAGap() throws {
        let directory = try journal(Self.magic + Self.threeFrames[0] + Self.threeFrames[2])
        defer { directory.remove() }
        #expect {
            try open(directory)
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .journalCorrupt
                && error.message.contains("frame 3 follows frame 1: frame 2 is missing")
        }
    }

    /// The torn last frame's header is intact but numbers it 3 after frame 1: frame 2 is missing, torn tail or
    /// not.
    @Test func aTornFrameWithTheWrongNumberIsAGap() throws {
        let directory = try journal(Self.magic + Self.threeFrames[0] + Self.threeFrames[2].dropLast(5))
        defer { directory.remove() }
        #expect {
            try open(directory)
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .journalCorrupt && error.message.contains("frame 2 is missing")
        }
    }

    /// A damaged middle frame, in its payload or in its header, with a good frame after it: not a torn tail.
    @Test(arguments: [3, 10, 16, 25, 60]) func aDamagedMiddleFrameIsRefused(position: Int) throws {
        var middle = Self.threeFrames[1]
        middle[position] ^= 0x10
        let directory = try journal(Self.magic + Self.threeFrames[0] + middle + Self.threeFrames[2])
        defer { directory.remove() }
        #expect {
            try open(directory)
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .journalCorrupt && error.message.contains("not a torn tail")
        }
    }

    /// A version 2 journal (unnumbered `length ‖ CRC-32C` frames) with header fields, a lease extension and a
    /// release opens, and is rewritten as version 3 before anything is appended.
    @Test func versionTwoJournalStillReads() async throws {
        let extend: [UInt8] =
            [6] + Format.key("open") + Format.le(UInt64(2)) + Format.le(Int64(90_000_000_000)) + Format.le(Self.hour)
        let release: [UInt8] = [3] + Format.key("gone") + Format.le(UInt64(3))
        let file =
            Array("ETRMIJ02".utf8) + Format.frame(Self.claim("done", fence: 1))
            + Format.frame(Self.complete("done", fence: 1, body: [0, 1, 2]))
            + Format.frame(Self.claim("open", fence: 2) + extend)
            + Format.frame(Self.claim("gone", fence: 3) + release)
        let directory = try journal(file)
        defer { directory.remove() }
        let store = try open(directory)
        #expect(store.recoveryReport.framesReplayed == 4 && store.recoveryReport.recordsReplayed == 6)
        let rewritten = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
        #expect(Array(rewritten.prefix(8)) == Self.magic)
        #expect(Format.sequences(rewritten) == [1], "one snapshot frame, number 1")
        let done = try await store.claim(Fixtures.key("done"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(done == .completed(Self.response([0, 1, 2])))
        let pending = try await store.claim(Fixtures.key("open"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(pending == .inProgress(leaseRemaining: .seconds(90)))
        let gone = try await store.claim(Fixtures.key("gone"), fingerprint: Fixtures.fingerprint, lease: .seconds(1))
        #expect(gone == .acquired(OwnerToken(fence: 4)))
        await store.close()
        let after = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
        #expect(Format.sequences(after) == [1, 2])
        let reopened = try open(directory)
        #expect(reopened.recordCount == 3)
        await reopened.close()
    }

    /// A frame whose checksum is right but whose record holds a malformed key is corruption, not an
    /// `invalid_key` from deep inside (found by FuzzJournalRecovery).
    @Test(arguments: [[UInt8]([0, 0]), [3, 0, 1, 0x41, 0, 0], [1, 0, 1, 0x41, 0, 1, 0x42, 0, 1, 0x0A]])
    func aMalformedStoredKeyIsCorruption(storedKey: [UInt8]) throws {
        let claim: [UInt8] =
            [1] + Format.le(UInt16(storedKey.count)) + storedKey + Fixtures.fingerprint.bytes + Format.le(UInt64(1))
            + Format.le(Int64(0)) + Format.le(Self.hour)
        let directory = try journal(Array("ETRMIJ02".utf8) + Format.frame(claim))
        defer { directory.remove() }
        #expect {
            try open(directory)
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .journalCorrupt && error.message.contains("malformed")
        }
    }

    @Test func aNewerFormatVersionIsRefusedNamingIt() throws {
        let directory = try journal(Array("ETRMIJ07".utf8) + [1, 2, 3])
        defer { directory.remove() }
        #expect {
            try open(directory)
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .journalVersionUnsupported && error.message.contains("format version 7")
                && error.message.contains("versions 1 to 3")
        }
    }
}

extension JournalFormatTests {
    /// A version 3 frame: `u32le length ‖ u64le sequence ‖ u32le CRC-32C(payload) ‖ u32le CRC-32C(the 16 bytes
    /// before) ‖ payload`.
    static func frame3(_ payload: [UInt8], sequence: UInt64) -> [UInt8] {
        let header = le(UInt32(payload.count)) + le(sequence) + le(crc32c(payload))
        return header + le(crc32c(header)) + payload
    }

    /// The sequence numbers of a version 3 journal's frames, read from the layout.
    static func sequences(_ bytes: [UInt8]) -> [UInt64] {
        var numbers: [UInt64] = []
        var offset = 8
        while offset + 20 <= bytes.count {
            let length = bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            numbers.append(bytes[offset + 4..<offset + 12].reversed().reduce(0) { $0 << 8 | UInt64($1) })
            offset += 20 + length
        }
        return numbers
    }
}
