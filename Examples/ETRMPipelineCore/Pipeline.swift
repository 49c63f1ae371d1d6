import ETRMContracts
import Foundation
import Idempotency
import TradeFrame

/// The ingestion pipeline of issue #6: validate and quarantine, de-duplicate, settlement cycles in the market's
/// zone, sort, aggregate, reconcile against the broker.
package struct Pipeline: Sendable {
    /// Settings of a run.
    package struct Configuration: Sendable {
        /// The market's IANA zone for settlement cycles.
        package var zone: String = "America/New_York"
        /// The reconciliation tolerance, exact.
        package var tolerance = Tolerance.default
        /// Where quarantined records go, if anywhere.
        package var deadLetters: (any DeadLetterSink)?
        /// Whether the final frame keeps every column (`input_index`, `delivery_start`, `delivery_end`,
        /// `event_time` too, for the CSV export) or only those the summary and the report need.
        package var keepsAllColumns = true
        /// Where `trades.json` is split for reading on all cores.
        package var chunking = DocumentChunking.automatic

        package init(zone: String = "America/New_York", tolerance: Tolerance = .default) {
            self.zone = zone
            self.tolerance = tolerance
        }
    }

    package var configuration: Configuration

    package init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Runs the whole pipeline on two documents in memory.
    ///
    /// - Parameters:
    ///   - trades: The bytes of `trades.json`.
    ///   - broker: The bytes of `broker.json`.
    ///   - tradesSource: The trades file's name, for messages.
    ///   - brokerSource: The broker file's name, for messages.
    ///   - progress: Receives stage names and record counts while it works.
    ///   - quarantined: Receives the number of records quarantined once they are validated.
    /// - Returns: The frames, the aggregates, the flagged trades, the summary and the stage timings.
    /// - Throws: ``PipelineError`` for any whole-run error.
    package func run(
        trades: UnsafeRawBufferPointer, broker: UnsafeRawBufferPointer, tradesSource: String = "trades.json",
        brokerSource: String = "broker.json", progress: ((String, Int?) -> Void)? = nil,
        quarantined: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> PipelineResult {
        var timings = StageTimings()
        return try process(
            try load(
                trades: Input(bytes: trades, source: tradesSource), broker: Input(bytes: broker, source: brokerSource),
                timings: &timings, progress: progress), timings: timings, progress: progress, quarantined: quarantined)
    }

    /// A document to read: its bytes, its name for messages, and for a mapped file the release of its pages.
    package struct Input {
        package var bytes: UnsafeRawBufferPointer
        package var source: String
        package var pages: PageRelease?

        package init(bytes: UnsafeRawBufferPointer, source: String, pages: PageRelease? = nil) {
            self.bytes = bytes
            self.source = source
            self.pages = pages
        }
    }

    /// The first stage: reads and validates `trades.json` into the frame of valid records, and reads
    /// `broker.json` meanwhile on another core.
    ///
    /// The bytes are not needed afterwards: a caller that mapped the files can unmap them before
    /// ``process(_:timings:progress:)``, which keeps the peak memory down.
    ///
    /// - Parameters:
    ///   - trades: `trades.json`.
    ///   - broker: `broker.json`.
    ///   - timings: Receives the stage's time.
    ///   - progress: Receives stage names and record counts.
    /// - Returns: The valid records and the quarantine's accounting, and the broker rows.
    /// - Throws: ``PipelineError`` for a bad zone, a trades document that cannot be read, then (the trades being
    ///   fine) a bad broker file.
    package func load(
        trades: Input, broker: Input, timings: inout StageTimings, progress: ((String, Int?) -> Void)? = nil
    ) throws(PipelineError) -> LoadedInputs {
        try load(trades: [{ .success(trades) }], broker: broker, timings: &timings, progress: progress)
    }

    /// The first stage for a feed split across trades documents: each is read in turn (the broker document
    /// alongside the first) and the pieces are joined into one feed by ``FeedJoin``: record indices run on
    /// from one document to the next, while the dead letters name the document and the index within it.
    ///
    /// - Parameters:
    ///   - trades: The trades documents in feed order, each opened (or failing to) when its turn comes (a mapped file is
    ///     unmapped once read, when the caller holds no other reference to it).
    ///   - broker: `broker.json`.
    ///   - timings: Receives the stage's time.
    ///   - progress: Receives stage names and record counts.
    /// - Returns: The joined feed, the broker rows and the documents' places in the feed.
    /// - Throws: ``PipelineError`` for a bad zone, a trades document that cannot be read, then (the trades being
    ///   fine) a bad broker file.
    package func load(
        trades: [() -> Result<Input, PipelineError>], broker: Input, timings: inout StageTimings,
        progress: ((String, Int?) -> Void)? = nil
    ) throws(PipelineError) -> LoadedInputs {
        guard TimeZone(identifier: configuration.zone) != nil else {
            throw PipelineError(
                .badArgument, "--zone \(FeedLoader.quoted(configuration.zone)) is not a known IANA time zone")
        }
        progress?("validate", 0)
        var brokerRows: Result<LoadedBroker, PipelineError>?
        let readBroker = {
            brokerRows = Result { () throws(PipelineError) in
                try FeedLoader.loadBroker(broker.bytes, source: broker.source, pages: broker.pages)
            }
        }
        var join = FeedJoin()
        for open in trades {
            let before = join.received
            let piece = try open().get()
            var feed: Result<LoadedFeed, PipelineError>?
            let readTrades = {
                feed = Result { () throws(PipelineError) in
                    try FeedLoader.loadTrades(
                        piece.bytes, source: piece.source, deadLetters: self.configuration.deadLetters,
                        chunking: self.configuration.chunking, pages: piece.pages,
                        keepsAllColumns: self.configuration.keepsAllColumns,
                        progress: { progress?("validate", before + $0) })
                }
            }
            // The broker file is read on one core while the first trades document is read on the others.
            if brokerRows == nil { Parallel.alongside(readBroker, readTrades) } else { readTrades() }
            guard let feed else { throw PipelineError(.internalFailure, "the trades file was not read") }
            join.append(try feed.get(), source: piece.source)
        }
        if brokerRows == nil { readBroker() }
        guard let brokerRows else { throw PipelineError(.internalFailure, "the broker file was not read") }
        let files = join.files
        let loaded = LoadedInputs(feed: try join.finish(), broker: try brokerRows.get(), files: files)
        ProcessMemory.returnFreedMemory()
        timings.done("parse + validate + build frames")
        return loaded
    }

    /// The remaining stages: de-duplicate, cycles, final order, aggregates, reconciliation, summary.
    ///
    /// Memory stays near one frame: `inputs` is consumed, the columns the result does not keep are dropped
    /// first, the join with the broker runs while the key index is at hand, and each column of the valid rows is
    /// released as soon as it is gathered into final order. So the result's ``PipelineResult/feed`` has an
    /// empty `frame`: ``PipelineResult/final`` holds the rows kept.
    ///
    /// - Parameters:
    ///   - inputs: What ``load(trades:broker:timings:progress:)`` returned.
    ///   - timings: The timings so far.
    ///   - progress: Receives stage names.
    ///   - quarantined: Receives the number of records quarantined, first thing.
    /// - Returns: The result.
    /// - Throws: ``PipelineError`` for a bad zone, or a failure that the inputs should never cause.
    package func process(
        _ inputs: consuming LoadedInputs, timings: StageTimings, progress: ((String, Int?) -> Void)? = nil,
        quarantined: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> PipelineResult {
        guard let zone = TimeZone(identifier: configuration.zone) else {
            throw PipelineError(
                .badArgument, "--zone \(FeedLoader.quoted(configuration.zone)) is not a known IANA time zone")
        }
        var feed = inputs.feed
        var brokerIndex: LoadedBroker? = inputs.broker
        _ = consume inputs
        quarantined?(feed.quarantinedIndices.count)
        let validRecords = feed.frame.rowCount
        var timings = timings
        do {
            // Only the columns the result keeps, the event time (de-duplication) and the delivery start (cycles).
            var frame =
                configuration.keepsAllColumns
                ? feed.frame
                : try feed.frame.selecting(Self.summaryColumns + ["delivery_start", "event_time"])
            feed.frame = TradeFrame()
            let brokerRows = brokerIndex?.frame.rowCount ?? 0
            let brokerVolumes = try TradeFrame([
                (
                    "broker_volume_mwh",
                    try brokerIndex?.frame.column("broker_volume_mwh")
                        ?? DecimalColumn(significands: Column<Int64>([Int64]()), scale: 3)
                )
            ])

            progress?("zone", nil)
            // The cycle of every valid row first, each core taking half of the rows, so that `delivery_start` is
            // freed before the de-duplication's sort allocates (at 5M trades the two together would pass 600 MB).
            // Then one row per trade id, in trade-id order (TradeFrame's key index: no sort when the feed is in id
            // order, a merge of the few rows out of place when it nearly is, else a radix sort), joined with the
            // broker's index at once. The index holds only the columns it reads; it and the broker's ids are
            // released once joined.
            var cycles: CategoricalColumn
            var keptRows: [Int]
            var joined: (rows: [Int], brokerRows: [Int]) = ([], [])
            do {
                // The frame lets go of the columns the run does not keep, so `delivery_start` is freed with `starts`.
                var starts: TimestampColumn? = try frame.column("delivery_start", as: TimestampColumn.self)
                let keyFrame = try frame.selecting(["trade_id", "event_time"])
                if !configuration.keepsAllColumns { frame = try frame.removing(["delivery_start", "event_time"]) }
                do {
                    guard let column = starts.take() else {
                        throw PipelineError(.internalFailure, "the frame has no delivery_start")
                    }
                    let middle = column.count / 2
                    let halves = Parallel.map(2) { half in
                        column.slice(half == 0 ? 0..<middle : middle..<column.count).settlementCycles(in: zone)
                    }
                    cycles = try halves[0].appending(contentsOf: [halves[1]])
                }
                let brokerKeys = brokerIndex?.keys
                brokerIndex = nil
                let kept = try keyFrame.keyed(by: "trade_id").keepingLatest(by: "event_time")
                keptRows = kept.rows
                if let brokerKeys {
                    let pairs = try kept.join(with: brokerKeys)
                    joined = (pairs.left, pairs.right)
                }
            }
            cycles = cycles.gathering(keptRows)
            timings.done("zone conversion (cycle, both cores), then dedup (sort by id, latest) + join")

            progress?("sort", nil)
            // The kept rows are in trade-id order; a stable sort by cycle alone gives (cycle, trade_id).
            var finalRows = try TradeFrame([("settlement_cycle", cycles)]).sortPermutation(by: [
                .ascending("settlement_cycle")
            ])
            cycles = cycles.gathering(finalRows)
            keptRows.withUnsafeBufferPointer { keptRows in
                finalRows.withUnsafeMutableBufferPointer { rows in
                    for position in rows.indices { rows[position] = keptRows[rows[position]] }
                }
            }
            keptRows = []
            // The joined rows in final positions.
            do {
                guard validRecords < Int(Int32.max) else {
                    throw PipelineError(.badDocument, "more than 2,147,483,646 valid trades in one run")
                }
                var position = [Int32](repeating: 0, count: validRecords)
                for (finalRow, validRow) in finalRows.enumerated() { position[validRow] = Int32(finalRow) }
                for index in joined.rows.indices { joined.rows[index] = Int(position[joined.rows[index]]) }
            }
            timings.done("sort")

            // On one core the trade ids gathered in final order and the order digest (SHA-256 over every row); on
            // the other the other columns gathered, each source column released as soon as it is gathered, then
            // the aggregates and the reconciliation's comparisons.
            progress?("aggregate", nil)
            let names = frame.columnNames
            guard let idSlot = names.firstIndex(of: "trade_id") else {
                throw PipelineError(.internalFailure, "the frame has no trade_id")
            }
            let ids = try frame.column("trade_id", as: StringColumn.self)
            var columns = frame.columns
            columns[idSlot] = ids.slice(0..<0)
            frame = TradeFrame()
            let rows = finalRows
            finalRows = []
            let finalCycles = cycles
            let pairs = joined
            joined = ([], [])
            var ordered: (ids: StringColumn, digest: String)?
            var outcome: Result<([GroupAggregate], Variances), TradeFrameError>?
            Parallel.run(
                {
                    let sortedIDs = ids.gathering(rows)
                    ordered = (sortedIDs, Self.orderDigest(cycles: finalCycles, ids: sortedIDs))
                },
                {
                    outcome = Result { () throws(TradeFrameError) in
                        for column in columns.indices where column != idSlot {
                            columns[column] = columns[column].gathering(rows)
                        }
                        let others = try TradeFrame(
                            zip(names, columns).enumerated().filter { $0.offset != idSlot }.map(\.element)
                        ).adding("settlement_cycle", finalCycles)
                        let groups = try Self.aggregate(others)
                        let variances = try Self.variances(
                            others, rows: pairs.rows, brokerVolumes, brokerRows: pairs.brokerRows,
                            tolerance: configuration.tolerance)
                        return (groups, variances)
                    }
                })
            guard let ordered, let outcome else {
                throw PipelineError(.internalFailure, "a parallel stage did not run")
            }
            let (groups, variances) = try outcome.get()
            columns[idSlot] = ordered.ids
            let sorted = try TradeFrame(Array(zip(names, columns))).adding("settlement_cycle", finalCycles)
            let orderDigest = ordered.digest
            let reconciliation = ReconciliationResult(
                matched: pairs.rows.count, flagged: try variances.frame(of: sorted), drift: variances.drift)
            timings.done("digest ‖ gather + aggregate + reconcile")

            let summary = Summary(
                feed: feed, validRecords: validRecords, afterDedup: sorted.rowCount, orderDigest: orderDigest,
                groups: groups, brokerRows: brokerRows, reconciliation: reconciliation)
            timings.done("summary digests")
            return PipelineResult(
                feed: feed, final: sorted, groups: groups, reconciliation: reconciliation, summary: summary,
                timings: timings)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.internalFailure, "\(error)")
        }
    }

    /// The columns of the final frame when ``Configuration/keepsAllColumns`` is off.
    private static let summaryColumns = ["trade_id", "product_code", "volume_mwh", "price_usd", "status"]

    /// Runs the whole pipeline on two documents held in arrays; see
    /// ``run(trades:broker:tradesSource:brokerSource:progress:quarantined:)-(UnsafeRawBufferPointer,_,_,_,_,_)``.
    ///
    /// - Parameters:
    ///   - trades: The bytes of `trades.json`.
    ///   - broker: The bytes of `broker.json`.
    ///   - tradesSource: The trades file's name, for messages.
    ///   - brokerSource: The broker file's name, for messages.
    ///   - progress: Receives stage names and record counts while it works.
    ///   - quarantined: Receives the number of records quarantined once they are validated.
    /// - Returns: The result.
    /// - Throws: ``PipelineError`` for any whole-run error.
    package func run(
        trades: [UInt8], broker: [UInt8], tradesSource: String = "trades.json", brokerSource: String = "broker.json",
        progress: ((String, Int?) -> Void)? = nil, quarantined: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> PipelineResult {
        let outcome: Result<PipelineResult, PipelineError> = trades.withUnsafeBytes { trades in
            broker.withUnsafeBytes { broker in
                Result { () throws(PipelineError) in
                    try run(
                        trades: trades, broker: broker, tradesSource: tradesSource, brokerSource: brokerSource,
                        progress: progress, quarantined: quarantined)
                }
            }
        }
        return try outcome.get()
    }

    // MARK: Stages

    /// SHA-256 of the lines `cycle|trade_id` of the final order, joined with `\n`: the first 16 hex digits.
    ///
    /// - Parameters:
    ///   - cycles: The settlement cycles, in final order.
    ///   - ids: The trade ids, in final order.
    static func orderDigest(cycles: CategoricalColumn, ids: StringColumn) -> String {
        let labels: [[UInt8]] = (0..<cycles.dictionary.count).map { code in
            Array((cycles.dictionary[code] ?? "").utf8) + [0x7C]
        }
        var hasher = BlockHasher()
        let newline: [UInt8] = [0x0A]
        ids.withUTF8Buffers { bytes, offsets in
            newline.withUnsafeBytes { newline in
                for row in 0..<ids.count {
                    if row > 0 { hasher.append(newline) }
                    labels[cycles.code(at: row)].withUnsafeBytes { hasher.append($0) }
                    hasher.append(
                        UnsafeRawBufferPointer(
                            UnsafeBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])])))
                }
            }
        }
        return String(hasher.finalize().description.prefix(16))
    }

    /// Aggregates per (cycle, product): total volume from the module's exact decimal sum, and the module's exact
    /// VWAP `Σ(volume × price) / Σ volume` at 4 decimals, rounded half to even (never `-0.0000`).
    static func aggregate(_ frame: TradeFrame) throws(TradeFrameError) -> [GroupAggregate] {
        let totals = try frame.grouped(by: ["settlement_cycle", "product_code"]).aggregate([
            .sum("volume_mwh", as: "volume_mwh"), .count(as: "trades"),
            .exactVolumeWeightedAverage(price: "price_usd", volume: "volume_mwh", scale: 4, as: "vwap"),
        ])
        let cycles = try totals.column("settlement_cycle", as: CategoricalColumn.self)
        let products = try totals.column("product_code", as: CategoricalColumn.self)
        let sums = try totals.column("volume_mwh", as: DecimalColumn.self)
        let counts = try totals.column("trades", as: Column<Int64>.self)
        let vwaps = try totals.column("vwap", as: DecimalColumn.self)
        return (0..<totals.rowCount).map { group in
            GroupAggregate(
                cycle: cycles[group] ?? "", product: products[group] ?? "",
                volumeMilli: Int128(sums.significands[group] ?? 0), vwap: vwaps[group],
                trades: Int(counts[group] ?? 0))
        }
    }

    /// Applies the module's exact tolerance rule to every joined pair.
    ///
    /// - Parameters:
    ///   - ours: The trades in final order (at least `volume_mwh`).
    ///   - rows: The joined rows of `ours`.
    ///   - broker: The broker rows.
    ///   - brokerRows: The joined rows of `broker`, parallel to `rows`.
    ///   - tolerance: The tolerance.
    static func variances(
        _ ours: TradeFrame, rows: [Int], _ broker: TradeFrame, brokerRows: [Int], tolerance: Tolerance
    ) throws(TradeFrameError) -> Variances {
        // The rows are already paired by the merge of the two id-sorted sides, so only the module's exact rule is
        // applied to each pair (`Reconciliation.reconcile` would hash-join them again; BENCHMARKS.md, issue 19 notes).
        let ourVolumes = try ours.column("volume_mwh", as: DecimalColumn.self).significands
        let brokerVolumes = try broker.column("broker_volume_mwh", as: DecimalColumn.self).significands
        var variances = Variances()
        for (row, brokerRow) in zip(rows, brokerRows) {
            let mine = ourVolumes.value(at: row)
            let theirs = brokerVolumes.value(at: brokerRow)
            variances.drift.add(ours: mine, broker: theirs)
            let breach = try Reconciliation.exceedsTolerance(
                broker: ExactDecimal(significand: theirs, scale: 3), ours: ExactDecimal(significand: mine, scale: 3),
                tolerance: tolerance.exact)
            if breach { variances.flagged.append((row, theirs)) }
        }
        variances.flagged.sort { $0.row < $1.row }
        return variances
    }
}

/// What ``Pipeline/variances(_:rows:_:brokerRows:tolerance:)`` found: the flagged rows and the drift of every pair.
struct Variances: Sendable {
    /// The flagged rows of our frame, ascending, with the broker's volume in milli-MWh.
    var flagged: [(row: Int, broker: Int64)] = []
    var drift = DriftHistogram()

    /// The flagged rows of `ours` (the trades in final order) with the broker's volume.
    func frame(of ours: TradeFrame) throws(TradeFrameError) -> TradeFrame {
        try ours.rows(at: flagged.map(\.row))
            .selecting(["trade_id", "settlement_cycle", "product_code", "volume_mwh", "status"])
            .adding("broker_volume_mwh", try DecimalColumn(significands: Column(flagged.map(\.broker)), scale: 3))
    }
}

/// SHA-256 of many small pieces, copied into a 64 KiB block that is hashed whenever the next piece would not fit:
/// one call into the hasher per block rather than per piece.
private struct BlockHasher: ~Copyable {
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var used = 0
    private var accumulator = Fingerprint.Accumulator()

    mutating func append(_ piece: UnsafeRawBufferPointer) {
        if piece.count > block.count - used {
            flush()
            if piece.count > block.count {
                accumulator.update(piece)
                return
            }
        }
        if let source = piece.baseAddress {
            (block.baseAddress! + used).copyMemory(from: source, byteCount: piece.count)
            used += piece.count
        }
    }

    /// The digest of every piece appended; the hasher takes no more pieces.
    mutating func finalize() -> Fingerprint {
        flush()
        let accumulator = accumulator
        return accumulator.finalize()
    }

    private mutating func flush() {
        accumulator.update(UnsafeRawBufferPointer(rebasing: block[..<used]))
        used = 0
    }

    deinit { block.deallocate() }
}

/// What ``Pipeline/load(trades:broker:timings:progress:)`` read.
package struct LoadedInputs: Sendable {
    package var feed: LoadedFeed
    package var broker: LoadedBroker
    /// Where each trades document's records lie in the feed's record indices.
    package var files: [FeedFile] = []
}

/// The broker rows, keyed by trade id (no id twice).
package struct LoadedBroker: Sendable {
    /// `trade_id` (string) and `broker_volume_mwh` (decimal, scale 3).
    package var frame: TradeFrame
    /// ``frame`` keyed by `trade_id`.
    package var keys: KeyIndex
}

/// The reconciliation tolerance: the exact decimal the module's rule compares with, and the text it came from.
package struct Tolerance: Sendable, Hashable, CustomStringConvertible {
    /// The tolerance, exact and not negative.
    package let exact: ExactDecimal
    package let text: String

    /// 0.005 (0.5 %).
    package static let `default` = Tolerance(exact: ExactDecimal(significand: 5, scale: 3), text: "0.005")

    private init(exact: ExactDecimal, text: String) {
        self.exact = exact
        self.text = text
    }

    /// Parses a non-negative decimal in the comparison pipelines' argument grammar (digits with an optional
    /// point, at most 9 digits on each side, no sign, no exponent: `0.005`, `0`, `1`); the value is
    /// ``ExactDecimal``'s reading of it.
    ///
    /// - Parameter text: The argument.
    /// - Throws: ``PipelineError`` with code `bad_argument`.
    package init(parsing text: String) throws(PipelineError) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { part in part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard let whole = parts.first, (1...9).contains(whole.utf8.count), isDigits(whole),
            parts.count == 1 || ((1...9).contains(parts[1].utf8.count) && isDigits(parts[1])),
            // Leading zeros are allowed here (`007`), not in ExactDecimal's JSON grammar.
            let exact = try? ExactDecimal(
                String(whole.drop { $0 == "0" }.isEmpty ? "0" : whole.drop { $0 == "0" })
                    + (parts.count == 2 ? "." + parts[1] : ""))
        else {
            throw PipelineError(
                .badArgument,
                "--tolerance \(FeedLoader.quoted(text)) is not a non-negative decimal like 0.005 "
                    + "(digits, optional point, at most 9 digits on each side)")
        }
        self.init(exact: exact, text: text)
    }

    package var description: String { text }
}

/// One group of the aggregates.
package struct GroupAggregate: Sendable, Hashable {
    package var cycle: String
    package var product: String
    /// Σ volume in milli-MWh.
    package var volumeMilli: Int128
    /// The exact VWAP in USD at 4 decimals; `nil` when the group's volumes sum to zero.
    package var vwap: ExactDecimal?
    /// Trades in the group.
    package var trades: Int

    /// The volume with 3 decimals.
    package var volumeText: String { ExactFormat.milli(volumeMilli) }
    /// The VWAP in USD with 4 decimals, half to even, never `-0.0000` (empty without a VWAP).
    package var vwapText: String { vwap?.description ?? "" }
    /// `cycle|product|volume|vwap`.
    package var line: String { "\(cycle)|\(product)|\(volumeText)|\(vwapText)" }
}

/// The outcome of the reconciliation stage.
package struct ReconciliationResult: Sendable {
    /// Joined rows.
    package var matched: Int
    /// The flagged trades: `trade_id`, `settlement_cycle`, `product_code`, `volume_mwh`, `status`,
    /// `broker_volume_mwh`.
    package var flagged: TradeFrame
    /// How far the broker's volumes are from ours, over the matched rows.
    package var drift: DriftHistogram
}

/// The distribution of the relative variance `|broker - ours| / |ours|` over the matched rows, in exact
/// integer bins of 0.1 % from 0 to 1 %, and a last bin for 1 % and more (a zero volume of ours against a
/// non-zero broker volume counts there too).
package struct DriftHistogram: Sendable, Equatable {
    /// Width of a bin in per mille.
    package static let binPerMille = 1
    /// Rows per bin: `counts[k]` holds variances in `[k, k + 1)` per mille; the last bin is open-ended.
    package private(set) var counts = [Int](repeating: 0, count: 11)

    package init() {}

    /// Counts one matched row; the volumes are in thousandths of a MWh.
    mutating func add(ours: Int64, broker: Int64) {
        let difference = (Int128(broker) - Int128(ours)).magnitude * 1000
        let base = Int128(ours).magnitude
        let bin = base == 0 ? (difference == 0 ? 0 : counts.count - 1) : Int(min(difference / base, 10))
        counts[min(bin, counts.count - 1)] += 1
    }
}

/// Everything a run produced.
package struct PipelineResult: Sendable {
    /// The quarantine's accounting; its `frame` is empty (released while the rows were put in final order).
    package var feed: LoadedFeed
    /// The de-duplicated trades with their cycle, in final order.
    package var final: TradeFrame
    package var groups: [GroupAggregate]
    package var reconciliation: ReconciliationResult
    package var summary: Summary
    package var timings: StageTimings
}

/// Wall-clock time per stage, and the process's resident memory when each stage ended: the peak so far and the
/// current one (what the stage left behind).
package struct StageTimings: Sendable {
    package private(set) var stages: [(name: String, duration: Duration, peakBytes: Int?, residentBytes: Int?)] = []
    private var last = ContinuousClock.now
    private let start = ContinuousClock.now

    package init() {}

    package mutating func done(_ name: String) {
        let now = ContinuousClock.now
        stages.append((name, now - last, ProcessInfoFacts.peakResidentBytes, ProcessInfoFacts.residentBytes))
        last = now
    }

    /// Records a stage measured elsewhere, at the end or (`first`) at the start of the list.
    package mutating func add(_ name: String, _ duration: Duration, first: Bool = false) {
        stages.insert((name, duration, nil, nil), at: first ? 0 : stages.count)
    }

    package var total: Duration { stages.reduce(.zero) { $0 + $1.duration } }
}

/// Exact decimal formatting.
package enum ExactFormat {
    /// `milli` thousandths as `int.ddd`.
    package static func milli(_ milli: Int128) -> String {
        let sign = milli < 0 ? "-" : ""
        let magnitude = milli.magnitude
        return sign + String(magnitude / 1000) + "." + pad(String(magnitude % 1000), 3)
    }

    private static func pad(_ digits: String, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
