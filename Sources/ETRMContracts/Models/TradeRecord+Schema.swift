extension TradeRecord: ValidatedRecord {
    /// The fields of a trade record while it is being read.
    struct Draft {
        var tradeID: String?
        var counterpartyLEI: LEI?
        var productCode: String?
        var deliveryStart: UTCTimestamp?
        var deliveryEnd: UTCTimestamp?
        var volumeMWh: ExactDecimal?
        var priceUSD: ExactDecimal?
        var status: TradeStatus?
        var eventTime: UTCTimestamp?
        var buySell: Side?
        var deliveryPoint: EIC?
        var currency: Currency?
        var unit: EnergyUnit?
        var actionType: ActionType?
        var schemaVersion: Int?
    }

    /// The rule table of ``TradeRecord``: the fast reader, `Codable` and the JSON Schema all come from it.
    public static let recordSchema = RecordSchema<TradeRecord>(
        name: "TradeRecord", containerKey: "trades",
        summary: "A canonical energy trade as the desk's systems exchange it.",
        recordChecks: ["delivery_end is after delivery_start"],
        rules: RecordRules(
            fields: [
                .text("trade_id", required: true, description: "The trade's id in the source system.", rule: .recordID)
                {
                    $0.tradeID = $1
                },
                .string(
                    "counterparty_lei", required: true, schema: .lei("The counterparty's Legal Entity Identifier."),
                    parse: { (bytes) throws(ValidationIssue) in try LEI(bytes: bytes) }
                ) { $0.counterpartyLEI = $1 },
                .text("product_code", required: true, description: "The traded product.", rule: .productCode) {
                    $0.productCode = $1
                },
                .timestamp("delivery_start", required: true, description: "The start of delivery (inclusive).") {
                    $0.deliveryStart = $1
                },
                .timestamp("delivery_end", required: true, description: "The end of delivery (exclusive).") {
                    $0.deliveryEnd = $1
                },
                .decimal("volume_mwh", required: true, description: "The volume in MWh.", bounds: Rules.volume) {
                    $0.volumeMWh = $1
                },
                .decimal("price_usd", required: true, description: "The price per MWh.", bounds: Rules.price) {
                    $0.priceUSD = $1
                },
                .string(
                    "status", required: true, schema: .enumeration(TradeStatus.self, "The trade's life-cycle status."),
                    parse: { (bytes) throws(ValidationIssue) in try TradeStatus(bytes: bytes) }
                ) { $0.status = $1 },
                .timestamp("event_time", required: true, description: "When the source recorded this version.") {
                    $0.eventTime = $1
                },
                .string(
                    "buy_sell", required: false, schema: .enumeration(Side.self, "Buy or sell."),
                    parse: { (bytes) throws(ValidationIssue) in try Side(bytes: bytes) }
                ) { $0.buySell = $1 },
                .string(
                    "delivery_point", required: false, schema: .eic("The delivery point or bidding zone (EIC)."),
                    parse: { (bytes) throws(ValidationIssue) in try EIC(bytes: bytes) }
                ) { $0.deliveryPoint = $1 },
                .string(
                    "currency", required: false,
                    schema: .enumeration(Currency.self, "The price currency (REMIT list)."),
                    parse: { (bytes) throws(ValidationIssue) in try Currency(bytes: bytes) }
                ) { $0.currency = $1 },
                .string(
                    "unit", required: false, schema: .enumeration(EnergyUnit.self, "The quantity's unit as reported."),
                    parse: { (bytes) throws(ValidationIssue) in try EnergyUnit(bytes: bytes) }
                ) { $0.unit = $1 },
                .string(
                    "action_type", required: false, schema: .enumeration(ActionType.self, "The REMIT action type."),
                    parse: { (bytes) throws(ValidationIssue) in try ActionType(bytes: bytes) }
                ) { $0.actionType = $1 },
                .integer(
                    "schema_version", required: false, description: "The wire schema version.",
                    range: Rules.schemaVersions
                ) { $0.schemaVersion = $1 },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                let delivery = ModelChecks.period(
                    draft.deliveryStart, draft.deliveryEnd, endField: "delivery_end", issues: &issues)
                guard issues.isEmpty, let tradeID = draft.tradeID, let counterpartyLEI = draft.counterpartyLEI,
                    let productCode = draft.productCode, let delivery, let volumeMWh = draft.volumeMWh,
                    let priceUSD = draft.priceUSD, let status = draft.status, let eventTime = draft.eventTime
                else { return nil }
                return TradeRecord(
                    unchecked: tradeID, counterpartyLEI: counterpartyLEI, productCode: productCode, delivery: delivery,
                    volumeMWh: volumeMWh, priceUSD: priceUSD, status: status, eventTime: eventTime,
                    buySell: draft.buySell, deliveryPoint: draft.deliveryPoint, currency: draft.currency,
                    unit: draft.unit, actionType: draft.actionType, schemaVersion: draft.schemaVersion)
            }),
        fastPath: { scanner, policy in TradeRecord.fastDecode(&scanner, unknownFields: policy) })
}
