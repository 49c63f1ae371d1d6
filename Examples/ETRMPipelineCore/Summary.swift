import Idempotency
import TradeFrame

/// The summary of a run, with exactly the keys of issue #6 in their order: the figure `compare.sh` checks key
/// by key against pandas and polars.
package struct Summary: Sendable, Equatable {
    package var inputRecords: Int
    package var quarantined: Int
    package var quarantineIndexSHA16: String
    package var validRecords: Int
    package var afterDedup: Int
    package var duplicatesDropped: Int
    package var sortedOrderSHA16: String
    package var aggregateGroups: Int
    package var aggregateTotalVolume: String
    package var aggregateSHA16: String
    package var brokerRows: Int
    package var reconciledMatched: Int
    package var tradesWithoutBroker: Int
    package var brokerWithoutTrade: Int
    package var flagged: Int
    package var flaggedIDsSHA16: String

    init(
        feed: LoadedFeed, validRecords: Int, afterDedup: Int, orderDigest: String, groups: [GroupAggregate],
        brokerRows: Int,
        reconciliation: ReconciliationResult
    ) {
        inputRecords = feed.received
        quarantined = feed.quarantinedIndices.count
        quarantineIndexSHA16 = Self.sha16(feed.quarantinedIndices.map { Array(String($0).utf8) })
        self.validRecords = validRecords
        self.afterDedup = afterDedup
        duplicatesDropped = validRecords - afterDedup
        sortedOrderSHA16 = orderDigest
        aggregateGroups = groups.count
        aggregateTotalVolume = ExactFormat.milli(groups.reduce(0) { $0 + $1.volumeMilli })
        aggregateSHA16 = Self.sha16(Self.byteSorted(groups.map { Array($0.line.utf8) }))
        self.brokerRows = brokerRows
        reconciledMatched = reconciliation.matched
        tradesWithoutBroker = afterDedup - reconciliation.matched
        brokerWithoutTrade = brokerRows - reconciliation.matched
        let ids = reconciliation.flagged["trade_id", as: StringColumn.self]
        let flaggedIDs = (0..<reconciliation.flagged.rowCount).map { row in
            ids?.withUTF8(at: row) { Array($0) } ?? []
        }
        flagged = flaggedIDs.count
        flaggedIDsSHA16 = Self.sha16(Self.byteSorted(flaggedIDs))
    }

    /// Lines sorted as UTF-8 byte strings (not with `String` comparison, which applies canonical equivalence).
    package static func byteSorted(_ lines: [[UInt8]]) -> [[UInt8]] {
        lines.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The first 16 lower-case hex digits of SHA-256 over the lines joined with `\n` (no trailing newline).
    package static func sha16(_ lines: [[UInt8]]) -> String {
        var accumulator = Fingerprint.Accumulator()
        for (position, line) in lines.enumerated() {
            if position > 0 { accumulator.update([0x0A]) }
            accumulator.update(line)
        }
        return String(accumulator.finalize().description.prefix(16))
    }

    /// The keys and values in the order; integers as JSON integers, the rest as strings.
    package var fields: [(key: String, value: SummaryValue)] {
        [
            ("input_records", .integer(inputRecords)), ("quarantined", .integer(quarantined)),
            ("quarantine_idx_sha16", .text(quarantineIndexSHA16)), ("valid_records", .integer(validRecords)),
            ("after_dedup", .integer(afterDedup)), ("duplicates_dropped", .integer(duplicatesDropped)),
            ("sorted_order_sha16", .text(sortedOrderSHA16)), ("aggregate_groups", .integer(aggregateGroups)),
            ("aggregate_total_volume_mwh", .text(aggregateTotalVolume)), ("aggregate_sha16", .text(aggregateSHA16)),
            ("broker_rows", .integer(brokerRows)), ("reconciled_matched", .integer(reconciledMatched)),
            ("trades_without_broker", .integer(tradesWithoutBroker)),
            ("broker_without_trade", .integer(brokerWithoutTrade)), ("flagged", .integer(flagged)),
            ("flagged_ids_sha16", .text(flaggedIDsSHA16)),
        ]
    }

    /// The summary as JSON with two-space indentation and a final newline.
    package var json: String {
        let body = fields.map { field -> String in
            let value: String
            switch field.value {
            case .integer(let number): value = String(number)
            case .text(let text): value = FeedLoader.quoted(text)
            }
            return "  \"\(field.key)\": \(value)"
        }
        return "{\n" + body.joined(separator: ",\n") + "\n}\n"
    }
}

/// A summary value: a JSON integer or a JSON string.
package enum SummaryValue: Sendable, Equatable {
    case integer(Int)
    case text(String)
}
