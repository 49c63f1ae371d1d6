import ETRMContracts
import Foundation

/// Builds a trade frame from canonical `TradeRecord` values, one row per record, with no
/// per-row allocation beyond the column buffers' growth.
///
/// Columns: `trade_id` (string), `counterparty_lei`, `product_code` (categorical), `delivery_start`,
/// `delivery_end` (timestamp), `volume_mwh`, `price_usd` (decimal at the configured scales), `status`
/// (categorical), `event_time` (timestamp), `buy_sell`, `currency` (categorical, null when absent).
public struct TradeRecordFrameBuilder {
    /// Column scales of the decimal columns.
    public struct Configuration: Sendable, Hashable {
        /// Digits after the point of `volume_mwh`; a volume with more (non-zero) digits is an error.
        public var volumeScale: Int = 6
        /// Digits after the point of `price_usd`.
        public var priceScale: Int = 6

        /// The default configuration: six fraction digits for volumes and prices.
        public init() {}
    }

    var tradeID: StringColumnBuilder
    var lei: CategoricalColumnBuilder
    var product: CategoricalColumnBuilder
    var start: TimestampColumnBuilder
    var end: TimestampColumnBuilder
    var volume: DecimalColumnBuilder
    var price: DecimalColumnBuilder
    var status: CategoricalColumnBuilder
    var eventTime: TimestampColumnBuilder
    var side: CategoricalColumnBuilder
    var currency: CategoricalColumnBuilder

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - configuration: The decimal scales.
    ///   - capacity: Expected number of records.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for a scale outside 0...18.
    public init(configuration: Configuration = Configuration(), capacity: Int = 0) throws(TradeFrameError) {
        tradeID = StringColumnBuilder(capacity: capacity, byteCapacity: capacity * 12)
        lei = CategoricalColumnBuilder(capacity: capacity)
        product = CategoricalColumnBuilder(capacity: capacity)
        start = TimestampColumnBuilder(capacity: capacity)
        end = TimestampColumnBuilder(capacity: capacity)
        volume = try DecimalColumnBuilder(scale: configuration.volumeScale, capacity: capacity)
        price = try DecimalColumnBuilder(scale: configuration.priceScale, capacity: capacity)
        status = CategoricalColumnBuilder(capacity: capacity)
        eventTime = TimestampColumnBuilder(capacity: capacity)
        side = CategoricalColumnBuilder(capacity: capacity)
        currency = CategoricalColumnBuilder(capacity: capacity)
    }

    /// The number of rows appended so far.
    public var count: Int { tradeID.count }

    /// Appends one record as a row.
    ///
    /// - Parameter record: The record.
    /// - Throws: ``TradeFrameError`` with code `inexact` or `overflow`, naming `volume_mwh` or `price_usd`, when a
    ///   decimal does not fit the column scale; nothing is appended then.
    public mutating func append(_ record: TradeRecord) throws(TradeFrameError) {
        let volumeValue: Int64
        let priceValue: Int64
        do {
            volumeValue = try DecimalColumnBuilder.rescale(
                record.volumeMWh.significand, from: Int(record.volumeMWh.scale), to: volume.scale)
        } catch {
            throw TradeFrameError(
                error.code, column: "volume_mwh", "trade \(record.tradeID): \(error.message)", cause: error.cause)
        }
        do {
            priceValue = try DecimalColumnBuilder.rescale(
                record.priceUSD.significand, from: Int(record.priceUSD.scale), to: price.scale)
        } catch {
            throw TradeFrameError(
                error.code, column: "price_usd", "trade \(record.tradeID): \(error.message)", cause: error.cause)
        }
        tradeID.append(record.tradeID)
        lei.append(record.counterpartyLEI.description)
        product.append(record.productCode)
        start.append(record.deliveryStart)
        end.append(record.deliveryEnd)
        volume.builder.append(volumeValue)
        price.builder.append(priceValue)
        status.append(record.status.description)
        eventTime.append(record.eventTime)
        side.append(record.buySell?.description)
        currency.append(record.currency?.description)
    }

    /// Finishes the frame.
    ///
    /// - Returns: The frame of the appended records.
    public func finish() -> TradeFrame {
        let columns: [(String, any ColumnProtocol)] = [
            ("trade_id", tradeID.finish()), ("counterparty_lei", lei.finish()), ("product_code", product.finish()),
            ("delivery_start", start.finish()), ("delivery_end", end.finish()), ("volume_mwh", volume.finish()),
            ("price_usd", price.finish()), ("status", status.finish()), ("event_time", eventTime.finish()),
            ("buy_sell", side.finish()), ("currency", currency.finish()),
        ]
        return TradeFrame(unchecked: columns.map(\.0), columns.map(\.1), rowCount: count)
    }
}

extension TradeFrame {
    /// A trade frame of canonical records (see ``TradeRecordFrameBuilder`` for the columns).
    ///
    /// - Parameters:
    ///   - records: The records, one row each.
    ///   - configuration: The decimal column scales.
    /// - Throws: ``TradeFrameError`` naming the column when a decimal does not fit its column scale.
    public init(
        records: [TradeRecord], configuration: TradeRecordFrameBuilder.Configuration = .init()
    ) throws(TradeFrameError) {
        var builder = try TradeRecordFrameBuilder(configuration: configuration, capacity: records.count)
        for record in records { try builder.append(record) }
        self = builder.finish()
    }

    /// Reads trade records straight from JSON bytes through `RecordReader` into frames of at most
    /// `chunkRows` rows, with no intermediate record array. Records that fail validation go to the dead-letter
    /// sink with their exact raw bytes and issues; a valid record whose decimals do not fit the column scales goes
    /// there too, with an `out_of_range` issue naming the column and the record's canonical JSON (the reader hands
    /// over valid records decoded, not their bytes).
    ///
    /// - Parameters:
    ///   - bytes: A batch document (`{"trades": [...]}`) or JSON Lines.
    ///   - format: The batch format.
    ///   - reader: The record reader (limits and policies).
    ///   - configuration: The decimal column scales.
    ///   - deadLetters: Where rejected records go.
    ///   - source: The source name for the report and dead letters.
    ///   - batchID: The batch id for the report and dead letters.
    ///   - quarantinedAt: The time stamped on dead letters.
    ///   - chunkRows: The largest frame handed to `body`; memory stays bounded by one chunk.
    ///   - body: Called with each chunk of accepted records, in order.
    /// - Returns: The batch report; `accepted + quarantined == received`.
    /// - Throws: `ValidationFailure` for an unreadable document, a sink's error, or what `body`
    ///   throws.
    @discardableResult
    public static func readTrades(
        json bytes: [UInt8], format: BatchFormat = .document, reader: RecordReader<TradeRecord> = RecordReader(),
        configuration: TradeRecordFrameBuilder.Configuration = .init(), deadLetters: any DeadLetterSink,
        source: String = "", batchID: String = "", quarantinedAt: UTCTimestamp, chunkRows: Int = 1 << 20,
        _ body: (TradeFrame) throws -> Void
    ) throws -> BatchReport {
        guard chunkRows > 0 else { throw TradeFrameError(.invalidArgument, "chunkRows must be positive") }
        var builder = try TradeRecordFrameBuilder(configuration: configuration, capacity: min(chunkRows, 1 << 16))
        var unfit = 0
        func quarantine(_ raw: [UInt8], _ index: Int, _ issues: [ValidationIssue]) throws {
            try deadLetters.quarantine(
                DeadLetter(
                    rawBytes: raw, recordIndex: index, issues: issues, sourceName: source, batchID: batchID,
                    quarantinedAt: quarantinedAt))
        }
        var report = try reader.read(
            bytes, format: format, source: source, batchID: batchID,
            onRecord: { index, record in
                do {
                    try builder.append(record)
                } catch let error as TradeFrameError {
                    unfit += 1
                    let issue = ValidationIssue(
                        path: "/" + (error.column ?? ""), code: .outOfRange, message: error.message)
                    try quarantine(try JSONEncoder().encode(record).map { $0 }, index, [issue])
                    return
                }
                if builder.count == chunkRows {
                    try body(builder.finish())
                    builder = try TradeRecordFrameBuilder(configuration: configuration, capacity: chunkRows)
                }
            },
            onRejected: { rejected in try quarantine(rejected.rawBytes, rejected.index, rejected.issues) })
        if builder.count > 0 { try body(builder.finish()) }
        report.accepted -= unfit
        report.quarantined += unfit
        if unfit > 0 { report.quarantinedByCode[ValidationIssue.Code.outOfRange, default: 0] += unfit }
        return report
    }
}
