import ETRMContracts

extension ValidationIssue.Code {
    /// A field of the instruction disagrees with the header that names the same thing (the body's
    /// `settlement_run_id` is not the `X-Settlement-Run-ID` header's), in the gateway's 422 problem document.
    public static let headerMismatch = ValidationIssue.Code("header_mismatch")
}
