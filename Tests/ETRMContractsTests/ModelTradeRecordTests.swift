import Foundation
import Testing

@testable import ETRMContracts

@Suite struct ModelTradeRecordTests {
    @Test func aValidRecordIsReadExactly() throws {
        let result = try readBatch(TradeRecord.self, [tradeJSON()])
        let record = try #require(result.accepted.first?.1)
        #expect(record.tradeID == "T-2025-000001")
        #expect(record.counterpartyLEI == (try LEI("7LTWFZYICNSX8D621K86")))
        #expect(record.volumeMWh == (try ExactDecimal("12.5")))
        #expect(record.volumeMWh.scale == 3)
        #expect(record.priceUSD == (try ExactDecimal("-4.25")))
        // 2025-03-30 is Berlin's 23-hour day: +01:00 midnight to +02:00 midnight.
        #expect(record.delivery.duration == .seconds(23 * 3600))
        #expect(record.deliveryStart == (try UTCTimestamp(rfc3339: "2025-03-29T23:00:00Z")))
        #expect(record.eventTime == (try UTCTimestamp(rfc3339: "2025-03-29T10:15:30.123Z")))
        #expect(record.status == .confirmed)
        #expect(record.buySell == .buy)
        #expect(record.deliveryPoint == (try EIC("10Y1001A1001A82H")))
        #expect(record.currency == .EUR)
        #expect(record.unit == .MWh)
        #expect(record.actionType == .new)
        #expect(record.schemaVersion == 2)
        #expect(result.report.isBalanced && result.report.accepted == 1)
    }

    @Test func optionalFieldsMayBeAbsentOrNull() throws {
        let record = tradeJSON([
            "buy_sell": nil, "delivery_point": "null", "currency": nil, "unit": "null", "action_type": nil,
            "schema_version": "null",
        ])
        let result = try readBatch(TradeRecord.self, [record])
        let accepted = try #require(result.accepted.first?.1)
        #expect(accepted.buySell == nil && accepted.deliveryPoint == nil && accepted.schemaVersion == nil)
    }

    @Test(arguments: [
        ("trade_id", #""""#, "invalid_identifier"),
        ("trade_id", #""T 1""#, "invalid_identifier"),
        ("trade_id", "\"\(String(repeating: "x", count: 65))\"", "invalid_identifier"),
        ("trade_id", #""Tö""#, "invalid_identifier"),
        ("trade_id", "17", "wrong_type"),
        ("counterparty_lei", #""7LTWFZYICNSX8D621K87""#, "invalid_lei"),
        ("counterparty_lei", #""7ltwfzyicnsx8d621k86""#, "invalid_lei"),
        ("product_code", #""-DE""#, "invalid_identifier"),
        ("product_code", "\"\(String(repeating: "P", count: 33))\"", "invalid_identifier"),
        ("delivery_start", #""2025-03-30T00:00:00""#, "ambiguous_timezone"),
        ("delivery_start", #""2025-02-29T00:00:00Z""#, "invalid_timestamp"),
        ("delivery_end", #""2025-03-29T23:00:00Z""#, "end_before_start"),
        ("delivery_end", #""2025-03-29T22:00:00Z""#, "end_before_start"),
        ("volume_mwh", #""12.5""#, "wrong_type"),
        ("volume_mwh", "0", "out_of_range"),
        ("volume_mwh", "-1", "out_of_range"),
        ("volume_mwh", "1000000.001", "out_of_range"),
        ("volume_mwh", "1.0000000000000000001", "out_of_range"),
        ("price_usd", "-1000000.01", "out_of_range"),
        ("price_usd", "true", "wrong_type"),
        ("status", #""DONE""#, "invalid_value"),
        ("status", #""confirmed""#, "invalid_value"),
        ("event_time", #""2025-03-29 10:15:30Z""#, "invalid_timestamp"),
        ("event_time", "1743243330", "wrong_type"),
        ("buy_sell", #""buy""#, "invalid_value"),
        ("delivery_point", #""10YNL----------X""#, "invalid_eic"),
        ("currency", #""XYZ""#, "invalid_value"),
        ("unit", #""furlong""#, "invalid_value"),
        ("action_type", #""X""#, "invalid_value"),
        ("schema_version", "0", "out_of_range"),
        ("schema_version", "1.5", "wrong_type"),
        ("schema_version", #""2""#, "wrong_type"),
    ])
    func eachRuleHasItsCode(_ field: String, _ value: String, _ code: String) throws {
        let result = try readBatch(TradeRecord.self, [tradeJSON([field: value])])
        let rejected = try #require(result.rejected.first)
        #expect(rejected.issues.map(\.code.rawValue) == [code])
        #expect(rejected.issues.map(\.path) == ["/trades/0/\(field)"])
        #expect(result.report.quarantinedByCode == [ValidationIssue.Code(code): 1])
    }

    @Test(arguments: [
        "trade_id", "counterparty_lei", "product_code", "delivery_start", "delivery_end", "volume_mwh", "price_usd",
        "status", "event_time",
    ])
    func requiredFieldsAreMissingWhenAbsentOrNull(_ field: String) throws {
        for override in [nil, "null"] as [String?] {
            let result = try readBatch(TradeRecord.self, [tradeJSON([field: override])])
            let rejected = try #require(result.rejected.first)
            #expect(rejected.issues.map(\.code) == [.missingField])
            #expect(rejected.issues.map(\.path) == ["/trades/0/\(field)"])
        }
    }

    @Test func everyIssueOfOneRecordIsReportedTogether() throws {
        let record = tradeJSON([
            "trade_id": nil, "counterparty_lei": #""XX""#, "volume_mwh": #""12.5""#,
            "delivery_end": #""2020-01-01T00:00:00Z""#,
            "status": #""NOPE""#, "currency": "1",
        ])
        let result = try readBatch(TradeRecord.self, [tradeJSON(), record, tradeJSON()])
        #expect(result.accepted.map(\.0) == [0, 2])
        let rejected = try #require(result.rejected.first)
        #expect(rejected.index == 1)
        #expect(
            Set(rejected.issues.map { "\($0.path) \($0.code.rawValue)" }) == [
                "/trades/1/counterparty_lei invalid_lei", "/trades/1/volume_mwh wrong_type",
                "/trades/1/status invalid_value", "/trades/1/currency wrong_type", "/trades/1/trade_id missing_field",
                "/trades/1/delivery_end end_before_start",
            ])
        #expect(rejected.rawBytes == Array(record.utf8))
        let lei = try #require(rejected.issues.first { $0.code == .invalidLEI })
        #expect(lei.value == "XX")
    }

    @Test func theValidatingInitialiserReportsEveryIssue() throws {
        let delivery = try DeliveryPeriod(
            start: UTCTimestamp(rfc3339: "2025-01-01T00:00:00Z"), end: UTCTimestamp(rfc3339: "2025-01-02T00:00:00Z"))
        let lei = try LEI("506700GE1G29325QX363")
        let now = try UTCTimestamp(rfc3339: "2025-01-01T00:00:00Z")
        #expect(
            throws: ValidationFailure(issues: [
                ValidationIssue(
                    path: "/trade_id", code: .invalidIdentifier,
                    message: "must be 1 to 64 printable ASCII characters, no spaces", value: "bad id"),
                ValidationIssue(
                    path: "/volume_mwh", code: .outOfRange, message: "must be greater than 0", value: "0"),
                ValidationIssue(
                    path: "/schema_version", code: .outOfRange, message: "must be between 1 and 1000", value: "0"),
            ])
        ) {
            try TradeRecord(
                tradeID: "bad id", counterpartyLEI: lei, productCode: "DE-BASE", delivery: delivery,
                volumeMWh: .zero, priceUSD: ExactDecimal(50), status: .confirmed, eventTime: now, schemaVersion: 0)
        }
        let record = try TradeRecord(
            tradeID: "T1", counterpartyLEI: lei, productCode: "DE-BASE", delivery: delivery,
            volumeMWh: ExactDecimal(1), priceUSD: ExactDecimal(50), status: .confirmed, eventTime: now)
        #expect(record.tradeID == "T1")
    }

    @Test func codableRoundTripsAndUsesWireKeys() throws {
        let record = try #require(try readBatch(TradeRecord.self, [tradeJSON()]).accepted.first?.1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(record)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""counterparty_lei":"7LTWFZYICNSX8D621K86""#))
        #expect(text.contains(#""volume_mwh":12.5"#))
        #expect(text.contains(#""delivery_start":"2025-03-29T23:00:00Z""#))
        #expect(try JSONDecoder().decode(TradeRecord.self, from: data) == record)
        // And the re-encoded bytes pass the fast reader too.
        #expect(try readBatch(TradeRecord.self, [text]).accepted.first?.1 == record)
    }
}
