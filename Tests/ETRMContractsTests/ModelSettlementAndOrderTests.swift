import Foundation
import Testing

@testable import ETRMContracts

private let settlement =
    #"{"settlement_run_id": "SR2025060100000A", "contract_id": "DE-BASE:2025-06", "position_mwh": -2500.125, "settlement_price": 87.35, "timestamp_utc": "2025-06-01T14:00:00+02:00"}"#

private func order(_ replacing: String = "", with replacement: String = "") -> String {
    let text =
        #"{"order_id": "O-778812", "participant_lei": "506700GE1G29325QX363", "side": "BUY", "product": "DE-15-0800", "market_area": "10Y1001A1001A82H", "delivery_start": "2025-10-01T08:00:00+02:00", "delivery_end": "2025-10-01T08:15:00+02:00", "quantity_mwh": 2.5, "limit_price": 110.25, "submitted_at": "2025-09-30T11:59:58.5Z", "version": 3}"#
    return replacing.isEmpty ? text : text.replacingOccurrences(of: replacing, with: replacement)
}

@Suite struct ModelSettlementAndOrderTests {
    @Test func aSettlementInstructionIsReadExactly() throws {
        let result = try readBatch(SettlementInstruction.self, [settlement])
        let instruction = try #require(result.accepted.first?.1)
        #expect(instruction.settlementRunID == (try SettlementRunID("SR2025060100000A")))
        #expect(instruction.contractID == (try ContractID("DE-BASE:2025-06")))
        #expect(instruction.positionMWh == (try ExactDecimal("-2500.125")))
        #expect(instruction.timestamp == (try UTCTimestamp(rfc3339: "2025-06-01T12:00:00Z")))
    }

    @Test(arguments: [
        (#""position_mwh": -2500.125"#, #""position_mwh": 100000.001"#, "/position_mwh", "out_of_range"),
        (#""position_mwh": -2500.125"#, #""position_mwh": -100000.5"#, "/position_mwh", "out_of_range"),
        (#""settlement_price": 87.35"#, #""settlement_price": 0"#, "/settlement_price", "out_of_range"),
        (#""settlement_price": 87.35"#, #""settlement_price": "87.35""#, "/settlement_price", "wrong_type"),
        (#""SR2025060100000A""#, #""sr2025060100000a""#, "/settlement_run_id", "invalid_identifier"),
        (#""DE-BASE:2025-06""#, #""C-1""#, "/contract_id", "invalid_identifier"),
        (#""2025-06-01T14:00:00+02:00""#, #""2025-06-01T14:00:00""#, "/timestamp_utc", "ambiguous_timezone"),
    ])
    func settlementRules(_ original: String, _ replacement: String, _ path: String, _ code: String) throws {
        let record = settlement.replacingOccurrences(of: original, with: replacement)
        #expect(record != settlement)
        let result = try readBatch(SettlementInstruction.self, [record])
        let rejected = try #require(result.rejected.first)
        #expect(rejected.issues.map { "\($0.path) \($0.code)" } == ["/settlements/0\(path) \(code)"])
    }

    @Test func positionLimitsAreInclusive() throws {
        for position in ["100000", "-100000", "0"] {
            let record = settlement.replacingOccurrences(of: "-2500.125", with: position)
            #expect(try readBatch(SettlementInstruction.self, [record]).accepted.count == 1)
        }
    }

    @Test func settlementValidatingInitialiserReportsBothLimits() throws {
        let failure = try #require(throws: ValidationFailure.self) {
            try SettlementInstruction(
                settlementRunID: SettlementRunID("SR2025060100000A"), contractID: ContractID("CONTRACT-1"),
                positionMWh: ExactDecimal("200000"), settlementPrice: ExactDecimal("-1"),
                timestamp: UTCTimestamp(rfc3339: "2025-06-01T12:00:00Z"))
        }
        #expect(failure.issues.map(\.path) == ["/position_mwh", "/settlement_price"])
    }

    @Test func limitAndMarketOrders() throws {
        let result = try readBatch(
            Order.self,
            [
                order(), order(#""limit_price": 110.25, "#, with: ""),
                order(#""limit_price": 110.25"#, with: #""limit_price": null"#),
            ])
        #expect(result.accepted.count == 3)
        #expect(result.accepted[0].1.limitPrice == (try ExactDecimal("110.25")))
        #expect(!result.accepted[0].1.isMarketOrder)
        #expect(result.accepted[1].1.isMarketOrder && result.accepted[2].1.isMarketOrder)
        #expect(result.accepted[0].1.delivery.duration == .seconds(900))
        #expect(result.accepted[0].1.version == 3)
    }

    @Test(arguments: [
        (#""side": "BUY""#, #""side": "buy""#, "/side", "invalid_value"),
        (#""quantity_mwh": 2.5"#, #""quantity_mwh": -1"#, "/quantity_mwh", "out_of_range"),
        (#""version": 3"#, #""version": 0"#, "/version", "out_of_range"),
        (#""version": 3"#, #""version": "3""#, "/version", "wrong_type"),
        (#""market_area": "10Y1001A1001A82H", "#, "", "/market_area", "missing_field"),
        (#""10Y1001A1001A82H""#, #""10Y1001A1001A82J""#, "/market_area", "invalid_eic"),
        (#""506700GE1G29325QX363""#, #""506700GE1G29325QX364""#, "/participant_lei", "invalid_lei"),
        (#""2025-10-01T08:15:00+02:00""#, #""2025-10-01T08:00:00+02:00""#, "/delivery_end", "end_before_start"),
        (#""limit_price": 110.25"#, #""limit_price": "110.25""#, "/limit_price", "wrong_type"),
    ])
    func orderRules(_ original: String, _ replacement: String, _ path: String, _ code: String) throws {
        let record = order(original, with: replacement)
        #expect(record != order())
        let rejected = try #require(try readBatch(Order.self, [record]).rejected.first)
        #expect(rejected.issues.map { "\($0.path) \($0.code)" } == ["/orders/0\(path) \(code)"])
    }

    @Test func ordersRejectUnknownFieldsUnderTheStrictPolicy() throws {
        let record = order(#""version": 3"#, with: #""version": 3, "iceberg": true"#)
        #expect(try readBatch(Order.self, [record]).accepted.count == 1)
        let strict = try readBatch(Order.self, [record], configuration: .init(unknownFields: .reject))
        #expect(strict.rejected.first?.issues.map(\.code) == [.unknownField])
    }

    @Test func codableAgreesWithTheReaderOnOrdersAndSettlements() throws {
        let decoder = JSONDecoder()
        let viaCodable = try decoder.decode(Order.self, from: Data(order().utf8))
        #expect(try readBatch(Order.self, [order()]).accepted.first?.1 == viaCodable)
        let encoded = String(decoding: try JSONEncoder().encode(viaCodable), as: UTF8.self)
        #expect(try readBatch(Order.self, [encoded]).accepted.first?.1 == viaCodable)
        let instruction = try decoder.decode(SettlementInstruction.self, from: Data(settlement.utf8))
        #expect(try readBatch(SettlementInstruction.self, [settlement]).accepted.first?.1 == instruction)
        #expect(throws: ValidationFailure.self) {
            try decoder.decode(Order.self, from: Data(order(#""side": "BUY""#, with: #""side": 1"#).utf8))
        }
    }
}
