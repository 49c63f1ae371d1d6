import ETRMContracts
import Foundation
import Synchronization
import Testing

/// `RecordReader.readChunks` reads a document's record array in chunks, on all cores or one after another, and
/// always gives the whole read's outcome: the same records at the same indices, the same rejected records
/// (indices, issue paths, bytes), the same report, wherever the boundaries are guessed.
@Suite struct ReadChunksTests {
    /// What a read gives that a caller can see: records as "index id", in document order.
    struct Outcome: Equatable, CustomStringConvertible {
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        var report: BatchReport

        var description: String { "\(accepted.count) accepted, rejected \(rejected.map(\.index)), \(report)" }
    }

    /// Chunks handed over, counted across the reading threads.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func whole(_ document: [UInt8]) throws -> Outcome {
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        let report = try RecordReader<GasNomination>().read(
            document, source: "n.json", batchID: "b", onRecord: { accepted.append("\($0) \($1.id)") },
            onRejected: { rejected.append($0) })
        return Outcome(accepted: accepted, rejected: rejected, report: report)
    }

    /// The chunked read, its parts put back in document order with their first indices, and how many parts.
    static func chunked(
        _ document: [UInt8], _ chunking: DocumentChunking, chunksRead: Counter? = nil
    ) throws -> (outcome: Outcome, parts: Int) {
        let read = try document.withUnsafeBytes { bytes in
            try RecordReader<GasNomination>().readChunks(
                bytes, source: "n.json", batchID: "b", chunking: chunking, makePart: { _ in [(Int, String)]() },
                onRecord: { part, index, record in part.append((index, record.id)) },
                onChunkRead: { _ in chunksRead?.value.add(1, ordering: .relaxed) })
        }
        #expect(read.parts.count == read.firstIndices.count)
        #expect(read.report.isBalanced)
        var accepted: [String] = []
        for (part, first) in zip(read.parts, read.firstIndices) {
            accepted += part.map { "\($0.0 + first) \($0.1)" }
        }
        return (Outcome(accepted: accepted, rejected: read.rejected, report: read.report), read.parts.count)
    }

    static func record(_ id: String, energy: String = "1200") -> String {
        #"{"nomination_id":"\#(id)","shipper_lei":"7LTWFZYICNSX8D621K86","point_eic":"10YNL----------L","#
            + #""direction":"ENTRY","flow_start":"2025-03-01T06:00:00Z","flow_end":"2025-03-02T06:00:00Z","#
            + #""energy_kwh":\#(energy)}"#
    }

    static func document(_ elements: [String]) -> [UInt8] {
        Array(("{\"nominations\": [\n" + elements.joined(separator: ",\n") + "\n]}\n").utf8)
    }

    /// Valid records, bad values, a non-object, and strings holding `},{` and `}, {` where a guess may land.
    static let mixed = document([
        record("N-0"),
        record("n-1"),
        #"{"nomination_id":"N-2"}"#,
        "42",
        #"{"nomination_id":"N-4},{\"x\": 1}, {","energy_kwh":1}"#,
        record("N-5", energy: "-3"),
        record("N-6"),
        #"{"note":"a},{b","nomination_id":"N-7"}"#,
        record("N-8"),
    ])

    @Test func everySplitPointGivesTheWholeRead() throws {
        let whole = try Self.whole(Self.mixed)
        #expect(whole.report.received == 9)
        #expect(whole.accepted == ["0 N-0", "6 N-6", "8 N-8"])
        var split = 0
        for offset in 0...Self.mixed.count {
            let (outcome, parts) = try Self.chunked(Self.mixed, .after([offset]))
            #expect(outcome == whole, "split after byte \(offset)")
            if outcome != whole { return }
            if parts > 1 { split += 1 }
        }
        // Most offsets do split the document: the check above is not only of the whole read's fallback.
        #expect(split > Self.mixed.count / 2)
    }

    @Test(arguments: 0..<4)
    func manyGuessesInAGeneratedDocumentGiveTheWholeRead(seed: Int) throws {
        var random = SplitMix(state: UInt64(seed) &* 0x9E37 &+ 11)
        let document = Self.document((0..<300).map { _ in MutatedNomination.make(&random) })
        let whole = try Self.whole(document)
        for _ in 0..<8 {
            let guesses = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                Int.random(in: 0..<document.count, using: &random)
            }
            #expect(try Self.chunked(document, .after(guesses)).outcome == whole, "seed \(seed), guesses \(guesses)")
        }
    }

    /// Many chunks at once, each into its own part: every chunk is read and reported once, and the parts add
    /// up to the report.
    @Test func manyChunksReadAtTheSameTime() throws {
        let document = Self.document((0..<4000).map { Self.record("N-\($0)") })
        let chunksRead = Counter()
        let (outcome, parts) = try Self.chunked(
            document, .after(Array(stride(from: 0, to: document.count, by: 997))), chunksRead: chunksRead)
        #expect(parts > 300)
        #expect(chunksRead.value.load(ordering: .relaxed) == parts)
        #expect(outcome.report.accepted == 4000)
        #expect(outcome.accepted == (0..<4000).map { "\($0) N-\($0)" })
        #expect(outcome == (try Self.whole(document)))
    }

    /// Sequential chunks are read one after another on the calling thread, each handed over once read, in
    /// order, tiling the array.
    @Test func sequentialChunksAreHandedOverInOrder() throws {
        let document = Self.document((0..<500).map { Self.record("N-\($0)", energy: $0 % 50 == 7 ? "0" : "12") })
        let ranges = Mutex<[Range<Int>]>([])
        let read = try document.withUnsafeBytes { bytes in
            try RecordReader<GasNomination>().readChunks(
                bytes, source: "n.json", batchID: "b", chunking: .sequential(chunkSize: 4096),
                makePart: { _ in 0 }, onRecord: { count, _, _ in count += 1 },
                onChunkRead: { range in ranges.withLock { $0.append(range) } })
        }
        let handed = ranges.withLock { $0 }
        #expect(handed.count == read.parts.count)
        #expect(handed.count > 20)
        #expect(zip(handed, handed.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound })
        #expect(read.parts.reduce(0, +) == 490)
        #expect(read.rejected.map(\.index) == (0..<500).filter { $0 % 50 == 7 })
        #expect(read.rejected.first?.issues.first?.path == "/nominations/7/energy_kwh")
        #expect(read.rejected.last?.issues.first?.path == "/nominations/457/energy_kwh")
    }

    /// A guess inside a string that holds `},{`: the chunk it starts is garbage, so the document is read whole.
    @Test func aBoundaryInsideAStringMakesTheDocumentReadWhole() throws {
        let document = Self.document([
            Self.record("N-0"), #"{"note":"x},{\"nomination_id\":\"N-9\"}, {\"y\":\"","nomination_id":"N-1"}"#,
            Self.record("N-2"),
        ])
        let inside = Array("x},{".utf8)
        let at = (0..<document.count).first { Array(document[$0..<min(document.count, $0 + 4)]) == inside }!
        let (outcome, parts) = try Self.chunked(document, .after([at]))
        #expect(parts == 1)
        #expect(outcome == (try Self.whole(document)))
    }

    /// A document with other keys around the array is not of the plain shape: it is read whole.
    @Test func aDocumentOfAnotherShapeIsReadWhole() throws {
        let document = Array(
            (#"{"page": 3, "nominations": ["# + Self.record("N-0") + "," + Self.record("N-1") + #"], "next": null}"#)
                .utf8)
        let (outcome, parts) = try Self.chunked(document, .after([40, 400]))
        #expect(parts == 1)
        #expect(outcome == (try Self.whole(document)))
        #expect(outcome.accepted == ["0 N-0", "1 N-1"])
    }

    /// Broken JSON in a chunk makes the whole read decide; a document that cannot be read at all throws as the
    /// whole read does.
    @Test func brokenDocumentsGiveTheWholeReadsVerdict() throws {
        let truncated = Array(Self.document((0..<40).map { Self.record("N-\($0)") }).dropLast(20))
        #expect(try Self.chunked(truncated, .after([900, 3000])).outcome == (try Self.whole(truncated)))
        let bad = Self.document((0..<40).map { $0 == 25 ? #"{"nomination_id": nope}"# : Self.record("N-\($0)") })
        let badWhole = try Self.whole(bad)
        #expect(badWhole.rejected.first?.issues.first?.code == .invalidJSON)
        #expect(try Self.chunked(bad, .after([900, 3000, 6000])).outcome == badWhole)
        #expect(throws: ValidationFailure.self) { try Self.chunked(Array("[1, 2]".utf8), .automatic) }
    }

    @Test func progressIsReportedOnTheCallingThreadUpToTheTotal() throws {
        let document = Self.document((0..<70_000).map { _ in #"{"nomination_id":"N"}"# })
        var reports: [Int] = []
        let read = try document.withUnsafeBytes { bytes in
            try RecordReader<GasNomination>().readChunks(
                bytes, chunking: .sequential(chunkSize: 1 << 20), makePart: { _ in 0 }, onRecord: { _, _, _ in },
                progress: { reports.append($0) })
        }
        #expect(read.report.received == 70_000)
        #expect(reports.count > 3)
        #expect(reports.first == 16_384)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0 < $1 })
        #expect(reports.last == 70_000)
        // A count that is a multiple of the reporting step is reported once.
        reports = []
        let exact = Self.document((0..<(4 << 14)).map { _ in #"{"nomination_id":"N"}"# })
        _ = try exact.withUnsafeBytes { bytes in
            try RecordReader<GasNomination>().readChunks(
                bytes, chunking: .whole, makePart: { _ in 0 }, onRecord: { _, _, _ in },
                progress: { reports.append($0) })
        }
        #expect(reports == [1 << 14, 2 << 14, 3 << 14, 4 << 14])
    }

    /// Chunks dropped for a wrong guess are not counted twice: the whole read's progress goes on rising from
    /// where the chunks' stopped, and ends at the total.
    @Test func progressNeverPassesTheTotalWhenTheDocumentIsReadWholeAfterAll() throws {
        var elements = (0..<70_000).map { _ in #"{"nomination_id":"N"}"# }
        elements[60_000] = #"{"note":"x},{\"y\":1}, {","nomination_id":"N"}"#
        let document = Self.document(elements)
        let inside = Array("x},{".utf8)
        let at = (0..<document.count).first { Array(document[$0..<min(document.count, $0 + 4)]) == inside }!
        // Sequential chunks on this thread, the first guess inside the string: the first chunk ends there, broken.
        let firstElement = document.firstIndex(of: UInt8(ascii: "["))! + 2
        var reports: [Int] = []
        let read = try document.withUnsafeBytes { bytes in
            try RecordReader<GasNomination>().readChunks(
                bytes, chunking: .sequential(chunkSize: at - firstElement), makePart: { _ in 0 },
                onRecord: { _, _, _ in },
                progress: { reports.append($0) })
        }
        #expect(read.parts.count == 1)
        #expect(read.report.received == 70_000)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0 < $1 })
        #expect(reports.last == 70_000)
    }

    @Test func aRejectedRecordShiftsIntoTheFeedsNumbering() {
        let rejected = RejectedRecord(
            index: 3, rawBytes: [1],
            issues: [
                ValidationIssue(path: "/trades/3/volume", code: .outOfRange, message: "m"),
                ValidationIssue(path: "/trades/3", code: .notAnObject, message: "m"),
                ValidationIssue(path: "/trades/31/x", code: .outOfRange, message: "m"),
                ValidationIssue(path: "", code: .invalidJSON, message: "m"),
            ])
        let moved = rejected.shifted(by: 100, containerKey: "trades")
        #expect(moved.index == 103)
        #expect(moved.issues.map(\.path) == ["/trades/103/volume", "/trades/103", "/trades/31/x", ""])
        #expect(moved.rawBytes == [1])
        #expect(rejected.shifted(by: 0, containerKey: "trades") == rejected)
    }

    /// The DeclaringARecordType article's example, on a mapped file: energies in order, dead letters stored.
    @Test func theArticlesExampleReadsAMappedFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("n.json")
        try Data(Self.mixed).write(to: url)
        let deadPath = directory.appendingPathComponent("dead.jsonl").path

        let file = try Data(contentsOf: url, options: .alwaysMapped)
        let read = try file.withUnsafeBytes { document in
            try RecordReader<GasNomination>().readChunks(
                document, source: "tso-gaspool", batchID: "2025-03",
                makePart: { _ in [ExactDecimal]() },
                onRecord: { energies, _, nomination in energies.append(nomination.energyMWh) })
        }
        let energies = read.parts.joined()
        let sink = try JSONLinesDeadLetterSink(path: deadPath)
        let now = try UTCTimestamp(Date())
        for rejected in read.rejected {
            try sink.quarantine(
                DeadLetter(
                    rawBytes: rejected.rawBytes, recordIndex: rejected.index, issues: rejected.issues,
                    sourceName: "tso-gaspool", batchID: "2025-03", quarantinedAt: now))
        }
        try sink.close()

        #expect(Array(energies) == Array(repeating: try ExactDecimal("1.2"), count: 3))
        #expect(read.report.accepted == 3 && read.report.quarantined == 6 && read.report.isBalanced)
        let lines = try String(contentsOfFile: deadPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
    }
}
