import Foundation
import Testing

@testable import ETRMContracts

@Suite struct CodableTradeRecordTests {
    /// Trade records through `JSONDecoder` and through the fast reader: the same record or the same issues.
    @Test(arguments: [
        tradeJSON(),
        tradeJSON(["buy_sell": nil, "delivery_point": "null", "schema_version": nil]),
        tradeJSON(["volume_mwh": #""12.5""#]),
        tradeJSON(["volume_mwh": "0", "status": #""DONE""#, "trade_id": nil]),
        tradeJSON(["counterparty_lei": #""7LTWFZYICNSX8D621K87""#, "delivery_point": #""10YNL----------X""#]),
        tradeJSON(["delivery_start": #""2025-03-30T00:00:00""#, "event_time": #""2025-02-29T00:00:00Z""#]),
        tradeJSON(["delivery_end": #""2025-03-29T00:00:00Z""#]),
        tradeJSON(["price_usd": "1e400"]),
        tradeJSON(["price_usd": "-0.0000000000000000001"]),
        tradeJSON(["schema_version": "2.5", "currency": "[]", "unit": "{}"]),
        tradeJSON(["extra": #"{"nested": [1, 2, {"deep": null}]}"#]),
        "[]",
        "17",
    ])
    func codableAndTheFastReaderAgree(_ record: String) throws {
        let fast = try readBatch(TradeRecord.self, [record])
        do {
            let decoded = try JSONDecoder().decode(TradeRecord.self, from: Data(record.utf8))
            #expect(fast.accepted.map(\.1) == [decoded], "Codable accepted what the reader rejected")
        } catch let failure as ValidationFailure {
            let fastIssues = try #require(fast.rejected.first?.issues, "the reader accepted what Codable rejected")
            #expect(
                Set(failure.issues.map { "/trades/0\($0.path) \($0.code)" })
                    == Set(fastIssues.map { "\($0.path) \($0.code)" }))
        }
    }

    /// `Codable` encoding writes every wire key of the record and leaves out the optional fields it lacks.
    @Test(arguments: [
        ([String: String?](), [String]()),
        (["buy_sell": nil, "currency": "null", "schema_version": nil], ["buy_sell", "currency", "schema_version"]),
    ])
    func encodingWritesTheWireKeysAndOmitsAbsentOptionals(overrides: [String: String?], absent: [String]) throws {
        let wireKeys: Set<String> = [
            "trade_id", "counterparty_lei", "product_code", "delivery_start", "delivery_end", "volume_mwh",
            "price_usd", "status", "event_time", "buy_sell", "delivery_point", "currency", "unit", "action_type",
            "schema_version",
        ]
        let record = try JSONDecoder().decode(TradeRecord.self, from: Data(tradeJSON(overrides).utf8))
        let encoded = try JSONEncoder().encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(Set(object.keys) == wireKeys.subtracting(absent))
        #expect(try JSONDecoder().decode(TradeRecord.self, from: encoded) == record)
    }
}
