import ETRMContracts
import ETRMSampleFeed
import Foundation
import TradeFrame

/// Where the program writes: the report (stdout), messages and the progress bar (stderr).
package struct Console {
    package var out: (String) -> Void
    package var err: (String) -> Void
    /// Whether stderr is a terminal (the progress bar is drawn only then).
    package var errIsTerminal: Bool

    package init(out: @escaping (String) -> Void, err: @escaping (String) -> Void, errIsTerminal: Bool) {
        self.out = out
        self.err = err
        self.errIsTerminal = errIsTerminal
    }

    /// The process's own stdout and stderr.
    package static var standard: Console {
        Console(
            out: { FileHandle.standardOutput.write(Data($0.utf8)) },
            err: { FileHandle.standardError.write(Data($0.utf8)) },
            errIsTerminal: ProcessInfoFacts.standardErrorIsTerminal)
    }
}

/// The `etrm-pipeline` program.
package enum PipelineCommand {
    /// Runs the program and returns its exit status: 0 on success, 1 for a whole-run error, 2 for a usage
    /// error. Never traps on bad input.
    ///
    /// - Parameters:
    ///   - arguments: The arguments after the program name.
    ///   - console: Where output goes.
    /// - Returns: The exit status.
    package static func main(_ arguments: [String], console: Console = .standard) -> Int32 {
        do {
            switch try PipelineCommandLine.parse(arguments) {
            case .help:
                console.out(PipelineCommandLine.usage + "\n")
            case .demo(let report, let output):
                try demo(report: report, output: output, console: console)
            case .generate(let trades, let seed, let out):
                try generate(trades: trades, seed: seed, out: out, console: console)
            case .run(let options):
                try run(options, console: console)
            }
            return 0
        } catch {
            console.err("error: \(error.message)\n")
            return error.exitStatus
        }
    }

    // MARK: generate

    static func generate(trades: Int, seed: UInt64, out: String, console: Console) throws(PipelineError) {
        let started = ContinuousClock.now
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.ioFailure, "cannot create directory \(out): \(error.localizedDescription)")
        }
        let tradesPath = out + "/trades.json"
        let brokerPath = out + "/broker.json"
        let tradesFile = try OutputFile(path: tradesPath)
        let brokerFile = try OutputFile(path: brokerPath)
        let counts = try FeedGenerator(configuration: .init(trades: trades, seed: seed)).generate(
            trades: { (bytes) throws(PipelineError) in try tradesFile.write(bytes) },
            broker: { (bytes) throws(PipelineError) in try brokerFile.write(bytes) })
        let elapsed = ContinuousClock.now - started
        console.out(
            "wrote \(tradesPath) (\(counts.records) records: \(counts.resends) re-sends, \(counts.defective) defective)"
                + " and \(brokerPath) (\(counts.brokerRows) rows) in \(Report.seconds(elapsed)) s\n")
    }

    // MARK: run

    static func run(_ options: PipelineCommandLine.RunOptions, console: Console) throws(PipelineError) {
        let started = ContinuousClock.now
        let tolerance = try Tolerance(parsing: options.tolerance)
        guard TimeZone(identifier: options.zone) != nil else {
            throw PipelineError(.badArgument, "--zone \(FeedLoader.quoted(options.zone)) is not a known IANA time zone")
        }
        var configuration = Pipeline.Configuration(zone: options.zone, tolerance: tolerance)
        configuration.keepsAllColumns = options.out != nil || options.output != nil
        var sink: JSONLinesDeadLetterSink?
        if let path = options.deadLetters {
            // A network run writes its letters aside and renames them into place when it ends, so that a resumed
            // run leaves the same file as an uninterrupted one.
            let target = options.network == nil ? path : try freshPartial(path)
            do {
                sink = try JSONLinesDeadLetterSink(path: target)
            } catch {
                throw PipelineError(.ioFailure, "cannot open dead-letter file \(path): \(error.message)")
            }
            // SOURCE_DATE_EPOCH fixes the letters' `quarantined_at`, so that two runs write identical files.
            let time = try sourceDateEpoch(ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"])
            configuration.deadLetters = sink.map { restamped($0, at: time) }
        }
        let pipeline = Pipeline(configuration: configuration)
        let progress =
            ProgressLine.isShown(quiet: options.quiet, errIsTerminal: console.errIsTerminal)
            ? ProgressBar(console: console, expectedRecords: nil) : nil
        let report = progress.map { bar in { (stage: String, count: Int?) in bar.update(stage, count) } }
        var result: PipelineResult
        let sizes: (trades: Int, broker: Int)
        var brokerPath = options.broker ?? ""
        if let network = options.network {
            (result, sizes) = try runNetwork(
                network, options: options, configuration: configuration, sink: sink, console: console,
                progress: report, bar: progress, started: started)
        } else {
            var timings = StageTimings()
            let files = try FeedFiles.resolve(inputs: options.inputs, broker: options.broker)
            var loadedSizes = (trades: 0, broker: 0)
            // The loaded inputs go straight into `process`, which consumes them (no binding here keeps the frame).
            result = try pipeline.process(
                try load(files, pipeline: pipeline, timings: &timings, sizes: &loadedSizes, progress: report),
                timings: timings, progress: report, quarantined: { progress?.quarantined = $0 })
            sizes = loadedSizes
            brokerPath = files.broker
        }
        progress?.clear()
        let writing = ContinuousClock.now
        if let sink {
            do { try sink.synchronize() } catch {
                throw PipelineError(.ioFailure, "dead-letter file: \(error.message)")
            }
        }
        if let path = options.summaryJSON { try write(Array(result.summary.json.utf8), to: path) }
        if let directory = options.out { try writeCSVs(result, to: directory) }
        if let output = options.output { try writeFrames(result, to: output) }
        if let path = options.report {
            let html = HTMLReport.html(result, source: options.input, zone: options.zone, tolerance: tolerance)
            try write(Array(html.utf8), to: path)
        }
        if options.summaryJSON != nil || options.out != nil || options.output != nil || options.report != nil
            || sink != nil
        {
            result.timings.add("write outputs", ContinuousClock.now - writing)
        }
        if !options.quiet {
            console.out(
                Report.text(
                    result, inputs: (options.input, sizes.trades, brokerPath, sizes.broker),
                    zone: options.zone, tolerance: tolerance, wall: ContinuousClock.now - started))
        }
    }

    /// Reads the feed's files: each trades file is mapped when its turn comes and unmapped when the next one is
    /// (or the load ends); the broker file once its rows are in a frame. While they are read, their pages are
    /// released behind the parsers.
    private static func load(
        _ files: FeedFiles, pipeline: Pipeline, timings: inout StageTimings, sizes: inout (trades: Int, broker: Int),
        progress: ((String, Int?) -> Void)?
    ) throws(PipelineError) -> LoadedInputs {
        let broker = try MappedFile(path: files.broker, what: "broker")
        let current = MappedFileSlot()
        let opens = files.trades.map { path in
            { () -> Result<Pipeline.Input, PipelineError> in
                current.file = nil
                let file: MappedFile
                do throws(PipelineError) { file = try MappedFile(path: path, what: "trades") } catch {
                    return .failure(error)
                }
                current.file = file
                current.bytes += file.bytes.count
                return .success(.init(bytes: file.bytes, source: path, pages: file.pages))
            }
        }
        timings.done("map files")
        let inputs = try pipeline.load(
            trades: opens, broker: .init(bytes: broker.bytes, source: files.broker, pages: broker.pages),
            timings: &timings, progress: progress)
        current.file = nil
        sizes = (current.bytes, broker.bytes.count)
        return inputs
    }

    // MARK: demo

    static func demo(report: String?, output: FrameOutput?, console: Console) throws(PipelineError) {
        let started = ContinuousClock.now
        let generated: (trades: [UInt8], broker: [UInt8], counts: FeedGenerator.Counts)
        do {
            generated = try FeedGenerator(
                configuration: .init(trades: RunDefaults.demoTrades, seed: RunDefaults.demoSeed)
            ).documents()
        } catch {
            throw PipelineError(.internalFailure, "generating the sample feed: \(error)")
        }
        let generation = ContinuousClock.now - started
        console.out(
            "etrm-pipeline: no arguments, so it generated \(RunDefaults.demoTrades) sample trades in memory "
                + "(seed \(RunDefaults.demoSeed); `etrm-pipeline generate` writes the same data to files)\n\n")
        let progress =
            ProgressLine.isShown(quiet: false, errIsTerminal: console.errIsTerminal)
            ? ProgressBar(console: console, expectedRecords: generated.counts.records) : nil
        var result = try Pipeline().run(
            trades: generated.trades, broker: generated.broker, tradesSource: "sample trades",
            brokerSource: "sample broker",
            progress: progress.map { bar in { stage, count in bar.update(stage, count) } })
        progress?.clear()
        result.timings.add("generate in memory", generation, first: true)
        console.out(
            Report.text(
                result,
                inputs: ("sample trades", generated.trades.count, "sample broker", generated.broker.count),
                zone: "America/New_York", tolerance: .default, wall: ContinuousClock.now - started))
        console.out("\nsummary JSON (the figure compare.sh checks against pandas and polars):\n")
        console.out(result.summary.json)
        if let report {
            let html = HTMLReport.html(
                result, source: "\(RunDefaults.demoTrades) sample trades (seed \(RunDefaults.demoSeed))",
                zone: "America/New_York", tolerance: .default)
            try write(Array(html.utf8), to: report)
            console.err("wrote \(report)\n")
        }
        if let output {
            let paths = try writeFrames(result, to: output)
            console.err("wrote \(paths.joined(separator: ", "))\n")
        }
    }

    // MARK: Outputs

    static func write(_ bytes: [UInt8], to path: String) throws(PipelineError) {
        let file = try OutputFile(path: path)
        try bytes.withUnsafeBufferPointer { (buffer) throws(PipelineError) in try file.write(buffer) }
    }

    static func writeCSVs(_ result: PipelineResult, to directory: String) throws(PipelineError) {
        try createDirectory(directory)
        try write(result.final.csv(), to: directory + "/final_trades.csv")
        try write(settlementReport(result).csv(), to: directory + "/aggregates.csv")
        try write(result.reconciliation.flagged.csv(), to: directory + "/flagged_trades.csv")
    }

    /// Writes `--output`: the cleaned trades (`trades`), the settlement report (`settlement_report`) and the
    /// flagged trades (`flagged_trades`), each in the chosen format, through TradeFrame's writers.
    ///
    /// - Returns: The paths written.
    @discardableResult
    static func writeFrames(_ result: PipelineResult, to output: FrameOutput) throws(PipelineError) -> [String] {
        try createDirectory(output.directory)
        let frames = [
            ("trades", result.final), ("settlement_report", try settlementReport(result)),
            ("flagged_trades", result.reconciliation.flagged),
        ]
        var paths: [String] = []
        for (name, frame) in frames {
            let path = "\(output.directory)/\(name).\(output.format.rawValue)"
            let bytes: [UInt8]
            do throws(TradeFrameError) {
                switch output.format {
                case .parquet: bytes = try frame.parquet()
                case .arrow: bytes = try frame.arrowFile()
                case .csv: bytes = frame.csv()
                }
            } catch {
                throw PipelineError(.internalFailure, "encoding \(path): \(error.message)")
            }
            try write(bytes, to: path)
            paths.append(path)
        }
        return paths
    }

    /// The settlement report: one row per (cycle, product) with its exact volume (3 decimals), exact VWAP
    /// (4 decimals, null for a zero-volume group) and trade count.
    package static func settlementReport(_ result: PipelineResult) throws(PipelineError) -> TradeFrame {
        do {
            var volumes = ColumnBuilder<Int64>(capacity: result.groups.count)
            for group in result.groups {
                guard let volume = Int64(exactly: group.volumeMilli) else {
                    throw PipelineError(.internalFailure, "a group volume does not fit 64 bits")
                }
                volumes.append(volume)
            }
            return try TradeFrame([
                ("settlement_cycle", StringColumn(result.groups.map(\.cycle))),
                ("product_code", StringColumn(result.groups.map(\.product))),
                ("total_volume_mwh", try DecimalColumn(significands: volumes.finish(), scale: 3)),
                ("vwap_usd", try DecimalColumn(result.groups.map(\.vwap), scale: 4)),
                ("trades", Column<Int64>(result.groups.map { Int64($0.trades) })),
            ])
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.internalFailure, "building the settlement report frame: \(error)")
        }
    }

    private static func createDirectory(_ directory: String) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.ioFailure, "cannot create directory \(directory): \(error.localizedDescription)")
        }
    }
}

/// The trades file being read (kept mapped until the next one is opened) and the bytes of those opened so far.
private final class MappedFileSlot {
    var file: MappedFile?
    var bytes = 0
}

/// A file opened for writing (created or truncated).
final class OutputFile {
    private let handle: FileHandle
    private let path: String

    init(path: String) throws(PipelineError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw PipelineError(.ioFailure, "cannot create \(path)") }
        self.handle = handle
        self.path = path
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(PipelineError) {
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(buffer: bytes))
        } catch {
            throw PipelineError(.ioFailure, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }
}

/// The live progress line on stderr: stage, records, records per second, quarantined (once known) and the
/// estimated time left (when the number of records is known ahead). While a network run fetches, also the
/// pages, partitions finished, retries and the circuit breaker's state, and an ETA from the feeds' `total`
/// when the API gives it (without one, the line says there is no ETA).
package struct ProgressLine: Sendable, Equatable {
    package var stage: String
    package var records: Int?
    package var elapsed: Duration
    package var quarantined: Int?
    package var expectedRecords: Int?
    /// The network run's counters while it fetches.
    package var fetch: NetworkStats?

    package init(
        stage: String, records: Int?, elapsed: Duration, quarantined: Int? = nil, expectedRecords: Int? = nil,
        fetch: NetworkStats? = nil
    ) {
        self.stage = stage
        self.records = records
        self.elapsed = elapsed
        self.quarantined = quarantined
        self.expectedRecords = expectedRecords
        self.fetch = fetch
    }

    /// The line of a network run's fetch: records are those of the pages committed so far.
    package static func fetching(_ stats: NetworkStats, elapsed: Duration) -> ProgressLine {
        ProgressLine(stage: "fetch", records: stats.records, elapsed: elapsed, fetch: stats)
    }

    /// The whole seconds left at the rate so far (`done` records in `elapsed`), rounded up; `nil` before any
    /// record or time.
    package static func secondsLeft(remaining: Int, done: Int, elapsed: Duration) -> Int? {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard done > 0, seconds > 0 else { return nil }
        return Int((Double(max(0, remaining)) * seconds / Double(done)).rounded(.up))
    }

    /// Whether a run draws the line: only on a terminal, and never with `--quiet`.
    package static func isShown(quiet: Bool, errIsTerminal: Bool) -> Bool { !quiet && errIsTerminal }

    /// The line's text, without the carriage return and the erase sequence.
    package var text: String {
        var parts = [stage]
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if let fetch { parts.append("\(Report.grouped(fetch.pages)) pages") }
        if let records {
            parts.append("\(Report.grouped(records)) records")
            if seconds > 0 { parts.append("\(Report.grouped(Int(Double(records) / seconds))) records/s") }
            if fetch == nil, let expectedRecords, records < expectedRecords,
                let left = Self.secondsLeft(remaining: expectedRecords - records, done: records, elapsed: elapsed)
            {
                parts.append("ETA \(left) s")
            }
        }
        if let quarantined = quarantined ?? fetch?.quarantined {
            parts.append("\(Report.grouped(quarantined)) quarantined")
        }
        if let fetch {
            parts.append("\(fetch.partitionsDone)/\(fetch.partitionsTotal) partitions done")
            parts.append("\(Report.grouped(fetch.retries)) \(fetch.retries == 1 ? "retry" : "retries")")
            parts.append("breaker \(fetch.breaker)")
            if let remaining = fetch.remainingRecords {
                let left = Self.secondsLeft(remaining: remaining, done: fetch.records, elapsed: elapsed)
                parts.append("ETA \(left.map(String.init) ?? "?") s")
            } else {
                parts.append("no ETA (the API gives no total)")
            }
        }
        parts.append("\(Int(seconds)) s")
        return parts.joined(separator: " · ")
    }
}

/// Draws ``ProgressLine`` on stderr, over itself; created only when ``ProgressLine/isShown(quiet:errIsTerminal:)``.
final class ProgressBar {
    private let console: Console
    private let started = ContinuousClock.now
    private let expectedRecords: Int?
    private var records: Int?
    var quarantined: Int?

    init(console: Console, expectedRecords: Int?) {
        self.console = console
        self.expectedRecords = expectedRecords
    }

    func update(_ stage: String, _ count: Int?) {
        if let count { records = count }
        draw(
            ProgressLine(
                stage: stage, records: records, elapsed: ContinuousClock.now - started, quarantined: quarantined,
                expectedRecords: expectedRecords))
    }

    /// Draws a network run's fetch.
    func update(fetching stats: NetworkStats) {
        draw(.fetching(stats, elapsed: ContinuousClock.now - started))
    }

    private func draw(_ line: ProgressLine) { console.err("\r\(line.text)\u{1B}[K") }

    func clear() { console.err("\r\u{1B}[K") }
}
