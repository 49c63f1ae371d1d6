/// A contract identifier: 8 to 32 characters of `A-Z a-z 0-9 _ : -`.
public struct ContractID: ValidatedCode, ASCIIIdentifier {
    let storage: ASCIIStorage

    /// `a contract id`.
    public static let noun = "a contract id"
    /// ``ValidationIssue/Code/invalidIdentifier``: a spelling of the wrong length or with other characters.
    public static let issueCode = ValidationIssue.Code.invalidIdentifier

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard (8...32).contains(bytes.count) else { return "a contract id has 8 to 32 characters" }
        let allowed = ASCII.all(bytes) {
            ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-")
        }
        return allowed ? nil : "expected only A-Z a-z 0-9 _ : -"
    }
}
