import Foundation
import Idempotency
import IdempotencyPostgres
import PostgresNIO
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several worker processes (IdempotencyPostgresKillWorker) on one database, every key sent to every process at
/// once, while the test SIGKILLs a worker at random and starts it again.
///
/// "Exactly once" when a worker can die between doing the work and completing: the work of a key is applied by
/// owners only, each write carrying its fence, and the work row refuses a fence that is not above every fence it
/// applied. A worker killed after its work and before its completion leaves work applied under a fence that
/// never completes; the next owner (a higher fence, after the lease) applies it again and completes. So:
/// - every completion's fence applied the work exactly once, and it is the last fence applied;
/// - work applied under a fence that did not complete must come from a worker that was killed (a re-run after a
///   kill, counted); from a worker that was not killed it is a duplicate;
/// - every completion a worker acknowledged (printed after `complete` returned) is the stored one;
/// - no record is left in progress.
@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
struct PostgresKillTests {
    static let workers = 3
    static let keys = 600
    static let kills = 12

    /// A running worker and what it printed.
    final class Incarnation: Sendable {
        let id: String
        let process: Process
        private let state = Mutex<(lines: [String], exited: Bool)>(([], false))

        init(id: String, arguments: [String]) throws {
            self.id = id
            process = Process()
            process.executableURL = URL(fileURLWithPath: PostgresKillTests.workerPath)
            process.arguments = arguments + [id, String(UInt64.random(in: 1..<UInt64.max))]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let fd = pipe.fileHandleForReading.fileDescriptor
            Thread.detachNewThread { [self] in
                var pending: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { break }
                    pending.append(contentsOf: buffer[0..<count])
                    var lines: [String] = []
                    while let newline = pending.firstIndex(of: 0x0A) {
                        lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                        pending.removeSubrange(...newline)
                    }
                    self.state.withLock { $0.lines += lines }
                }
                self.process.waitUntilExit()
                self.state.withLock { $0.exited = true }
            }
        }

        var lines: [String] { state.withLock { $0.lines } }
        var exited: Bool { state.withLock { $0.exited } }
    }

    static var workerPath: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/",
            !FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("IdempotencyPostgresKillWorker").path)
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("IdempotencyPostgresKillWorker").path
    }

    /// Waits without a clock: the workers' progress is what the test waits for, polled every 10 ms.
    static func pause() { usleep(10_000) }

    @Test func exactlyOnceAcrossWorkersKilledAtRandom() async throws {
        let url = try #require(PostgresTestServer.url)
        let storeTable = PostgresTestServer.uniqueTable("kill_store")
        let workTable = PostgresTestServer.uniqueTable("kill_work")
        try await PostgresTestServer.withClient { client in
            try await PostgresIdempotencyStore(client: client, configuration: .init(tableName: storeTable)).migrate()
            try await client.query(
                "CREATE TABLE \(unescaped: "\"\(workTable)\"") (key text PRIMARY KEY, fences int8[] NOT NULL, workers text[] NOT NULL)"
            )
        }
        let arguments = [url, storeTable, workTable, String(Self.keys)]
        var generator = SystemRandomNumberGenerator()
        var slots = try (0..<Self.workers).map { try Incarnation(id: "w\($0).0", arguments: arguments) }
        var all = slots
        var killed: Set<String> = []
        var restarts = Array(repeating: 0, count: Self.workers)
        let started = ContinuousClock.now

        // Kill a random worker after it printed a random number of lines, start it again; until enough kills
        // landed on running workers (a worker that already finished is restarted and not counted).
        var attempts = 0
        while killed.count < Self.kills, attempts < Self.kills * 10 {
            attempts += 1
            let slot = Int.random(in: 0..<Self.workers, using: &generator)
            let victim = slots[slot]
            let after = Int.random(in: 3...60, using: &generator)
            while victim.lines.count < after, !victim.exited, ContinuousClock.now - started < .seconds(120) {
                Self.pause()
            }
            if !victim.exited, !victim.lines.contains("EXIT"), kill(victim.process.processIdentifier, SIGKILL) == 0 {
                killed.insert(victim.id)
            }
            while !victim.exited { Self.pause() }
            restarts[slot] += 1
            let fresh = try Incarnation(id: "w\(slot).\(restarts[slot])", arguments: arguments)
            slots[slot] = fresh
            all.append(fresh)
        }
        // Let the last incarnations finish every key.
        for incarnation in slots {
            while !incarnation.exited, ContinuousClock.now - started < .seconds(240) { Self.pause() }
            if !incarnation.exited {
                kill(incarnation.process.processIdentifier, SIGKILL)
                Issue.record("worker \(incarnation.id) did not finish within 240 s")
                while !incarnation.exited { Self.pause() }
            }
            #expect(incarnation.process.terminationStatus == 0, "worker \(incarnation.id) exited with a failure")
        }

        // What the workers acknowledged.
        var acknowledged: [String: UInt64] = [:]
        var errors: [String] = []
        var staleRefused = 0
        for incarnation in all {
            for line in incarnation.lines {
                let parts = line.split(separator: " ")
                switch parts.first {
                case "D" where parts.count == 3:
                    if let fence = UInt64(parts[2]) { acknowledged[String(parts[1])] = fence }
                case "S": staleRefused += 1
                case "E": errors.append("\(incarnation.id): \(line)")
                default: break
                }
            }
        }

        let verdict = try await PostgresTestServer.withClient { client in
            try await Self.audit(
                client: client, storeTable: storeTable, workTable: workTable, killed: killed,
                acknowledged: acknowledged)
        }
        print(
            """
            kill test: \(Self.keys) keys on \(Self.workers) workers, \(killed.count) kills, \(all.count) incarnations, \
            \(acknowledged.count) acknowledged completions; completed records \(verdict.completed), \
            work runs \(verdict.workRuns) (\(verdict.completed) by completing owners + \(verdict.reRunsAfterKill) \
            re-run after a kill between work and completion); duplicated work \(verdict.duplicated), \
            completed without work \(verdict.completedWithoutWork), acknowledged completions lost \(verdict.lost), \
            in progress \(verdict.inProgress) (past lease \(verdict.pastLease)); stale writes refused by fence \
            \(staleRefused), worker errors \(errors.count)
            """)
        #expect(killed.count >= 10)
        #expect(verdict.completed == Self.keys)
        #expect(verdict.duplicated == 0)
        #expect(verdict.completedWithoutWork == 0)
        #expect(verdict.lost == 0)
        #expect(verdict.inProgress == 0 && verdict.pastLease == 0)
        #expect(verdict.workRuns == verdict.completed + verdict.reRunsAfterKill)
        // Connection errors of a killed worker's peers are retried; anything else is a failure.
        #expect(errors.filter { !$0.contains("store_io") }.isEmpty, "\(errors.prefix(5))")

        try await PostgresTestServer.withClient { client in
            try await PostgresTestServer.drop(client, table: storeTable)
            try await client.query("DROP TABLE \(unescaped: "\"\(workTable)\"")")
        }
    }

    struct Verdict {
        var completed = 0
        var workRuns = 0
        var reRunsAfterKill = 0
        var duplicated = 0
        var completedWithoutWork = 0
        var lost = 0
        var inProgress = 0
        var pastLease = 0
    }

    static func audit(
        client: PostgresClient, storeTable: String, workTable: String, killed: Set<String>,
        acknowledged: [String: UInt64]
    ) async throws -> Verdict {
        var verdict = Verdict()
        // The stored completions: the body is "key fence".
        var completions: [String: UInt64] = [:]
        let records = try await client.query(
            """
            SELECT state, fence, body, lease_ends_at < clock_timestamp() FROM \(unescaped: "\"\(storeTable)\"")
            """)
        for try await (state, fence, body, leaseEnded) in records.decode((String, Int64, ByteBuffer?, Bool).self) {
            switch state {
            case "completed":
                let parts = String(buffer: body ?? ByteBuffer()).split(separator: " ")
                if parts.count == 2, UInt64(parts[1]) == UInt64(fence) {
                    completions[String(parts[0])] = UInt64(fence)
                } else {
                    verdict.lost += 1  // a completion whose response is not its owner's
                }
            case "in_progress":
                verdict.inProgress += 1
                if leaseEnded { verdict.pastLease += 1 }
            default:
                break
            }
        }
        verdict.completed = completions.count
        var work: [String: [(fence: UInt64, worker: String)]] = [:]
        let rows = try await client.query("SELECT key, fences, workers FROM \(unescaped: "\"\(workTable)\"")")
        for try await (key, fences, workers) in rows.decode((String, [Int64], [String]).self) {
            work[key] = zip(fences, workers).map { (UInt64($0), $1) }
        }
        for (key, fence) in completions {
            let applied = work[key] ?? []
            verdict.workRuns += applied.count
            let byCompleter = applied.filter { $0.fence == fence }.count
            if byCompleter == 0 { verdict.completedWithoutWork += 1 }
            if byCompleter > 1 || applied.last?.fence != fence { verdict.duplicated += 1 }
            for earlier in applied where earlier.fence != fence {
                if killed.contains(earlier.worker) {
                    verdict.reRunsAfterKill += 1
                } else {
                    verdict.duplicated += 1
                }
            }
        }
        for (key, fence) in acknowledged where completions[key] != fence { verdict.lost += 1 }
        return verdict
    }
}
