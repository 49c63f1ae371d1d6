/// An instruction to settle a position: what the desk sends the upstream ETRM in the settlement-sync flow.
///
/// On the wire (snake_case JSON; batch documents hold them under `settlements`):
///
/// | field | type | rule |
/// |---|---|---|
/// | `settlement_run_id` | string, required | a ``SettlementRunID``: 16 of `A-Z 0-9` |
/// | `contract_id` | string, required | a ``ContractID``: 8–32 of `A-Z a-z 0-9 _ : -` |
/// | `position_mwh` | number, required | an exact decimal in −100 000 … 100 000 |
/// | `settlement_price` | number, required | an exact decimal, > 0 and ≤ 1 000 000 |
/// | `timestamp_utc` | string, required | RFC 3339 with a zone (an offset is normalised to UTC) |
///
/// A negative position is a short one. The price must be positive: a settlement price of zero or below is
/// a data error in this flow, not a market outcome.
public struct SettlementInstruction: Sendable, Hashable {
    /// The settlement run the instruction belongs to.
    public let settlementRunID: SettlementRunID
    /// The contract being settled.
    public let contractID: ContractID
    /// The net position in MWh (negative when short).
    public let positionMWh: ExactDecimal
    /// The settlement price per MWh, positive.
    public let settlementPrice: ExactDecimal
    /// When the instruction was issued.
    public let timestamp: UTCTimestamp

    init(
        unchecked settlementRunID: SettlementRunID, contractID: ContractID, positionMWh: ExactDecimal,
        settlementPrice: ExactDecimal, timestamp: UTCTimestamp
    ) {
        self.settlementRunID = settlementRunID
        self.contractID = contractID
        self.positionMWh = positionMWh
        self.settlementPrice = settlementPrice
        self.timestamp = timestamp
    }

    /// Creates an instruction, checking the position and price limits and reporting every issue at once.
    ///
    /// - Parameters:
    ///   - settlementRunID: The settlement run.
    ///   - contractID: The contract.
    ///   - positionMWh: Between −100 000 and 100 000.
    ///   - settlementPrice: Greater than 0, at most 1 000 000.
    ///   - timestamp: When the instruction was issued.
    /// - Throws: ``ValidationFailure`` with one issue per broken rule (`/position_mwh`, `/settlement_price`).
    public init(
        settlementRunID: SettlementRunID, contractID: ContractID, positionMWh: ExactDecimal,
        settlementPrice: ExactDecimal, timestamp: UTCTimestamp
    ) throws(ValidationFailure) {
        var issues = RecordIssues(pointer: "")
        ModelChecks.check(positionMWh, Rules.position, field: "position_mwh", issues: &issues)
        ModelChecks.check(settlementPrice, Rules.price, field: "settlement_price", issues: &issues)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues.issues) }
        self.init(
            unchecked: settlementRunID, contractID: contractID, positionMWh: positionMWh,
            settlementPrice: settlementPrice, timestamp: timestamp)
    }

    enum Rules {
        static let position = DecimalBounds(minimum: "-100000", maximum: "100000")
        static let price = DecimalBounds(exclusiveMinimum: "0", maximum: "1000000")
    }
}

extension SettlementInstruction: ValidatedRecord {
    struct Draft {
        var settlementRunID: SettlementRunID?
        var contractID: ContractID?
        var positionMWh: ExactDecimal?
        var settlementPrice: ExactDecimal?
        var timestamp: UTCTimestamp?
    }

    /// The rule table of ``SettlementInstruction``: the fast reader, `Codable` and the JSON Schema all come
    /// from it.
    public static let recordSchema = RecordSchema<SettlementInstruction>(
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
                    bounds: Rules.position
                ) { $0.positionMWh = $1 },
                .decimal(
                    "settlement_price", required: true, description: "The settlement price per MWh.",
                    bounds: Rules.price
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
                return SettlementInstruction(
                    unchecked: runID, contractID: contractID, positionMWh: position, settlementPrice: price,
                    timestamp: timestamp)
            }))
}

extension SettlementInstruction: Codable {
    /// Encodes the instruction with its snake_case wire keys.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeWireFields([
            "settlement_run_id": settlementRunID,
            "contract_id": contractID,
            "position_mwh": positionMWh,
            "settlement_price": settlementPrice,
            "timestamp_utc": timestamp,
        ])
    }
}
