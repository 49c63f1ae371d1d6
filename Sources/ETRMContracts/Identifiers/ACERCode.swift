/// An ACER registration code of a REMIT market participant, such as `C0643278W.EU`.
///
/// ACER's REMIT Table 1 schema types the code as a 12-character string matching
/// `[A-Za-z0-9_]+\.[A-Z][A-Z]`: nine characters of `A-Z a-z 0-9 _`, a point, and two upper-case letters
/// (the registering authority's country, or `EU`). This type checks exactly that: `[A-Za-z0-9_]{9}\.[A-Z]{2}`.
/// The code carries no check digit.
public struct ACERCode: ValidatedCode, ASCIIIdentifier {
    let storage: ASCIIStorage

    /// `an ACER code`.
    public static let noun = "an ACER code"
    /// ``ValidationIssue/Code/invalidIdentifier``: a spelling of the wrong shape.
    public static let issueCode = ValidationIssue.Code.invalidIdentifier

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 12,
            ASCII.all(
                UnsafeBufferPointer(rebasing: bytes[..<9]), { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }),
            bytes[9] == UInt8(ascii: "."), ASCII.isUpper(bytes[10]), ASCII.isUpper(bytes[11])
        else { return "expected 9 characters of A-Z a-z 0-9 _, a point and 2 upper-case letters" }
        return nil
    }
}
