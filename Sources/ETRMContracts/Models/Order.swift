/// An order submission to a market: a limit order, or a market order when it names no limit price.
///
/// On the wire (snake_case JSON; batch documents hold them under `orders`):
///
/// | field | type | rule |
/// |---|---|---|
/// | `order_id` | string, required | 1–64 printable ASCII characters, no spaces |
/// | `participant_lei` | string, required | the submitting participant's ``LEI`` |
/// | `side` | string, required | a ``Side`` |
/// | `product` | string, required | 1–32 of `A-Z a-z 0-9 _ . : / -`, a letter or digit first |
/// | `market_area` | string, required | the bidding zone's ``EIC`` |
/// | `delivery_start`, `delivery_end` | string, required | RFC 3339 with a zone; end after start |
/// | `quantity_mwh` | number, required | an exact decimal, > 0 and ≤ 100 000 |
/// | `limit_price` | number, optional | an exact decimal in −1 000 000 … 1 000 000; absent or `null`: a market order |
/// | `submitted_at` | string, required | RFC 3339 with a zone |
/// | `version` | integer, required | the order's version, 1 … 1 000 000 (a modification increments it) |
public struct Order: Sendable, Hashable {
    /// The order's id.
    public let orderID: String
    /// The submitting participant.
    public let participantLEI: LEI
    /// Buy or sell.
    public let side: Side
    /// The product.
    public let product: String
    /// The bidding zone.
    public let marketArea: EIC
    /// The delivery period.
    public let delivery: DeliveryPeriod
    /// The quantity in MWh, positive.
    public let quantityMWh: ExactDecimal
    /// The limit price per MWh, or `nil` for a market order.
    public let limitPrice: ExactDecimal?
    /// When the order was submitted.
    public let submittedAt: UTCTimestamp
    /// The order's version.
    public let version: Int

    /// Whether this is a market order (it has no limit price).
    public var isMarketOrder: Bool { limitPrice == nil }

    init(
        unchecked orderID: String, participantLEI: LEI, side: Side, product: String, marketArea: EIC,
        delivery: DeliveryPeriod, quantityMWh: ExactDecimal, limitPrice: ExactDecimal?, submittedAt: UTCTimestamp,
        version: Int
    ) {
        self.orderID = orderID
        self.participantLEI = participantLEI
        self.side = side
        self.product = product
        self.marketArea = marketArea
        self.delivery = delivery
        self.quantityMWh = quantityMWh
        self.limitPrice = limitPrice
        self.submittedAt = submittedAt
        self.version = version
    }

    /// Creates an order, checking every rule and reporting every issue at once.
    ///
    /// - Parameters:
    ///   - orderID: 1–64 printable ASCII characters, no spaces.
    ///   - participantLEI: The participant's LEI.
    ///   - side: Buy or sell.
    ///   - product: 1–32 of `A-Z a-z 0-9 _ . : / -`, a letter or digit first.
    ///   - marketArea: The bidding zone.
    ///   - delivery: The delivery period.
    ///   - quantityMWh: Greater than 0, at most 100 000.
    ///   - limitPrice: Between −1 000 000 and 1 000 000, or `nil` for a market order.
    ///   - submittedAt: When the order was submitted.
    ///   - version: 1 … 1 000 000.
    /// - Throws: ``ValidationFailure`` with one issue per broken rule.
    public init(
        orderID: String, participantLEI: LEI, side: Side, product: String, marketArea: EIC,
        delivery: DeliveryPeriod, quantityMWh: ExactDecimal, limitPrice: ExactDecimal?, submittedAt: UTCTimestamp,
        version: Int = 1
    ) throws(ValidationFailure) {
        var issues = RecordIssues(pointer: "")
        ModelChecks.check(text: orderID, rule: .recordID, field: "order_id", issues: &issues)
        ModelChecks.check(text: product, rule: .productCode, field: "product", issues: &issues)
        ModelChecks.check(quantityMWh, Rules.quantity, field: "quantity_mwh", issues: &issues)
        if let limitPrice { ModelChecks.check(limitPrice, Rules.price, field: "limit_price", issues: &issues) }
        ModelChecks.check(version, Rules.versions, field: "version", issues: &issues)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues.issues) }
        self.init(
            unchecked: orderID, participantLEI: participantLEI, side: side, product: product, marketArea: marketArea,
            delivery: delivery, quantityMWh: quantityMWh, limitPrice: limitPrice, submittedAt: submittedAt,
            version: version)
    }

    enum Rules {
        static let quantity = DecimalBounds(exclusiveMinimum: "0", maximum: "100000")
        static let price = DecimalBounds(minimum: "-1000000", maximum: "1000000")
        static let versions = 1...1_000_000
    }
}

extension Order: ValidatedRecord {
    struct Draft {
        var orderID: String?
        var participantLEI: LEI?
        var side: Side?
        var product: String?
        var marketArea: EIC?
        var deliveryStart: UTCTimestamp?
        var deliveryEnd: UTCTimestamp?
        var quantityMWh: ExactDecimal?
        var limitPrice: ExactDecimal?
        var submittedAt: UTCTimestamp?
        var version: Int?
    }

    /// The rule table of ``Order``: the fast reader, `Codable` and the JSON Schema all come from it.
    public static let recordSchema = RecordSchema<Order>(
        name: "Order", containerKey: "orders",
        summary: "An order submission: a limit order, or a market order when limit_price is absent or null.",
        recordChecks: ["delivery_end is after delivery_start"],
        rules: RecordRules(
            fields: [
                .text("order_id", required: true, description: "The order's id.", rule: .recordID) { $0.orderID = $1 },
                .string(
                    "participant_lei", required: true, schema: .lei("The submitting participant's LEI."),
                    parse: { (bytes) throws(ValidationIssue) in try LEI(bytes: bytes) }
                ) { $0.participantLEI = $1 },
                .string(
                    "side", required: true, schema: .enumeration(Side.self, "Buy or sell."),
                    parse: { (bytes) throws(ValidationIssue) in try Side(bytes: bytes) }
                ) { $0.side = $1 },
                .text("product", required: true, description: "The product.", rule: .productCode) { $0.product = $1 },
                .string(
                    "market_area", required: true, schema: .eic("The bidding zone (EIC)."),
                    parse: { (bytes) throws(ValidationIssue) in try EIC(bytes: bytes) }
                ) { $0.marketArea = $1 },
                .timestamp("delivery_start", required: true, description: "The start of delivery (inclusive).") {
                    $0.deliveryStart = $1
                },
                .timestamp("delivery_end", required: true, description: "The end of delivery (exclusive).") {
                    $0.deliveryEnd = $1
                },
                .decimal("quantity_mwh", required: true, description: "The quantity in MWh.", bounds: Rules.quantity) {
                    $0.quantityMWh = $1
                },
                .decimal(
                    "limit_price", required: false,
                    description: "The limit price per MWh; absent or null: market order.",
                    bounds: Rules.price
                ) { $0.limitPrice = $1 },
                .timestamp("submitted_at", required: true, description: "When the order was submitted.") {
                    $0.submittedAt = $1
                },
                .integer("version", required: true, description: "The order's version.", range: Rules.versions) {
                    $0.version = $1
                },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                let delivery = ModelChecks.period(
                    draft.deliveryStart, draft.deliveryEnd, endField: "delivery_end", issues: &issues)
                guard issues.isEmpty, let orderID = draft.orderID, let lei = draft.participantLEI,
                    let side = draft.side, let product = draft.product, let area = draft.marketArea, let delivery,
                    let quantity = draft.quantityMWh, let submittedAt = draft.submittedAt, let version = draft.version
                else { return nil }
                return Order(
                    unchecked: orderID, participantLEI: lei, side: side, product: product, marketArea: area,
                    delivery: delivery, quantityMWh: quantity, limitPrice: draft.limitPrice, submittedAt: submittedAt,
                    version: version)
            }))
}

extension Order: Codable {
    /// Encodes the order with its snake_case wire keys; a market order has no `limit_price`.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeWireFields([
            "order_id": orderID,
            "participant_lei": participantLEI,
            "side": side,
            "product": product,
            "market_area": marketArea,
            "delivery_start": delivery.start,
            "delivery_end": delivery.end,
            "quantity_mwh": quantityMWh,
            "limit_price": limitPrice,
            "submitted_at": submittedAt,
            "version": version,
        ])
    }
}
