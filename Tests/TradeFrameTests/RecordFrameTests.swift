import ETRMContracts
import Testing

@testable import TradeFrame

@Suite struct RecordFrameTests {
    static func trade(
        _ id: Int, product: String = "DE-BASE-M", volume: String = "12.500", price: String = "-4.25"
    )
        -> String
    {
        """
        {"trade_id": "T-\(id)", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "\(product)",
         "delivery_start": "2025-03-30T00:00:00+01:00", "delivery_end": "2025-03-31T00:00:00+02:00",
         "volume_mwh": \(volume), "price_usd": \(price), "status": "CONFIRMED",
         "event_time": "2025-03-29T10:15:30.123Z", "buy_sell": "BUY", "currency": "EUR"}
        """
    }

    static func document(_ records: [String]) -> [UInt8] {
        Array(("{\"trades\": [" + records.joined(separator: ",\n") + "]}").utf8)
    }

    @Test func framesFromJSONInBoundedChunks() throws {
        let records = (0..<25).map { Self.trade($0, product: $0 % 3 == 0 ? "DE-PEAK-M" : "DE-BASE-M") }
        let bad = #"{"trade_id": "T-bad", "volume_mwh": "12"}"#
        let sink = InMemoryDeadLetterSink()
        var chunks: [TradeFrame] = []
        let report = try TradeFrame.readTrades(
            json: Self.document(records + [bad]), deadLetters: sink, source: "feed", batchID: "b1",
            quarantinedAt: UTCTimestamp(nanosecondsSinceEpoch: 0), chunkRows: 10
        ) { chunks.append($0) }
        #expect(chunks.map(\.rowCount) == [10, 10, 5])
        #expect(report.received == 26 && report.accepted == 25 && report.quarantined == 1)
        #expect(sink.letters.map(\.rawBytes) == [Array(bad.utf8)])
        let frame = try TradeFrame.concatenating(chunks)
        #expect(frame.columnNames.first == "trade_id")
        #expect(frame["trade_id", as: StringColumn.self]?[24] == "T-24")
        #expect(frame["product_code", as: CategoricalColumn.self]?.cardinality == 2)
        let volumes = try frame.column("volume_mwh", as: DecimalColumn.self)
        #expect(volumes.exactSum().description == "312.500000")
        #expect(frame["delivery_start"]?.text(at: 0) == "2025-03-29T23:00:00Z")
        #expect(frame["currency", as: CategoricalColumn.self]?[0] == "EUR")
    }

    @Test func recordsTooPreciseForTheColumnGoToDeadLetters() throws {
        var configuration = TradeRecordFrameBuilder.Configuration()
        configuration.volumeScale = 2
        let sink = InMemoryDeadLetterSink()
        var rows = 0
        let report = try TradeFrame.readTrades(
            json: Self.document([Self.trade(1), Self.trade(2, volume: "1.125")]), configuration: configuration,
            deadLetters: sink, quarantinedAt: UTCTimestamp(nanosecondsSinceEpoch: 0)
        ) { rows += $0.rowCount }
        #expect(rows == 1)
        #expect(report.accepted == 1 && report.quarantined == 1 && report.isBalanced)
        #expect(sink.letters.first?.issues.first?.path == "/volume_mwh")
    }

    @Test func framesFromRecords() throws {
        var records: [TradeRecord] = []
        _ = try RecordReader<TradeRecord>().read(
            Self.document([Self.trade(1), Self.trade(2, price: "50.125")]), onRecord: { records.append($1) },
            onRejected: { _ in })
        let frame = try TradeFrame(records: records)
        #expect(frame.rowCount == 2)
        #expect(frame["price_usd"]?.text(at: 1) == "50.125000")
        #expect(frame["status", as: CategoricalColumn.self]?.values == ["CONFIRMED", "CONFIRMED"])
        var tight = TradeRecordFrameBuilder.Configuration()
        tight.priceScale = 2
        let error = #expect(throws: TradeFrameError.self) { try TradeFrame(records: records, configuration: tight) }
        #expect(error?.column == "price_usd")
        #expect(error?.code == .inexact)
    }

    @Test func categoricalBuilderMatchesEncoding() {
        var builder = CategoricalColumnBuilder()
        for value in ["a", nil, "b", "a"] as [String?] { builder.append(value) }
        let column = builder.finish()
        #expect(column.values == ["a", nil, "b", "a"])
        #expect(column.cardinality == 2)
    }
}
