import ETRMShared
import Foundation
import Testing

@testable import ETRMContracts

/// `RecordReader.decode(_:path:)`: one record given alone, with issues rooted where the caller says.
@Suite struct ReaderSingleRecordTests {
    @Test func aValidRecordDecodes() throws {
        let record = try RecordReader<TradeRecord>().decode(Array(tradeJSON().utf8))
        #expect(record.tradeID == "T-2025-000001")
        #expect(record.volumeMWh == (try ExactDecimal("12.5")))
        let spaced = try RecordReader<TradeRecord>().decode(Array((" \n" + tradeJSON() + "\r\n ").utf8))
        #expect(spaced == record)
    }

    @Test(arguments: ["", "/instructions/3", "/a~1b"])
    func issuesAreRootedAtThePath(path: String) throws {
        let bytes = Array(tradeJSON(["volume_mwh": "0", "status": #""DONE""#, "trade_id": nil]).utf8)
        let failure = try #require(throws: ValidationFailure.self) {
            try RecordReader<TradeRecord>().decode(bytes, path: path)
        }
        let found = failure.issues.map { "\($0.path) \($0.code.rawValue)" }.sorted()
        #expect(
            found == [
                "\(path)/status invalid_value", "\(path)/trade_id missing_field", "\(path)/volume_mwh out_of_range",
            ])
    }

    @Test(arguments: [
        ("42", "not_an_object"), ("[1]", "not_an_object"), (#"{"a":1} x"#, "invalid_json"), ("", "invalid_json"),
        (#"{"trade_id":"a","trade_id":"b"}"#, "duplicate_key"), ("{\"trade_id\":\"\u{1}\"}", "invalid_json"),
        ("{\"trade_id\":\"\\u00e9\u{FF}", "invalid_json"),
    ])
    func structuralProblemsAreOneIssueAtThePath(text: String, code: String) throws {
        let failure = try #require(throws: ValidationFailure.self) {
            try RecordReader<TradeRecord>().decode(Array(text.utf8), path: "/body")
        }
        #expect(failure.issues.contains { $0.code.rawValue == code && $0.path.hasPrefix("/body") })
    }

    @Test func invalidUTF8AndLimitsKeepTheirCodes() throws {
        var bytes = Array(tradeJSON(["trade_id": #""T-xx""#]).utf8)
        let position = try #require(bytes.firstIndex(of: UInt8(ascii: "x")))
        bytes[position] = 0xFF
        let utf8 = try #require(throws: ValidationFailure.self) { try RecordReader<TradeRecord>().decode(bytes) }
        #expect(utf8.issues.map(\.code.rawValue) == ["invalid_utf8"])
        let tight = RecordReader<TradeRecord>(configuration: .init(maximumDocumentSize: 10))
        let size = try #require(throws: ValidationFailure.self) { try tight.decode(Array(tradeJSON().utf8)) }
        #expect(size.issues.map(\.code.rawValue) == ["limit_exceeded"])
        let withBOM = [0xEF, 0xBB, 0xBF] + Array(tradeJSON().utf8)
        #expect((try? RecordReader<TradeRecord>().decode(withBOM)) != nil)
        let strict = RecordReader<TradeRecord>(configuration: .init(byteOrderMark: .reject))
        #expect((try? strict.decode(withBOM)) == nil)
    }

    /// For every mutated record that the batch reader reads as one element (its dead letter holds exactly the
    /// record's bytes), decoding the record alone at the same pointer gives the same paths and codes; an
    /// accepted record decodes to the same value; and the fast path does not change the single-record verdict.
    @Test(arguments: 0..<6)
    func agreesWithTheBatchReader(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &+ 0xDEC0DE)
        var general = RecordReader<TradeRecord>()
        general.usesFastPath = false
        var compared = 0
        for _ in 0..<150 {
            let bytes = MutatedTrade.make(&random)
            let alone = Result { () throws(ValidationFailure) in
                try RecordReader<TradeRecord>().decode(bytes, path: "/trades/0")
            }
            let slow = Result { () throws(ValidationFailure) in try general.decode(bytes, path: "/trades/0") }
            #expect(alone == slow, "fast and general single-record verdicts differ")
            var accepted: [TradeRecord] = []
            var rejected: [RejectedRecord] = []
            let document = Array("{\"trades\":[".utf8) + bytes + Array("]}".utf8)
            guard
                let report = try? RecordReader<TradeRecord>().read(
                    document, onRecord: { accepted.append($1) }, onRejected: { rejected.append($0) }),
                report.received == 1, report.documentIssues.isEmpty
            else { continue }
            if let record = accepted.first {
                #expect((try? alone.get()) == record)
                compared += 1
            } else if let rejection = rejected.first, rejection.rawBytes == bytes {
                guard case .failure(let failure) = alone else {
                    Issue.record("rejected in a batch, accepted alone: \(String(decoding: bytes, as: UTF8.self))")
                    continue
                }
                #expect(failure.issues.map(\.path) == rejection.issues.map(\.path))
                #expect(failure.issues.map(\.code) == rejection.issues.map(\.code))
                compared += 1
            }
        }
        #expect(compared > 100)
    }
}
