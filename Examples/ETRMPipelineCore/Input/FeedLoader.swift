import ETRMContracts
import ETRMShared
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
    /// - Parameters:
    ///   - bytes: The document.
    ///   - source: The file name, for messages and dead letters.
    ///   - deadLetters: Where quarantined records go, if anywhere.
    ///   - progress: Called now and then with the number of records read.
    /// - Returns: The frame and the accounting.
    /// - Throws: ``PipelineError`` when the document cannot be read as a whole (not JSON, no `trades` array,
    ///   bad UTF-8, a number beyond a double, trailing content) or a dead letter cannot be stored.
    package static func loadTrades(
        _ bytes: UnsafeRawBufferPointer, source: String, deadLetters: (any DeadLetterSink)?,
        progress: ((Int) -> Void)? = nil
    ) throws(PipelineError) -> LoadedFeed {
        let reader = RecordReader<FeedTrade>(configuration: configuration)
        let capacity = max(16, bytes.count / 240)
        var columns = FeedColumns(capacity: capacity)
        var feed = LoadedFeed()
        let stamp = deadLetters == nil ? nil : try? UTCTimestamp(Date())
        let onRecord: (Int, FeedTrade) -> Void = { index, trade in
            columns.append(index: index, trade)
            if index & 0xFFFF == 0 { progress?(index) }
        }
        do {
            let report = try reader.read(
                bytes, format: .document, source: source, batchID: source, onRecord: onRecord,
                onRejected: { rejected in
                    if rejected.issues.contains(where: { $0.code == .duplicateKey }),
                        let retried = try rereadLastKeyWins(rejected, reader: reader, source: source)
                    {
                        onRecord(rejected.index, retried)
                        return
                    }
                    if let fatal = rejected.issues.first(where: { FeedRules.fatalCodes.contains($0.code) }) {
                        throw PipelineError(
                            .badDocument,
                            "trades file \(source): record \(rejected.index): \(fatal.message)"
                                + (fatal.path.isEmpty ? "" : " at \(fatal.path)"))
                    }
                    feed.quarantinedIndices.append(rejected.index)
                    for code in Set(rejected.issues.map(\.code.rawValue)) {
                        feed.quarantinedByCode[code, default: 0] += 1
                    }
                    if let deadLetters, let stamp {
                        try deadLetters.quarantine(
                            DeadLetter(
                                rawBytes: rejected.rawBytes, recordIndex: rejected.index, issues: rejected.issues,
                                sourceName: source, batchID: source, quarantinedAt: stamp))
                    }
                })
            if let issue = report.documentIssues.first {
                throw PipelineError(.badDocument, "trades file \(source) is not a valid document: \(issue.message)")
            }
            feed.received = report.received
        } catch let error as PipelineError {
            throw error
        } catch let failure as ValidationFailure {
            throw PipelineError(.badDocument, "trades file \(source): \(describe(failure))")
        } catch {
            throw PipelineError(.ioFailure, "trades file \(source): could not store a dead letter: \(error)")
        }
        do {
            feed.frame = try columns.finish()
        } catch {
            throw PipelineError(.internalFailure, "building the frame: \(error)")
        }
        return feed
    }

    /// Reads `broker.json` into a frame of `trade_id` (string) and `broker_volume_mwh` (decimal, scale 3).
    ///
    /// - Parameters:
    ///   - bytes: The document.
    ///   - source: The file name, for messages.
    /// - Returns: The broker frame.
    /// - Throws: ``PipelineError`` for a document that cannot be read, any malformed row, or a trade id that
    ///   occurs twice.
    package static func loadBroker(_ bytes: UnsafeRawBufferPointer, source: String) throws(PipelineError) -> TradeFrame {
        let reader = RecordReader<BrokerRow>(configuration: configuration)
        var ids = StringColumnBuilder(capacity: bytes.count / 48)
        var volumes = ColumnBuilder<Int64>(capacity: bytes.count / 48)
        do {
            let report = try reader.read(
                bytes, format: .document, source: source, batchID: source,
                onRecord: { _, row in
                    ids.append(row.tradeID)
                    volumes.append(row.volumeMilli)
                },
                onRejected: { rejected in
                    if rejected.issues.contains(where: { $0.code == .duplicateKey }),
                        let row = try rereadLastKeyWins(rejected, reader: reader, source: source)
                    {
                        ids.append(row.tradeID)
                        volumes.append(row.volumeMilli)
                        return
                    }
                    let issue = rejected.issues.first
                    throw PipelineError(
                        .badBroker,
                        "broker file \(source): broker_volumes[\(rejected.index)] is malformed: "
                            + (issue.map { "\($0.message)\($0.path.isEmpty ? "" : " at \($0.path)")" } ?? "invalid")
                            + " (needs a string trade_id and a JSON number broker_volume_mwh >= 0 with at most 3"
                            + " decimals, below 1e9)")
                })
            if let issue = report.documentIssues.first {
                throw PipelineError(.badBroker, "broker file \(source) is not a valid document: \(issue.message)")
            }
        } catch let error as PipelineError {
            throw error
        } catch let failure as ValidationFailure {
            throw PipelineError(.badBroker, "broker file \(source): \(describe(failure))")
        } catch {
            throw PipelineError(.badBroker, "broker file \(source): \(error)")
        }
        let frame: TradeFrame
        let duplicate: Int?
        do {
            frame = try TradeFrame([
                ("trade_id", ids.finish()),
                ("broker_volume_mwh", try DecimalColumn(significands: volumes.finish(), scale: 3)),
            ])
            duplicate = try firstDuplicateRow(frame, key: "trade_id")
        } catch {
            throw PipelineError(.internalFailure, "building the broker frame: \(error)")
        }
        if let duplicate {
            let id = frame["trade_id", as: StringColumn.self]?[duplicate] ?? "?"
            throw PipelineError(.badBroker, "broker file \(source): duplicate trade_id \(quoted(id))")
        }
        return frame
    }

    /// The first row whose key already occurred in an earlier row, compared as bytes.
    static func firstDuplicateRow(_ frame: TradeFrame, key: String) throws(TradeFrameError) -> Int? {
        let grouping = try frame.grouped(by: [key])
        guard grouping.groupCount < frame.rowCount else { return nil }
        var seen = [Bool](repeating: false, count: grouping.groupCount)
        for (row, group) in grouping.groupOfRow.enumerated() {
            if seen[group] { return row }
            seen[group] = true
        }
        return nil
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

    // MARK: Duplicate keys

    // WORKAROUND (ETRMContracts): the reader's rule tables report a key named twice as `duplicate_key` and keep
    // the first value; the feed's semantics (README "The documents") are "the last one wins", as in `json.load`
    // and orjson. A record rejected with `duplicate_key` is rewritten here with the last value of each key and
    // read again by the same reader. Rare path: it runs only for such records.
    private static func rereadLastKeyWins<Record: ValidatedRecord>(
        _ rejected: RejectedRecord, reader: RecordReader<Record>, source: String
    ) throws -> Record? {
        guard let object = lastKeyWins(rejected.rawBytes) else { return nil }
        let document = Array("{\"\(reader.containerKey)\":[".utf8) + object + Array("]}".utf8)
        var accepted: Record?
        _ = try reader.read(
            document, source: source, onRecord: { _, record in accepted = record }, onRejected: { _ in })
        return accepted
    }

    /// The object `raw` with each top-level key kept once, with its last value; `nil` if it is not an object.
    static func lastKeyWins(_ raw: [UInt8]) -> [UInt8]? {
        raw.withUnsafeBytes { buffer -> [UInt8]? in
            do throws(JSONError) {
                var scanner = try JSONScanner(buffer, configuration: .init(maximumDepth: 512))
                guard try scanner.peekKind() == .object else { return nil }
                try scanner.beginObject()
                var members: [(key: [UInt8], raw: Range<Int>, value: Range<Int>)] = []
                var first = true
                while let key = try scanner.nextMember(isFirst: &first) {
                    var unescaped: [UInt8] = []
                    scanner.unescapedBytes(key, into: &unescaped)
                    let value = try scanner.skipValue()
                    members.removeAll { $0.key == unescaped }
                    members.append((unescaped, key.start..<key.end, value))
                }
                var out: [UInt8] = [UInt8(ascii: "{")]
                for (position, member) in members.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: scanner.bytes(member.raw))
                    out.append(contentsOf: Array("\":".utf8))
                    out.append(contentsOf: scanner.bytes(member.value))
                }
                out.append(UInt8(ascii: "}"))
                return out
            } catch {
                return nil
            }
        }
    }
}

/// Column builders for the valid trades, filled by the reader's visitor.
struct FeedColumns {
    var index: ColumnBuilder<Int64>
    var tradeID: StringColumnBuilder
    var product: StringColumnBuilder
    var start: ColumnBuilder<Int64>
    var end: ColumnBuilder<Int64>
    var event: ColumnBuilder<Int64>
    var volume: ColumnBuilder<Int64>
    var price: ColumnBuilder<Int64>
    var status: StringColumnBuilder

    init(capacity: Int) {
        index = ColumnBuilder(capacity: capacity)
        tradeID = StringColumnBuilder(capacity: capacity, byteCapacity: capacity * 12)
        product = StringColumnBuilder(capacity: capacity, byteCapacity: capacity * 12)
        start = ColumnBuilder(capacity: capacity)
        end = ColumnBuilder(capacity: capacity)
        event = ColumnBuilder(capacity: capacity)
        volume = ColumnBuilder(capacity: capacity)
        price = ColumnBuilder(capacity: capacity)
        status = StringColumnBuilder(capacity: capacity, byteCapacity: capacity * 9)
    }

    @inline(__always)
    mutating func append(index row: Int, _ trade: FeedTrade) {
        index.append(Int64(row))
        tradeID.append(trade.tradeID)
        product.append(trade.productCode)
        start.append(trade.deliveryStart)
        end.append(trade.deliveryEnd)
        event.append(trade.eventTime)
        volume.append(trade.volumeMilli)
        price.append(trade.priceCents)
        status.append(FeedRules.statuses[Int(trade.status)])
    }

    func finish() throws(TradeFrameError) -> TradeFrame {
        try TradeFrame([
            ("input_index", index.finish()),
            ("trade_id", tradeID.finish()),
            ("product_code", product.finish().categorical()),
            ("delivery_start", TimestampColumn(nanoseconds: start.finish())),
            ("delivery_end", TimestampColumn(nanoseconds: end.finish())),
            ("event_time", TimestampColumn(nanoseconds: event.finish())),
            ("volume_mwh", try DecimalColumn(significands: volume.finish(), scale: 3)),
            ("price_usd", try DecimalColumn(significands: price.finish(), scale: 2)),
            ("status", status.finish().categorical()),
        ])
    }
}
