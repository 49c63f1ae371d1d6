import ETRMContracts
import ETRMShared
import Idempotency

/// A settlement instruction read from a request body.
///
/// Stop-gap: `ETRMContracts.SettlementInstruction` is not on `main` yet, so this type declares the same rule
/// table (run id, contract id, position within ±100 000 MWh, price in (0, 1 000 000], RFC 3339 timestamp)
/// through the module's package-level schema builders, and is read by the module's public `RecordReader`.
/// When `SettlementInstruction` lands, this type is replaced by it and the decoder keeps its shape.
struct DecodedInstruction: Sendable {
    var settlementRunID: SettlementRunID
    var contractID: ContractID
    var positionMWh: ExactDecimal
    var settlementPrice: ExactDecimal
    var timestamp: UTCTimestamp
}

extension DecodedInstruction: ValidatedRecord {
    struct Draft {
        var settlementRunID: SettlementRunID?
        var contractID: ContractID?
        var positionMWh: ExactDecimal?
        var settlementPrice: ExactDecimal?
        var timestamp: UTCTimestamp?
    }

    static let recordSchema = RecordSchema<DecodedInstruction>(
        name: "SettlementInstruction", containerKey: "settlements",
        summary: "An instruction to settle a contract position in a settlement run.", recordChecks: [],
        rules: RecordRules(
            fields: [
                .string(
                    "settlement_run_id", required: true, schema: .settlementRunID("The settlement run."),
                    parse: { (bytes) throws(ValidationIssue) in try SettlementRunID(bytes: bytes) }
                ) { $0.settlementRunID = $1 },
                .string(
                    "contract_id", required: true, schema: .contractID("The contract being settled."),
                    parse: { (bytes) throws(ValidationIssue) in try ContractID(bytes: bytes) }
                ) { $0.contractID = $1 },
                .decimal(
                    "position_mwh", required: true, description: "The net position in MWh (negative when short).",
                    bounds: DecimalBounds(minimum: "-100000", maximum: "100000")
                ) { $0.positionMWh = $1 },
                .decimal(
                    "settlement_price", required: true, description: "The settlement price per MWh.",
                    bounds: DecimalBounds(exclusiveMinimum: "0", maximum: "1000000")
                ) { $0.settlementPrice = $1 },
                .timestamp("timestamp_utc", required: true, description: "When the instruction was issued.") {
                    $0.timestamp = $1
                },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                guard issues.isEmpty, let runID = draft.settlementRunID, let contractID = draft.contractID,
                    let position = draft.positionMWh, let price = draft.settlementPrice,
                    let timestamp = draft.timestamp
                else { return nil }
                return DecodedInstruction(
                    settlementRunID: runID, contractID: contractID, positionMWh: position, settlementPrice: price,
                    timestamp: timestamp)
            }))
}

/// Reads one instruction object from a body, reporting every issue with a JSON pointer into the body.
struct InstructionDecoder: Sendable {
    let reader: RecordReader<DecodedInstruction>

    init(configuration: RecordReaderConfiguration) {
        reader = RecordReader(configuration: configuration)
    }

    /// Decodes `body`, which the caller has already checked to be one well-formed JSON value (its canonical
    /// form exists).
    func decode(_ body: [UInt8]) -> Result<DecodedInstruction, ValidationFailure> {
        // The reader reads batch documents; one instruction is the batch of one. The body was checked to be a
        // single well-formed JSON value before, so wrapping it cannot smuggle a second element in.
        var document = Array(#"{"settlements":["#.utf8)
        document.reserveCapacity(body.count + 18)
        document.append(contentsOf: body)
        document.append(contentsOf: "]}".utf8)
        var instruction: DecodedInstruction?
        var issues: [ValidationIssue] = []
        do {
            let report = try reader.read(
                document, onRecord: { instruction = $1 }, onRejected: { issues.append(contentsOf: $0.issues) })
            issues.append(contentsOf: report.documentIssues)
        } catch let failure as ValidationFailure {
            issues.append(contentsOf: failure.issues)
        } catch {
            issues.append(ValidationIssue(code: .invalidJSON, message: "the body could not be read: \(error)"))
        }
        if let instruction, issues.isEmpty { return .success(instruction) }
        if issues.isEmpty {
            issues.append(ValidationIssue(code: .notAnObject, message: "the body must be one instruction object"))
        }
        return .failure(ValidationFailure(issues: issues.map(Self.rebase)))
    }

    /// Rewrites a pointer into the wrapping batch (`/settlements/0/position_mwh`) as a pointer into the body.
    private static func rebase(_ issue: ValidationIssue) -> ValidationIssue {
        var issue = issue
        for prefix in ["/settlements/0", "/settlements"] where issue.path.hasPrefix(prefix) {
            issue.path = String(issue.path.dropFirst(prefix.count))
            break
        }
        return issue
    }
}
