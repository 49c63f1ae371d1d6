import ETRMPipelineCore
import Testing
import TradeFrame

/// `broker.json` read in many small stretches gives exactly the read in one: the same frame, the same
/// malformed-row index, the same errors, whether the guessed boundaries are real or not (a trade id holding
/// `},{` makes the reader fall back to the whole document).
@Suite struct BrokerStretchTests {
    static func row(_ id: String, _ volume: String = "12.5") -> String {
        #"{"trade_id": "\#(id)", "broker_volume_mwh": \#(volume)}"#
    }

    static func document(_ rows: [String]) -> [UInt8] {
        Array(("{\"broker_volumes\": [\n" + rows.joined(separator: ",\n") + "\n]}\n").utf8)
    }

    static let valid = (0..<200).map { row("T-\($0)", "\($0).25") }

    /// The frame as CSV, or the error message.
    static func load(_ document: [UInt8], stretchSize: Int) -> String {
        document.withUnsafeBytes { bytes in
            do throws(PipelineError) {
                let broker = try FeedLoader.loadBroker(bytes, source: "b.json", chunkSize: stretchSize)
                #expect(broker.keys.firstDuplicate() == nil)
                return String(decoding: broker.frame.csv(), as: UTF8.self)
            } catch {
                return "error: " + error.message
            }
        }
    }

    static let cases: [(String, [UInt8], String?)] = [
        ("valid", document(valid), nil),
        (
            "malformed row late", document(valid + [row("T-bad", "-1")] + valid.map { $0.replacing("T-", with: "U-") }),
            "broker_volumes[200] is malformed"
        ),
        (
            "two malformed rows", document(Array(valid[..<150]) + [row("X", "\"7\"")] + [row("Y", "-2")]),
            "broker_volumes[150] is malformed"
        ),
        ("duplicate id far apart", document(valid + [row("T-3")]), "duplicate trade_id \"T-3\""),
        ("boundary inside a string", document(valid[..<100] + [row("a},{b"), row("c}, {d")] + valid[100...]), nil),
        ("not an object", document(valid[..<120] + ["5"] + valid[120...]), "broker_volumes[120] is malformed"),
        (
            "bad JSON late",
            Array(
                String(decoding: document(valid), as: UTF8.self)
                    .replacing("\"T-190\"", with: "T-190").utf8), "broker file"
        ),
        (
            "bad element after a malformed one",
            Array(
                String(decoding: document(valid), as: UTF8.self)
                    .replacing("\"T-190\"", with: "T-190").replacing("\"T-10\"", with: "10").utf8), "broker file"
        ),
        ("empty", document([]), nil),
    ]

    @Test(arguments: cases.indices)
    func manyStretchesReadAsOne(_ index: Int) {
        let (name, document, error) = Self.cases[index]
        let whole = Self.load(document, stretchSize: Int.max)
        for stretch in [1, 16, 200, 1000] {
            #expect(Self.load(document, stretchSize: stretch) == whole, "\(name), stretch \(stretch)")
        }
        if let error {
            #expect(whole.hasPrefix("error: ") && whole.contains(error), "\(name): \(whole)")
        } else {
            #expect(!whole.hasPrefix("error: "), "\(name): \(whole)")
        }
    }

    @Test func framesHoldEveryRowInOrder() {
        let csv = Self.load(Self.document(Self.valid), stretchSize: 64)
        let lines = csv.split(whereSeparator: \.isNewline)
        #expect(lines.count == 201)
        #expect(lines.dropFirst().first == "T-0,0.250")
        #expect(lines.last == "T-199,199.250")
    }
}
