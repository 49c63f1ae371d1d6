import ETRMContracts
import ETRMShared
import Idempotency

/// The gateway's bodies: RFC 9457 problem-details documents (`application/problem+json`) and the 201 body.
enum ProblemBody {
    static let jsonContentType = "application/json"

    /// The `Content-Type` field of a problem document.
    static let problemContentTypeField = HTTPHeaderField(name: "Content-Type", value: ProblemDetails.contentType)
    /// The `Content-Type` field of the 201 body.
    static let jsonContentTypeField = HTTPHeaderField(name: "Content-Type", value: jsonContentType)

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
        _ instruction: SettlementInstruction, acknowledgement: UpstreamAcknowledgement, keyHash: String
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
