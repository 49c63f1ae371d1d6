extension TradeRecord: ValidatedRecord {
    /// The schema of ``TradeRecord``, declared on the public API a user's own record type uses: the reader's
    /// fast plan, its rule table, `Codable` and the JSON Schema all come from this one declaration.
    public static let recordSchema = RecordSchema<TradeRecord>(
        name: "TradeRecord", containerKey: "trades",
        summary: "A canonical energy trade as the desk's systems exchange it.",
        recordChecks: ["delivery_end is after delivery_start"]
    ) { fields in
        let tradeID = fields.text("trade_id", description: "The trade's id in the source system.", rule: .recordID)
        let lei = fields.code(
            "counterparty_lei", LEI.self, description: "The counterparty's Legal Entity Identifier.")
        let productCode = fields.text("product_code", description: "The traded product.", rule: .productCode)
        let start = fields.timestamp("delivery_start", description: "The start of delivery (inclusive).")
        let end = fields.timestamp("delivery_end", description: "The end of delivery (exclusive).")
        let volume = fields.decimal(
            "volume_mwh", description: "The volume in MWh.", exclusiveMinimum: Rules.volume.exclusiveMinimum,
            maximum: Rules.volume.maximum)
        let price = fields.decimal(
            "price_usd", description: "The price per MWh.", minimum: Rules.price.minimum, maximum: Rules.price.maximum)
        let status = fields.code("status", TradeStatus.self, description: "The trade's life-cycle status.")
        let eventTime = fields.timestamp("event_time", description: "When the source recorded this version.")
        let buySell = fields.code("buy_sell", Side.self, required: false, description: "Buy or sell.")
        let deliveryPoint = fields.code(
            "delivery_point", EIC.self, required: false, description: "The delivery point or bidding zone (EIC).")
        let currency = fields.code(
            "currency", Currency.self, required: false, description: "The price currency (REMIT list).")
        let unit = fields.code(
            "unit", EnergyUnit.self, required: false, description: "The quantity's unit as reported.")
        let actionType = fields.code(
            "action_type", ActionType.self, required: false, description: "The REMIT action type.")
        let schemaVersion = fields.integer(
            "schema_version", required: false, description: "The wire schema version.", range: Rules.schemaVersions)
        return { values in
            // The period first: its issue is reported beside the fields' own, as long as both instants are valid.
            let deliveryEnd = try values[end]
            let delivery: DeliveryPeriod
            do throws(ValidationIssue) {
                delivery = try DeliveryPeriod(start: values[start], end: deliveryEnd)
            } catch {
                // An absent start is the rule table's own issue; a period ending too early is `delivery_end`'s.
                throw error.code == .endBeforeStart ? end.locate(error, value: deliveryEnd.description) : error
            }
            return TradeRecord(
                unchecked: try values[tradeID], counterpartyLEI: try values[lei], productCode: try values[productCode],
                delivery: delivery, volumeMWh: try values[volume], priceUSD: try values[price],
                status: try values[status], eventTime: try values[eventTime], buySell: try values[ifPresent: buySell],
                deliveryPoint: try values[ifPresent: deliveryPoint], currency: try values[ifPresent: currency],
                unit: try values[ifPresent: unit], actionType: try values[ifPresent: actionType],
                schemaVersion: values[ifPresent: schemaVersion])
        }
    }
}
