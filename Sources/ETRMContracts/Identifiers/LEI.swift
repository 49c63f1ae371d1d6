/// A Legal Entity Identifier (ISO 17442): 18 upper-case alphanumerics and 2 check digits, valid when the
/// ISO 7064 MOD 97-10 remainder of the whole code (letters as 10...35) is 1.
///
/// ```swift
/// let gleif = try LEI("506700GE1G29325QX363")
/// try LEI("7LTWFZYICNSX8D621K87")   // throws invalid_lei: the check digits do not match
/// ```
///
/// Lower-case letters are rejected, not upper-cased: the standard defines upper case only.
public struct LEI: ValidatedCode, ASCIIIdentifier {
    let storage: ASCIIStorage

    /// `an LEI`.
    public static let noun = "an LEI"
    /// ``ValidationIssue/Code/invalidLEI``: a spelling of the wrong shape or whose check digits do not match.
    public static let issueCode = ValidationIssue.Code.invalidLEI

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 20, let base = bytes.baseAddress else { return "an LEI has 20 characters" }
        // One pass checks the characters and runs Horner's rule over the expanded digits (a letter is two
        // digits), reducing modulo 97 once per six characters (< 97 × 10^12 + 10^12 fits easily) rather than
        // once per character: the division is off the per-character dependency chain.
        var accumulator: UInt64 = 0
        var index = 0
        while index < 20 {
            let chunkEnd = Swift.min(index &+ 6, 20)
            while index < chunkEnd {
                let byte = base[index]
                let digit = byte &- UInt8(ascii: "0")
                if digit < 10 {
                    accumulator = accumulator &* 10 &+ UInt64(digit)
                } else {
                    let letter = byte &- UInt8(ascii: "A")
                    guard letter < 26, index < 18 else {
                        return "expected 18 characters of 0-9 A-Z and 2 check digits"
                    }
                    accumulator = accumulator &* 100 &+ UInt64(letter) &+ 10
                }
                index &+= 1
            }
            accumulator %= 97
        }
        return accumulator % 97 == 1 ? nil : "the ISO 7064 MOD 97-10 check digits do not match"
    }
}
