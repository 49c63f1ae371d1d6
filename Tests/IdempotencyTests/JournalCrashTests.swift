import ETRMShared
import Foundation
import Idempotency
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Kills a child process that hammers a journal store with SIGKILL at random moments (after a random number
/// of acknowledged operations), at least 50 times, and checks after each kill that every acknowledged claim
/// and completion is there and the journal opens cleanly.
@Suite struct JournalCrashTests {
    static let kills = 60
    static let runsPerJournal = 6

    struct Acknowledged {
        var claims: [String: UInt64] = [:]
        var completions: Set<String> = []
        var errors: [String] = []
        var sawReady = false
    }

    static var workerPath: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the test binary is `<build>/<name>.xctest`; on Darwin it sits deeper in a bundle.
        while directory.path != "/",
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("IdempotencyCrashWorker").path)
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("IdempotencyCrashWorker").path
    }

    /// Runs the worker, kills it after `lines` acknowledged operations, and returns everything it printed.
    static func runAndKill(directory: String, run: Int, afterLines lines: Int) async throws -> Acknowledged {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: workerPath)
        process.arguments = [directory, String(run)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let fd = pipe.fileHandleForReading.fileDescriptor
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var acknowledged = Acknowledged()
                var pending: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                var count = 0
                var killed = false
                while true {
                    let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                    if read < 0, errno == EINTR { continue }
                    if read <= 0 { break }
                    pending.append(contentsOf: buffer[0..<read])
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[..<newline], as: UTF8.self)
                        pending.removeSubrange(...newline)
                        let parts = line.split(separator: " ")
                        switch parts.first {
                        case "READY": acknowledged.sawReady = true
                        case "C" where parts.count == 3: acknowledged.claims[String(parts[1])] = UInt64(parts[2]) ?? 0
                        case "D" where parts.count == 3: acknowledged.completions.insert(String(parts[1]))
                        default: acknowledged.errors.append(line)
                        }
                        count += 1
                    }
                    if !killed, acknowledged.sawReady, count > lines {
                        kill(process.processIdentifier, SIGKILL)
                        killed = true
                    }
                }
                if !killed { acknowledged.errors.append("the worker exited by itself") }
                process.waitUntilExit()
                continuation.resume(returning: acknowledged)
            }
        }
    }

    static func expectedBody(_ key: String) -> [UInt8] {
        let index = Int(key.split(separator: "-").last ?? "") ?? -1
        return index % 5 == 0 ? [] : Array("ok:\(key)".utf8)
    }

    @Test(.timeLimit(.minutes(5))) func everyAcknowledgedOperationSurvivesSIGKILL() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.workerPath), "build IdempotencyCrashWorker first")
        let directories = (0..<(Self.kills / Self.runsPerJournal)).map { _ in TemporaryDirectory() }
        defer { directories.forEach { $0.remove() } }
        let scope = try IdempotencyScope(tenant: "crash", operation: "hammer")
        var generator = SeededGenerator(seed: 0x1DE4)
        var totalClaims = 0
        var totalCompletions = 0
        var dropped = 0
        for run in 0..<Self.kills {
            // Each journal lives through several kills (and the compactions the worker runs), but not all of
            // them, which keeps replay short in a debug build.
            let directory = directories[run / Self.runsPerJournal]
            let lines = Int(generator.next() % 700)
            let acknowledged = try await Self.runAndKill(directory: directory.path, run: run, afterLines: lines)
            #expect(acknowledged.errors.isEmpty, "run \(run): \(acknowledged.errors.prefix(3))")
            #expect(acknowledged.sawReady, "run \(run): the worker never opened the journal")

            let store = try JournalIdempotencyStore(directory: directory.path)
            dropped += store.recoveryReport.droppedTailBytes
            for (value, fence) in acknowledged.claims {
                let key = try IdempotencyKey(headerValue: value, scope: scope)
                let outcome = try await store.claim(
                    key, fingerprint: Fingerprint(exactBytes: value.utf8), lease: .seconds(3600))
                let completed = ClaimOutcome.completed(StoredResponse(status: 201, body: Self.expectedBody(value)))
                if acknowledged.completions.contains(value) {
                    #expect(
                        outcome == completed, "run \(run): acknowledged completion of \(value) (fence \(fence)) lost")
                } else if case .inProgress = outcome {
                } else {
                    // The completion may have reached the disk before the kill without being printed.
                    #expect(
                        outcome == completed,
                        "run \(run): acknowledged claim of \(value) (fence \(fence)) lost: \(outcome)")
                }
            }
            let probe = try await store.claim(
                try IdempotencyKey(headerValue: "probe-\(run)", scope: scope), fingerprint: Fixtures.fingerprint,
                lease: .seconds(1))
            if case .acquired(let token) = probe {
                #expect(token.fence > acknowledged.claims.values.max() ?? 0, "run \(run): fences went backwards")
            } else {
                Issue.record("run \(run): a fresh probe key was not acquired: \(probe)")
            }
            await store.close()
            totalClaims += acknowledged.claims.count
            totalCompletions += acknowledged.completions.count
        }
        #expect(totalClaims > Self.kills * 100, "the worker did real work: \(totalClaims) claims")
        print(
            "crash test: \(Self.kills) kills, \(totalClaims) claims and \(totalCompletions) completions acknowledged and recovered; \(dropped) torn tail bytes dropped"
        )
    }
}
