import Foundation
import Testing

@testable import ETRMContracts

/// A valid trade record as wire JSON, with fields replaced (a value of `nil` removes the field). Values are
/// raw JSON text.
func tradeJSON(_ overrides: [String: String?] = [:]) -> String {
    let fields: [(String, String)] = [
        ("trade_id", #""T-2025-000001""#),
        ("counterparty_lei", #""7LTWFZYICNSX8D621K86""#),
        ("product_code", #""DE-BASE-M""#),
        ("delivery_start", #""2025-03-30T00:00:00+01:00""#),
        ("delivery_end", #""2025-03-31T00:00:00+02:00""#),
        ("volume_mwh", "12.500"),
        ("price_usd", "-4.25"),
        ("status", #""CONFIRMED""#),
        ("event_time", #""2025-03-29T10:15:30.123Z""#),
        ("buy_sell", #""BUY""#),
        ("delivery_point", #""10Y1001A1001A82H""#),
        ("currency", #""EUR""#),
        ("unit", #""MWh""#),
        ("action_type", #""N""#),
        ("schema_version", "2"),
    ]
    var members: [String] = []
    for (key, value) in fields {
        if let override = overrides[key] {
            if let override { members.append("\"\(key)\": \(override)") }
        } else {
            members.append("\"\(key)\": \(value)")
        }
    }
    for (key, value) in overrides where !fields.contains(where: { $0.0 == key }) {
        if let value { members.append("\"\(key)\": \(value)") }
    }
    return "{" + members.joined(separator: ", ") + "}"
}

/// Reads `{"<container>": [records]}` with the public reader and returns what happened.
func readBatch<Record: ValidatedRecord>(
    _ type: Record.Type, _ records: [String], configuration: RecordReaderConfiguration = .init()
) throws -> (accepted: [(Int, Record)], rejected: [RejectedRecord], report: BatchReport) {
    let document = "{\"\(Record.recordSchema.containerKey)\": [" + records.joined(separator: ",\n") + "]}"
    var accepted: [(Int, Record)] = []
    var rejected: [RejectedRecord] = []
    let report = try RecordReader<Record>(configuration: configuration).read(
        Array(document.utf8), source: "test", batchID: "b1",
        onRecord: { accepted.append(($0, $1)) }, onRejected: { rejected.append($0) })
    return (accepted, rejected, report)
}
