import ETRMContracts
import Foundation
import TradeFrame

/// The valid trades of a feed as TradeFrame columns, built straight from the JSON bytes through the reader's
/// visitor (no intermediate array of records), plus the quarantine's accounting.
package struct LoadedFeed: Sendable {
    /// Elements of the `trades` array, objects or not.
    package var received = 0
    /// The 0-based indices of the quarantined elements, ascending.
    package var quarantinedIndices: [Int] = []
    /// Quarantined records per issue code (a record with several codes counts under each).
    package var quarantinedByCode: [String: Int] = [:]
    /// The valid records: `input_index`, `trade_id`, `product_code` (categorical), `delivery_start`,
    /// `delivery_end`, `event_time` (timestamps), `volume_mwh` (decimal, scale 3), `price_usd` (decimal,
    /// scale 2), `status` (categorical).
    package var frame = TradeFrame()
}

/// Reads the feed documents with ``RecordReader`` and the feed's rule tables.
package enum FeedLoader {
    private static let configuration = RecordReaderConfiguration(
        maximumDocumentSize: Int.max, maximumDepth: 512, maximumStringLength: 1 << 20, byteOrderMark: .reject)

    /// Reads `trades.json`, quarantining invalid records and building the frame of the valid ones.
    ///
    /// A large document is read in chunks on all cores by `RecordReader.readChunks`, each chunk into its own
    /// ``FeedColumns``, merged in document order.
    ///
    /// - Parameters:
    ///   - bytes: The document.
    ///   - source: The file name, for messages and dead letters.
    ///   - deadLetters: Where quarantined records go, if anywhere.
    ///   - chunking: Where the document is split for parallel reading.
    ///   - pages: Releases the document's pages behind the reader (a mapped file only), if given.
    ///   - keepsAllColumns: Whether the frame has `input_index` and `delivery_end` (only the CSV export needs
    ///     them).
    ///   - progress: Called now and then with the number of records read.
    /// - Returns: The frame and the accounting.
    /// - Throws: ``PipelineError`` when the document cannot be read as a whole (not JSON, no `trades` array,
    ///   bad UTF-8, a number beyond a double, trailing content) or a dead letter cannot be stored.
    package static func loadTrades(
        _ bytes: UnsafeRawBufferPointer, source: String, deadLetters: (any DeadLetterSink)?,
        chunking: DocumentChunking = .automatic, pages: PageRelease? = nil, keepsAllColumns: Bool = true,
        progress: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> LoadedFeed {
        let reader = RecordReader<FeedTrade>(configuration: configuration)
        var feed = LoadedFeed()
        var rejections: [RejectedRecord] = []
        do {
            var read = try reader.readChunks(
                bytes, source: source, batchID: source, chunking: chunking,
                makePart: { FeedColumns(capacity: max(16, $0 / 240), keepsAllColumns: keepsAllColumns) },
                onRecord: { columns, index, trade in columns.append(index: index, trade) },
                onChunkRead: { pages?.release($0) }, progress: progress)
            try throwIfAnyBreaksTheDocument(read.rejected, source: source)
            if let issue = read.report.documentIssues.first {
                throw PipelineError(.badDocument, "trades file \(source) is not a valid document: \(issue.message)")
            }
            rejections = read.rejected
            read.rejected = []
            feed.received = read.report.received
            var columns = FeedColumns.merged(&read.parts, firstIndices: read.firstIndices)
            feed.frame = try columns.finish()
        } catch let error as PipelineError {
            throw error
        } catch let failure as ValidationFailure {
            throw PipelineError(.badDocument, "trades file \(source): \(describe(failure))")
        } catch {
            throw PipelineError(.internalFailure, "building the frame: \(error)")
        }
        let stamp = try? UTCTimestamp(Date())
        for rejected in rejections {
            feed.quarantinedIndices.append(rejected.index)
            for code in Set(rejected.issues.map(\.code.rawValue)) { feed.quarantinedByCode[code, default: 0] += 1 }
            if let deadLetters, let stamp {
                do {
                    try deadLetters.quarantine(
                        DeadLetter(
                            rawBytes: rejected.rawBytes, recordIndex: rejected.index, issues: rejected.issues,
                            sourceName: source, batchID: source, quarantinedAt: stamp))
                } catch {
                    throw PipelineError(.ioFailure, "could not store a dead letter: \(error)")
                }
            }
        }
        return feed
    }

    /// Throws for the first rejected element whose issue breaks the document (not JSON, bad UTF-8): a whole-run
    /// error. Any other rejection (bad values, a non-object element, a duplicate key) is quarantined by the caller.
    static func throwIfAnyBreaksTheDocument(_ rejected: [RejectedRecord], source: String) throws(PipelineError) {
        for record in rejected {
            if let fatal = record.issues.first(where: { FeedRules.fatalCodes.contains($0.code) }) {
                throw PipelineError(
                    .badDocument,
                    "\(source): record \(record.index): \(fatal.message)"
                        + (fatal.path.isEmpty ? "" : " at \(fatal.path)"))
            }
        }
    }

    /// Reads `broker.json` into a frame of `trade_id` (string) and `broker_volume_mwh` (decimal, scale 3), the
    /// rows keyed by trade id.
    ///
    /// The document is read on the calling thread in chunks of about `chunkSize` bytes, each chunk's pages
    /// released once read (the trades are read on the other cores meanwhile).
    ///
    /// - Parameters:
    ///   - bytes: The document.
    ///   - source: The file name, for messages.
    ///   - pages: Releases the document's pages behind the reader (a mapped file only), if given.
    ///   - chunkSize: The bytes read before the next guessed element boundary (small in tests).
    /// - Returns: The broker rows.
    /// - Throws: ``PipelineError`` for a document that cannot be read, any malformed row, or a trade id that
    ///   occurs twice.
    package static func loadBroker(
        _ bytes: UnsafeRawBufferPointer, source: String, pages: PageRelease? = nil, chunkSize: Int = 4 << 20
    ) throws(PipelineError) -> LoadedBroker {
        let reader = RecordReader<BrokerRow>(configuration: configuration)
        var ids = StringColumnBuilder()
        var volumes: ContiguousArray<Int64> = []
        do {
            var read = try reader.readChunks(
                bytes, source: source, batchID: source, chunking: .sequential(chunkSize: chunkSize),
                makePart: { bytes in
                    var part = (ids: StringColumnBuilder(), volumes: ContiguousArray<Int64>())
                    part.ids.reserveCapacity(rows: bytes / 48, bytes: bytes / 4)
                    part.volumes.reserveCapacity(bytes / 48)
                    return part
                },
                onRecord: { part, _, row in
                    row.tradeID.withUTF8 { part.ids.append(utf8: $0) }
                    part.volumes.append(row.volumeMilli)
                },
                onChunkRead: { pages?.release($0) })
            try throwIfAnyBreaksTheDocument(read.rejected, source: source)
            if let issue = read.report.documentIssues.first {
                throw PipelineError(.badBroker, "broker file \(source) is not a valid document: \(issue.message)")
            }
            if let rejected = read.rejected.first {
                let issue = rejected.issues.first
                throw PipelineError(
                    .badBroker,
                    "broker file \(source): broker_volumes[\(rejected.index)] is malformed: "
                        + (issue.map { "\($0.message)\($0.path.isEmpty ? "" : " at \($0.path)")" } ?? "invalid")
                        + " (needs a string trade_id and a JSON number broker_volume_mwh >= 0 with at most 3"
                        + " decimals, below 1e9)")
            }
            ids.reserveCapacity(rows: read.report.accepted, bytes: read.parts.reduce(0) { $0 + $1.ids.byteCount })
            volumes.reserveCapacity(read.report.accepted)
            for k in read.parts.indices {
                ids.append(contentsOf: read.parts[k].ids.finish())
                volumes.append(contentsOf: read.parts[k].volumes)
                read.parts[k] = (StringColumnBuilder(), [])
            }
        } catch let error as PipelineError {
            throw error.code == .badDocument ? PipelineError(.badBroker, "broker file " + error.message) : error
        } catch let failure as ValidationFailure {
            throw PipelineError(.badBroker, "broker file \(source): \(describe(failure))")
        } catch {
            throw PipelineError(.badBroker, "broker file \(source): \(error)")
        }
        let frame: TradeFrame
        let keys: KeyIndex
        do {
            frame = try TradeFrame([
                ("trade_id", ids.finish()),
                ("broker_volume_mwh", try DecimalColumn(significands: Column(volumes), scale: 3)),
            ])
            keys = try frame.keyed(by: "trade_id")
        } catch {
            throw PipelineError(.internalFailure, "building the broker frame: \(error)")
        }
        if let (_, duplicate) = keys.firstDuplicate() {
            let id = frame["trade_id", as: StringColumn.self]?[duplicate] ?? "?"
            throw PipelineError(.badBroker, "broker file \(source): duplicate trade_id \(quoted(id))")
        }
        return LoadedBroker(frame: frame, keys: keys)
    }

    private static func describe(_ failure: ValidationFailure) -> String {
        failure.issues.map { $0.path.isEmpty ? $0.message : "\($0.message) at \($0.path)" }.joined(separator: "; ")
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                out += "\\" + String(scalar)
            } else if scalar.value < 0x20 {
                out += "\\u" + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Column builders for the valid trades, filled by the reader's visitor; a chunk parsed on
/// its own core has its own, merged in input order by ``absorb(_:indexOffset:)``.
///
/// Without `keepsAllColumns`, `input_index` and `delivery_end` are not collected (the run keeps neither).
///
/// Numbers are collected in plain arrays and handed to `Column(_:)` once, because the generic
/// `ColumnBuilder.append` costs a metadata lookup per call from another module (BENCHMARKS.md, issue 19 notes).
struct FeedColumns {
    var index: ContiguousArray<Int64> = []
    var ids = StringColumnBuilder()
    var product: CategoricalColumnBuilder
    var start: ContiguousArray<Int64> = []
    var end: ContiguousArray<Int64> = []
    var event: ContiguousArray<Int64> = []
    var volume: ContiguousArray<Int64> = []
    var price: ContiguousArray<Int64> = []
    var status: CategoricalColumnBuilder
    /// Products and statuses of absorbed chunks not yet appended to the builders (see ``settle()``).
    private var pending: [(product: CategoricalColumn, status: CategoricalColumn)] = []
    /// Whether `input_index` and `delivery_end` are collected.
    let keepsAllColumns: Bool

    init(capacity: Int, keepsAllColumns: Bool = true) {
        self.keepsAllColumns = keepsAllColumns
        ids.reserveCapacity(rows: capacity, bytes: capacity * 12)
        product = CategoricalColumnBuilder(capacity: capacity)
        status = CategoricalColumnBuilder(capacity: capacity)
        reserveNumbers(capacity)
    }

    /// The number of rows.
    var count: Int { volume.count }

    private mutating func reserveNumbers(_ capacity: Int) {
        let optional: [WritableKeyPath<FeedColumns, ContiguousArray<Int64>>] = keepsAllColumns ? [\.index, \.end] : []
        for column in optional + [\FeedColumns.start, \.event, \.volume, \.price] {
            self[keyPath: column].reserveCapacity(capacity)
        }
    }

    @inline(__always)
    mutating func append(index row: Int, _ trade: FeedTrade) {
        trade.tradeID.withUTF8 { id in
            trade.productCode.withUTF8 { code in
                append(
                    index: row, tradeID: id, product: code, start: trade.deliveryStart, end: trade.deliveryEnd,
                    event: trade.eventTime, volume: trade.volumeMilli, price: trade.priceCents, status: trade.status)
            }
        }
    }

    @inline(__always)
    mutating func append(
        index row: Int, tradeID id: UnsafeBufferPointer<UInt8>, product code: UnsafeBufferPointer<UInt8>,
        start from: Int64,
        end to: Int64, event at: Int64, volume milli: Int64, price cents: Int64, status state: UInt8
    ) {
        if keepsAllColumns {
            index.append(Int64(row))
            end.append(to)
        }
        ids.append(utf8: id)
        product.append(utf8: code)
        start.append(from)
        event.append(at)
        volume.append(milli)
        price.append(cents)
        let literal = FeedRules.statusLiterals[Int(state)]
        status.append(utf8: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The chunks' columns as one, in document order, each chunk taken out of `parts` (and freed) as it is
    /// merged; `firstIndices` are the chunks' first input indices.
    static func merged(_ parts: inout [FeedColumns], firstIndices: [Int]) -> FeedColumns {
        var merged = parts[0]
        parts[0] = FeedColumns(capacity: 0)
        // Room for every row, so that merging does not grow the arrays by doubling past the total.
        merged.ids.reserveCapacity(
            rows: parts.reduce(merged.count) { $0 + $1.count },
            bytes: parts.reduce(merged.ids.byteCount) { $0 + $1.ids.byteCount })
        merged.reserveNumbers(parts.reduce(merged.count) { $0 + $1.count })
        for k in parts.indices.dropFirst() {
            var part = parts[k]
            parts[k] = FeedColumns(capacity: 0)
            merged.absorb(&part, indexOffset: firstIndices[k])
        }
        return merged
    }

    /// Appends the rows of `other` (a later chunk), their input indices shifted by `indexOffset`, and empties
    /// `other` as it goes so that its memory is returned before the next chunk is merged.
    mutating func absorb(_ other: inout FeedColumns, indexOffset: Int) {
        let offset = Int64(indexOffset)
        other.index.withUnsafeBufferPointer { rows in
            for row in rows { index.append(row + offset) }
        }
        other.index = []
        ids.append(contentsOf: other.ids.finish())
        other.ids = StringColumnBuilder()
        start.append(contentsOf: other.start)
        other.start = []
        end.append(contentsOf: other.end)
        other.end = []
        event.append(contentsOf: other.event)
        other.event = []
        volume.append(contentsOf: other.volume)
        other.volume = []
        price.append(contentsOf: other.price)
        other.price = []
        // The categorical columns are concatenated in `finish`, by dictionary, not row by row.
        other.settle()
        pending.append((other.product.finish(), other.status.finish()))
        other.product = CategoricalColumnBuilder()
        other.status = CategoricalColumnBuilder()
    }

    /// Appends the pending categorical rows to the builders; must run before any row is appended directly.
    mutating func settle() {
        for part in pending {
            Self.append(part.product, to: &product)
            Self.append(part.status, to: &status)
        }
        pending = []
    }

    private static func append(_ column: CategoricalColumn, to builder: inout CategoricalColumnBuilder) {
        for row in 0..<column.count {
            column.dictionary.withUTF8(at: column.code(at: row)) { builder.append(utf8: $0) }
        }
    }

    /// The frame, its string and categorical columns built on all cores.
    ///
    /// The absorbed chunks' categorical columns are appended with `CategoricalColumn.appending(contentsOf:)`,
    /// which interns each part's dictionary in part order and remaps the codes: the dictionary comes out in
    /// first-seen order over all rows, exactly as if every row had gone through one builder.
    mutating func finish() throws(TradeFrameError) -> TradeFrame {
        var tradeIDs = StringColumn([String]())
        var products: Result<CategoricalColumn, TradeFrameError>?
        var statuses: Result<CategoricalColumn, TradeFrameError>?
        let head = (product.finish(), status.finish())
        product = CategoricalColumnBuilder()
        status = CategoricalColumnBuilder()
        let pending = pending
        self.pending = []
        let ids = ids
        Parallel.run(
            { tradeIDs = ids.finish() },
            {
                products = Result { () throws(TradeFrameError) in
                    try head.0.appending(contentsOf: pending.map(\.product))
                }
            },
            {
                statuses = Result { () throws(TradeFrameError) in
                    try head.1.appending(contentsOf: pending.map(\.status))
                }
            })
        guard let products, let statuses else {
            throw TradeFrameError(.invalidArgument, "a categorical column was not built")
        }
        let columns: [(String, any ColumnProtocol)] = [
            ("input_index", Column(index)),
            ("trade_id", tradeIDs),
            ("product_code", try products.get()),
            ("delivery_start", TimestampColumn(nanoseconds: Column(start))),
            ("delivery_end", TimestampColumn(nanoseconds: Column(end))),
            ("event_time", TimestampColumn(nanoseconds: Column(event))),
            ("volume_mwh", try DecimalColumn(significands: Column(volume), scale: 3)),
            ("price_usd", try DecimalColumn(significands: Column(price), scale: 2)),
            ("status", try statuses.get()),
        ]
        return try TradeFrame(
            keepsAllColumns ? columns : columns.filter { $0.0 != "input_index" && $0.0 != "delivery_end" })
    }
}
