import Foundation
import Idempotency
import ResilienceTesting
import Testing

/// Recovery cuts only a torn tail, and a missing or repeated frame is refused. These tests find frame
/// boundaries through the public API (with one operation at a time, each operation is one frame), so they hold
/// for every format version.
@Suite struct JournalRecoveryTests {
    let clock = ManualClock()

    func open(_ directory: TemporaryDirectory) throws -> JournalIdempotencyStore<ManualClock> {
        try JournalIdempotencyStore(directory: directory.path, clock: clock)
    }

    func acquire(_ store: some IdempotencyStore, _ key: String) async throws -> OwnerToken {
        let outcome = try await store.claim(Fixtures.key(key), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        guard case .acquired(let token) = outcome else { throw Unexpected(outcome: outcome) }
        return token
    }

    struct Unexpected: Error { var outcome: ClaimOutcome }

    func contents(_ directory: TemporaryDirectory) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.journal)))
    }

    func write(_ bytes: [UInt8], to directory: TemporaryDirectory) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory.journal))
    }

    /// The crash tore the last frame, a completion whose binary body holds copies of the journal's own good
    /// frames: the frame is cut off, "a" stays completed, "b" is back in progress. (This used to fail the open
    /// as corruption, because recovery found the copies inside the torn frame.)
    @Test(arguments: [false, true]) func tornLastFrameHoldingValidFramesIsCutOff(zeroFilled: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let beforeCompletion: Int
        do {
            let store = try open(directory)
            let a = try await acquire(store, "a")
            try await store.complete(Fixtures.key("a"), token: a, response: Fixtures.accepted, ttl: .seconds(3600))
            let frames = Array(try contents(directory).dropFirst(8))
            let b = try await acquire(store, "b")
            beforeCompletion = try contents(directory).count
            let binary = StoredResponse(status: 201, body: frames + frames + frames)
            try await store.complete(Fixtures.key("b"), token: b, response: binary, ttl: .seconds(3600))
            await store.close()
        }
        var bytes = try contents(directory)
        // The last 10 bytes (the remove-at instant and the end of the body) never reached the disk: cut off, or
        // zeros where the file system extended the file without the data.
        if zeroFilled {
            bytes.replaceSubrange((bytes.count - 10)..., with: repeatElement(0, count: 10))
        } else {
            bytes.removeLast(10)
        }
        try write(bytes, to: directory)
        let store = try open(directory)
        #expect(store.recoveryReport.droppedTailBytes == bytes.count - beforeCompletion)
        #expect(try contents(directory).count == beforeCompletion, "only the torn frame is cut")
        let a = try await store.claim(Fixtures.key("a"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        #expect(a == .completed(Fixtures.accepted))
        let b = try await store.claim(Fixtures.key("b"), fingerprint: Fixtures.fingerprint, lease: .seconds(30))
        #expect(b == .inProgress(leaseRemaining: .seconds(30)))
        await store.close()
    }

    /// Writes 20 frames (10 claims, each followed by its completion) and returns the file and where every
    /// frame starts and ends.
    func twentyFrames(_ directory: TemporaryDirectory) async throws -> (bytes: [UInt8], bounds: [Int]) {
        let store = try open(directory)
        var bounds = [try contents(directory).count]
        for index in 0..<10 {
            let token = try await acquire(store, "k\(index)")
            bounds.append(try contents(directory).count)
            try await store.complete(
                Fixtures.key("k\(index)"), token: token, response: Fixtures.accepted, ttl: .seconds(3600))
            bounds.append(try contents(directory).count)
        }
        await store.close()
        return (try contents(directory), bounds)
    }

    /// Cutting any one whole frame but the last out of the journal is a gap, and the open fails. (It used to
    /// open with 19 of 20 records, a completion lost and its key back in progress.) The last frame cannot be
    /// told from one that was never written.
    @Test func aMissingFrameIsRefusedAsAGap() async throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (bytes, bounds) = try await twentyFrames(source)
        #expect(bounds.count == 21)
        for frame in 0..<19 {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            var cut = bytes
            cut.removeSubrange(bounds[frame]..<bounds[frame + 1])
            try write(cut, to: directory)
            #expect("frame \(frame + 1) removed") {
                try open(directory)
            } throws: { error in
                guard let error = error as? IdempotencyError else { return false }
                return error.code == .journalCorrupt && error.message.contains("missing")
            }
        }
    }

    /// A frame written twice (a copy of a middle frame inserted after it) is refused too.
    @Test func aRepeatedFrameIsRefused() async throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (bytes, bounds) = try await twentyFrames(source)
        for frame in [0, 7, 18] {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            var repeated = bytes
            repeated.insert(contentsOf: bytes[bounds[frame]..<bounds[frame + 1]], at: bounds[frame + 1])
            try write(repeated, to: directory)
            #expect("frame \(frame + 1) repeated") {
                try open(directory)
            } throws: { ($0 as? IdempotencyError)?.code == .journalCorrupt }
        }
    }

    /// The intact journal opens with all 20 frames, and opening it twice replays the same.
    @Test func theIntactJournalOpensWithEveryFrame() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = try await twentyFrames(directory)
        for _ in 0..<2 {
            let store = try open(directory)
            let report = store.recoveryReport
            #expect(report.framesReplayed == 20 && report.recordsReplayed == 20 && report.droppedTailBytes == 0)
            #expect(store.recordCount == 10)
            await store.close()
        }
    }
}
