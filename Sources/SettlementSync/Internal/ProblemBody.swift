import ETRMContracts
import ETRMShared

/// RFC 9457 problem-details documents (`application/problem+json`) and the 201 body.
///
/// `Idempotency.ProblemDetails` is internal to its module, so the gateway writes its own documents with the
/// package's `JSONOutput`; the members are the RFC's (`type`, `title`, `status`, `detail`) plus extensions.
enum ProblemBody {
    static let problemContentType = "application/problem+json"
    static let jsonContentType = "application/json"

    static func make(
        prefix: String, type: String, title: String, status: Int, detail: String,
        extensions: [(String, JSONOutput)] = []
    ) -> [UInt8] {
        let members: [(String, JSONOutput)] =
            [
                ("type", .string(prefix + type)), ("title", .string(title)), ("status", .number(String(status))),
                ("detail", .string(detail)),
            ] + extensions
        return Array(JSONOutput.object(members).text().utf8)
    }

    /// The `issues` extension member: every validation issue with its pointer, code, message and value.
    static func issues(_ issues: [ValidationIssue]) -> (String, JSONOutput) {
        (
            "issues",
            .array(
                issues.map { issue in
                    var members: [(String, JSONOutput)] = [
                        ("pointer", .string(issue.path.isEmpty ? "/" : issue.path)),
                        ("code", .string(issue.code.rawValue)), ("message", .string(issue.message)),
                    ]
                    if let value = issue.value { members.append(("value", .string(value))) }
                    return .object(members)
                })
        )
    }

    static func accepted(
        _ instruction: DecodedInstruction, acknowledgement: UpstreamAcknowledgement, keyHash: String
    ) -> [UInt8] {
        let document = JSONOutput.object([
            ("status", .string("accepted")),
            ("settlement_run_id", .string(instruction.settlementRunID.description)),
            ("contract_id", .string(instruction.contractID.description)),
            ("position_mwh", .number(instruction.positionMWh.description)),
            ("acknowledged_position_mwh", .number(acknowledgement.acknowledgedPositionMWh.description)),
            ("upstream_reference", .string(acknowledgement.reference)),
            ("idempotency_key_sha256", .string(keyHash)),
        ])
        return Array(document.text().utf8)
    }
}
