import Foundation
import Testing

@testable import ETRMContracts

/// The exported schemas must mean the same in every regex dialect. ICU (`NSRegularExpression`), like Python's
/// `re`, Java and PCRE, lets `$` match before a final line terminator; ECMA-262 does not. A value that ends in
/// one must be refused by the schema as the Swift validator refuses it.
@Suite struct SchemaPatternTests {
    /// Whether `value` passes the string keywords of `property` (`pattern` and `not.pattern`), as a validator
    /// whose `$` is ICU's reads them.
    static func passes(_ value: String, _ property: [String: Any]) throws -> Bool {
        func matches(_ pattern: String) throws -> Bool {
            let regex = try NSRegularExpression(pattern: pattern)
            return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
        if let pattern = property["pattern"] as? String, try !matches(pattern) { return false }
        if let not = property["not"] as? [String: Any], not["type"] as? String == "string",
            let pattern = not["pattern"] as? String, try matches(pattern)
        {
            return false
        }
        return true
    }

    static let models: [(String, String, [String: String])] = [
        (
            JSONSchemaExport.schema(for: TradeRecord.self), "trade_record",
            [
                "trade_id": "T-1", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "DE-BASE-M",
                "delivery_start": "2025-03-30T00:00:00+01:00", "delivery_end": "2025-03-31T00:00:00Z",
                "event_time": "2025-03-29T10:15:30.123Z", "delivery_point": "10Y1001A1001A82H",
            ]
        ),
        (
            JSONSchemaExport.schema(for: SettlementInstruction.self), "settlement_instruction",
            [
                "settlement_run_id": "SR2025060100000A", "contract_id": "DE-BASE:2025-06",
                "timestamp_utc": "2025-06-01T12:00:00Z",
            ]
        ),
        (
            JSONSchemaExport.schema(for: Order.self), "order",
            [
                "order_id": "O-778812", "participant_lei": "506700GE1G29325QX363", "product": "DE-15-0800",
                "market_area": "10Y1001A1001A82H", "submitted_at": "2025-09-30T11:59:58.5Z",
            ]
        ),
    ]

    @Test(arguments: ["\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}"])
    func aPatternedValueEndingInALineTerminatorIsRefused(terminator: String) throws {
        var checked = 0
        for (schema, name, valid) in Self.models {
            let root = try #require(try JSONSerialization.jsonObject(with: Data(schema.utf8)) as? [String: Any])
            let properties = try #require(root["properties"] as? [String: [String: Any]])
            for (field, property) in properties where property["pattern"] != nil {
                guard let value = valid[field] else { continue }
                #expect(try Self.passes(value, property), "\(name).\(field) must accept \(value)")
                #expect(
                    try !Self.passes(value + terminator, property),
                    "\(name).\(field) accepts \(value.debugDescription) + \(terminator.debugDescription)")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }
}
