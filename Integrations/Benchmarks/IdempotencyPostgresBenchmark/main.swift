// Claim+complete pairs per second of the PostgreSQL store on loopback at 1 and 64 concurrent tasks, beside the
// journal store measured in the same run, and the latency of one claim (p50, p99).
//
//   bash ../.ci/postgres.sh start     # prints ETRM_POSTGRES_URL
//   ETRM_POSTGRES_URL=... swift run -c release idempotency-postgres-bench [PAIRS_PER_RUN [CONCURRENT_BATCHES [BATCH_SIZE]]]
//
// The store's batching settings default to its configuration's defaults.
// Every pair uses a new key (a claim that inserts, a completion that updates), as a gateway's traffic does.
import Foundation
import Idempotency
import IdempotencyPostgres
import PostgresNIO
import Synchronization

guard let url = ProcessInfo.processInfo.environment["ETRM_POSTGRES_URL"],
    let parts = URLComponents(string: url), let host = parts.host, let user = parts.user
else {
    FileHandle.standardError.write(Data("set ETRM_POSTGRES_URL=postgres://user:password@127.0.0.1:PORT/db\n".utf8))
    exit(2)
}
func argument(_ index: Int) -> Int? { CommandLine.arguments.count > index ? Int(CommandLine.arguments[index]) : nil }
let pairs = argument(1) ?? 20_000
var storeConfiguration = PostgresIdempotencyStore.Configuration()
storeConfiguration.maximumConcurrentBatches = argument(2) ?? storeConfiguration.maximumConcurrentBatches
storeConfiguration.maximumBatchSize = argument(3) ?? storeConfiguration.maximumBatchSize
let scope = try IdempotencyScope(tenant: "desk-bench", operation: "POST /settlements")
let response = StoredResponse(
    status: 201, headerFields: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
    body: Array(#"{"status":"accepted","settlement_run_id":"RUN0000000000001"}"#.utf8))
let fingerprint = Fingerprint(exactBytes: Array(#"{"settlement_run_id":"RUN0000000000001"}"#.utf8))

struct Figures {
    var pairsPerSecond: Double
    var claimP50: Duration
    var claimP99: Duration
}

/// Runs `count` claim+complete pairs over `tasks` concurrent tasks on fresh keys.
func measure(_ store: some IdempotencyStore, run: String, tasks: Int, count: Int) async throws -> Figures {
    let next = Ticket()
    let clock = ContinuousClock()
    let start = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for _ in 0..<tasks {
            group.addTask {
                var latencies: [Duration] = []
                while true {
                    let index = next.take()
                    guard index < count else { return latencies }
                    let key = try IdempotencyKey(headerValue: "\(run)-\(index)", scope: scope)
                    let claimStart = clock.now
                    let outcome = try await store.claim(key, fingerprint: fingerprint, lease: .seconds(30))
                    latencies.append(clock.now - claimStart)
                    guard case .acquired(let token) = outcome else {
                        throw IdempotencyError(code: .invalidArgument, message: "\(key) was not free: \(outcome)")
                    }
                    try await store.complete(key, token: token, response: response, ttl: .seconds(86_400))
                }
            }
        }
        var all: [Duration] = []
        for try await part in group { all += part }
        return all.sorted()
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Figures(
        pairsPerSecond: Double(count) / seconds, claimP50: latencies[latencies.count / 2],
        claimP99: latencies[latencies.count * 99 / 100])
}

func format(_ duration: Duration) -> String {
    let microseconds = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    return String(format: "%.0f µs", microseconds)
}

var configuration = PostgresClient.Configuration(
    host: host, port: parts.port ?? 5432, username: user, password: parts.password,
    database: String(parts.path.dropFirst()), tls: .disable)
configuration.options.maximumConnections = 32
let client = PostgresClient(configuration: configuration)
let table = "bench_\(UInt32.random(in: 0..<UInt32.max))"
storeConfiguration.tableName = table
let settings = storeConfiguration
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idempotency-bench-\(UUID())")
var rows: [(String, Int, Figures)] = []

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { await client.run() }
    let postgres = try PostgresIdempotencyStore(client: client, configuration: settings)
    try await postgres.migrate()
    let journal = try JournalIdempotencyStore(directory: directory.path)
    // A short warm-up fills the pool's connections and the server's caches.
    _ = try await measure(postgres, run: "warm", tasks: 64, count: 2_000)
    for tasks in [1, 64] {
        let count = tasks == 1 ? max(pairs / 10, 500) : pairs
        rows.append(
            ("PostgreSQL (loopback)", tasks, try await measure(postgres, run: "pg\(tasks)", tasks: tasks, count: count))
        )
        rows.append(
            ("journal (fsync)", tasks, try await measure(journal, run: "j\(tasks)", tasks: tasks, count: count)))
    }
    await journal.close()
    try await client.query("DROP TABLE \(unescaped: "\"\(table)\"")")
    try await client.query("DROP SEQUENCE \(unescaped: "\"\(table)_fence\"")")
    group.cancelAll()
}
try? FileManager.default.removeItem(at: directory)

var loadAverage = [Double](repeating: 0, count: 3)
_ = getloadavg(&loadAverage, 3)
print("store                   tasks   pairs/s   claim p50   claim p99")
for (store, tasks, figures) in rows {
    print(
        store.padding(toLength: 22, withPad: " ", startingAt: 0)
            + String(format: "%7d %9.0f", tasks, figures.pairsPerSecond)
            + format(figures.claimP50).leftPadded(12) + format(figures.claimP99).leftPadded(12))
}
print(
    "PostgreSQL store: at most \(settings.maximumConcurrentBatches) statements of a kind at once, "
        + "at most \(settings.maximumBatchSize) operations per statement")
print(String(format: "load average %.2f %.2f %.2f", loadAverage[0], loadAverage[1], loadAverage[2]))

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
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
