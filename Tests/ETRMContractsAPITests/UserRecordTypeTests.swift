import ETRMContracts
import Foundation
import Testing

/// A record type declared outside the package, on its public API: read, quarantined and exported like the
/// package's own models, with the same issue paths and codes.
@Suite struct UserRecordTypeTests {
    static let valid =
        #"{"nomination_id":"N-1","shipper_lei":"7LTWFZYICNSX8D621K86","point_eic":"10YNL----------L","#
        + #""direction":"ENTRY","flow_start":"2025-03-01T06:00:00+01:00","flow_end":"2025-03-02T06:00:00+01:00","#
        + #""energy_kwh":1250000.5,"revision":3}"#

    /// One element per line of the document, and the issues (path, code) each bad one must get.
    static let elements: [(text: String, issues: [String])] = [
        (valid, []),
        (
            #"{"direction":"OUT","nomination_id":"N\u002D2","shipper_lei":"506700GE1G29325QX363","#
                + #""point_eic":"10Y1001A1001A82H","flow_start":"2025-03-01T05:00:00Z","#
                + #""flow_end":"2025-03-01T06:00:00Z","energy_kwh":42,"note":"desk/7","extra":[1,{"a":null}]}"#, []
        ),
        (
            valid.replacingOccurrences(of: "1250000.5", with: "0")
                .replacingOccurrences(of: "7LTWFZYICNSX8D621K86", with: "7LTWFZYICNSX8D621K87"),
            ["/nominations/2/shipper_lei invalid_lei", "/nominations/2/energy_kwh out_of_range"]
        ),
        (
            valid.replacingOccurrences(of: "ENTRY", with: "SIDEWAYS")
                .replacingOccurrences(of: "2025-03-02T06", with: "2025-02-28T06"),
            ["/nominations/3/direction invalid_value", "/nominations/3/flow_end end_before_start"]
        ),
        (
            valid.replacingOccurrences(of: #""point_eic":"10YNL----------L","#, with: "")
                .replacingOccurrences(of: "1250000.5", with: #""12""#)
                .replacingOccurrences(of: #""revision":3"#, with: #""revision":1000,"note":null"#),
            [
                "/nominations/4/energy_kwh wrong_type", "/nominations/4/revision out_of_range",
                "/nominations/4/point_eic missing_field",
            ]
        ),
        (
            valid.replacingOccurrences(of: #""revision":3"#, with: #""nomination_id":"N-9","revision":2.5"#)
                .replacingOccurrences(of: "N-1", with: "n-1"),
            [
                "/nominations/5/nomination_id invalid_identifier", "/nominations/5/nomination_id duplicate_key",
                "/nominations/5/revision wrong_type",
            ]
        ),
        (
            valid.replacingOccurrences(of: "1250000.5", with: "0.000000000000000001"),
            ["/nominations/6/energy_kwh out_of_range"]
        ),
        ("42", ["/nominations/7 not_an_object"]),
    ]

    static var document: [UInt8] {
        Array(("{\"nominations\": [\n" + elements.map(\.text).joined(separator: ",\n") + "\n]}").utf8)
    }

    @Test func aUserDeclaredTypeIsReadNormalisedAndQuarantined() throws {
        let sink = InMemoryDeadLetterSink()
        let stamp = try UTCTimestamp(rfc3339: "2025-03-01T00:00:00Z")
        let batch = try RecordReader<GasNomination>().readAll(
            Self.document, source: "tso", batchID: "b1", deadLetters: sink, quarantinedAt: stamp)

        #expect(batch.records.map(\.index) == [0, 1])
        let first = try #require(batch.records.first?.record)
        #expect(first.id == "N-1")
        #expect(first.shipper == (try LEI("7LTWFZYICNSX8D621K86")))
        #expect(first.point == (try EIC("10YNL----------L")))
        #expect(first.direction == .entry)
        #expect(first.flow.start == (try UTCTimestamp(rfc3339: "2025-03-01T05:00:00Z")))
        #expect(first.energyMWh == (try ExactDecimal("1250.0005")))
        #expect(first.energyMWh.scale == 4)
        #expect(first.revision == 3)
        #expect(first.note == nil)
        let second = batch.records[1].record
        #expect(second.id == "N-2")
        #expect(second.direction == .exit)
        #expect(second.energyMWh == (try ExactDecimal("0.042")))
        #expect(second.revision == nil)
        #expect(second.note == "desk/7")

        #expect(batch.report.received == 8)
        #expect(batch.report.accepted == 2)
        #expect(batch.report.quarantined == 6)
        let letters = sink.letters
        #expect(letters.map(\.recordIndex) == [2, 3, 4, 5, 6, 7])
        for letter in letters {
            let expected = Self.elements[letter.recordIndex]
            #expect(letter.issues.map { "\($0.path) \($0.code)" } == expected.issues, "record \(letter.recordIndex)")
            #expect(String(decoding: letter.rawBytes, as: UTF8.self) == expected.text)
            #expect(letter.sourceName == "tso" && letter.batchID == "b1" && letter.quarantinedAt == stamp)
        }
        let endIssue = try #require(letters[1].issues.last)
        #expect(endIssue.value == "2025-03-01T05:00:00Z/2025-02-28T05:00:00Z")
    }

    @Test func unknownFieldsAreRejectedOnRequest() throws {
        let reader = RecordReader<GasNomination>(configuration: .init(unknownFields: .reject))
        let bytes = Array(Self.valid.replacingOccurrences(of: "{", with: #"{"extra":1,"#).utf8)
        #expect(throws: ValidationFailure.self) { try reader.decode(bytes, path: "/body") }
        do {
            _ = try reader.decode(bytes, path: "/body")
        } catch {
            #expect(error.issues.map { "\($0.path) \($0.code)" } == ["/body/extra unknown_field"])
        }
        #expect((try RecordReader<GasNomination>().decode(bytes)).id == "N-1")
    }

    @Test func theJSONSchemaComesFromTheDeclaration() throws {
        #expect(JSONSchemaExport.fileName(for: GasNomination.self) == "gas_nomination.schema.json")
        let text = JSONSchemaExport.schema(for: GasNomination.self)
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(schema["title"] as? String == "GasNomination")
        #expect(
            schema["required"] as? [String] == [
                "nomination_id", "shipper_lei", "point_eic", "direction", "flow_start", "flow_end", "energy_kwh",
            ])
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        #expect(properties.count == 9)
        #expect(properties["direction"]?["enum"] as? [String?] == ["ENTRY", "EXIT", "IN", "OUT"])
        #expect(properties["shipper_lei"]?["pattern"] as? String == "^[0-9A-Z]{18}[0-9]{2}$")
        #expect(properties["nomination_id"]?["pattern"] as? String == "^[A-Z][A-Z0-9\\-]{0,19}$")
        #expect(properties["energy_kwh"]?["exclusiveMinimum"] as? Int == 0)
        #expect(properties["revision"]?["type"] as? [String] == ["integer", "null"])
        #expect((schema["$comment"] as? String)?.contains("flow_end is after flow_start") == true)
    }
}
