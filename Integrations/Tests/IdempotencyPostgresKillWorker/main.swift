// A worker process for the kill test (PostgresKillTests): it claims every key it is given on the shared
// PostgreSQL store, does the key's work and completes it, the way a replica of a service would, and prints one
// line per acknowledged step on standard output. The test starts several of these at once on one database and
// SIGKILLs them at random.
//
//   IdempotencyPostgresKillWorker URL STORE_TABLE WORK_TABLE KEYS WORKER_ID SEED
//
// The work is one statement on WORK_TABLE, as a downstream system that honours fences would run it: it appends
// this owner's fence and id to the key's row only if the fence is above every fence applied before, so a
// stale owner's write is refused. Lines: `D key fence` after a completion returned, `R key fence` for a replay,
// `S key fence` for a refused stale write, `E message` for an error, `EXIT` at the end.
import Foundation
import Idempotency
import IdempotencyPostgres
import Logging
import PostgresNIO
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count == 7, let keyCount = Int(arguments[4]), let seed = UInt64(arguments[6]) else {
    FileHandle.standardError.write(Data("usage: URL STORE_TABLE WORK_TABLE KEYS WORKER_ID SEED\n".utf8))
    exit(2)
}
let (url, storeTable, workTable, workerID) = (arguments[1], arguments[2], arguments[3], arguments[5])
let lease: Duration = .seconds(2)
let concurrency = 4

/// One line to standard output in one write, so that a kill never leaves half a line.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

guard let parts = URLComponents(string: url), let host = parts.host, let user = parts.user else {
    say("E bad url")
    exit(2)
}
let client = PostgresClient(
    configuration: .init(
        host: host, port: parts.port ?? 5432, username: user, password: parts.password,
        database: String(parts.path.dropFirst()), tls: .disable))
let store = try PostgresIdempotencyStore(client: client, configuration: .init(tableName: storeTable))
let scope = try IdempotencyScope(tenant: "desk-kill", operation: "POST /settlements")

/// The work: applied only for a fence above every fence applied to the key before. Returns false when refused.
func doWork(key: String, fence: UInt64) async throws -> Bool {
    let rows = try await client.query(
        """
        INSERT INTO \(unescaped: "\"\(workTable)\"") AS w (key, fences, workers)
        VALUES (\(key), ARRAY[\(Int64(fence))]::int8[], ARRAY[\(workerID)]::text[])
        ON CONFLICT (key) DO UPDATE SET fences = w.fences || EXCLUDED.fences, workers = w.workers || EXCLUDED.workers
        WHERE w.fences[cardinality(w.fences)] < EXCLUDED.fences[1]
        RETURNING 1
        """)
    var applied = false
    for try await _ in rows { applied = true }
    return applied
}

func process(_ name: String, random: inout some RandomNumberGenerator) async throws {
    let key = try IdempotencyKey(headerValue: name, scope: scope)
    let fingerprint = Fingerprint(exactBytes: Array(name.utf8))
    while true {
        let outcome: ClaimOutcome
        do {
            outcome = try await store.claim(key, fingerprint: fingerprint, lease: lease)
        } catch let error as IdempotencyError where error.code == .storeIO {
            say("E \(error)")
            try await Task.sleep(for: .milliseconds(50))
            continue
        }
        switch outcome {
        case .acquired(let token):
            guard try await doWork(key: name, fence: token.fence) else {
                say("S \(name) \(token.fence)")
                continue
            }
            // The upstream call's time: a kill here leaves work done without a completion.
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...40, using: &random)))
            do {
                try await store.complete(
                    key, token: token,
                    response: StoredResponse(status: 201, body: Array("\(name) \(token.fence)".utf8)),
                    ttl: .seconds(3600))
            } catch let error as IdempotencyError where error.code == .notOwner {
                say("E lost ownership of \(name) \(token.fence): \(error)")
                continue
            }
            say("D \(name) \(token.fence)")
            return
        case .completed(let response):
            say("R \(String(decoding: response.body, as: UTF8.self))")
            return
        case .inProgress(let remaining):
            try await Task.sleep(for: min(remaining, .milliseconds(100)))
        case .fingerprintMismatch:
            say("E mismatch on \(name)")
            return
        }
    }
}

/// A small seeded generator (SplitMix64), so that each incarnation shuffles its keys differently.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

var random = SplitMix(state: seed)
let keys = (0..<keyCount).map { "kill-\($0)" }.shuffled(using: &random)
let next = Ticket()

await withTaskGroup(of: Void.self) { group in
    group.addTask { await client.run() }
    await withTaskGroup(of: Void.self) { workers in
        for lane in 0..<concurrency {
            workers.addTask {
                var random = SplitMix(state: seed &+ UInt64(lane) &* 7919)
                while true {
                    let index = next.take()
                    guard index < keys.count else { return }
                    do {
                        try await process(keys[index], random: &random)
                    } catch {
                        say("E \(keys[index]): \(error)")
                    }
                }
            }
        }
    }
    say("EXIT")
    group.cancelAll()
}

/// Hands out 0, 1, 2, … to concurrent tasks.
final class Ticket: Sendable {
    private let value = Mutex(0)

    func take() -> Int {
        value.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
