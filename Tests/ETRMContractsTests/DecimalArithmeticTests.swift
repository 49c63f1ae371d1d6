import ETRMContracts
import Foundation
import Testing

@Suite struct DecimalArithmeticTests {
    private func d(_ text: String) throws -> ExactDecimal { try ExactDecimal(text) }

    @Test func equalityAndHashingAreNumeric() throws {
        #expect(try d("1.50") == d("1.5"))
        #expect(try d("1.50").hashValue == d("1.5").hashValue)
        #expect(try d("0.00") == d("0"))
        #expect(try d("-0.00").hashValue == d("0").hashValue)
        #expect(try d("1.51") != d("1.5"))
        #expect(try Set([d("2"), d("2.0"), d("2.000"), d("3")]).count == 2)
    }

    @Test(arguments: [
        ("1.5", "1.51"), ("-2", "-1.99"), ("-0.001", "0"), ("0.999999999999999999", "1"),
        ("-9223372036854775807", "-922337203685477580.7"), ("9.1", "10"),
    ])
    func ordersNumerically(smaller: String, larger: String) throws {
        #expect(try d(smaller) < d(larger))
        #expect(try !(d(larger) < d(smaller)))
    }

    @Test(arguments: [
        ("1.5", "2.25", "3.75"), ("-0.50", "0.5", "0.00"), ("9223372036854775806", "1", "9223372036854775807"),
        ("0.000000000000000001", "1", "1.000000000000000001"), ("100", "-0.001", "99.999"),
    ])
    func adds(lhs: String, rhs: String, sum: String) throws {
        let result = try d(lhs).adding(d(rhs))
        #expect(result.description == sum)
        #expect(try result.subtracting(d(rhs)) == d(lhs))
    }

    @Test(arguments: [
        ("9223372036854775807", "1"), ("-9223372036854775807", "-1"), ("9223372036854775807", "0.1"),
        ("10000000000", "0.000000000000000001"),
    ])
    func additionOverflowThrowsInsteadOfTrapping(lhs: String, rhs: String) throws {
        let left = try d(lhs)
        let right = try d(rhs)
        #expect { try left.adding(right) } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
        #expect { try left.negated().subtracting(right) } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
    }

    @Test func negationKeepsTheScale() throws {
        #expect(try d("0.50").negated().description == "-0.50")
        #expect(try d("-9223372036854775807").negated().description == "9223372036854775807")
        #expect(try d("-3.2").magnitude.description == "3.2")
    }

    @Test(arguments: [
        // value, scale, rule, expected
        ("2.345", 2, FloatingPointRoundingRule.toNearestOrEven, "2.34"),
        ("2.355", 2, .toNearestOrEven, "2.36"),
        ("-2.345", 2, .toNearestOrEven, "-2.34"),
        ("2.3450001", 2, .toNearestOrEven, "2.35"),
        ("2.345", 2, .toNearestOrAwayFromZero, "2.35"),
        ("-2.345", 2, .toNearestOrAwayFromZero, "-2.35"),
        ("2.349", 2, .towardZero, "2.34"),
        ("-2.349", 2, .towardZero, "-2.34"),
        ("2.341", 2, .awayFromZero, "2.35"),
        ("2.341", 2, .up, "2.35"),
        ("-2.341", 2, .up, "-2.34"),
        ("2.349", 2, .down, "2.34"),
        ("-2.341", 2, .down, "-2.35"),
        ("0.5", 0, .toNearestOrEven, "0"),
        ("1.5", 0, .toNearestOrEven, "2"),
        ("2.5", 0, .toNearestOrEven, "2"),
        ("1.5", 4, .toNearestOrEven, "1.5000"),
        ("2.340", 2, .awayFromZero, "2.34"),
    ])
    func rescales(value: String, scale: UInt8, rule: FloatingPointRoundingRule, expected: String) throws {
        #expect(try d(value).rescaled(to: scale, rounding: rule).description == expected)
    }

    @Test func rescalingUpOverflowThrows() throws {
        #expect {
            try d("9223372036854775807").rescaled(to: 1)
        } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
        #expect { try d("1").rescaled(to: 19) } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
    }

    @Test func fullWidthProductIsExact() throws {
        let product = try d("42.50").multipliedFullWidth(by: d("12.345"))
        #expect(product.significand == 524_662_500 / 10 && product.scale == 5)
        #expect(product.description == "524.66250")
        let big = try d("9223372036854775807").multipliedFullWidth(by: d("-9223372036854775807"))
        #expect(big.description == "-85070591730234615847396907784232501249")
    }

    @Test func vwapWithHalfEvenRoundingToFourDecimals() throws {
        // (10 × 50.00005 + 30 × 50.00010) / 40 = 2000.0035 / 40 = 50.0000875 → 50.0001 at 4 decimals.
        let trades: [(String, String)] = [("10", "50.00005"), ("30", "50.00010")]
        var notional = WideDecimal.zero
        var volume = WideDecimal.zero
        for (v, p) in trades {
            notional = try notional.adding(d(v).multipliedFullWidth(by: d(p)))
            volume = try volume.adding(WideDecimal(d(v)))
        }
        #expect(notional.description == "2000.00350")
        #expect(try notional.divided(by: volume, scale: 4).description == "50.0001")
        #expect(try notional.divided(by: volume, scale: 7).description == "50.0000875")
    }

    @Test(arguments: [
        // numerator, denominator, scale, expected with half-even
        ("1", "8", 2, "0.12"),  // 0.125 → even 0.12
        ("3", "8", 2, "0.38"),  // 0.375 → even 0.38
        ("-1", "8", 2, "-0.12"),
        ("1", "3", 4, "0.3333"),
        ("2", "3", 4, "0.6667"),
        ("10", "4", 0, "2"),  // 2.5 → 2
        ("14", "4", 0, "4"),  // 3.5 → 4
        ("1", "-3", 18, "-0.333333333333333333"),
        ("0", "7", 3, "0.000"),
        (
            "1.00000000000000000000000000000000000", "100000000000000000000000000000000000000", 18,
            "0.000000000000000000"
        ),
    ])
    func dividesWithHalfEven(numerator: String, denominator: String, scale: UInt8, expected: String) throws {
        let n = try wide(numerator)
        let q = try n.divided(by: wide(denominator), scale: scale)
        #expect(q.description == expected)
    }

    @Test func divisionCornerCases() throws {
        // A tiny divisor at a high scale: 1 / 10^-18 = 10^18 fits; 10 / 10^-18 does not.
        let tiny = WideDecimal(significand: 1, scale: 18)
        #expect(
            try WideDecimal(significand: 1, scale: 0).divided(by: tiny, scale: 0).description
                == "1000000000000000000")
        #expect {
            try WideDecimal(significand: 10, scale: 0).divided(by: tiny, scale: 0)
        } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
        #expect { try WideDecimal.zero.divided(by: .zero, scale: 0) } throws: { $0 is ValidationIssue }
        // 1 / 100 with a wide scale on the numerator: shift is negative.
        let n = WideDecimal(significand: 15, scale: 30)  // 1.5e-29
        #expect(try n.divided(by: WideDecimal(significand: 1, scale: 0), scale: 2).description == "0.00")
        #expect(
            try n.divided(by: WideDecimal(significand: 1, scale: 0), scale: 2, rounding: .up).description
                == "0.01")
        #expect(try WideDecimal(significand: 12_345, scale: 3).rounded(scale: 1).description == "12.3")
    }

    @Test func wideSumsOverflowThrow() throws {
        let max = WideDecimal(significand: Int128.max, scale: 0)
        #expect { try max.adding(WideDecimal(significand: 1, scale: 0)) } throws: { $0 is ValidationIssue }
        #expect { try max.adding(WideDecimal(significand: 1, scale: 1)) } throws: { $0 is ValidationIssue }
        #expect(try max.subtracting(WideDecimal(significand: 1, scale: 0)).significand == Int128.max - 1)
        #expect(WideDecimal(significand: 150, scale: 2) == WideDecimal(significand: 15, scale: 1))
    }

    @Test(arguments: [
        ("12345678901234.12345", true), ("1.123456", false), ("1.123450", true), ("-0.00001", true),
        ("9223372036854775807", true),
    ])
    func remitCheck(value: String, passes: Bool) throws {
        let decimal = try d(value)
        if passes {
            #expect(throws: Never.self) { try decimal.checkREMIT() }
        } else {
            #expect { try decimal.checkREMIT() } throws: { ($0 as? ValidationIssue)?.code == .outOfRange }
        }
    }

    @Test func digitLimitsCountSignificantDigits() throws {
        #expect(throws: Never.self) { try d("12345.6").checkDigits(total: 6, fraction: 1) }
        #expect { try d("123456.7").checkDigits(total: 6, fraction: 1) } throws: { $0 is ValidationIssue }
    }

    @Test func codableReadsNumbersExactlyAndRefusesStrings() throws {
        struct Row: Codable { var price: ExactDecimal }
        let decoder = JSONDecoder()
        let fromNumber = try decoder.decode(Row.self, from: Data(#"{"price": 0.1}"#.utf8))
        #expect(fromNumber.price == (try d("0.1")))
        let fromLong = try decoder.decode(Row.self, from: Data(#"{"price": 1234567890.123456789}"#.utf8))
        #expect(fromLong.price.description == "1234567890.123456789")
        #expect(throws: DecodingError.self) { try decoder.decode(Row.self, from: Data(#"{"price": "-0.50"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Row.self, from: Data(#"{"price": "1,5"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Row.self, from: Data(#"{"price": true}"#.utf8)) }
        let encoded = try JSONEncoder().encode(Row(price: d("-1234.50")))
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"price":-1234.5}"#)
        let big = try JSONEncoder().encode(Row(price: d("-92233720.36854775807")))
        #expect(String(decoding: big, as: UTF8.self) == #"{"price":-92233720.36854775807}"#)
    }

    private func wide(_ text: String) throws -> WideDecimal {
        // Parse "digits[.digits]" into a WideDecimal independently of ExactDecimal's range.
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let digits = parts.joined()
        let scale = parts.count == 2 ? parts[1].count : 0
        let magnitude = try #require(Int128(digits))
        return WideDecimal(significand: negative ? -magnitude : magnitude, scale: UInt8(scale))
    }
}
