import ETRMContracts
import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Synchronization
import Testing
import TradeFrame

/// The chunked parallel parse of `trades.json` gives exactly the sequential parse: the same frame, the same
/// quarantine (indices, codes, issue paths, order) and the same dead letters, wherever the splits are guessed.
@Suite struct ParallelParseTests {
    /// Everything a load produces that a run can see, or the error message.
    struct Outcome: Equatable, CustomStringConvertible {
        var received = 0
        var quarantined: [Int] = []
        var byCode: [String: Int] = [:]
        var frameCSV: [UInt8] = []
        var deadLetters: [String] = []
        var error: String?

        var description: String {
            error.map { "error: \($0)" }
                ?? "\(received) received, quarantined \(quarantined), \(frameCSV.count) CSV bytes, \(deadLetters)"
        }
    }

    /// Dead letters in the order they were stored.
    final class Letters: DeadLetterSink {
        private let letters = Mutex<[String]>([])

        func quarantine(_ letter: DeadLetter) throws {
            let issues = letter.issues.map { "\($0.path) \($0.code.rawValue)" }.joined(separator: ",")
            let line = "\(letter.recordIndex) \(String(decoding: letter.rawBytes, as: UTF8.self)) [\(issues)]"
            letters.withLock { $0.append(line) }
        }

        var all: [String] { letters.withLock { $0 } }
    }

    static func load(_ document: [UInt8], _ splitting: DocumentChunking) -> Outcome {
        let letters = Letters()
        var outcome = Outcome()
        let loaded: Result<LoadedFeed, PipelineError> = document.withUnsafeBytes { bytes in
            Result { () throws(PipelineError) in
                try FeedLoader.loadTrades(bytes, source: "t.json", deadLetters: letters, chunking: splitting)
            }
        }
        do throws(PipelineError) {
            let feed = try loaded.get()
            outcome.received = feed.received
            outcome.quarantined = feed.quarantinedIndices
            outcome.byCode = feed.quarantinedByCode
            outcome.frameCSV = feed.frame.csv()
        } catch {
            outcome.error = error.message
        }
        outcome.deadLetters = letters.all
        return outcome
    }

    static func record(_ id: String, product: String = "NG-HH", volume: String = "1.5") -> String {
        #"{"trade_id": "\#(id)", "counterparty_lei": "506700GE1G29325QX363", "product_code": "\#(product)", "#
            + #""delivery_start": "2025-03-10T14:00:00Z", "delivery_end": "2025-03-10T15:00:00Z", "#
            + #""volume_mwh": \#(volume), "price_usd": 2.5, "status": "CONFIRMED", "#
            + #""event_time": "2025-03-01T09:00:00Z"}"#
    }

    static func document(_ elements: [String], separator: String = ",\n") -> [UInt8] {
        Array(("{\"trades\": [\n" + elements.joined(separator: separator) + "\n]}\n").utf8)
    }

    /// A small document with every kind of element: valid records, defects, a non-object, a record the fast
    /// path declines but the module reader accepts (an escaped string, another key order), strings holding
    /// `},{` and `}, {`, and a record that is both.
    static let mixed = document([
        Self.record("A-0"),
        Self.record("A-1", volume: #""12.5""#),
        #"{"trade_id": "A-2"}"#,
        "42",
        Self.record(#"A-3},{\"trade_id\": \"X\"}, {"#),
        Self.record("A-4", product: #"P},{"#),
        Self.record(#"A-5\u0041"#),
        #"{"counterparty_lei": "506700GE1G29325QX363", "trade_id": "A-6", "product_code": "NG-HH", "#
            + #""delivery_start": "2025-03-10T14:00:00Z", "delivery_end": "2025-03-10T15:00:00Z", "#
            + #""volume_mwh": 2, "price_usd": -3, "status": "PENDING", "event_time": "2025-03-01T09:00:00Z"}"#,
        Self.record("A-7", volume: "1.2345"),
        Self.record("A-8"),
    ])

    @Test func everySplitPointOfASmallDocumentGivesTheSequentialResult() {
        let document = Self.mixed
        let sequential = Self.load(document, .whole)
        #expect(sequential.error == nil)
        #expect(sequential.received == 10)
        #expect(sequential.quarantined == [1, 2, 3, 8])
        for offset in 0...document.count {
            let outcome = Self.load(document, .after([offset]))
            #expect(outcome == sequential, "split after byte \(offset)")
            if outcome != sequential { break }
        }
    }

    @Test func everyPairOfSplitPointsGivesTheSequentialResult() {
        let document = Self.mixed
        let sequential = Self.load(document, .whole)
        for first in stride(from: 0, through: document.count, by: 13) {
            for second in stride(from: first, through: document.count, by: 29) {
                let outcome = Self.load(document, .after([first, second, second + 7]))
                #expect(outcome == sequential, "splits after \(first), \(second), \(second + 7)")
                if outcome != sequential { return }
            }
        }
    }

    /// The guess lands inside a string holding `},{`: the speculative chunk parses garbage, the chunk before it
    /// walks past the guessed start, and the stretch is parsed again sequentially.
    @Test func aBoundaryInsideAStringIsNotTrusted() throws {
        let document = Self.document([
            Self.record("B-0"),
            Self.record("B-1", product: #"P},{"trade_id"#.replacingOccurrences(of: "\"", with: "\\\"")),
            Self.record("B-2"),
        ])
        let text = String(decoding: document, as: UTF8.self)
        let inside = try #require(text.range(of: "P},{")).lowerBound.utf16Offset(in: text)
        let sequential = Self.load(document, .whole)
        #expect(sequential.received == 3)
        #expect(sequential.quarantined.isEmpty)
        #expect(Self.load(document, .after([inside])) == sequential)
        #expect(Self.load(document, .after([inside, inside + 2])) == sequential)
    }

    /// A record that breaks the document (bad JSON) right at a split: the same whole-run error, naming the same
    /// record, as the sequential parse; and a well-formed invalid record there is quarantined under its global
    /// index.
    @Test(arguments: [
        (#"{"trade_id": }"#, true), (#"{"trade_id": "C-2", "volume_mwh": "x"}"#, false),
        ("{\"trade_id\": \"C-\u{FFFD}\"}", false),
    ])
    func aMalformedRecordAtTheSplitPoint(_ bad: String, breaksTheDocument: Bool) throws {
        let document = Self.document([Self.record("C-0"), Self.record("C-1"), bad, Self.record("C-3")])
        let text = String(decoding: document, as: UTF8.self)
        let at = try #require(text.range(of: bad)).lowerBound.utf16Offset(in: text)
        let sequential = Self.load(document, .whole)
        if breaksTheDocument {
            #expect(sequential.error?.contains("record 2: unexpected '}'") == true, "\(sequential)")
        } else {
            #expect(sequential.quarantined == [2])
        }
        for offset in (at - 12)...(at + 3) {
            #expect(Self.load(document, .after([offset])) == sequential, "split after byte \(offset)")
        }
    }

    /// Invalid UTF-8 in a record of a later chunk is a whole-run error that names the global record index.
    @Test func aFatalErrorInALaterChunkNamesTheGlobalIndex() {
        var document = Self.document((0..<6).map { Self.record("E-\($0)") })
        let marker = Array("E-4".utf8)
        guard let at = (0..<document.count - 3).first(where: { Array(document[$0..<$0 + 3]) == marker }) else {
            Issue.record("marker not found")
            return
        }
        document[at + 2] = 0xFF
        let sequential = Self.load(document, .whole)
        #expect(sequential.error?.contains("record 4") == true, "\(sequential)")
        #expect(Self.load(document, .after([at - 60])) == sequential)
        #expect(Self.load(document, .after([40, at - 60, at + 10])) == sequential)
    }

    @Test(arguments: [
        #"{"trades": []}"#, #"{"trades":[{}]}"#, #"{"trades": [42]}"#, #"{"trades": ["},{"]}"#,
        #"{"trades": [{}, {}]}"#, #"{"trades": [{},{}] }"#, #"{"trades": [{} , {}]} x"#, #"{"trades": [{},]}"#,
        #"{"trades": [{}"#,
    ])
    func tinyDocumentsAtEverySplitPoint(_ text: String) {
        let document = Array(text.utf8)
        let sequential = Self.load(document, .whole)
        for offset in 0...document.count {
            #expect(Self.load(document, .after([offset])) == sequential, "\(text) split after byte \(offset)")
            #expect(Self.load(document, .after([offset, offset + 1])) == sequential, "\(text) after \(offset)+1")
        }
    }

    @Test func oneRecordAtEverySplitPoint() {
        let document = Self.document([Self.record("O-1")])
        let sequential = Self.load(document, .whole)
        #expect(sequential.received == 1)
        #expect(sequential.quarantined.isEmpty)
        for offset in 0...document.count {
            #expect(Self.load(document, .after([offset])) == sequential, "split after byte \(offset)")
        }
    }

    /// The automatic splitting on a generated feed large enough to be split (several MiB): the whole run's
    /// summary matches the sequential run's.
    @Test func automaticSplittingOnAGeneratedFeedMatchesTheSequentialRun() throws {
        let generated = try FeedGenerator(configuration: .init(trades: 12_000, seed: 5)).documents()
        #expect(generated.trades.count > 3 << 20)
        var sequential = Pipeline.Configuration()
        sequential.chunking = .whole
        let one = try Pipeline(configuration: sequential).run(trades: generated.trades, broker: generated.broker)
        let many = try Pipeline().run(trades: generated.trades, broker: generated.broker)
        #expect(one.summary == many.summary)
        #expect(one.final.csv() == many.final.csv())
        #expect(one.feed.quarantinedIndices == many.feed.quarantinedIndices)
        #expect(one.summary.quarantined > 0)
    }

    /// Releasing pages of a read-only private file mapping does not change what it reads.
    @Test func releasedPagesReadTheSameBytes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("pages.bin")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(bytes).write(to: url)
        let file = try MappedFile(path: url.path, what: "test")
        let pages = try #require(file.pages)
        #expect(Array(file.bytes) == bytes)
        pages.release(5..<150_000)
        #expect(Array(file.bytes) == bytes)
        pages.releaseAll()
        #expect(Array(file.bytes) == bytes)
    }
    /// Without `keepsAllColumns` the frame lacks `input_index` and `delivery_end` and is otherwise the same,
    /// in one chunk or many.
    @Test(arguments: [DocumentChunking.whole, .after(Array(stride(from: 0, to: 4000, by: 97)))])
    func framesWithoutTheUnkeptColumns(_ splitting: DocumentChunking) throws {
        let document = Self.mixed
        let (all, lean) = try document.withUnsafeBytes { bytes in
            (
                try FeedLoader.loadTrades(bytes, source: "t.json", deadLetters: nil, chunking: splitting),
                try FeedLoader.loadTrades(
                    bytes, source: "t.json", deadLetters: nil, chunking: splitting, keepsAllColumns: false)
            )
        }
        let kept = all.frame.columnNames.filter { $0 != "input_index" && $0 != "delivery_end" }
        #expect(lean.frame.columnNames == kept)
        #expect(try lean.frame.csv() == all.frame.selecting(kept).csv())
        #expect(lean.quarantinedIndices == all.quarantinedIndices && lean.received == all.received)
    }
}
