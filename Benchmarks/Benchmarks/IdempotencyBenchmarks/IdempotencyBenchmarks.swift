// Idempotency benchmarks.
//
//   cd Benchmarks && swift package benchmark --target IdempotencyBenchmarks
//
// Besides the harness's own figures, a full run (not BENCHMARK_SHORT) first prints the figures the issue asks
// for, each measured here with ContinuousClock over a fixed amount of work:
// claim+complete pairs per second for the in-memory store (1 and 64 tasks) and for the journal store with
// fdatasync and group commit (64 tasks), and SHA-256 throughput in MB/s through Fingerprint(exactBytes:).
import Benchmark
import Dispatch
import Foundation
import Idempotency

let benchmarks: @Sendable () -> Void = {
    let short = ProcessInfo.processInfo.environment["BENCHMARK_SHORT"] != nil
    if !short { printHeadlineFigures() }

    let scope = try! IdempotencyScope(tenant: "desk-a", operation: "POST /settlements")
    let keys = (0..<1024).map { try! IdempotencyKey(headerValue: "bench-\($0)", scope: scope) }
    let fingerprint = Fingerprint(exactBytes: Array(settlementJSON.utf8))
    let response = StoredResponse(status: 201, body: Array(#"{"status":"accepted"}"#.utf8))
    let deterministic = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 10 : 1000)
    let timed = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 3 : 50)

    // One iteration: 1024 claim+complete pairs on one task. Completed records get a 1 ns TTL, so the next pass
    // over the same keys claims them afresh.
    Benchmark("InMemory claim+complete x1024, 1 task", configuration: deterministic) { benchmark in
        let store = try InMemoryIdempotencyStore(configuration: .init(capacity: 4096, shardCount: 16))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await claimAndComplete(store, keys[...], fingerprint, response)
        }
    }

    Benchmark("InMemory claim+complete x64x1024, 64 tasks", configuration: timed) { benchmark in
        let store = try InMemoryIdempotencyStore(configuration: .init(capacity: 1 << 17, shardCount: 64))
        let perTask = (0..<64).map { task in
            (0..<1024).map { try! IdempotencyKey(headerValue: "t\(task)-\($0)", scope: scope) }
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<64 {
                    group.addTask { try await claimAndComplete(store, perTask[task][...], fingerprint, response) }
                }
                try await group.waitForAll()
            }
        }
    }

    Benchmark("Journal claim+complete x64x16, 64 tasks, fdatasync", configuration: timed) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try JournalIdempotencyStore(directory: directory)
        let perTask = (0..<64).map { task in
            (0..<16).map { try! IdempotencyKey(headerValue: "j\(task)-\($0)", scope: scope) }
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<64 {
                    group.addTask { try await claimAndComplete(store, perTask[task][...], fingerprint, response) }
                }
                try await group.waitForAll()
            }
        }
        benchmark.stopMeasurement()
        await store.close()
    }

    let megabyte = [UInt8](repeating: 0x5A, count: 1 << 20)
    Benchmark("Fingerprint(exactBytes:) of 1 MiB (SHA-256)", configuration: deterministic) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Fingerprint(exactBytes: megabyte)) }
    }

    let settlement = Array(settlementJSON.utf8)
    Benchmark("Fingerprint(canonicalJSON:) of a settlement instruction", configuration: deterministic) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Fingerprint(canonicalJSON: settlement)) }
    }

    Benchmark("StreamDeduplicator admit x10000 (half duplicates)", configuration: deterministic) { benchmark in
        for _ in benchmark.scaledIterations {
            var deduplicator = try StreamDeduplicator<Int, ContinuousClock>(clock: ContinuousClock())
            for id in 0..<10_000 { blackHole(deduplicator.admit(id / 2)) }
        }
    }
}

let settlementJSON = """
    {"settlement_run_id":"RUN0000000000001","contract_id":"CONTRACT-2026-000123","position_mwh":"-1250.500",
     "settlement_price":"45.10","currency":"EUR","timestamp":"2026-11-21T06:00:00Z"}
    """

@inline(__always)
func claimAndComplete(
    _ store: some IdempotencyStore, _ keys: ArraySlice<IdempotencyKey>, _ fingerprint: Fingerprint,
    _ response: StoredResponse
) async throws {
    for key in keys {
        guard case .acquired(let token) = try await store.claim(key, fingerprint: fingerprint, lease: .seconds(30))
        else {
            throw BenchmarkFailure(message: "\(key) was not free")
        }
        try await store.complete(key, token: token, response: response, ttl: .nanoseconds(1))
    }
}

struct BenchmarkFailure: Error { var message: String }

func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("idempotency-bench-\(UUID().uuidString)").path
}

/// Runs `body` to completion from synchronous code.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { print("benchmark failed: \(error)") }
        done.signal()
    }
    done.wait()
}

/// Measures the headline figures with plain timing and prints them.
func printHeadlineFigures() {
    runBlocking {
        let scope = try IdempotencyScope(tenant: "desk-a", operation: "POST /settlements")
        let fingerprint = Fingerprint(exactBytes: Array(settlementJSON.utf8))
        let response = StoredResponse(status: 201, body: Array(#"{"status":"accepted"}"#.utf8))
        let clock = ContinuousClock()

        func pairsPerSecond(
            _ store: some IdempotencyStore, tasks: Int, keysPerTask: Int, passes: Int
        ) async throws -> Double {
            let perTask = (0..<tasks).map { task in
                (0..<keysPerTask).map { try! IdempotencyKey(headerValue: "h\(task)-\($0)", scope: scope) }
            }
            try await claimAndComplete(store, perTask[0][...], fingerprint, response)  // warm up
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for _ in 0..<passes {
                            try await claimAndComplete(store, perTask[task][...], fingerprint, response)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seconds =
                Double((clock.now - start).components.attoseconds) / 1e18
                + Double((clock.now - start).components.seconds)
            return Double(tasks * keysPerTask * passes) / seconds
        }

        let memory = try InMemoryIdempotencyStore(configuration: .init(capacity: 1 << 18, shardCount: 64))
        let one = try await pairsPerSecond(memory, tasks: 1, keysPerTask: 4096, passes: 500)
        let many = try await pairsPerSecond(memory, tasks: 64, keysPerTask: 1024, passes: 40)
        print(String(format: "in-memory, 1 task:   %10.0f claim+complete pairs/s (%.0f store ops/s)", one, 2 * one))
        print(String(format: "in-memory, 64 tasks: %10.0f claim+complete pairs/s (%.0f store ops/s)", many, 2 * many))

        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try JournalIdempotencyStore(directory: directory)
        let durable = try await pairsPerSecond(journal, tasks: 64, keysPerTask: 64, passes: 20)
        await journal.close()
        let reopened = try JournalIdempotencyStore(directory: directory)
        let frames = reopened.recoveryReport.framesReplayed
        let records = reopened.recoveryReport.recordsReplayed
        await reopened.close()
        print(
            String(
                format:
                    "journal, 64 tasks:   %10.0f claim+complete pairs/s (%.0f durable ops/s), %d records in %d fdatasync'd frames (%.1f per sync)",
                durable, 2 * durable, records, frames, Double(records) / Double(max(frames, 1))))

        let data = [UInt8](repeating: 0xA5, count: 64 << 20)
        _ = Fingerprint(exactBytes: data[0..<(1 << 20)])
        let start = clock.now
        let digest = Fingerprint(exactBytes: data)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "SHA-256 via Fingerprint(exactBytes:): %.0f MB/s (64 MiB in %.3f s, %@)",
                Double(data.count) / seconds / 1e6, seconds, String(digest.description.prefix(8))))
    }
}
