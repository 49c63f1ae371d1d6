import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Testing

@Suite struct GeneratorTests {
    /// Records rendered one by one (as the vendor simulator serves them) are the documents' bytes exactly.
    @Test func recordsRenderedByIndexMakeTheDocuments() throws {
        let generator = FeedGenerator(configuration: .init(trades: 2_500, seed: 9))
        let documents = try generator.documents()
        let feed = generator.feed()
        #expect(feed.counts == documents.counts)
        for (document, expected) in [
            (SampleFeed.Document.trades, documents.trades), (.brokerVolumes, documents.broker),
        ] {
            var joined = Array(document.header.utf8)
            for index in 0..<feed.count(document) {
                if index > 0 { joined += SampleFeed.Document.separator.utf8 }
                joined += feed.record(document, at: index)
            }
            joined += document.footer.utf8
            #expect(joined == expected)
        }
        #expect(feed.count(.trades) == 2_500)
        #expect(feed.count(.brokerVolumes) == documents.counts.brokerRows)
    }

    @Test func theSameSeedGivesTheSameBytes() throws {
        let a = try FeedGenerator(configuration: .init(trades: 3_000, seed: 7)).documents()
        let b = try FeedGenerator(configuration: .init(trades: 3_000, seed: 7)).documents()
        let c = try FeedGenerator(configuration: .init(trades: 3_000, seed: 8)).documents()
        #expect(a.trades == b.trades)
        #expect(a.broker == b.broker)
        #expect(a.trades != c.trades)
    }

    /// The rates of issue #6, counted in the output by the pipeline, and the generator's own counts agreeing
    /// with the pipeline's.
    @Test func ratesAreRoughlyAsSpecified() throws {
        let n = 40_000
        let generated = try FeedGenerator(configuration: .init(trades: n, seed: 42)).documents()
        let result = try Pipeline().run(trades: generated.trades, broker: generated.broker)
        let s = result.summary
        #expect(s.inputRecords == n)
        // About 0.5 % defective, each quarantined, and the five kinds all present.
        #expect(s.quarantined == generated.counts.defective)
        #expect((n * 3 / 1000...n * 7 / 1000).contains(s.quarantined))
        #expect(generated.counts.defects.dropFirst().allSatisfy { $0 > 0 })
        // About 1 % re-sends, each dropped by de-duplication.
        #expect(s.duplicatesDropped == generated.counts.resends)
        #expect((n * 7 / 1000...n * 13 / 1000).contains(s.duplicatesDropped))
        // Broker rows for about 95 % of the trade ids, about 2 % of them beyond the tolerance.
        let ids = generated.counts.uniqueTrades
        #expect((ids * 93 / 100...ids * 97 / 100).contains(s.brokerRows))
        #expect((s.reconciledMatched * 12 / 1000...s.reconciledMatched * 30 / 1000).contains(s.flagged))
        // Only rows the generator put beyond the tolerance can be flagged.
        #expect(s.flagged <= generated.counts.brokerOffBeyondTolerance)
        // Records of about 270 bytes.
        let perRecord = generated.trades.count / n
        #expect((250...290).contains(perRecord), "\(perRecord) bytes per record")
    }

    @Test func someReSendsComeBeforeTheirOriginal() throws {
        let generated = try FeedGenerator(configuration: .init(trades: 20_000, seed: 3)).documents()
        let text = String(decoding: generated.trades, as: UTF8.self)
        var firstStatus: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let idRange = line.range(of: "\"trade_id\":\""), let statusRange = line.range(of: "\"status\":\"")
            else { continue }
            let id = line[idRange.upperBound...].prefix(10)
            let status = line[statusRange.upperBound...].prefix { $0 != "\"" }
            if firstStatus[id] == nil { firstStatus[id] = status }
        }
        // A trade whose first appearance is an AMENDED or CANCELLED re-send.
        #expect(firstStatus.values.contains { $0 == "AMENDED" || $0 == "CANCELLED" })
    }

    @Test func generateWritesBothFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = CapturedConsole()
        let status = PipelineCommand.main(
            ["generate", "--trades", "2000", "--seed", "5", "--out", directory.path], console: output.console)
        #expect(status == 0, "\(output.err)")
        let trades = try Data(contentsOf: directory.appendingPathComponent("trades.json"))
        let expected = try FeedGenerator(configuration: .init(trades: 2000, seed: 5)).documents()
        #expect([UInt8](trades) == expected.trades)
    }
}
