import ETRMContracts
import Testing

/// A user-declared type's fast plan may only change how quickly a valid record is read: on seeded, randomly
/// mutated documents it must give the same records, rejections, issues and report as the rule table compiled
/// from the same declaration. (`usesFastPath` is the package's test switch, not public API.)
@Suite struct UserRecordPlanTests {
    struct Outcome: Equatable {
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        var report: BatchReport
    }

    static func read(
        _ bytes: [UInt8], fast: Bool, format: BatchFormat, configuration: RecordReaderConfiguration
    ) -> Result<Outcome, ValidationFailure> {
        var reader = RecordReader<GasNomination>(configuration: configuration)
        reader.usesFastPath = fast
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        do {
            let report = try reader.read(
                bytes, format: format,
                onRecord: { index, record in
                    accepted.append("\(index) \(record) \(record.energyMWh.scale)")
                }, onRejected: { rejected.append($0) })
            return .success(Outcome(accepted: accepted, rejected: rejected, report: report))
        } catch let failure as ValidationFailure {
            return .failure(failure)
        } catch {
            Issue.record("unexpected error \(error)")
            return .failure(ValidationFailure(issues: []))
        }
    }

    @Test(arguments: 0..<8)
    func mutatedNominationsGetTheSameVerdictBothWays(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 0x9E37_79B9 &+ 99)
        let records = (0..<150).map { _ in MutatedNomination.make(&random) }
        let document = Array(("{\"nominations\": [" + records.joined(separator: ",\n") + "]}").utf8)
        let lines = Array(records.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n").utf8)
        var accepted = 0
        var rejected = 0
        for configuration in [
            RecordReaderConfiguration(), .init(unknownFields: .reject), .init(maximumDepth: 3, maximumStringLength: 20),
        ] {
            for (bytes, format) in [(document, BatchFormat.document), (lines, .jsonLines)] {
                let fast = Self.read(bytes, fast: true, format: format, configuration: configuration)
                let general = Self.read(bytes, fast: false, format: format, configuration: configuration)
                #expect(fast == general, "seed \(seed)")
                if case .success(let outcome) = fast {
                    accepted += outcome.accepted.count
                    rejected += outcome.rejected.count
                }
            }
        }
        #expect(accepted > 0)
        #expect(rejected > 0)
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded nominations: valid ones with random optional fields and key order, then zero to three mutations.
enum MutatedNomination {
    static func pick(_ items: [String], _ random: inout SplitMix) -> String {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    static func make(_ random: inout SplitMix) -> String {
        var members: [(key: String, value: String)] = [
            ("nomination_id", "\"N-\(Int.random(in: 1...99_999, using: &random))\""),
            ("shipper_lei", pick(["\"7LTWFZYICNSX8D621K86\"", "\"506700GE1G29325QX363\""], &random)),
            ("point_eic", pick(["\"10YNL----------L\"", "\"10Y1001A1001A82H\""], &random)),
            ("direction", pick(["\"ENTRY\"", "\"EXIT\"", "\"IN\""], &random)),
            ("flow_start", "\"2025-03-0\(Int.random(in: 1...8, using: &random))T06:00:00+01:00\""),
            ("flow_end", "\"2025-03-09T06:00:00Z\""),
            (
                "energy_kwh",
                "\(Int.random(in: 1...9_999_999, using: &random)).\(Int.random(in: 0...99, using: &random))"
            ),
        ]
        if Bool.random(using: &random) { members.append(("revision", "\(Int.random(in: 0...999, using: &random))")) }
        if Bool.random(using: &random) { members.append(("note", pick(["\"a/b\"", "\"x\""], &random))) }
        if Bool.random(using: &random) { members.shuffle(using: &random) }
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let index = Int.random(in: 0..<members.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0: members.remove(at: index)
            case 1: members[index].value = pick(["null", "1", "\"1\"", "true", "[]", "{\"a\":[{}]}", "1e400"], &random)
            case 2: members[index].value = members[index].value.replacingOccurrences(of: "N", with: "\\u004E")
            case 3: members.append(members[index])
            case 4:
                members.insert(
                    (pick(["extra", "Direction", "note2"], &random), pick(["1", "null"], &random)), at: index)
            case 5:
                let bad: [String: [String]] = [
                    "nomination_id": ["\"n-1\"", "\"\"", "\"N-123456789012345678901\""],
                    "shipper_lei": ["\"7LTWFZYICNSX8D621K87\""], "point_eic": ["\"10YNL----------X\""],
                    "direction": ["\"entry\"", "\"UP\""],
                    "flow_start": ["\"2025-03-10T00:00:00Z\"", "\"2025-02-30T00:00:00Z\""],
                    "flow_end": ["\"2025-03-01T00:00:00Z\"", "\"2025-03-09\""],
                    "energy_kwh": ["0", "-1", "1000000000.5", "0.000000000000000001", "1E2"],
                    "revision": ["1000", "2.5", "2.0", "-1"], "note": ["\"has space\""],
                ]
                if let values = bad[members[index].key] { members[index].value = pick(values, &random) }
            case 6: members[index].value = " \n" + members[index].value + "\t"
            case 7: members[index].value = "\"é\""
            default:
                var text = Array("{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
                text[Int.random(in: 0..<text.count, using: &random)] = Character(
                    pick(["\"", "\\", "{", "}", ",", ":", "0", "x"], &random))
                return String(text)
            }
        }
        return "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }
}
