/// The parsed command line of `etrm-pipeline` (hand-written parsing; the package has no dependencies).
package enum PipelineCommandLine: Equatable, Sendable {
    /// No command: generate ``RunDefaults/demoTrades`` trades in memory and run everything; `--report PATH`
    /// writes the HTML report too, `--output DIR --format F` the frames.
    case demo(report: String?, output: FrameOutput? = nil)
    /// `generate --trades N --seed S --out DIR`.
    case generate(trades: Int, seed: UInt64, out: String)
    /// `run --input … [--input …] [--broker …] [options]`.
    case run(RunOptions)
    /// `help`, `--help`, `-h`.
    case help

    /// Options of `run`.
    package struct RunOptions: Equatable, Sendable {
        /// The `--input` values in order: trades files or folders of them (see ``FeedFiles``).
        package var inputs: [String]
        /// `--broker`, or `nil` to take `broker.json` from the single input folder.
        package var broker: String?
        package var zone = "America/New_York"
        package var tolerance = "0.005"
        package var deadLetters: String?
        package var out: String?
        package var summaryJSON: String?
        package var report: String?
        package var quiet = false
        /// `--output DIR --format parquet|arrow|csv`.
        package var output: FrameOutput?
        /// `--url …`: fetch from the vendor API instead of reading `--input` and `--broker`.
        package var network: NetworkOptions?

        package init(input: String, broker: String?) {
            self.init(inputs: [input], broker: broker)
        }

        package init(inputs: [String], broker: String?) {
            self.inputs = inputs
            self.broker = broker
        }

        /// The inputs as one name, for messages and reports.
        package var input: String { inputs.joined(separator: ", ") }
    }

    /// Options of `run --url BASE --token T [--concurrency K] [--page-size L] [--checkpoint DIR]`.
    package struct NetworkOptions: Equatable, Sendable {
        package var url: String
        package var token: String
        package var concurrency = 4
        package var pageSize = 1000
        package var checkpoint: String?

        package init(url: String, token: String) {
            self.url = url
            self.token = token
        }

        static let keys: Set<String> = ["url", "token", "concurrency", "page-size", "checkpoint"]

        /// The network options among `values`, or `nil` without `--url`.
        static func parse(_ values: [String: String]) throws(PipelineError) -> NetworkOptions? {
            guard let url = values["url"] else {
                if let stray = keys.sorted().first(where: { values[$0] != nil }) {
                    throw PipelineError(.usage, "--\(stray) needs --url\n\(usage)")
                }
                return nil
            }
            guard let token = values["token"] else { throw PipelineError(.usage, "run --url needs --token\n\(usage)") }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw PipelineError(.usage, "--url \(FeedLoader.quoted(url)) is not an http(s) URL\n\(usage)")
            }
            guard values["input"] == nil, values["broker"] == nil else {
                throw PipelineError(.usage, "run takes --url or --input/--broker, not both\n\(usage)")
            }
            var options = NetworkOptions(url: url, token: token)
            if let text = values["concurrency"] {
                guard let value = Int(text), (1...64).contains(value) else {
                    throw PipelineError(.usage, "--concurrency \(text) is not an integer from 1 to 64\n\(usage)")
                }
                options.concurrency = value
            }
            if let text = values["page-size"] {
                guard let value = Int(text), (1...10_000).contains(value) else {
                    throw PipelineError(.usage, "--page-size \(text) is not an integer from 1 to 10,000\n\(usage)")
                }
                options.pageSize = value
            }
            options.checkpoint = values["checkpoint"]
            return options
        }
    }

    package static let usage = """
        usage: etrm-pipeline [--report PATH] [--output DIR [--format parquet|arrow|csv]]
                                                  generate 100,000 sample trades in memory and run everything
               etrm-pipeline generate --trades N --seed S --out DIR
               etrm-pipeline run --input trades.json --broker broker.json [--zone America/New_York]
                                 [--tolerance 0.005] [--dead-letters PATH] [--out DIR]
                                 [--summary-json PATH] [--report report.html] [--quiet]
                                 [--output DIR [--format parquet|arrow|csv]]
                 --input takes a trades file or a folder and may be repeated: one feed split across files,
                 read in the order given (a folder's trades*.json files in name order); without --broker,
                 a single --input folder supplies broker.json
               etrm-pipeline run --url http://HOST:PORT --token T [--concurrency 4] [--page-size 1000]
                                 [--checkpoint DIR] [the run options above but --input/--broker]
        """

    /// Parses the arguments after the program name. Options take `--name value` or `--name=value`;
    /// a repeated option takes its last value, but for `--input`, whose values all count, in order.
    ///
    /// - Parameter arguments: The arguments.
    /// - Returns: The command.
    /// - Throws: ``PipelineError`` with code `usage` for an unknown command or option, a missing option or
    ///   value, or a malformed number.
    package static func parse(_ arguments: [String]) throws(PipelineError) -> PipelineCommandLine {
        guard let command = arguments.first else { return .demo(report: nil) }
        if command.hasPrefix("--"), command != "--help" {
            let options = try options(arguments, known: FrameOutput.options.union(["report"]), flags: [])
            return .demo(report: options.values["report"], output: try FrameOutput(options.values))
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "help", "--help", "-h":
            return .help
        case "generate":
            var options = try options(rest, known: ["trades", "seed", "out"], flags: [])
            guard let tradesText = options.values.removeValue(forKey: "trades"),
                let trades = Int(tradesText), trades > 0, trades <= 100_000_000
            else { throw PipelineError(.usage, "generate needs --trades N (1 to 100,000,000)\n\(usage)") }
            let seedText = options.values.removeValue(forKey: "seed") ?? "42"
            guard let seed = UInt64(seedText) else {
                throw PipelineError(.usage, "--seed \(seedText) is not a non-negative integer\n\(usage)")
            }
            guard let out = options.values.removeValue(forKey: "out") else {
                throw PipelineError(.usage, "generate needs --out DIR\n\(usage)")
            }
            return .generate(trades: trades, seed: seed, out: out)
        case "run":
            let options = try options(
                rest,
                known: FrameOutput.options.union([
                    "input", "broker", "zone", "tolerance", "dead-letters", "out", "summary-json", "report",
                ]).union(NetworkOptions.keys),
                flags: ["quiet"])
            let network = try NetworkOptions.parse(options.values)
            let inputs = options.all["input"] ?? network.map { [$0.url + FeedKind.trades.path] } ?? []
            let broker = options.values["broker"] ?? network.map { $0.url + FeedKind.broker.path }
            guard !inputs.isEmpty else {
                throw PipelineError(.usage, "run needs --input (or --url and --token)\n\(usage)")
            }
            var run = RunOptions(inputs: inputs, broker: broker)
            run.network = network
            run.zone = options.values["zone"] ?? run.zone
            run.tolerance = options.values["tolerance"] ?? run.tolerance
            run.deadLetters = options.values["dead-letters"]
            run.out = options.values["out"]
            run.summaryJSON = options.values["summary-json"]
            run.report = options.values["report"]
            run.quiet = options.flags.contains("quiet")
            run.output = try FrameOutput(options.values)
            return .run(run)
        default:
            throw PipelineError(.usage, "unknown command \(FeedLoader.quoted(command))\n\(usage)")
        }
    }

    private static func options(
        _ arguments: [String], known: Set<String>, flags: Set<String>
    ) throws(PipelineError) -> (values: [String: String], all: [String: [String]], flags: Set<String>) {
        var values: [String: String] = [:]
        var all: [String: [String]] = [:]
        var set: Set<String> = []
        var position = 0
        while position < arguments.count {
            let argument = arguments[position]
            position += 1
            guard argument.hasPrefix("--") else {
                throw PipelineError(.usage, "unexpected argument \(FeedLoader.quoted(argument))\n\(usage)")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flags.contains(name), value == nil {
                set.insert(name)
                continue
            }
            guard known.contains(name) else {
                throw PipelineError(.usage, "unknown option --\(name)\n\(usage)")
            }
            if value == nil {
                guard position < arguments.count else {
                    throw PipelineError(.usage, "--\(name) needs a value\n\(usage)")
                }
                value = arguments[position]
                position += 1
            }
            values[name] = value  // a repeated option: the last one wins, as with argparse
            if let value { all[name, default: []].append(value) }
        }
        return (values, all, set)
    }
}

/// `--output DIR --format parquet|arrow|csv`: the cleaned trades and the settlement report as files the data
/// stack reads (`trades.parquet`, `settlement_report.parquet`, `flagged_trades.parquet`, or `.arrow`/`.csv`).
package struct FrameOutput: Equatable, Sendable {
    /// A file format of ``FrameOutput``.
    package enum Format: String, CaseIterable, Sendable {
        /// Parquet with Snappy pages.
        case parquet
        /// The Arrow IPC file format (Feather v2).
        case arrow
        /// CSV with a header line.
        case csv
    }

    /// The folder the files go to (created if missing).
    package var directory: String
    /// Their format.
    package var format: Format

    package init(directory: String, format: Format = .parquet) {
        self.directory = directory
        self.format = format
    }

    /// The option names it reads.
    static let options: Set<String> = ["output", "format"]

    /// Reads `--output` and `--format` from parsed options: `nil` without `--output`; the format defaults to
    /// Parquet.
    ///
    /// - Throws: ``PipelineError`` with code `usage` for an unknown format, or `--format` without `--output`.
    init?(_ values: [String: String]) throws(PipelineError) {
        let formats = Format.allCases.map(\.rawValue).joined(separator: "|")
        var format = Format.parquet
        if let name = values["format"] {
            guard let known = Format(rawValue: name) else {
                throw PipelineError(
                    .usage, "--format \(FeedLoader.quoted(name)) is not one of \(formats)\n\(PipelineCommandLine.usage)"
                )
            }
            format = known
        }
        guard let directory = values["output"] else {
            if values["format"] != nil {
                throw PipelineError(.usage, "--format needs --output DIR\n\(PipelineCommandLine.usage)")
            }
            return nil
        }
        self.init(directory: directory, format: format)
    }
}

/// Defaults of the demo run.
package enum RunDefaults {
    /// Trades generated by the no-argument run.
    package static let demoTrades = 100_000
    /// Its seed.
    package static let demoSeed: UInt64 = 42
}
