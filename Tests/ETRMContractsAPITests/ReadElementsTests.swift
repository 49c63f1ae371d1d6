import ETRMContracts
import Testing

/// `RecordReader.readElements` reads a stretch of a document's record array in place: parts split at element
/// boundaries give the whole read's records, indices, dead-letter bytes and issues, and a part that is not a
/// run of whole elements says so in its document issues.
@Suite struct ReadElementsTests {
    struct Outcome: Equatable {
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        var received = 0
        var documentIssues: [ValidationIssue] = []
    }

    static func readWhole(_ bytes: [UInt8]) throws -> Outcome {
        var outcome = Outcome()
        let report = try RecordReader<GasNomination>().read(
            bytes, onRecord: { outcome.accepted.append("\($0) \($1)") }, onRejected: { outcome.rejected.append($0) })
        outcome.received = report.received
        outcome.documentIssues = report.documentIssues
        return outcome
    }

    static func readParts(_ bytes: [UInt8], _ ranges: [Range<Int>]) throws -> Outcome {
        var outcome = Outcome()
        try bytes.withUnsafeBytes { raw in
            for range in ranges {
                let report = try RecordReader<GasNomination>().readElements(
                    raw, in: range, firstIndex: outcome.received,
                    onRecord: { outcome.accepted.append("\($0) \($1)") }, onRejected: { outcome.rejected.append($0) })
                #expect(report.isBalanced)
                outcome.received += report.received
                outcome.documentIssues += report.documentIssues
            }
        }
        return outcome
    }

    @Test(arguments: 0..<6)
    func partsSplitAtElementsReadAsTheWholeDocument(seed: Int) throws {
        var random = SplitMix(state: UInt64(seed) &* 0x51_7CC1 &+ 7)
        let records = (0..<60).map { _ in MutatedNomination.make(&random) }
        let head = "{\"nominations\": [ "
        let document = Array((head + records.joined(separator: ",\n") + "\n]}").utf8)
        // Element starts and ends, and the array's `]`.
        var starts: [Int] = []
        var ends: [Int] = []
        var offset = head.utf8.count
        for record in records {
            starts.append(offset)
            offset += record.utf8.count
            ends.append(offset)
            offset += 2
        }
        let whole = try Self.readWhole(document)
        var trusted = 0
        for _ in 0..<10 {
            let cuts = Set((0..<3).map { _ in Int.random(in: 1..<records.count, using: &random) }).sorted()
            let bounds = [0] + cuts + [records.count]
            let ranges = zip(bounds, bounds.dropFirst()).map { starts[$0]..<ends[$1 - 1] }
            let parts = try Self.readParts(document, ranges)
            // Only parts read without a document issue are promised to match the whole read.
            guard parts.documentIssues.isEmpty, whole.documentIssues.isEmpty else { continue }
            trusted += 1
            #expect(parts == whole, "seed \(seed), cuts \(cuts)")
        }
        if whole.rejected.allSatisfy({ rejected in !rejected.issues.contains { $0.code == .invalidJSON } }) {
            #expect(trusted == 10, "seed \(seed)")
        }
    }

    @Test func validPartsGiveTheWholeReadsIndicesPathsAndBytes() throws {
        let records = [
            #"{"nomination_id":"N-1","shipper_lei":"7LTWFZYICNSX8D621K86","point_eic":"10YNL----------L","direction":"ENTRY","flow_start":"2025-03-01T06:00:00Z","flow_end":"2025-03-02T06:00:00Z","energy_kwh":1200}"#,
            #"{"nomination_id":"n-2","shipper_lei":"7LTWFZYICNSX8D621K86","point_eic":"10YNL----------L","direction":"ENTRY","flow_start":"2025-03-01T06:00:00Z","flow_end":"2025-03-02T06:00:00Z","energy_kwh":5}"#,
            #"{"nomination_id":"N-3","shipper_lei":"7LTWFZYICNSX8D621K86","point_eic":"10YNL----------L","direction":"EXIT","flow_start":"2025-03-01T06:00:00Z","flow_end":"2025-03-02T06:00:00Z","energy_kwh":7.5}"#,
        ]
        let document = Array(("{\"nominations\":[" + records.joined(separator: ",") + "]}").utf8)
        let first = 16
        let split = first + records[0].utf8.count + 1 + records[1].utf8.count
        let parts = try Self.readParts(document, [first..<split, split + 1..<document.count - 2])
        #expect(parts == (try Self.readWhole(document)))
        #expect(parts.accepted.count == 2)
        #expect(parts.rejected.map(\.index) == [1])
        #expect(parts.rejected.first?.issues.map(\.path) == ["/nominations/1/nomination_id"])
        #expect(parts.rejected.first?.rawBytes == Array(records[1].utf8))
        let tail = try Self.readParts(document, [split + 1..<document.count - 2])
        #expect(tail.accepted.count == 1)
        #expect(tail.accepted.first?.hasPrefix("0 ") == true)
    }

    @Test func aStretchThatIsNotARunOfWholeElementsHasADocumentIssue() throws {
        let element = #"{"nomination_id":"N-1"}"#
        let document = Array(("{\"nominations\":[" + element + "," + element + "]}").utf8)
        let first = 16
        let firstEnd = first + element.utf8.count
        // Ends with the comma after the first element.
        let comma = try Self.readParts(document, [first..<firstEnd + 1])
        #expect(comma.received == 1)
        #expect(comma.documentIssues.map(\.code) == [.invalidJSON])
        // Runs past the array's `]`.
        let closing = try Self.readParts(document, [first..<document.count])
        #expect(closing.received == 2)
        #expect(closing.documentIssues.count == 1)
        // Ends inside the second element: it is quarantined with the rest of the stretch.
        let cut = try Self.readParts(document, [first..<document.count - 6])
        #expect(cut.received == 2)
        #expect(cut.rejected.last?.index == 1)
        #expect(cut.documentIssues.count == 1)
        // Starts inside a string: not the whole read, and said so.
        let inside = try Self.readParts(document, [first + 2..<firstEnd])
        #expect(!inside.documentIssues.isEmpty || inside.received == inside.rejected.count)
    }

    /// A plain string field takes any string, escapes and Unicode included, and only rejects other types.
    struct Tag: ValidatedRecord, Equatable {
        var name: String
        static let recordSchema = RecordSchema<Tag>(name: "Tag", containerKey: "tags", summary: "A tag.") { fields in
            let name = fields.string("name", description: "Any string.")
            return { values in Tag(name: try values[name]) }
        }
    }

    @Test func aPlainStringFieldTakesAnyString() throws {
        let document = Array(
            #"{"tags":[{"name":"a},{b"},{"name":""},{"name":"caf\u00e9 \"x\""},{"name":"é"},{"name":3}]}"#.utf8)
        var names: [String] = []
        var rejected: [RejectedRecord] = []
        let report = try RecordReader<Tag>().read(
            document, onRecord: { names.append($1.name) }, onRejected: { rejected.append($0) })
        #expect(names == ["a},{b", "", "café \"x\"", "é"])
        #expect(rejected.map(\.index) == [4])
        #expect(rejected.first?.issues.map(\.code) == [.wrongType])
        #expect(report.isBalanced)
    }
}
