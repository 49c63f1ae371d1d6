import ETRMContracts
import Foundation
import SettlementService
import Testing

@Suite("The OpenAPI contract")
struct SettlementContractTests {
    @Test func committedDocumentIsTheGeneratedOne() throws {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.json")
        let text = try String(contentsOf: committed, encoding: .utf8)
        #expect(text == SettlementOpenAPI.document, "regenerate: swift run settlement-service openapi > openapi.json")
    }

    @Test func requestExampleIsAValidInstruction() {
        let verdict = RecordVerdict<SettlementInstruction>(jsonRecord: Array(SettlementOpenAPI.exampleInstruction.utf8))
        #expect(verdict.isAccepted, "\(verdict.issues)")
    }

    @Test func instructionSchemaIsTheExportedJSONSchema() throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(SettlementOpenAPI.document.utf8)) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let inDocument = try #require(schemas?["SettlementInstruction"] as? [String: Any])
        var exported = try #require(
            try JSONSerialization.jsonObject(
                with: Data(JSONSchemaExport.schema(for: SettlementInstruction.self).utf8)) as? [String: Any])
        exported["$schema"] = nil
        exported["$id"] = nil
        #expect(NSDictionary(dictionary: inDocument).isEqual(to: exported))
    }

    @Test func everyStatusOfTheFlowIsDocumentedWithItsBody() throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(SettlementOpenAPI.document.utf8)) as? [String: Any])
        let operation = ((document["paths"] as? [String: Any])?["/v1/settlements/sync"] as? [String: Any])?["post"]
        let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any])
        #expect(Set(responses.keys) == ["201", "400", "401", "403", "409", "413", "422", "429", "502", "503"])
        for (status, response) in responses where status != "201" {
            let content = (response as? [String: Any])?["content"] as? [String: Any]
            #expect(content?["application/problem+json"] != nil, "\(status) has no problem body")
        }
    }
}
