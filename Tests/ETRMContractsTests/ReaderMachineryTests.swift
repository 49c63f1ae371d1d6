import ETRMShared
import Testing

@testable import ETRMContracts

@Suite struct ReaderMachineryTests {
    @Test func acceptsValidRecordsWithTheirIndex() throws {
        let outcome = try scanWidgets(
            #"{"widgets": [{"id": "a", "quantity": 1.50}, {"quantity": 2, "id": "b", "count": 3}]}"#)
        #expect(outcome.acceptedIndices == [0, 1])
        #expect(outcome.accepted[0].record == Widget(id: "a", quantity: try ExactDecimal("1.50"), count: nil))
        #expect(outcome.accepted[1].record.count == 3)
        #expect(outcome.received == 2)
        #expect(outcome.documentIssues.isEmpty)
    }

    @Test func reportsEveryIssueOfARecordWithItsPath() throws {
        let outcome = try scanWidgets(#"{"widgets": [{"id": "bad id", "quantity": -1, "count": 11}]}"#)
        #expect(outcome.codes(0) == ["invalid_identifier", "out_of_range", "out_of_range"])
        #expect(outcome.paths(0) == ["/widgets/0/id", "/widgets/0/quantity", "/widgets/0/count"])
        let issue = try #require(outcome.rejected.first?.issues.first)
        #expect(issue.value == "bad id")
    }

    @Test func nullCountsAsMissingAndMissingIsReported() throws {
        let outcome = try scanWidgets(
            #"{"widgets": [{"id": null, "count": null}, {"id": "x", "quantity": 1, "count": null}]}"#)
        #expect(outcome.codes(0) == ["missing_field", "missing_field"])
        #expect(outcome.paths(0) == ["/widgets/0/id", "/widgets/0/quantity"])
        #expect(outcome.acceptedIndices == [1])
        #expect(outcome.accepted[0].record.count == nil)
    }

    @Test(arguments: [
        (#""12.5""#, "wrong_type"), ("true", "wrong_type"), ("[1]", "wrong_type"), (#"{"v": 1}"#, "wrong_type"),
        ("0", "out_of_range"), ("1e-19", "out_of_range"), ("12345678901234567890", "out_of_range"),
    ])
    func quantityMustBeAPositiveJSONNumber(_ value: String, _ code: String) throws {
        let outcome = try scanWidgets(#"{"widgets": [{"id": "a", "quantity": \#(value)}]}"#)
        #expect(outcome.codes(0) == [code])
        #expect(outcome.rejected.first?.issues.first?.value == value)
    }

    @Test func integersAcceptAZeroFractionLikeJSONSchema() throws {
        let outcome = try scanWidgets(
            #"{"widgets": [{"id": "a", "quantity": 1, "count": 2.0}, {"id": "b", "quantity": 1, "count": 2.5}]}"#)
        #expect(outcome.acceptedIndices == [0])
        #expect(outcome.accepted[0].record.count == 2)
        #expect(outcome.codes(1) == ["wrong_type"])
    }

    @Test func duplicateKeysAreRejectedKnownOrUnknown() throws {
        let outcome = try scanWidgets(
            #"{"widgets": [{"id": "a", "quantity": 1, "id": "b"}, {"id": "a", "quantity": 1, "x": 1, "\u0078": 2}, {"id": "a", "quantity": 1, "n": {"k": 1, "k": 2}}]}"#
        )
        #expect(outcome.codes(0) == ["duplicate_key"])
        #expect(outcome.paths(0) == ["/widgets/0/id"])
        #expect(outcome.codes(1) == ["duplicate_key"])
        #expect(outcome.paths(1) == ["/widgets/1/x"])
        #expect(outcome.codes(2) == ["duplicate_key"])
        #expect(outcome.paths(2) == ["/widgets/2"])
    }

    @Test func unknownFieldsAreIgnoredByDefaultAndRejectedOnRequest() throws {
        let document = #"{"widgets": [{"id": "a", "quantity": 1, "colour": "red", "a/b~c": {"deep": [1, 2]}}]}"#
        #expect(try scanWidgets(document).acceptedIndices == [0])
        let strict = try scanWidgets(document, configuration: .init(unknownFields: .reject))
        #expect(strict.codes(0) == ["unknown_field", "unknown_field"])
        #expect(strict.paths(0) == ["/widgets/0/colour", "/widgets/0/a~1b~0c"])
    }

    @Test func elementsThatAreNotObjectsAreQuarantinedWithTheirBytes() throws {
        let outcome = try scanWidgets(#"{"widgets": [42, "x", [1, 2], null, {"id": "a", "quantity": 1}]}"#)
        #expect(outcome.rejectedIndices == [0, 1, 2, 3])
        #expect(outcome.rejected.map(\.raw) == ["42", #""x""#, "[1, 2]", "null"])
        #expect(outcome.rejected.allSatisfy { $0.issues.map(\.code) == [.notAnObject] })
        #expect(outcome.acceptedIndices == [4])
    }

    @Test func aBrokenElementIsQuarantinedAndItsNeighboursSurvive() throws {
        let document = """
            {"widgets": [
              {"id": "a", "quantity": 1},
              {"id": "b" "quantity": 2},
              {"id": "c", "quantity": 3 x},
              {"id": "d", "quantity": 01},
              {"id": "e", "quantity": 5}
            ], "next": null}
            """
        let outcome = try scanWidgets(document)
        #expect(outcome.acceptedIndices == [0, 4])
        #expect(outcome.rejectedIndices == [1, 2, 3])
        #expect(
            outcome.rejected.map(\.raw) == [
                #"{"id": "b" "quantity": 2}"#, #"{"id": "c", "quantity": 3 x}"#, #"{"id": "d", "quantity": 01}"#,
            ])
        #expect(outcome.codes(1) == ["invalid_json"])
        #expect(outcome.documentIssues.isEmpty)
        let message = try #require(outcome.rejected.first?.issues.first?.message)
        #expect(message.contains("byte 11 of the record"))
    }

    @Test func aTruncatedDocumentQuarantinesTheRestAndSaysSo() throws {
        let outcome = try scanWidgets(#"{"widgets": [{"id": "a", "quantity": 1}, {"id": "b", "quan"#)
        #expect(outcome.acceptedIndices == [0])
        #expect(outcome.rejected.map(\.raw) == [#"{"id": "b", "quan"#])
        #expect(outcome.documentIssues.map(\.code) == [.invalidJSON])
    }

    @Test func stringLevelProblemsStayInsideTheirRecord() throws {
        var bytes = Array(#"{"widgets": [{"id": "a"#.utf8)
        bytes += [0xFF]  // invalid UTF-8
        bytes += Array(#"", "quantity": 1}, {"id": "t\#tab", "quantity": 1}, {"id": "ok", "quantity": 1}]}"#.utf8)
        let outcome = try scanWidgets(bytes)
        #expect(outcome.codes(0) == ["invalid_utf8"])
        #expect(outcome.codes(1) == ["invalid_json"])
        #expect(outcome.acceptedIndices == [2])
    }

    @Test func limitsQuarantineTheRecordThatBreaksThem() throws {
        let long = String(repeating: "x", count: 100)
        let tooLong = try scanWidgets(
            #"{"widgets": [{"id": "\#(long)", "quantity": 1}, {"id": "a", "quantity": 1}]}"#,
            configuration: .init(maximumStringLength: 64))
        #expect(tooLong.codes(0) == ["limit_exceeded"])
        #expect(tooLong.acceptedIndices == [1])
        let deep = try scanWidgets(
            #"{"widgets": [{"id": "a", "quantity": 1, "x": [[[[1]]]]}, {"id": "b", "quantity": 1}]}"#,
            configuration: .init(maximumDepth: 5))
        #expect(deep.codes(0) == ["limit_exceeded"])
        #expect(deep.acceptedIndices == [1])
    }

    @Test func documentLevelProblemsThrow() {
        #expect(documentFailure { _ = try scanWidgets("") } == ["invalid_json"])
        #expect(documentFailure { _ = try scanWidgets("not json") } == ["invalid_json"])
        #expect(documentFailure { _ = try scanWidgets("[]") } == ["not_an_object"])
        #expect(documentFailure { _ = try scanWidgets(#"{"other": []}"#) } == ["missing_field"])
        #expect(documentFailure { _ = try scanWidgets(#"{"widgets": {}}"#) } == ["wrong_type"])
        #expect(
            documentFailure { _ = try scanWidgets(#"{"widgets": []}"#, configuration: .init(maximumDocumentSize: 4)) }
                == ["limit_exceeded"])
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"widgets": []}"#.utf8)
        #expect(
            documentFailure { _ = try scanWidgets(bom, configuration: .init(byteOrderMark: .reject)) } == [
                "invalid_json"
            ])
    }

    @Test func aLeadingByteOrderMarkIsSkippedByDefault() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"widgets": [{"id": "a", "quantity": 1}]}"#.utf8)
        #expect(try scanWidgets(bom).acceptedIndices == [0])
    }

    @Test func damageAfterTheArrayIsADocumentIssueNotALostRecord() throws {
        let trailing = try scanWidgets(#"{"widgets": [{"id": "a", "quantity": 1}]} trailing"#)
        #expect(trailing.acceptedIndices == [0])
        #expect(trailing.documentIssues.map(\.code) == [.invalidJSON])
        let twice = try scanWidgets(#"{"widgets": [{"id": "a", "quantity": 1}], "widgets": [{"id": "b"}]}"#)
        #expect(twice.acceptedIndices == [0])
        #expect(twice.received == 1)
        #expect(twice.documentIssues.map(\.code) == [.duplicateKey])
        let unfinished = try scanWidgets(#"{"widgets": [], "#)
        #expect(unfinished.documentIssues.map(\.code) == [.invalidJSON])
    }

    @Test func jsonLinesReadsOneRecordPerLine() throws {
        let text =
            "{\"id\": \"a\", \"quantity\": 1}\r\n\n  \n{\"id\": \"b\"}\n{\"id\": \"c\", \"quantity\": 1} extra\nnot json\n[1]\n{\"id\": \"d\", \"quantity\": 2}"
        let outcome = try scanWidgets(text, lines: true)
        #expect(outcome.received == 6)
        #expect(outcome.acceptedIndices == [0, 5])
        #expect(outcome.codes(1) == ["missing_field"])
        #expect(outcome.paths(1) == ["/1/quantity"])
        #expect(outcome.codes(2) == ["invalid_json"])
        #expect(outcome.codes(3) == ["invalid_json"])
        #expect(outcome.codes(4) == ["not_an_object"])
        #expect(
            outcome.rejected.map(\.raw) == [#"{"id": "b"}"#, #"{"id": "c", "quantity": 1} extra"#, "not json", "[1]"])
        let message = try #require(outcome.rejected.first?.issues.first?.message)
        #expect(message.hasSuffix("(line 4)"))
    }

    @Test func randomlyDamagedDocumentsAlwaysBalance() throws {
        var generator = SeededGenerator(seed: 42)
        let records = (0..<20).map { #"{"id": "w\#($0)", "quantity": \#($0 + 1), "count": \#($0 % 11)}"# }
        let clean = Array(#"{"widgets": [\#(records.joined(separator: ", "))]}"#.utf8)
        for _ in 0..<300 {
            var bytes = clean
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
            do {
                // scanWidgets checks accepted + rejected == received for every damaged document.
                let outcome = try scanWidgets(bytes)
                #expect(outcome.received <= records.count + 3)
            } catch is ValidationFailure {
                continue
            }
        }
    }
}
