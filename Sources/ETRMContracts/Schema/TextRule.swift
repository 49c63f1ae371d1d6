/// The shape of a free-form identifier (a trade id, a product code, an order id): a length range and the
/// ASCII characters allowed first and after. The validator's check and the JSON Schema `pattern` are both
/// generated from the same character ranges, so they cannot disagree.
package struct TextRule: Sendable, Hashable {
    /// The characters allowed as the first character, as inclusive ASCII ranges.
    package let first: [ClosedRange<UInt8>]
    /// The characters allowed after the first, as inclusive ASCII ranges.
    package let rest: [ClosedRange<UInt8>]
    /// The longest valid value, in characters (bytes: every allowed character is ASCII).
    package let maxLength: Int
    /// How the rule reads in a message (`1 to 64 printable ASCII characters, no spaces`).
    package let summary: String

    package init(first: [ClosedRange<UInt8>], rest: [ClosedRange<UInt8>], maxLength: Int, summary: String) {
        self.first = first
        self.rest = rest
        self.maxLength = maxLength
        self.summary = summary
        firstSet = Self.asciiSet(first)
        restSet = Self.asciiSet(rest)
    }

    /// ``first`` and ``rest`` as 128-bit sets of ASCII bytes, so that checking a byte is one shift and test
    /// rather than a walk over the ranges (the reader checks every byte of every id).
    private let firstSet: UInt128
    private let restSet: UInt128

    private static func asciiSet(_ ranges: [ClosedRange<UInt8>]) -> UInt128 {
        var set: UInt128 = 0
        for range in ranges {
            precondition(range.upperBound < 0x80, "a text rule allows ASCII characters only")
            for byte in range { set |= 1 << UInt128(byte) }
        }
        return set
    }

    @inline(__always)
    private static func contains(_ set: UInt128, _ byte: UInt8) -> Bool {
        byte < 0x80 && (set >> UInt128(byte)) & 1 != 0
    }

    /// Whether `bytes` satisfy the rule.
    @inline(__always)
    package func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        guard Self.contains(firstSet, bytes[0]) else { return false }
        for byte in bytes.dropFirst() where !Self.contains(restSet, byte) { return false }
        return true
    }

    /// The equivalent ECMA 262 regular expression.
    package var pattern: String {
        "^" + Self.characterClass(first) + Self.characterClass(rest) + "{0,\(maxLength - 1)}$"
    }

    private static func characterClass(_ ranges: [ClosedRange<UInt8>]) -> String {
        var out = "["
        for range in ranges {
            out += escape(range.lowerBound)
            if range.upperBound != range.lowerBound { out += "-" + escape(range.upperBound) }
        }
        return out + "]"
    }

    private static func escape(_ byte: UInt8) -> String {
        let character = String(UnicodeScalar(byte))
        return "\\^-]/[".contains(character) ? "\\" + character : character
    }

    // MARK: The package's rules

    /// Letters and digits.
    private static let alphanumeric: [ClosedRange<UInt8>] = [
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "a")...UInt8(ascii: "z"),
    ]

    /// A trade or order id: 1 to 64 printable ASCII characters, no spaces (`!` to `~`). Vendors' ids mix
    /// letters, digits and punctuation (`T-2025/000123`, `EEX:98765#2`), so only what would break logs and
    /// CSV exports is excluded: spaces, control characters and non-ASCII.
    package static let recordID = TextRule(
        first: [UInt8(ascii: "!")...UInt8(ascii: "~")], rest: [UInt8(ascii: "!")...UInt8(ascii: "~")], maxLength: 64,
        summary: "1 to 64 printable ASCII characters, no spaces")

    /// A product code: 1 to 32 characters, a letter or digit first, then letters, digits and `_ . : / -`
    /// (`DE-BASE-M`, `NG_TTF_M1`, `EEX.F1BY`).
    package static let productCode = TextRule(
        first: alphanumeric,
        rest: alphanumeric + [
            UInt8(ascii: "_")...UInt8(ascii: "_"), UInt8(ascii: ".")...UInt8(ascii: "."),
            UInt8(ascii: ":")...UInt8(ascii: ":"), UInt8(ascii: "/")...UInt8(ascii: "/"),
            UInt8(ascii: "-")...UInt8(ascii: "-"),
        ], maxLength: 32,
        summary: "1 to 32 characters: a letter or digit, then letters, digits or _ . : / -")
}
