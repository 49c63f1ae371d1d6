/// The shape of a free-form identifier (a trade id, a product code, an order id): a length range and the
/// ASCII characters allowed first and after. The validator's check and the JSON Schema `pattern` are both
/// generated from the same character ranges, so they cannot disagree.
///
/// ```swift
/// let deskCode = TextRule(
///     first: [UInt8(ascii: "A")...UInt8(ascii: "Z")],
///     rest: [UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9")],
///     maxLength: 8, summary: "1 to 8 of A-Z 0-9, a letter first")
/// ```
public struct TextRule: Sendable, Hashable {
    /// The characters allowed as the first character, as inclusive ASCII ranges.
    public let first: [ClosedRange<UInt8>]
    /// The characters allowed after the first, as inclusive ASCII ranges.
    public let rest: [ClosedRange<UInt8>]
    /// The longest valid value, in characters (bytes: every allowed character is ASCII).
    public let maxLength: Int
    /// How the rule reads in a message (`1 to 64 printable ASCII characters, no spaces`).
    public let summary: String

    /// Creates a rule.
    ///
    /// - Parameters:
    ///   - first: The ASCII ranges allowed as the first character.
    ///   - rest: The ASCII ranges allowed after the first.
    ///   - maxLength: The longest valid value (at least 1).
    ///   - summary: How the rule reads in an issue's message, after `must be`.
    /// - Precondition: Every range lies in ASCII (below 0x80) and `maxLength` is at least 1.
    public init(first: [ClosedRange<UInt8>], rest: [ClosedRange<UInt8>], maxLength: Int, summary: String) {
        precondition(maxLength >= 1, "a text rule allows at least one character")
        self.first = first
        self.rest = rest
        self.maxLength = maxLength
        self.summary = summary
        check = Check(firstSet: Self.asciiSet(first), restSet: Self.asciiSet(rest), maxLength: maxLength)
    }

    /// The rule as plain values (two 128-bit sets of ASCII bytes and the length), so that checking a byte is
    /// one shift and test and copying the check retains nothing (the reader checks every byte of every id).
    package struct Check: Sendable, Hashable {
        let firstSet: UInt128
        let restSet: UInt128
        let maxLength: Int

        /// Whether `bytes` satisfy the rule.
        @inline(__always)
        package func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
            guard TextRule.contains(firstSet, bytes[0]) else { return false }
            for byte in bytes.dropFirst() where !TextRule.contains(restSet, byte) { return false }
            return true
        }
    }

    /// The rule's check.
    package let check: Check

    private static func asciiSet(_ ranges: [ClosedRange<UInt8>]) -> UInt128 {
        var set: UInt128 = 0
        for range in ranges {
            precondition(range.upperBound < 0x80, "a text rule allows ASCII characters only")
            for byte in range { set |= 1 << UInt128(byte) }
        }
        return set
    }

    @inline(__always)
    fileprivate static func contains(_ set: UInt128, _ byte: UInt8) -> Bool {
        byte < 0x80 && (set >> UInt128(byte)) & 1 != 0
    }

    /// Whether `bytes` satisfy the rule.
    ///
    /// - Parameter bytes: A value's UTF-8 bytes.
    /// - Returns: `true` when the value has an allowed length and only allowed characters.
    @inline(__always)
    public func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { check.accepts(bytes) }

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
    public static let recordID = TextRule(
        first: [UInt8(ascii: "!")...UInt8(ascii: "~")], rest: [UInt8(ascii: "!")...UInt8(ascii: "~")], maxLength: 64,
        summary: "1 to 64 printable ASCII characters, no spaces")

    /// A product code: 1 to 32 characters, a letter or digit first, then letters, digits and `_ . : / -`
    /// (`DE-BASE-M`, `NG_TTF_M1`, `EEX.F1BY`).
    public static let productCode = TextRule(
        first: alphanumeric,
        rest: alphanumeric + [
            UInt8(ascii: "_")...UInt8(ascii: "_"), UInt8(ascii: ".")...UInt8(ascii: "."),
            UInt8(ascii: ":")...UInt8(ascii: ":"), UInt8(ascii: "/")...UInt8(ascii: "/"),
            UInt8(ascii: "-")...UInt8(ascii: "-"),
        ], maxLength: 32,
        summary: "1 to 32 characters: a letter or digit, then letters, digits or _ . : / -")
}
