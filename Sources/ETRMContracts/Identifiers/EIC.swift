/// An Energy Identification Code (ENTSO-E EIC): 16 characters of `0-9`, `A-Z` and `-`, the last a check
/// character.
///
/// The check: with `0-9` = 0...9, `A-Z` = 10...35 and `-` = 36, S = Σ value(cᵢ) × (17 − i) over the first 15
/// characters, and the 16th must be the character of 36 − ((S − 1) mod 37). A check value of 36 would be `-`,
/// which is not allowed, so no code with that sum is valid.
///
/// ```swift
/// let biddingZone = try EIC("10Y1001A1001A82H")   // DE-LU
/// ```
public struct EIC: ValidatedCode, ASCIIIdentifier {
    let storage: ASCIIStorage

    /// `an EIC`.
    public static let noun = "an EIC"
    /// ``ValidationIssue/Code/invalidEIC``: a spelling of the wrong shape or whose check character does not match.
    public static let issueCode = ValidationIssue.Code.invalidEIC

    private static func value(_ byte: UInt8) -> Int? {
        if ASCII.isUpperAlphanumeric(byte) { return ASCII.base36(byte) }
        return byte == UInt8(ascii: "-") ? 36 : nil
    }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 16 else { return "an EIC has 16 characters" }
        var sum = 0
        for index in 0..<15 {
            guard let value = value(bytes[index]) else { return "expected characters 0-9, A-Z and -" }
            sum += value * (16 - index)
        }
        let check = 36 - (sum - 1) % 37
        guard check < 36 else { return "no valid check character exists for these 15 characters" }
        guard let last = value(bytes[15]), last == check else { return "the check character does not match" }
        return nil
    }
}
