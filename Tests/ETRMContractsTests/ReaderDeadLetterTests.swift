import ETRMShared
import Testing

@testable import ETRMContracts

private struct FailingSink: DeadLetterSink {
    func quarantine(_ letter: DeadLetter) throws {
        throw DeadLetterError(code: .writeFailed, message: "disk full")
    }
}

@Suite struct ReaderDeadLetterTests {
    private let stamp = try! UTCTimestamp(rfc3339: "2025-06-01T12:00:00Z")

    @Test func rejectedRecordsBecomeDeadLettersWithTheirExactBytes() throws {
        let bad1 = tradeJSON(["volume_mwh": #""12.5""#])
        let bad2 = #"{"trade_id": "T-2"  "oops": 1}"#
        let document = "{\"trades\": [\n  \(tradeJSON()),\n  \(bad1) ,\n  \(bad2),\n  7\n]}"
        let sink = InMemoryDeadLetterSink()
        let batch = try RecordReader<TradeRecord>().readAll(
            Array(document.utf8), source: "vendor-a", batchID: "2025-06-01#1", deadLetters: sink, quarantinedAt: stamp)
        #expect(batch.records.map(\.index) == [0])
        #expect(batch.report.received == 4)
        #expect(batch.report.accepted == 1)
        #expect(batch.report.quarantined == 3)
        #expect(batch.report.isBalanced)
        #expect(batch.report.quarantinedByCode == [.wrongType: 1, .invalidJSON: 1, .notAnObject: 1])
        let letters = sink.letters
        #expect(letters.map(\.recordIndex) == [1, 2, 3])
        #expect(letters.map { String(decoding: $0.rawBytes, as: UTF8.self) } == [bad1, bad2, "7"])
        #expect(letters.allSatisfy { $0.sha256 == SHA256.hash($0.rawBytes).hex })
        #expect(letters.allSatisfy { $0.sourceName == "vendor-a" && $0.batchID == "2025-06-01#1" })
        #expect(letters.allSatisfy { $0.quarantinedAt == stamp })
        #expect(letters[0].issues.map(\.path) == ["/trades/1/volume_mwh"])
    }

    @Test func jsonLinesQuarantineWholeLines() throws {
        let text = tradeJSON() + "\n" + tradeJSON(["status": #""LOST""#]) + "\r\n\n" + "{broken\n"
        let sink = InMemoryDeadLetterSink()
        let batch = try RecordReader<TradeRecord>().readAll(
            Array(text.utf8), format: .jsonLines, source: "s", batchID: "b", deadLetters: sink, quarantinedAt: stamp)
        #expect(batch.records.map(\.index) == [0])
        #expect(sink.letters.map(\.recordIndex) == [1, 2])
        #expect(
            sink.letters.map { String(decoding: $0.rawBytes, as: UTF8.self) } == [
                tradeJSON(["status": #""LOST""#]), "{broken",
            ])
        #expect(sink.letters[0].issues.map(\.path) == ["/1/status"])
        #expect(batch.report.description.hasSuffix("accepted + quarantined = received: 1 + 2 = 3"))
    }

    @Test func aSinkThatFailsStopsTheRead() {
        let document = "{\"trades\": [\(tradeJSON()), 1, 2]}"
        var delivered = 0
        #expect(throws: DeadLetterError.self) {
            try Array(document.utf8).withUnsafeBytes { raw in
                _ = try RecordReader<TradeRecord>().read(
                    raw, source: "s", batchID: "b", deadLetters: FailingSink(), quarantinedAt: stamp
                ) { _, _ in delivered += 1 }
            }
        }
        #expect(delivered == 1)
    }

    @Test func theVisitorSeesRecordsInOrderWithoutAnArray() throws {
        let records = (0..<50).map { tradeJSON(["trade_id": "\"T\($0)\"", "volume_mwh": $0 % 7 == 0 ? "0" : "1"]) }
        var seen: [String] = []
        var rejected: [Int] = []
        let report = try RecordReader<TradeRecord>().read(
            Array(("{\"trades\": [" + records.joined(separator: ",") + "]}").utf8),
            onRecord: { _, record in seen.append(record.tradeID) }, onRejected: { rejected.append($0.index) })
        #expect(rejected == stride(from: 0, to: 50, by: 7).map { $0 })
        #expect(seen == (0..<50).filter { $0 % 7 != 0 }.map { "T\($0)" })
        #expect(report.accepted == seen.count && report.quarantined == rejected.count && report.received == 50)
    }
}
