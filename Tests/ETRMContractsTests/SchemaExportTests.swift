import ETRMShared
import Foundation
import Testing

@testable import ETRMContracts

/// The repository root, found from this file's path.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func verdict<Record: ValidatedRecord>(_ type: Record.Type, _ bytes: [UInt8]) -> (Bool, [ValidationIssue]) {
    let verdict = RecordVerdict<Record>(jsonRecord: bytes)
    return (verdict.isAccepted, verdict.issues)
}

@Suite struct SchemaExportTests {
    @Test(arguments: [
        (JSONSchemaExport.fileName(for: TradeRecord.self), JSONSchemaExport.schema(for: TradeRecord.self)),
        (
            JSONSchemaExport.fileName(for: SettlementInstruction.self),
            JSONSchemaExport.schema(for: SettlementInstruction.self)
        ),
        (JSONSchemaExport.fileName(for: Order.self), JSONSchemaExport.schema(for: Order.self)),
    ])
    func committedSchemasAreCurrent(_ fileName: String, _ generated: String) throws {
        let url = repositoryRoot.appendingPathComponent("schemas").appendingPathComponent(fileName)
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == generated, "schemas/\(fileName) is stale: run `swift run etrm-schema write`")
    }

    @Test func theTradeSchemaStatesTheRulesTheValidatorRuns() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(JSONSchemaExport.schema(for: TradeRecord.self).utf8))
        let root = try #require(schema as? [String: Any])
        #expect(root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let required = try #require(root["required"] as? [String])
        #expect(required == TradeRecord.recordSchema.fields.filter(\.required).map(\.name))
        #expect(
            Set(required) == [
                "trade_id", "counterparty_lei", "product_code", "delivery_start", "delivery_end", "volume_mwh",
                "price_usd",
                "status", "event_time",
            ])
        let properties = try #require(root["properties"] as? [String: [String: Any]])
        #expect(properties["volume_mwh"]?["type"] as? String == "number")
        #expect(properties["volume_mwh"]?["exclusiveMinimum"] as? Int == 0)
        #expect(properties["volume_mwh"]?["maximum"] as? Int == 1_000_000)
        #expect(properties["status"]?["enum"] as? [String] == ["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"])
        #expect(properties["buy_sell"]?["type"] as? [String] == ["string", "null"])
        let sides = try #require(properties["buy_sell"]?["enum"] as? [Any])
        #expect(sides.compactMap { $0 as? String } == ["BUY", "SELL", "B", "S"])
        #expect(sides.count == 5 && sides.last is NSNull)
        #expect(properties["trade_id"]?["pattern"] as? String == "^[!-~][!-~]{0,63}$")
        #expect(properties["product_code"]?["pattern"] as? String == "^[0-9A-Za-z][0-9A-Za-z_.:\\/\\-]{0,31}$")
        #expect((root["$comment"] as? String)?.contains("ISO 7064") == true)
    }

    /// The comment on every decimal field names the bound the parser applies: 19 significant digits are
    /// accepted up to `Int64.max`, so "at most 18 significant digits" would be false.
    @Test func theDecimalCommentStatesTheBoundTheParserApplies() throws {
        let largest = String(Int64.max)
        #expect(try ExactDecimal(largest).description == largest)
        #expect(throws: ValidationIssue.self) { try ExactDecimal("9223372036854775808") }
        let schema = try JSONSerialization.jsonObject(with: Data(JSONSchemaExport.schema(for: TradeRecord.self).utf8))
        let properties = try #require((schema as? [String: Any])?["properties"] as? [String: [String: Any]])
        for field in ["volume_mwh", "price_usd"] {
            let comment = try #require(properties[field]?["$comment"] as? String)
            #expect(comment.contains(largest) && !comment.contains("18 significant digits and"), "\(field)")
        }
        do {
            _ = try ExactDecimal("9223372036854775808")
        } catch {
            #expect(error.message.contains(largest))
        }
    }

    /// The examples CI also runs through Python's jsonschema: here, Swift's verdict must match each name.
    @Test func exampleNamesMatchTheSwiftVerdict() throws {
        let examples = repositoryRoot.appendingPathComponent("schemas/examples")
        var checked = 0
        for (folder, check) in [
            ("trade_record", { verdict(TradeRecord.self, $0) }),
            ("settlement_instruction", { verdict(SettlementInstruction.self, $0) }),
            ("order", { verdict(Order.self, $0) }),
        ] as [(String, ([UInt8]) -> (Bool, [ValidationIssue]))] {
            let directory = examples.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where name.hasSuffix(".json") {
                let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
                let (accepted, issues) = check(bytes)
                #expect(accepted == name.hasPrefix("valid-"), "\(folder)/\(name): \(issues)")
                checked += 1
            }
        }
        #expect(checked >= 40)
    }

    @Test func textRulePatternsAgreeWithTheirChecks() {
        // Every ASCII byte: the rule's verdict and the pattern's character class must agree.
        for rule in [TextRule.recordID, TextRule.productCode] {
            let pattern = rule.pattern
            for byte in UInt8(0)...UInt8(127) {
                let value = [UInt8(ascii: "A"), byte]
                let accepted = value.withUnsafeBufferPointer { rule.accepts($0) }
                let regex = try? Regex(pattern)
                let text = String(decoding: value, as: UTF8.self)
                let matched = (try? regex?.wholeMatch(in: text)) != nil
                #expect(accepted == matched, "byte \(byte) under \(pattern)")
            }
        }
    }
}
