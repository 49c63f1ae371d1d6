import ETRMContracts
import Foundation
import Testing

/// Literals with very long digit runs and very large exponents: the digit count and the exponent must never
/// cancel through a saturated or wrapped counter. Each case is worked out by hand as a power of ten.
@Suite struct DecimalLongLiteralTests {
    /// A literal of `head`, `zeros` zeros and `tail`, described briefly in test output.
    struct Literal: CustomTestStringConvertible, Sendable {
        var head: String
        var zeros: Int
        var tail: String
        var text: String { head + String(repeating: "0", count: zeros) + tail }
        var testDescription: String { "\(head) + \(zeros) zeros + \(tail)" }
    }

    static func literal(_ head: String, zeros: Int, _ tail: String) -> Literal {
        Literal(head: head, zeros: zeros, tail: tail)
    }

    /// 10^(1,000,000 - 10,000,000) and 10^(10,000,000 - 1,000,000): far out of range, never `1`.
    static let outOfRange: [Literal] = [
        literal("1", zeros: 1_000_000, "e-10000000"),
        literal("0.", zeros: 999_999, "1e+10000000"),
        literal("1", zeros: 1_000_000, "e-1000019"),
        literal("0.", zeros: 999_999, "1e1000019"),
        literal("-1", zeros: 2_000_000, "e-4000000"),
        literal("1e-", zeros: 0, "99999999999999999999999999"),
        literal("1e", zeros: 0, "99999999999999999999999999"),
    ]

    @Test(arguments: outOfRange)
    func aHugeLiteralIsOutOfRangeNeverAnotherNumber(literal: Literal) {
        let text = literal.text
        #expect {
            _ = try ExactDecimal(text)
        } throws: { error in
            (error as? ValidationIssue)?.code == .outOfRange
        }
        #expect(throws: ValidationIssue.self) { _ = try ExactDecimal(parsing: Array(text.utf8)) }
    }

    /// Input, expected description: long runs that cancel exactly to a value that fits are accepted, with
    /// the written scale where it fits and the largest scale (18) where it does not, as for short literals.
    static let exact: [(Literal, String)] = [
        (literal("1", zeros: 1_000_000, "e-1000000"), "1.000000000000000000"),
        (literal("1", zeros: 1_000_000, "e-1000018"), "0.000000000000000001"),
        (literal("0.", zeros: 999_999, "1e1000000"), "1"),
        (literal("0.", zeros: 2_000_000, "5e2000000"), "0.5"),
        (literal("0.", zeros: 1_500_000, "e+1500000"), "0"),
        (literal("25", zeros: 3_000_000, "e-3000002"), "0.250000000000000000"),
    ]

    @Test(arguments: exact)
    func aLongLiteralThatCancelsExactlyIsAccepted(literal: Literal, expected: String) throws {
        let value = try ExactDecimal(literal.text)
        #expect(value.description == expected)
    }

    @Test func theTradeReaderQuarantinesAHugeVolume() throws {
        for volume in Self.outOfRange.prefix(2).map(\.text) {
            var reader = RecordReader<TradeRecord>()
            for usesFastPath in [true, false] {
                reader.usesFastPath = usesFastPath
                let document = #"{"trades": ["# + tradeJSON(["volume_mwh": volume]) + "]}"
                var accepted = 0
                var rejected: [RejectedRecord] = []
                let report = try reader.read(
                    Array(document.utf8), source: "s", batchID: "b", onRecord: { _, _ in accepted += 1 },
                    onRejected: { rejected.append($0) })
                #expect(accepted == 0)
                #expect(report.quarantined == 1 && report.received == 1)
                #expect(rejected.first?.issues.map(\.path) == ["/trades/0/volume_mwh"])
                #expect(rejected.first?.issues.map(\.code) == [.outOfRange])
            }
        }
    }
}
