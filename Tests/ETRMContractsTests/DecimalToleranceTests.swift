import ETRMContracts
import Testing

/// The one relative-tolerance rule: `|value − reference| > tolerance × |reference|`, exact.
@Suite struct DecimalToleranceTests {
    static let halfPercent = ExactDecimal(significand: 5, scale: 3)

    @Test(arguments: [
        ("0.600", "0.603", false),  // exactly 0.5 %: not exceeded (a double says 0.005000000000000004)
        ("0.600", "0.6031", true),
        ("100", "100.5", false),
        ("100", "99.5", false),
        ("100", "99.49", true),
        ("-100", "-100.6", true),  // relative to |reference|
        ("0", "0", false),
        ("0", "0.001", true),  // any deviation of a zero reference
        ("922337203685477.5807", "922337203685477.5807", false),
    ])
    func decidesExactlyAtTheBoundary(reference: String, value: String, exceeded: Bool) throws {
        let result = try Self.halfPercent.isExceeded(
            by: try ExactDecimal(value), relativeTo: try ExactDecimal(reference))
        #expect(result == exceeded)
    }

    @Test func summedDeviationsAtAnyScales() throws {
        // Σ |deviation| = 5.000 on Σ |reference| = 1000: exactly 0.5 %.
        let deviation = WideDecimal(significand: 5000, scale: 3)
        let reference = WideDecimal(significand: 1000, scale: 0)
        #expect(try !Self.halfPercent.isExceeded(byDeviation: deviation, of: reference))
        #expect(
            try Self.halfPercent.isExceeded(
                byDeviation: try deviation.adding(.init(significand: 1, scale: 30)), of: reference))
        #expect(try Self.halfPercent.isExceeded(byDeviation: deviation, of: .zero))
        #expect(try !Self.halfPercent.isExceeded(byDeviation: .zero, of: .zero))
        // The largest magnitudes at the widest scale gap do not overflow.
        let huge = WideDecimal(significand: Int128.max, scale: 0)
        let tiny = WideDecimal(significand: Int128.max, scale: 38)
        #expect(try Self.halfPercent.isExceeded(byDeviation: huge, of: tiny))
        #expect(try !Self.halfPercent.isExceeded(byDeviation: tiny, of: huge))
    }

    @Test func agreesWithTheSummedFormOnSingleValues() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let reference = ExactDecimal(
                significand: Int64.random(in: -1_000_000...1_000_000, using: &generator), scale: 3)
            let value = ExactDecimal(significand: Int64.random(in: -1_000_000...1_000_000, using: &generator), scale: 2)
            let deviation = try WideDecimal(value).subtracting(WideDecimal(reference))
            let single = try Self.halfPercent.isExceeded(by: value, relativeTo: reference)
            let summed = try Self.halfPercent.isExceeded(byDeviation: deviation, of: WideDecimal(reference))
            #expect(single == summed, "\(value) against \(reference)")
        }
    }

    @Test func refusesANegativeTolerance() {
        #expect(throws: ValidationIssue.self) {
            try ExactDecimal(significand: -5, scale: 3).isExceeded(by: .zero, relativeTo: .zero)
        }
    }
}
