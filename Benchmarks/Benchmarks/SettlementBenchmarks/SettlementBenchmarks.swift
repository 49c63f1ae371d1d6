// Requests per second through the whole settlement-sync flow (headers, rate limit, validation, scope, claim,
// retry + breaker + attempt timeout, complete, audit) against a zero-latency upstream, with the in-memory
// store and with the durable journal store.
import Benchmark
import Foundation
import Idempotency
import SettlementSync
import Synchronization

/// Acknowledges every submission at once.
struct InstantUpstream: SettlementUpstream {
    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        .acknowledged(
            UpstreamAcknowledgement(reference: "ETRM", acknowledgedPositionMWh: submission.positionMWh))
    }
}

final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

func configuration() -> SettlementGatewayConfiguration {
    var configuration = SettlementGatewayConfiguration()
    configuration.deskRateLimit = .init(capacity: 1_000_000_000, refill: 1_000_000_000, per: .seconds(1))
    return configuration
}

func request(_ serial: Int) -> SettlementRequest {
    let body =
        #"{"settlement_run_id":"SR20260122000001","contract_id":"DEBY-2026-01-\#(serial % 100_000)","#
        + #""position_mwh":125.5,"settlement_price":87.25,"timestamp_utc":"2026-01-22T10:00:00Z"}"#
    return SettlementRequest(
        headers: [
            HTTPHeaderField("X-Settlement-Run-ID", "SR20260122000001"),
            HTTPHeaderField("X-Trader-Scope", "DESK-01; contracts=*"),
            HTTPHeaderField("Idempotency-Key", "bench-\(serial)"),
        ], body: Array(body.utf8))
}

/// Sends `count` fresh requests from `concurrency` tasks and returns requests per second (wall clock).
func measure<Store: IdempotencyStore>(
    _ gateway: SettlementGateway<ContinuousClock, Store, InstantUpstream>, counter: Counter, count: Int,
    concurrency: Int
) async -> Double {
    let start = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                for _ in 0..<(count / concurrency) {
                    let response = await gateway.handle(request(counter.next()))
                    precondition(response.status == 201, "the benchmark's request was refused: \(response.bodyText)")
                }
            }
        }
    }
    let (seconds, attoseconds) = start.duration(to: .now).components
    return Double(count / concurrency * concurrency) / (Double(seconds) + Double(attoseconds) / 1e18)
}

let benchmarks: @Sendable () -> Void = {
    let short = ProcessInfo.processInfo.environment["BENCHMARK_SHORT"] != nil
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]
    // The idempotency stores' dictionaries grow at slightly different moments from run to run (hash seeds
    // differ), so a request's allocation count varies by one; the gate allows 2 and still catches a new one.
    let allocationTolerance: [BenchmarkMetric: BenchmarkThresholds] = [.mallocCountTotal: .init(absolute: [.p90: 2])]
    let memoryStore = try! InMemoryIdempotencyStore(configuration: .init(capacity: 4_000_000))
    let memory = try! SettlementGateway(store: memoryStore, upstream: InstantUpstream(), configuration: configuration())
    let journalDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("settlement-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    let journalStore = try! JournalIdempotencyStore(directory: journalDirectory)
    let journal = try! SettlementGateway(
        store: journalStore, upstream: InstantUpstream(), configuration: configuration())
    let counter = Counter()

    Benchmark(
        "Settlement_flow,_memory_store,_1_request",
        configuration: .init(
            metrics: metrics, maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 10 : 100_000,
            thresholds: allocationTolerance)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await memory.handle(request(counter.next())))
        }
    }

    Benchmark(
        "Settlement_flow,_journal_store,_1_request",
        configuration: .init(
            metrics: metrics, maxDuration: .seconds(short ? 1 : 5), maxIterations: short ? 10 : 10_000,
            thresholds: allocationTolerance)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await journal.handle(request(counter.next())))
        }
    }

    Benchmark(
        "Settlement_flow,_requests_s_summary",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(short ? 1 : 30), maxIterations: 1)
    ) { _ in
        let count = short ? 640 : 20_480
        for (name, concurrency) in [("sequential", 1), ("64 concurrent desks", 64)] {
            let inMemory = await measure(memory, counter: counter, count: count, concurrency: concurrency)
            let durable = await measure(journal, counter: counter, count: count / 4, concurrency: concurrency)
            print(
                "settlement flow, zero-latency upstream, \(name): memory store \(Int(inMemory)) requests/s, "
                    + "journal store \(Int(durable)) requests/s")
        }
    }
}
