import ETRMContracts
import Foundation
import Testing

@Suite struct DecimalParsingTests {
    /// Input, expected significand, expected scale.
    static let accepted: [(String, Int64, UInt8)] = [
        ("0", 0, 0),
        ("-0", 0, 0),
        ("0.0", 0, 1),
        ("-0.50", -50, 2),
        ("1234.567", 1_234_567, 3),
        ("42", 42, 0),
        ("-42", -42, 0),
        ("1.50", 150, 2),
        ("0.001", 1, 3),
        ("100", 100, 0),
        ("5e2", 500, 0),
        ("5E2", 500, 0),
        ("5e+2", 500, 0),
        ("1.5E-3", 15, 4),
        ("1.5e-3", 15, 4),
        ("12.5e1", 125, 0),
        ("12.50e1", 1250, 1),
        ("0e5", 0, 0),
        ("0.000e-2", 0, 5),
        ("9223372036854775807", 9_223_372_036_854_775_807, 0),
        ("-9223372036854775807", -9_223_372_036_854_775_807, 0),
        ("0.000000000000000001", 1, 18),
        ("922337203685477580.7", 9_223_372_036_854_775_807, 1),
        ("1.500000000000000000000", 1_500_000_000_000_000_000, 18),
        ("92233720368547758070000e-4", 9_223_372_036_854_775_807, 0),
        ("922337203685477580.70", 9_223_372_036_854_775_807, 1),
        ("1e18", 1_000_000_000_000_000_000, 0),
        ("100e-2", 100, 2),
        ("0.1e1", 1, 0),
        ("123456789012345678e-18", 123_456_789_012_345_678, 18),
        ("-99999.99999", -9_999_999_999, 5),
        ("1e-18", 1, 18),
    ]

    static let rejected: [(String, String)] = [
        ("", "not_a_decimal"),
        ("NaN", "not_a_decimal"),
        ("nan", "not_a_decimal"),
        ("Infinity", "not_a_decimal"),
        ("-Infinity", "not_a_decimal"),
        ("1,5", "not_a_decimal"),
        ("12.3.4", "not_a_decimal"),
        (" 1", "not_a_decimal"),
        ("1 ", "not_a_decimal"),
        ("+1", "not_a_decimal"),
        ("01", "not_a_decimal"),
        ("-01.5", "not_a_decimal"),
        (".5", "not_a_decimal"),
        ("5.", "not_a_decimal"),
        ("-", "not_a_decimal"),
        ("--1", "not_a_decimal"),
        ("1e", "not_a_decimal"),
        ("1e+", "not_a_decimal"),
        ("e5", "not_a_decimal"),
        ("0x10", "not_a_decimal"),
        ("1_000", "not_a_decimal"),
        ("١٢", "not_a_decimal"),
        ("9223372036854775808", "out_of_range"),
        ("-9223372036854775808", "out_of_range"),
        ("18446744073709551616", "out_of_range"),
        ("12345678901234567890123", "out_of_range"),
        ("0.0000000000000000001", "out_of_range"),
        ("1e19", "out_of_range"),
        ("1e-19", "out_of_range"),
        ("1e999999999999", "out_of_range"),
        ("1.23456789012345678901", "out_of_range"),
    ]

    @Test(arguments: accepted)
    func accepts(input: String, significand: Int64, scale: UInt8) throws {
        let value = try ExactDecimal(input)
        #expect(value.significand == significand)
        #expect(value.scale == scale)
        let fromBytes = try ExactDecimal(parsing: Array(input.utf8))
        #expect(fromBytes.significand == significand && fromBytes.scale == scale)
    }

    @Test(arguments: rejected)
    func rejects(input: String, code: String) {
        #expect {
            _ = try ExactDecimal(input)
        } throws: { error in
            guard let issue = error as? ValidationIssue else { return false }
            return issue.code.rawValue == code && issue.path.isEmpty && issue.value == input
        }
    }

    @Test func parsesFromUnsafeBufferAndSlices() throws {
        let document = Array(#"{"price":-12.345,"x":1}"#.utf8)
        let value = try document.withUnsafeBufferPointer { buffer in
            try ExactDecimal(parsing: UnsafeBufferPointer(rebasing: buffer[9..<16]))
        }
        #expect(value.description == "-12.345")
        #expect(try ExactDecimal(parsing: document[9..<16]).description == "-12.345")
        // A non-contiguous collection takes the copying path and agrees.
        #expect(try ExactDecimal(parsing: "-12.345".utf8.reversed().reversed()).description == "-12.345")
    }

    @Test(arguments: ["0", "-0.50", "1234.567", "0.000000000000000001", "-9223372036854775.807", "500"])
    func descriptionRoundTripsKeepingTheScale(text: String) throws {
        let value = try ExactDecimal(text)
        #expect(value.description == text)
        let again = try ExactDecimal(value.description)
        #expect(again.significand == value.significand && again.scale == value.scale)
    }

    @Test func exponentFormsAreWrittenPlainly() throws {
        #expect(try ExactDecimal("5e2").description == "500")
        #expect(try ExactDecimal("1.5E-3").description == "0.0015")
        #expect(try ExactDecimal("-0").description == "0")
    }
}
