// etrm-pipeline: the package's main job, in its first form. It validates a trade feed, as it arrives from an
// ETRM vendor, record by record: valid trades are accepted, every other record goes to a dead-letter sink with
// its exact bytes and every reason, and the batch report proves that nothing was lost:
// accepted + quarantined = received.
//
//     swift run -c release etrm-pipeline
//
// The feed is built in below, so the example needs no files. The full ingestion flow (de-duplication,
// TradeFrame, reconciliation) joins it as those modules land.

import ETRMContracts
import Foundation

/// A day's trade feed from a vendor: 20 records, 7 of them bad in different ways.
let sampleFeed = #"""
    {
      "source": "vendor-etrm-eu",
      "page": 1,
      "trades": [
        {"trade_id": "T-2025-0001", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "DE-BASE-M", "delivery_start": "2025-03-01T00:00:00+01:00", "delivery_end": "2025-04-01T00:00:00+02:00", "volume_mwh": 744.0, "price_usd": 92.15, "status": "CONFIRMED", "event_time": "2025-02-27T09:12:44Z", "buy_sell": "BUY", "delivery_point": "10Y1001A1001A82H", "currency": "EUR"},
        {"trade_id": "T-2025-0002", "counterparty_lei": "506700GE1G29325QX363", "product_code": "DE-PEAK-W10", "delivery_start": "2025-03-03T08:00:00+01:00", "delivery_end": "2025-03-03T20:00:00+01:00", "volume_mwh": 120, "price_usd": 104.50, "status": "CONFIRMED", "event_time": "2025-02-28T15:01:02.250Z", "buy_sell": "SELL"},
        {"trade_id": "T-2025-0003", "counterparty_lei": "HWUPKR0MPOU8FGXBT394", "product_code": "NL-BASE-D", "delivery_start": "2025-03-30T00:00:00+01:00", "delivery_end": "2025-03-31T00:00:00+02:00", "volume_mwh": 230, "price_usd": -3.20, "status": "PENDING", "event_time": "2025-03-29T11:00:00Z", "delivery_point": "10YNL----------L"},
        {"trade_id": "T-2025-0004", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "FR-BASE-Q2", "delivery_start": "2025-04-01T00:00:00+02:00", "delivery_end": "2025-07-01T00:00:00+02:00", "volume_mwh": 2184, "price_usd": 71.00, "status": "CONFIRMED", "event_time": "2025-03-10T08:30:00Z", "delivery_point": "10YFR-RTE------C"},
        {"trade_id": "T-2025-0005", "counterparty_lei": "7LTWFZYICNSX8D621K87", "product_code": "DE-BASE-M", "delivery_start": "2025-03-01T00:00:00Z", "delivery_end": "2025-04-01T00:00:00Z", "volume_mwh": 744, "price_usd": 92.10, "status": "CONFIRMED", "event_time": "2025-02-27T09:13:00Z"},
        {"trade_id": "T-2025-0006", "counterparty_lei": "506700GE1G29325QX363", "product_code": "NG-TTF-M1", "delivery_start": "2025-04-01T06:00:00+02:00", "delivery_end": "2025-05-01T06:00:00+02:00", "volume_mwh": "12.5", "price_usd": 38.40, "status": "CONFIRMED", "event_time": "2025-03-12T10:00:00Z", "delivery_point": "37Y005053MH0000R", "unit": "MWh"},
        {"trade_id": "T-2025-0007", "counterparty_lei": "HWUPKR0MPOU8FGXBT394", "product_code": "DE-BASE-D", "delivery_start": "2025-10-26T00:00:00", "delivery_end": "2025-10-27T00:00:00+01:00", "volume_mwh": 250, "price_usd": 88.00, "status": "CONFIRMED", "event_time": "2025-10-25T12:00:00Z"},
        {"trade_id": "T-2025-0008", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "DE-BASE-D", "delivery_start": "2025-10-26T00:00:00+02:00", "delivery_end": "2025-10-27T00:00:00+01:00", "volume_mwh": 250, "price_usd": 86.75, "status": "AMENDED", "event_time": "2025-10-25T12:05:00Z", "action_type": "M"},
        {"trade_id": "T-2025-0009", "counterparty_lei": "506700GE1G29325QX363", "product_code": "DE-H-17", "delivery_start": "2025-06-02T17:00:00+02:00", "delivery_end": "2025-06-02T16:00:00+02:00", "volume_mwh": 0, "price_usd": 120.00, "status": "DONE", "event_time": "2025-06-01T09:00:00Z"},
        {"trade_id": "T-2025-0010", "counterparty_lei": "506700GE1G29325QX363", "product_code": "DE-H-18", "delivery_start": "2025-06-02T18:00:00+02:00", "delivery_end": "2025-06-02T19:00:00+02:00", "volume_mwh": 25.125, "price_usd": 131.40, "status": "CONFIRMED", "event_time": "2025-06-01T09:00:01Z", "currency": "EUR", "unit": "MWh"},
        {"trade_id": "T-2025-0011", "counterparty_lei": "HWUPKR0MPOU8FGXBT394", "product_code": "BE-BASE-W", "delivery_start": "2025-06-02T00:00:00+02:00", "delivery_end": "2025-06-09T00:00:00+02:00", "volume_mwh": 168, "price_usd": 64.10, "status": "CONFIRMED", "event_time": "2025-05-30T16:45:00Z"},
        {"trade_id": "T-2025-0012", "product_code": "DE-BASE-M", "delivery_start": "2025-07-01T00:00:00+02:00", "delivery_end": "2025-08-01T00:00:00+02:00", "volume_mwh": 744, "price_usd": null, "status": "CONFIRMED", "event_time": "2025-06-20T08:00:00Z"},
        {"trade_id": "T-2025-0013", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "AT-BASE-M", "delivery_start": "2025-07-01T00:00:00+02:00", "delivery_end": "2025-08-01T00:00:00+02:00", "volume_mwh": 744, "price_usd": 95.00, "status": "CONFIRMED", "event_time": "2025-06-20T08:05:00Z", "buy_sell": "B", "schema_version": 2},
        {"trade_id": "T-2025-0014", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "DE-BASE-M" "delivery_start": "2025-07-01T00:00:00+02:00"},
        {"trade_id": "T-2025-0015", "counterparty_lei": "506700GE1G29325QX363", "product_code": "DE-15-0800", "delivery_start": "2025-10-01T08:00:00+02:00", "delivery_end": "2025-10-01T08:15:00+02:00", "volume_mwh": 2.5, "price_usd": 110.25, "status": "CONFIRMED", "event_time": "2025-09-30T12:00:00.5Z"},
        {"trade_id": "T-2025-0016", "counterparty_lei": "HWUPKR0MPOU8FGXBT394", "product_code": "DE-15-0815", "delivery_start": "2025-10-01T08:15:00+02:00", "delivery_end": "2025-10-01T08:30:00+02:00", "volume_mwh": 2.5, "price_usd": 109.90, "status": "CONFIRMED", "event_time": "2025-09-30T12:00:00.75Z", "delivery_point": "10YDE-VE-------2"},
        "T-2025-0017",
        {"trade_id": "T-2025-0018", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "GB-BASE-M", "delivery_start": "2025-11-01T00:00:00Z", "delivery_end": "2025-12-01T00:00:00Z", "volume_mwh": 720, "price_usd": 81.30, "status": "CONFIRMED", "event_time": "2025-10-15T10:00:00Z", "currency": "GBP"},
        {"trade_id": "T-2025-0019", "counterparty_lei": "506700GE1G29325QX363", "product_code": "DE-BASE-Y", "delivery_start": "2026-01-01T00:00:00+01:00", "delivery_end": "2027-01-01T00:00:00+01:00", "volume_mwh": 8760, "price_usd": 84.00, "status": "PENDING", "event_time": "2025-11-03T14:20:00Z", "currency": "XEU"},
        {"trade_id": "T-2025-0020", "counterparty_lei": "HWUPKR0MPOU8FGXBT394", "product_code": "DE-BASE-Y", "delivery_start": "2026-01-01T00:00:00+01:00", "delivery_end": "2027-01-01T00:00:00+01:00", "volume_mwh": 8760, "price_usd": 83.95, "status": "CONFIRMED", "event_time": "2025-11-03T14:21:00Z"}
      ]
    }
    """#

let sink = InMemoryDeadLetterSink()
let reader = RecordReader<TradeRecord>()
var totalVolume = ExactDecimal.zero
var accepted: [String] = []

do {
    let bytes = Array(sampleFeed.utf8)
    let report = try bytes.withUnsafeBytes { raw in
        try reader.read(raw, source: "vendor-etrm-eu", batchID: "sample-1", deadLetters: sink) { index, trade in
            accepted.append(
                "  #\(index) \(trade.tradeID) \(trade.productCode) \(trade.volumeMWh) MWh @ \(trade.priceUSD)")
            totalVolume = try totalVolume.adding(trade.volumeMWh)
        }
    }

    print("etrm-pipeline: validating the built-in sample feed (\(bytes.count) bytes)")
    print("received:    \(report.received)")
    print("accepted:    \(report.accepted)  (total volume \(totalVolume) MWh, exact)")
    accepted.forEach { print($0) }
    print("quarantined: \(report.quarantined)")
    for letter in sink.letters {
        print("  #\(letter.recordIndex) sha256=\(letter.sha256.prefix(16))… (\(letter.rawBytes.count) bytes)")
        for issue in letter.issues {
            print("    \(issue.path) \(issue.code): \(issue.message)" + (issue.value.map { " [value: \($0)]" } ?? ""))
        }
    }
    let byCode = report.quarantinedByCode.sorted { $0.key.rawValue < $1.key.rawValue }
    print("quarantined by code: " + byCode.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    for issue in report.documentIssues { print("document: \(issue)") }
    print(
        "accounting: accepted + quarantined = received: \(report.accepted) + \(report.quarantined) = \(report.received)"
            + (report.isBalanced ? " ✓" : " ✗ MISMATCH"))
    if !report.isBalanced { exit(1) }
} catch {
    print("etrm-pipeline: the feed could not be read: \(error)")
    exit(1)
}
