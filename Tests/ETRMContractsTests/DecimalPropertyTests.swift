import ETRMContracts
import ETRMShared
import Testing

/// Compares the byte parser with a deliberately naive reference that works on `String`s and a regex.
@Suite struct DecimalPropertyTests {
    /// What the reference expects: nil for a grammar error, `.some(nil)` for out of range, else the value's
    /// normalised text and, when the written scale fits, that scale.
    struct Expectation {
        var normalized: String
        var writtenScale: Int?
    }

    enum Outcome: Equatable {
        case notADecimal, outOfRange, value(String, Int?)
    }

    static let int64Max = "9223372036854775807"

    static func fits(_ digits: String) -> Bool {
        digits.count < int64Max.count || (digits.count == int64Max.count && digits <= int64Max)
    }

    static func reference(_ text: String) -> Outcome {
        let grammar = #/-?(0|[1-9][0-9]*)(\.([0-9]+))?([eE]([+-]?)([0-9]+))?/#
        guard let match = text.wholeMatch(of: grammar) else { return .notADecimal }
        let negative = text.hasPrefix("-")
        let integer = String(match.output.1)
        let fraction = match.output.3.map(String.init) ?? ""
        var exponent = 0
        if let digits = match.output.6 {
            let trimmed = digits.drop { $0 == "0" }
            exponent = trimmed.count > 7 ? 10_000_000 : Int(trimmed) ?? 0
            if match.output.5 == "-" { exponent = -exponent }
        }
        var all = Array(integer + fraction)
        while let first = all.first, first == "0" { all.removeFirst() }
        let written = fraction.count - exponent
        if all.isEmpty { return .value("0", nil) }
        var trailing = 0
        while all.last == "0" {
            all.removeLast()
            trailing += 1
        }
        let core = String(all)
        let e = exponent - fraction.count + trailing  // value = core × 10^e
        let normalized: String
        if e >= 0 {
            guard e <= 19, fits(core + String(repeating: "0", count: e)) else { return .outOfRange }
            normalized = core + String(repeating: "0", count: e)
        } else {
            guard -e <= 18, fits(core) else { return .outOfRange }
            let padded = String(repeating: "0", count: max(0, -e - core.count + 1)) + core
            normalized = String(padded.dropLast(-e)) + "." + String(padded.suffix(-e))
        }
        var writtenScale: Int?
        if written >= 0 && written <= 18 && written + e >= 0 && written + e <= 19
            && fits(core + String(repeating: "0", count: written + e))
        {
            writtenScale = written
        }
        return .value((negative ? "-" : "") + normalized, writtenScale)
    }

    static func randomInput(_ rng: inout SeededGenerator) -> String {
        func digits(_ count: Int, _ rng: inout SeededGenerator) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
        }
        var text = ""
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: text += "+"
        case 1...8: text += "-"
        default: break
        }
        if Bool.random(using: &rng) {
            text += "0"
        } else {
            text += String(Int.random(in: 1...9, using: &rng)) + digits(Int.random(in: 0...21, using: &rng), &rng)
        }
        if Int.random(in: 0..<4, using: &rng) > 0 {
            text += "." + digits(Int.random(in: 0...22, using: &rng), &rng)
            if Bool.random(using: &rng) { text += String(repeating: "0", count: Int.random(in: 1...6, using: &rng)) }
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            text += Bool.random(using: &rng) ? "e" : "E"
            text += ["", "+", "-"][Int.random(in: 0..<3, using: &rng)]
            text += digits(Int.random(in: 0...3, using: &rng), &rng)
        }
        if Int.random(in: 0..<10, using: &rng) == 0 {
            let junk: [Character] = [" ", ".", ",", "e", "-", "+", "x", "0"]
            var characters = Array(text)
            characters.insert(
                junk[Int.random(in: 0..<junk.count, using: &rng)],
                at: Int.random(in: 0...characters.count, using: &rng))
            text = String(characters)
        }
        return text
    }

    @Test func agreesWithStringReferenceOnSeededRandomInputs() {
        var rng = SeededGenerator(seed: 0xDEC1_3A1)
        var counts = (accepted: 0, rejected: 0, outOfRange: 0)
        for _ in 0..<20_000 {
            let input = Self.randomInput(&rng)
            let expected = Self.reference(input)
            let actual: Outcome
            do {
                let value = try ExactDecimal(input)
                actual = .value(value.normalized.description, Int(value.scale))
            } catch {
                actual = error.code == .outOfRange ? .outOfRange : .notADecimal
            }
            switch (expected, actual) {
            case (.value(let text, let scale), .value(let actualText, let actualScale)):
                counts.accepted += 1
                #expect(text == actualText, "input \(input)")
                if let scale { #expect(scale == actualScale, "input \(input)") }
            default:
                if expected == .outOfRange { counts.outOfRange += 1 } else { counts.rejected += 1 }
                #expect(expected == actual, "input \(input)")
            }
        }
        // The generator must exercise every outcome, or the comparison proves little.
        #expect(counts.accepted > 5_000 && counts.rejected > 1_000 && counts.outOfRange > 1_000)
    }

    @Test func randomValuesRoundTripThroughDescription() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            let significand =
                Int64.random(in: -Int64.max...Int64.max, using: &rng) >> Int.random(in: 0...60, using: &rng)
            let scale = UInt8.random(in: 0...18, using: &rng)
            let value = ExactDecimal(significand: significand, scale: scale)
            let parsed = try ExactDecimal(value.description)
            #expect(parsed.significand == significand && parsed.scale == scale, "\(value)")
        }
    }

    @Test func orderAgreesWithCrossMultipliedIntegers() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<10_000 {
            let a = ExactDecimal(
                significand: Int64.random(in: -1_000_000...1_000_000, using: &rng),
                scale: UInt8.random(in: 0...6, using: &rng))
            let b = ExactDecimal(
                significand: Int64.random(in: -1_000_000...1_000_000, using: &rng),
                scale: UInt8.random(in: 0...6, using: &rng))
            // Reference: compare a.sig × 10^(6 - a.scale) with b.sig × 10^(6 - b.scale) in plain Int.
            var left = Int(a.significand)
            for _ in 0..<(6 - Int(a.scale)) { left *= 10 }
            var right = Int(b.significand)
            for _ in 0..<(6 - Int(b.scale)) { right *= 10 }
            #expect((a < b) == (left < right))
            #expect((a == b) == (left == right))
            if a == b { #expect(a.hashValue == b.hashValue) }
        }
    }
}
