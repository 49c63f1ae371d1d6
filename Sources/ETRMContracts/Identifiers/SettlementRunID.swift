/// A settlement run identifier: exactly 16 characters of `A-Z` and `0-9`.
public struct SettlementRunID: ValidatedCode, ASCIIIdentifier {
    let storage: ASCIIStorage

    /// `a settlement run id`.
    public static let noun = "a settlement run id"
    /// ``ValidationIssue/Code/invalidIdentifier``: a spelling of the wrong length or with other characters.
    public static let issueCode = ValidationIssue.Code.invalidIdentifier

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 16, ASCII.all(bytes, ASCII.isUpperAlphanumeric) else {
            return "expected exactly 16 characters of A-Z and 0-9"
        }
        return nil
    }
}
