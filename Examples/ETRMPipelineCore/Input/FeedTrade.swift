import ETRMContracts

/// One valid trade of the feed, as the reader delivers it: integers only, ready for the columns.
///
/// The reader's ``RecordReader`` is generic over the record type; this type gives it the comparison feed's
/// rule table (see ``FeedRules``) instead of ``TradeRecord``'s, whose identifier and range rules are the
/// package's own and stricter than the feed's.
package struct FeedTrade: Sendable, Equatable {
    /// The trade id (any string; compared as bytes).
    package var tradeID: String
    /// The product code (any string).
    package var productCode: String
    /// `delivery_start`, nanoseconds since the epoch (UTC).
    package var deliveryStart: Int64
    /// `delivery_end`, nanoseconds since the epoch (UTC).
    package var deliveryEnd: Int64
    /// `volume_mwh` in milli-MWh.
    package var volumeMilli: Int64
    /// `price_usd` in cents.
    package var priceCents: Int64
    /// Index into ``FeedRules/statuses``.
    package var status: UInt8
    /// `event_time`, nanoseconds since the epoch (UTC).
    package var eventTime: Int64

    struct Draft {
        var tradeID: String?
        var productCode: String?
        var hasLEI = false
        var deliveryStart: Int64?
        var deliveryEnd: Int64?
        var volumeMilli: Int64?
        var priceCents: Int64?
        var status: UInt8?
        var eventTime: Int64?
    }

    private static func timestampSchema(_ description: String) -> FieldSchema {
        FieldSchema(
            type: .string, description: description, pattern: FieldRule<Draft>.timestampPattern, format: "date-time")
    }
}

extension FeedTrade: ValidatedRecord {
    /// The feed's rule table.
    package static let recordSchema = RecordSchema<FeedTrade>(
        name: "FeedTrade", containerKey: "trades", summary: "A trade of the comparison feed.",
        recordChecks: ["delivery_end is after delivery_start"],
        rules: RecordRules(
            fields: [
                .string(
                    "trade_id", required: true, schema: FieldSchema(type: .string, description: "Any string."),
                    parse: { (bytes) throws(ValidationIssue) in String(decoding: bytes, as: UTF8.self) }
                ) { $0.tradeID = $1 },
                .string(
                    "counterparty_lei", required: true, schema: .lei("The counterparty's LEI."),
                    parse: { (bytes) throws(ValidationIssue) in _ = try LEI(bytes: bytes) }
                ) { draft, _ in draft.hasLEI = true },
                .string(
                    "product_code", required: true, schema: FieldSchema(type: .string, description: "Any string."),
                    parse: { (bytes) throws(ValidationIssue) in String(decoding: bytes, as: UTF8.self) }
                ) { $0.productCode = $1 },
                .string(
                    "delivery_start", required: true, schema: timestampSchema("Start of delivery."),
                    parse: { (bytes) throws(ValidationIssue) in try FeedRules.timestamp(bytes) }
                ) { $0.deliveryStart = $1 },
                .string(
                    "delivery_end", required: true, schema: timestampSchema("End of delivery."),
                    parse: { (bytes) throws(ValidationIssue) in try FeedRules.timestamp(bytes) }
                ) { $0.deliveryEnd = $1 },
                .number(
                    "volume_mwh", required: true, schema: FieldSchema(type: .number, description: "MWh, 3 decimals."),
                    parse: { (digits) throws(ValidationIssue) -> Int64 in
                        let milli = try FeedRules.scaled(digits, decimals: 3)
                        guard milli > 0 else {
                            throw ValidationIssue(
                                code: .outOfRange, message: "must be greater than 0",
                                value: String(decoding: digits, as: UTF8.self))
                        }
                        return milli
                    }
                ) { $0.volumeMilli = $1 },
                .number(
                    "price_usd", required: true, schema: FieldSchema(type: .number, description: "USD, 2 decimals."),
                    parse: { (digits) throws(ValidationIssue) in try FeedRules.scaled(digits, decimals: 2) }
                ) { $0.priceCents = $1 },
                .string(
                    "status", required: true, schema: FieldSchema(type: .string, description: "The status."),
                    parse: { (bytes) throws(ValidationIssue) in try FeedRules.status(bytes) }
                ) { $0.status = $1 },
                .string(
                    "event_time", required: true, schema: timestampSchema("When this version was recorded."),
                    parse: { (bytes) throws(ValidationIssue) in try FeedRules.timestamp(bytes) }
                ) { $0.eventTime = $1 },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                if let start = draft.deliveryStart, let end = draft.deliveryEnd, end <= start {
                    issues.add(
                        field: "delivery_end", code: .endBeforeStart, message: "must be after delivery_start")
                }
                guard issues.isEmpty, draft.hasLEI, let tradeID = draft.tradeID, let productCode = draft.productCode,
                    let deliveryStart = draft.deliveryStart, let deliveryEnd = draft.deliveryEnd,
                    let volumeMilli = draft.volumeMilli, let priceCents = draft.priceCents, let status = draft.status,
                    let eventTime = draft.eventTime
                else { return nil }
                return FeedTrade(
                    tradeID: tradeID, productCode: productCode, deliveryStart: deliveryStart, deliveryEnd: deliveryEnd,
                    volumeMilli: volumeMilli, priceCents: priceCents, status: status, eventTime: eventTime)
            }))
}

/// One row of `broker.json`: a trade id and the broker's volume in milli-MWh.
package struct BrokerRow: Sendable, Equatable {
    /// The trade id (any string).
    package var tradeID: String
    /// `broker_volume_mwh` in milli-MWh, 0 or more.
    package var volumeMilli: Int64

    struct Draft {
        var tradeID: String?
        var volumeMilli: Int64?
    }
}

extension BrokerRow: ValidatedRecord {
    /// The broker file's rule table: `{"broker_volumes": [{"trade_id": …, "broker_volume_mwh": …}]}`.
    package static let recordSchema = RecordSchema<BrokerRow>(
        name: "BrokerRow", containerKey: "broker_volumes", summary: "A broker-reported volume.", recordChecks: [],
        rules: RecordRules(
            fields: [
                .string(
                    "trade_id", required: true, schema: FieldSchema(type: .string, description: "Any string."),
                    parse: { (bytes) throws(ValidationIssue) in String(decoding: bytes, as: UTF8.self) }
                ) { $0.tradeID = $1 },
                .number(
                    "broker_volume_mwh", required: true,
                    schema: FieldSchema(type: .number, description: "MWh, 3 decimals, 0 or more."),
                    parse: { (digits) throws(ValidationIssue) -> Int64 in
                        let milli = try FeedRules.scaled(digits, decimals: 3)
                        guard milli >= 0 else {
                            throw ValidationIssue(
                                code: .outOfRange, message: "must be 0 or more",
                                value: String(decoding: digits, as: UTF8.self))
                        }
                        return milli
                    }
                ) { $0.volumeMilli = $1 },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                guard issues.isEmpty, let tradeID = draft.tradeID, let volumeMilli = draft.volumeMilli else {
                    return nil
                }
                return BrokerRow(tradeID: tradeID, volumeMilli: volumeMilli)
            }))
}
