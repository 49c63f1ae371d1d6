/// A trade as the desk's systems exchange it: the canonical record every source format normalises into.
///
/// On the wire (snake_case JSON):
///
/// | field | type | rule |
/// |---|---|---|
/// | `trade_id` | string, required | 1–64 printable ASCII characters, no spaces |
/// | `counterparty_lei` | string, required | an ``LEI`` with valid check digits |
/// | `product_code` | string, required | 1–32 of `A-Z a-z 0-9 _ . : / -`, a letter or digit first |
/// | `delivery_start`, `delivery_end` | string, required | RFC 3339 with a zone; end after start |
/// | `volume_mwh` | number, required | an exact decimal, > 0 and ≤ 1 000 000 |
/// | `price_usd` | number, required | an exact decimal in −1 000 000 … 1 000 000 (power prices can be negative) |
/// | `status` | string, required | a ``TradeStatus`` |
/// | `event_time` | string, required | RFC 3339 with a zone |
/// | `buy_sell` | string, optional | a ``Side`` |
/// | `delivery_point` | string, optional | an ``EIC`` with a valid check character |
/// | `currency` | string, optional | a ``Currency`` of the REMIT list |
/// | `unit` | string, optional | an ``EnergyUnit`` |
/// | `action_type` | string, optional | an ``ActionType`` |
/// | `schema_version` | integer, optional | 1…1000 |
///
/// Numbers must be JSON numbers (`"12.5"` as a string is `wrong_type`); `null` counts as absent. The only
/// ways to get a value are the validating ``init(tradeID:counterpartyLEI:productCode:delivery:volumeMWh:priceUSD:status:eventTime:buySell:deliveryPoint:currency:unit:actionType:schemaVersion:)``,
/// the ``RecordReader`` and `Codable`; all three apply the same rules.
///
/// Identifier rules decided here: a `trade_id` is 1–64 printable ASCII characters without spaces, because
/// vendors' ids mix letters, digits and punctuation (`T-2025/000123`, `EEX:98765#2`) and only what breaks logs
/// and CSV exports is excluded; a `product_code` is 1–32 characters, a letter or digit then letters, digits or
/// `_ . : / -` (`DE-BASE-M`, `NG_TTF_M1`, `EEX.F1BY`).
public struct TradeRecord: Sendable, Hashable {
    /// The trade's id in the source system.
    public let tradeID: String
    /// The counterparty's Legal Entity Identifier.
    public let counterpartyLEI: LEI
    /// The traded product (`DE-BASE-M`).
    public let productCode: String
    /// The delivery period `[delivery_start, delivery_end)`.
    public let delivery: DeliveryPeriod
    /// The start of delivery (inclusive): `delivery.start`.
    public var deliveryStart: UTCTimestamp { delivery.start }
    /// The end of delivery (exclusive): `delivery.end`.
    public var deliveryEnd: UTCTimestamp { delivery.end }
    /// The volume in MWh, positive.
    public let volumeMWh: ExactDecimal
    /// The price per MWh.
    public let priceUSD: ExactDecimal
    /// The trade's life-cycle status.
    public let status: TradeStatus
    /// When the source system recorded this version of the trade.
    public let eventTime: UTCTimestamp
    /// Buy or sell, from the desk's point of view.
    public let buySell: Side?
    /// The delivery point or bidding zone.
    public let deliveryPoint: EIC?
    /// The price currency.
    public let currency: Currency?
    /// The unit of the quantity as the source reported it.
    public let unit: EnergyUnit?
    /// The REMIT action type.
    public let actionType: ActionType?
    /// The version of the wire schema the record was written with.
    public let schemaVersion: Int?

    /// Creates a record without checks, for readers that validated every field already.
    init(
        unchecked tradeID: String, counterpartyLEI: LEI, productCode: String, delivery: DeliveryPeriod,
        volumeMWh: ExactDecimal, priceUSD: ExactDecimal, status: TradeStatus,
        eventTime: UTCTimestamp, buySell: Side?, deliveryPoint: EIC?, currency: Currency?, unit: EnergyUnit?,
        actionType: ActionType?, schemaVersion: Int?
    ) {
        self.tradeID = tradeID
        self.counterpartyLEI = counterpartyLEI
        self.productCode = productCode
        self.delivery = delivery
        self.volumeMWh = volumeMWh
        self.priceUSD = priceUSD
        self.status = status
        self.eventTime = eventTime
        self.buySell = buySell
        self.deliveryPoint = deliveryPoint
        self.currency = currency
        self.unit = unit
        self.actionType = actionType
        self.schemaVersion = schemaVersion
    }

    /// Creates a record, checking every rule the wire format has and reporting every issue at once.
    ///
    /// - Parameters:
    ///   - tradeID: 1–64 printable ASCII characters, no spaces.
    ///   - counterpartyLEI: The counterparty's LEI.
    ///   - productCode: 1–32 of `A-Z a-z 0-9 _ . : / -`, a letter or digit first.
    ///   - delivery: The delivery period (its type guarantees the end is after the start).
    ///   - volumeMWh: Greater than 0, at most 1 000 000.
    ///   - priceUSD: Between −1 000 000 and 1 000 000.
    ///   - status: The status.
    ///   - eventTime: When the source recorded the trade.
    ///   - buySell: Buy or sell.
    ///   - deliveryPoint: The delivery point's EIC.
    ///   - currency: The price currency.
    ///   - unit: The quantity's unit as reported.
    ///   - actionType: The REMIT action type.
    ///   - schemaVersion: 1…1000.
    /// - Throws: ``ValidationFailure`` with one issue per broken rule, each with the field's path (`/volume_mwh`).
    public init(
        tradeID: String, counterpartyLEI: LEI, productCode: String, delivery: DeliveryPeriod,
        volumeMWh: ExactDecimal, priceUSD: ExactDecimal, status: TradeStatus,
        eventTime: UTCTimestamp, buySell: Side? = nil, deliveryPoint: EIC? = nil, currency: Currency? = nil,
        unit: EnergyUnit? = nil, actionType: ActionType? = nil, schemaVersion: Int? = nil
    ) throws(ValidationFailure) {
        var issues = RecordIssues(pointer: "")
        ModelChecks.check(text: tradeID, rule: .recordID, field: "trade_id", issues: &issues)
        ModelChecks.check(text: productCode, rule: .productCode, field: "product_code", issues: &issues)
        ModelChecks.check(volumeMWh, Rules.volume, field: "volume_mwh", issues: &issues)
        ModelChecks.check(priceUSD, Rules.price, field: "price_usd", issues: &issues)
        ModelChecks.check(schemaVersion, Rules.schemaVersions, field: "schema_version", issues: &issues)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues.issues) }
        self.init(
            unchecked: tradeID, counterpartyLEI: counterpartyLEI, productCode: productCode,
            delivery: delivery, volumeMWh: volumeMWh, priceUSD: priceUSD,
            status: status, eventTime: eventTime, buySell: buySell, deliveryPoint: deliveryPoint, currency: currency,
            unit: unit, actionType: actionType, schemaVersion: schemaVersion)
    }
}

extension TradeRecord {
    /// The limits shared by the rule table and the validating initialiser.
    enum Rules {
        static let volume = DecimalBounds(exclusiveMinimum: "0", maximum: "1000000")
        static let price = DecimalBounds(minimum: "-1000000", maximum: "1000000")
        static let schemaVersions = 1...1000
    }
}
