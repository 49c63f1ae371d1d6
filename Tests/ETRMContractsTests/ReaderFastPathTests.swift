import ETRMShared
import Foundation
import Testing

@testable import ETRMContracts

/// The trade reader's fast plan (compiled from the same declaration as its rule table) may only change how
/// quickly a valid record is read: on every input it must give the same records, rejections, issues (paths,
/// codes, messages, values), raw bytes and report as the rule table alone. These tests read seeded, randomly mutated trade documents both ways and compare.
@Suite struct ReaderFastPathTests {
    /// What one read produced, comparable as a whole.
    struct Outcome: Equatable {
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        var report: BatchReport
    }

    static func read(
        _ bytes: [UInt8], fast: Bool, format: BatchFormat = .document, configuration: RecordReaderConfiguration
    ) -> Result<Outcome, ValidationFailure> {
        var reader = RecordReader<TradeRecord>(configuration: configuration)
        reader.usesFastPath = fast
        var accepted: [String] = []
        var rejected: [RejectedRecord] = []
        do {
            let report = try reader.read(
                bytes, format: format, source: "s", batchID: "b",
                onRecord: { index, record in accepted.append("\(index) \(describe(record))") },
                onRejected: { rejected.append($0) })
            return .success(Outcome(accepted: accepted, rejected: rejected, report: report))
        } catch let failure as ValidationFailure {
            return .failure(failure)
        } catch {
            Issue.record("unexpected error \(error)")
            return .failure(ValidationFailure(issues: []))
        }
    }

    /// Every stored property, including each decimal's scale, so that `12.5` and `12.500` differ.
    static func describe(_ record: TradeRecord) -> String {
        [
            record.tradeID, record.counterpartyLEI.description, record.productCode,
            record.deliveryStart.description, record.deliveryEnd.description,
            "\(record.volumeMWh)/\(record.volumeMWh.scale)", "\(record.priceUSD)/\(record.priceUSD.scale)",
            record.status.description, record.eventTime.description, "\(String(describing: record.buySell))",
            "\(String(describing: record.deliveryPoint))", "\(String(describing: record.currency))",
            "\(String(describing: record.unit))", "\(String(describing: record.actionType))",
            "\(String(describing: record.schemaVersion))",
        ].joined(separator: "|")
    }

    static let configurations: [RecordReaderConfiguration] = [
        .init(),
        .init(unknownFields: .reject),
        .init(maximumDepth: 3, maximumStringLength: 24),
    ]

    @Test(arguments: 0..<12)
    func mutatedDocumentsGetTheSameVerdictBothWays(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        var records: [[UInt8]] = []
        for _ in 0..<120 { records.append(MutatedTrade.make(&random)) }
        let document =
            Array("{\"trades\": [".utf8) + Array(records.joined(separator: Array(",\n".utf8))) + Array("]}".utf8)
        let lines = Array(records.map { $0.map { $0 == 0x0A ? 0x20 : $0 } }.joined(separator: [0x0A]))
        var fastAccepted = 0
        var rejected = 0
        for configuration in Self.configurations {
            for (bytes, format) in [(document, BatchFormat.document), (lines, .jsonLines)] {
                let fast = Self.read(bytes, fast: true, format: format, configuration: configuration)
                let general = Self.read(bytes, fast: false, format: format, configuration: configuration)
                #expect(fast == general, "seed \(seed), \(format.isLines ? "lines" : "document")")
                if case .success(let outcome) = fast {
                    fastAccepted += outcome.accepted.count
                    rejected += outcome.rejected.count
                }
            }
        }
        // The comparison means something only if both verdicts occur.
        #expect(fastAccepted > 0)
        #expect(rejected > 0)
    }

    /// Each record alone: whenever the fast path accepts, the rule table accepts the same record; and the fast
    /// path accepts the plain valid records it was written for.
    @Test func theFastPathAcceptsOnlyWhatTheRuleTableAccepts() throws {
        var random = SeededGenerator(seed: 0xFA57)
        var fastAccepts = 0
        var plainAccepts = 0
        for round in 0..<3000 {
            let plain = round % 4 == 0
            let bytes = plain ? Array(MutatedTrade.valid(&random).text.utf8) : MutatedTrade.make(&random)
            let text = String(decoding: bytes, as: UTF8.self)
            for policy in [UnknownFieldPolicy.ignore, .reject] {
                let fast: TradeRecord? = bytes.withUnsafeBytes { raw in
                    guard var scanner = try? JSONScanner(raw) else { return nil }
                    scanner.skipWhitespace()
                    return TradeRecord.recordSchema.fastDecode?(&scanner, policy)
                }
                var reader = RecordReader<TradeRecord>(configuration: .init(unknownFields: policy))
                reader.usesFastPath = false
                let general = try? reader.decode(bytes)
                if let fast {
                    fastAccepts += 1
                    #expect(general.map(Self.describe) == Self.describe(fast), "\(text)")
                }
                if plain, policy == .ignore {
                    #expect(fast != nil, "a plain valid record fell back: \(text)")
                    if fast != nil { plainAccepts += 1 }
                }
            }
        }
        #expect(fastAccepts > plainAccepts)
    }
}

/// Seeded trade records: valid ones with random optional fields, key order and whitespace, then damaged by
/// zero to three random mutations (byte flips, dropped fields, wrong types, escapes, duplicate or unknown keys,
/// invalid values).
enum MutatedTrade {
    static let leis = ["7LTWFZYICNSX8D621K86", "506700GE1G29325QX363", "HWUPKR0MPOU8FGXBT394", "7LTWFZYICNSX8D621K87"]

    struct Fields {
        var members: [(key: String, value: String)]
        var text: String { "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}" }
    }

    static func pick<T>(_ items: [T], _ random: inout SeededGenerator) -> T {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    static func valid(_ random: inout SeededGenerator) -> Fields {
        let hour = Int.random(in: 0...22, using: &random)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        var members: [(String, String)] = [
            ("trade_id", "\"T-\(Int.random(in: 1...99_999_999, using: &random))\""),
            ("counterparty_lei", "\"\(pick(Array(leis.prefix(3)), &random))\""),
            ("product_code", "\"\(pick(["DE-BASE-D", "NG_TTF_M1", "EEX.F1BY", "FR/PEAK"], &random))\""),
            ("delivery_start", "\"2025-03-0\(Int.random(in: 1...9, using: &random))T\(two(hour)):00:00Z\""),
            ("delivery_end", "\"2025-03-10T\(two(hour + 1)):00:00+01:00\""),
            ("volume_mwh", "\(Int.random(in: 1...999, using: &random)).\(Int.random(in: 0...999, using: &random))"),
            (
                "price_usd",
                "\(Int.random(in: -500...500, using: &random)).\(two(Int.random(in: 0...99, using: &random)))"
            ),
            ("status", "\"\(pick(["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"], &random))\""),
            ("event_time", "\"2024-12-0\(Int.random(in: 1...9, using: &random))T10:15:30.123Z\""),
        ]
        let optional: [(String, String)] = [
            ("buy_sell", pick(["\"BUY\"", "\"SELL\""], &random)),
            ("delivery_point", pick(["\"10YNL----------L\"", "\"10Y1001A1001A82H\""], &random)),
            ("currency", pick(["\"EUR\"", "\"GBP\""], &random)),
            ("unit", "\"MWh\""),
            ("action_type", pick(["\"N\"", "\"M\""], &random)),
            ("schema_version", pick(["1", "2", "1000"], &random)),
        ]
        for member in optional where Bool.random(using: &random) { members.append(member) }
        if Int.random(in: 0..<3, using: &random) == 0 { members.shuffle(using: &random) }
        return Fields(members: members)
    }

    static func make(_ random: inout SeededGenerator) -> [UInt8] {
        var fields = valid(&random)
        var flips: [(Int, UInt8)] = []
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let index = Int.random(in: 0..<fields.members.count, using: &random)
            switch Int.random(in: 0..<12, using: &random) {
            case 0: fields.members.remove(at: index)
            case 1:
                fields.members[index].value = pick(
                    ["null", "42", "\"42\"", "true", "[]", "{}", "{\"a\":[1,{\"b\":2}]}", "1e400", "-0"], &random)
            case 2:
                // An escape that keeps the value's meaning, or changes it.
                let value = fields.members[index].value
                if value.hasPrefix("\""), value.count > 3 {
                    var characters = Array(value)
                    let position = Int.random(in: 1..<(characters.count - 1), using: &random)
                    let scalar = characters[position].unicodeScalars.first!.value
                    let escape = pick([String(format: "\\u%04X", scalar), "\\/", "\\n", "\\\""], &random)
                    characters.replaceSubrange(position...position, with: Array(escape))
                    fields.members[index].value = String(characters)
                }
            case 3: fields.members.append(fields.members[index])
            case 4:
                fields.members.insert(
                    (
                        pick(["extra", "note", "trade_id2", "x"], &random),
                        pick(["1", "\"v\"", "null", "[1,2]"], &random)
                    ), at: index)
            case 5:
                fields.members[index].key = pick(["trade_ID", "tr\\u0061de_id", "status ", ""], &random)
            case 6:
                let key = fields.members[index].key
                let bad: [String: [String]] = [
                    "counterparty_lei": ["\"\(leis[3])\"", "\"7ltwfzyicnsx8d621k86\""],
                    "delivery_start": [
                        "\"2025-03-01T00:00:00\"", "\"2025-02-29T00:00:00Z\"", "\"2025-04-01T00:00:00Z\"",
                    ],
                    "delivery_end": ["\"2025-01-01T00:00:00Z\"", "\"2025-03-10T24:00:00Z\""],
                    "volume_mwh": ["0", "-1", "1000000.001", "1e3", "12.5000000000000000001"],
                    "price_usd": ["-1000000.01", "5e2", "0.1234567890123456789"],
                    "status": ["\"confirmed\"", "\"DONE\""],
                    "schema_version": ["0", "2.5", "2.0"],
                    "trade_id": ["\"has space\"", "\"\""],
                    "product_code": ["\"-DE\"", "\"\(String(repeating: "A", count: 33))\""],
                    "buy_sell": ["\"buy\""], "currency": ["\"XXX\""], "unit": ["\"kWh\"", "\"GJ\""],
                    "delivery_point": ["\"10YNL----------X\""], "action_type": ["\"Z\""],
                ]
                if let values = bad[key] { fields.members[index].value = pick(values, &random) }
            case 7:
                fields.members[index].value = " \n\t" + fields.members[index].value + " \r\n"
            case 8:
                fields.members[index].value = "\"é\(Int.random(in: 0...9, using: &random))\""
            default:
                let text = Array(fields.text.utf8)
                let position = Int.random(in: 0..<text.count, using: &random)
                flips.append(
                    (
                        position,
                        pick(
                            Array("\"\\{}[],:n0 -.eZ".utf8) + [
                                0x01, 0xC3, 0xFF, 0x7F, UInt8.random(in: 0...255, using: &random),
                            ],
                            &random)
                    ))
            }
        }
        var bytes = Array(fields.text.utf8)
        for (position, byte) in flips where position < bytes.count { bytes[position] = byte }
        return bytes
    }
}
