import Foundation
import Testing

@testable import ETRMContracts

/// The throwing initialiser for values from outside the program, and `Codable` under the wire rules.
@Suite struct DecimalCheckedTests {
    @Test(arguments: [
        (Int64(4250), 2, "42.50"), (-1, 18, "-0.000000000000000001"), (Int64.max, 0, "9223372036854775807"),
    ])
    func theCheckedInitialiserAcceptsWhatFits(significand: Int64, scale: Int, text: String) throws {
        #expect(try ExactDecimal(checkedSignificand: significand, scale: scale).description == text)
    }

    @Test(arguments: [(Int64(1), 19), (1, -1), (1, 300), (Int64.min, 0)])
    func theCheckedInitialiserThrowsWhereThePlainOneTraps(significand: Int64, scale: Int) {
        #expect {
            _ = try ExactDecimal(checkedSignificand: significand, scale: scale)
        } throws: { error in
            (error as? ValidationIssue)?.code == .outOfRange
        }
    }

    /// The wire rules: a decimal field is a JSON number; a string holding one is `wrong_type`.
    @Test(arguments: [#""1.5""#, #""42.50""#, "true", "null", "[1]"])
    func codableRefusesWhatIsNotANumberAsWrongType(json: String) throws {
        #expect {
            _ = try JSONDecoder().decode(ExactDecimal.self, from: Data(json.utf8))
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return (context.underlyingError as? ValidationIssue)?.code == .wrongType
        }
        let wire = try RecordReader<Widget>().read(
            Array(#"{"widgets": [{"id": "a", "quantity": \#(json)}]}"#.utf8), onRecord: { _, _ in },
            onRejected: { #expect($0.issues.map(\.code) == [.wrongType] || json == "null") })
        #expect(wire.quarantined == 1)
    }

    @Test(arguments: ["42.50", "0.10", "100e-2", "-0.000000000000000001", "9223372036854775807", "1e18"])
    func codableRoundTripsTheValueExactly(json: String) throws {
        let decoded = try JSONDecoder().decode(ExactDecimal.self, from: Data(json.utf8))
        #expect(decoded == (try ExactDecimal(json)))
        let encoded = try JSONEncoder().encode([decoded])
        let again = try JSONDecoder().decode([ExactDecimal].self, from: encoded)
        #expect(again == [decoded])
    }
}
