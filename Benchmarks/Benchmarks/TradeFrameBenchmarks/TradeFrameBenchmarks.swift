// TradeFrame kernels on 10 million rows (BENCHMARK_SHORT: 100,000).
//
//   cd Benchmarks && swift package benchmark --target TradeFrameBenchmarks
//
// Besides the harness's wall clock and allocation counts, each benchmark prints rows/s and GB/s from its own
// best-of-five timing of the same call (bytes = the column bytes the kernel reads and writes), and the frame's
// memory per row, to compare with `python3 Comparison/frame_memory.py`.
import Benchmark
import ETRMContracts
import Foundation
import TradeFrame

let short = ProcessInfo.processInfo.environment["BENCHMARK_SHORT"] != nil
let benchmarkRows = short ? 100_000 : 10_000_000
// Globals are built lazily, so each benchmark process builds only the data its benchmark uses.
let columns = BenchmarkColumns(rows: benchmarkRows)
let frames = BenchmarkFrames(columns)
let berlin = TimeZone(identifier: "Europe/Berlin")!
let vwap: [Aggregation] = [
    .sum("volume_mwh", as: "volume"), .volumeWeightedAverage(price: "price", volume: "volume_mwh"),
]

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(short ? 1 : 5),
        maxIterations: short ? 10 : 1000)
    let rows = benchmarkRows

    Benchmark(
        "Float64_to_Float32_downcast", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(columns.volume64.downcast(within: .absolute(0.001))) }
        },
        setup: {
            measure("downcast", rows: rows, bytesPerRow: 12) {
                blackHole(columns.volume64.downcast(within: .absolute(0.001)))
            }
        })

    Benchmark(
        "Float32_sum", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(columns.volume32.sum()) }
        },
        setup: { measure("sum Float32", rows: rows, bytesPerRow: 4) { blackHole(columns.volume32.sum()) } })

    Benchmark(
        "Categorical_encoding,_40_values", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(columns.productStrings.categorical()) }
        },
        setup: {
            let bytesPerRow = Double(columns.productStrings.memoryFootprint) / Double(rows)
            measure("categorical encoding", rows: rows, bytesPerRow: bytesPerRow + 1) {
                blackHole(columns.productStrings.categorical())
            }
        })

    Benchmark(
        "Zone_conversion_Europe_Berlin", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(columns.deliveryStart.localWallClock(in: berlin)) }
        },
        setup: {
            measure("zone conversion", rows: rows, bytesPerRow: 16) {
                blackHole(columns.deliveryStart.localWallClock(in: berlin))
            }
        })

    Benchmark(
        "Sort_by_(categorical,_string)", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try frames.trades.sortPermutation(by: [.ascending("product"), .ascending("trade_id")]))
            }
        },
        setup: {
            frames.printMemory()
            let bytesPerRow = 1 + Double(columns.tradeIDs.memoryFootprint) / Double(rows)
            measure("sort (categorical, string)", rows: rows, bytesPerRow: bytesPerRow) {
                blackHole(try? frames.trades.sortPermutation(by: [.ascending("product"), .ascending("trade_id")]))
            }
        })

    Benchmark(
        "Group-by_2_categorical_keys_with_VWAP", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try frames.trades.grouped(by: ["settlement_cycle", "product"]).aggregate(vwap))
            }
        },
        setup: {
            measure("group-by (2 categorical) + VWAP", rows: rows, bytesPerRow: 1 + 1 + 4 + 4) {
                blackHole(try? frames.trades.grouped(by: ["settlement_cycle", "product"]).aggregate(vwap))
            }
        })

    Benchmark(
        "Hash_join_on_trade_id", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(
                    try frames.ours.joinIndices(
                        with: frames.broker, on: ["trade_id"], rightKeys: ["trade_id"], kind: .inner))
            }
        },
        setup: {
            let total = rows + frames.broker.rowCount
            let bytesPerRow = Double(columns.tradeIDs.memoryFootprint) / Double(rows)
            measure("hash join \(rows) x \(frames.broker.rowCount)", rows: total, bytesPerRow: bytesPerRow) {
                blackHole(
                    try? frames.ours.joinIndices(
                        with: frames.broker, on: ["trade_id"], rightKeys: ["trade_id"], kind: .inner))
            }
        })

    // Keep-latest, the broker's duplicate check and the join: three one-call methods that each key their
    // frame, against one KeyIndex per frame shared by all three (issue 16 item 3).
    Benchmark(
        "Keyed_operations,_separate_calls", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try separateKeyedOperations()) }
        },
        setup: {
            measure("keyed operations, separate calls", rows: frames.events.rowCount, bytesPerRow: 24) {
                blackHole(try? separateKeyedOperations())
            }
        })

    Benchmark(
        "Keyed_operations,_one_KeyIndex", configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try keyedPlan(frames.events)) }
        },
        setup: {
            measure("keyed operations, one KeyIndex", rows: frames.events.rowCount, bytesPerRow: 24) {
                blackHole(try? keyedPlan(frames.events))
            }
            let sorted = try frames.events.sorted(by: [.ascending("trade_id")])
            measure("keyed operations, one KeyIndex, input sorted by id", rows: sorted.rowCount, bytesPerRow: 24) {
                blackHole(try? keyedPlan(sorted))
            }
            // A live feed's shape: in id order but for about 3 % of the rows, each 500 places from where it belongs.
            var displaced = Array(0..<sorted.rowCount)
            for position in stride(from: 0, to: displaced.count - 500, by: 64) {
                displaced.swapAt(position, position + 500)
            }
            let nearly = try sorted.rows(at: displaced)
            measure("keyed operations, one KeyIndex, input nearly sorted by id", rows: nearly.rowCount, bytesPerRow: 24)
            {
                blackHole(try? keyedPlan(nearly))
            }
        })
}

/// Keep-latest, the broker's duplicate check and the join through the one-call methods.
func separateKeyedOperations() throws -> Int {
    let latest = try frames.events.keepingLatest(per: ["trade_id"], by: "event_time")
    let duplicate = try frames.broker.grouped(by: ["trade_id"]).groupCount != frames.broker.rowCount
    let pairs = try latest.joinIndices(with: frames.broker, on: ["trade_id"], rightKeys: ["trade_id"], kind: .inner)
    return pairs.left.count + (duplicate ? 1 : 0)
}

/// The same three jobs on one ``KeyIndex`` per frame.
func keyedPlan(_ events: TradeFrame) throws -> Int {
    let latest = try events.keyed(by: "trade_id").keepingLatest(by: "event_time")
    let broker = try frames.broker.keyed(by: "trade_id")
    let duplicate = broker.firstDuplicate() != nil
    let pairs = try latest.join(with: broker)
    return pairs.left.count + (duplicate ? 1 : 0)
}

/// Times `body` (best of five after one warm-up) and prints rows/s and GB/s from the wall clock, and the
/// thread's CPU time of the same best run (`CLOCK_THREAD_CPUTIME_ID`), which other processes on a loaded
/// machine do not inflate the way they inflate wall time.
func measure(_ name: String, rows: Int, bytesPerRow: Double, _ body: () -> Void) {
    body()
    var bestWall = Double.infinity
    var bestCPU = Double.infinity
    for _ in 0..<5 {
        let (wall0, cpu0) = (now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID))
        body()
        let (wall1, cpu1) = (now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID))
        bestWall = min(bestWall, wall1 - wall0)
        bestCPU = min(bestCPU, cpu1 - cpu0)
    }
    func rate(_ seconds: Double) -> String {
        "\(String(format: "%.1f", Double(rows) / seconds / 1e6)) M rows/s, "
            + "\(String(format: "%.2f", Double(rows) * bytesPerRow / seconds / 1e9)) GB/s"
    }
    print(
        "TradeFrame \(name): \(rows) rows; wall \(String(format: "%.2f", bestWall * 1000)) ms (\(rate(bestWall))); "
            + "CPU \(String(format: "%.2f", bestCPU * 1000)) ms (\(rate(bestCPU))); load \(loadAverage())")
}

/// A clock's reading in seconds.
func now(_ clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// The 1-minute load average, for the printed figures.
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init)
        ?? "?"
}

/// Seeded trade-like columns: 40 products, unique trade ids, three years of hourly delivery starts.
struct BenchmarkColumns: Sendable {
    let volume64: Column<Double>
    let volume32: Column<Float>
    let prices: Column<Float>
    let productStrings: StringColumn
    let tradeIDs: StringColumn
    let deliveryStart: TimestampColumn

    init(rows: Int) {
        var random = SplitMix(seed: 20_251_121)
        let products = (0..<40).map { "DE-\(["BASE", "PEAK", "OFFPEAK", "H"][$0 % 4])-\($0 / 4 + 1)M" }
        var volumes = ContiguousArray<Double>()
        var prices = ContiguousArray<Float>()
        var productBuilder = StringColumnBuilder(capacity: rows, byteCapacity: rows * 12)
        var idBuilder = StringColumnBuilder(capacity: rows, byteCapacity: rows * 14)
        var starts = ContiguousArray<Int64>()
        volumes.reserveCapacity(rows)
        prices.reserveCapacity(rows)
        starts.reserveCapacity(rows)
        let first = Int64(1_704_067_200)  // 2024-01-01T00:00:00Z
        for row in 0..<rows {
            volumes.append(Double(random.next() % 1_000_000) / 1000)
            prices.append(Float(random.next() % 20_000) / 100 - 20)
            productBuilder.append(products[Int(random.next() % 40)])
            idBuilder.append("TRD-" + String(1_000_000_000 + (row &* 7_919) % rows))
            starts.append((first + Int64(random.next() % (3 * 365 * 24)) * 3600) * 1_000_000_000)
        }
        volume64 = Column(volumes)
        volume32 = Column(volumes.map { Float($0) })
        self.prices = Column(prices)
        productStrings = productBuilder.finish()
        tradeIDs = idBuilder.finish()
        deliveryStart = TimestampColumn(starts)
    }
}

/// The trade frame, and the two sides of the reconciliation join (ours, and 95 % of the ids reversed).
struct BenchmarkFrames: Sendable {
    let trades: TradeFrame
    let ours: TradeFrame
    let broker: TradeFrame
    /// Trade events: every id once and 2 % of them twice more, in a shuffled order, with event times.
    let events: TradeFrame

    init(_ columns: BenchmarkColumns) {
        let rows = columns.tradeIDs.count
        let cycles = columns.deliveryStart.localCalendar(in: TimeZone(identifier: "Europe/Berlin")!).settlementCycle
        trades = try! TradeFrame([
            ("trade_id", columns.tradeIDs), ("product", columns.productStrings.categorical()),
            ("settlement_cycle", cycles), ("delivery_start", columns.deliveryStart), ("volume_mwh", columns.volume32),
            ("price", columns.prices),
        ])
        ours = try! TradeFrame([("trade_id", columns.tradeIDs), ("volume_mwh", columns.volume32)])
        let brokerRows = rows / 20 * 19
        let brokerIDs = columns.tradeIDs.gathering(Array(stride(from: rows - 1, through: 0, by: -1).prefix(brokerRows)))
        broker = try! TradeFrame([
            ("trade_id", brokerIDs), ("volume_mwh", columns.volume64.slice(0..<brokerRows)),
        ])
        let repeats = (0..<rows / 25).map { $0 * 50 % rows }
        let eventRows = (Array(0..<rows) + repeats).map { $0 &* 7_919 % rows }
        events = try! TradeFrame([
            ("trade_id", columns.tradeIDs.gathering(eventRows)),
            ("event_time", columns.deliveryStart.gathering(Array(eventRows.reversed()))),
        ])
    }

    func printMemory() {
        let frame = try! trades.selecting(["trade_id", "product", "delivery_start", "volume_mwh", "price"])
        let perRow = Double(frame.totalMemoryFootprint) / Double(frame.rowCount)
        let parts = frame.memoryFootprint.map {
            "\($0.column)=\(String(format: "%.2f", Double($0.bytes) / Double(frame.rowCount)))"
        }
        print(
            "TradeFrame memory: \(String(format: "%.2f", perRow)) bytes/row over \(frame.rowCount) rows ("
                + parts.joined(separator: ", ") + "); compare: python3 Benchmarks/Comparison/frame_memory.py "
                + "--swift-bytes-per-row \(String(format: "%.2f", perRow))")
    }
}

/// SplitMix64, so that the data is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
