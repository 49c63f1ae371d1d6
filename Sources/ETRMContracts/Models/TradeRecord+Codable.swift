extension TradeRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case tradeID = "trade_id"
        case counterpartyLEI = "counterparty_lei"
        case productCode = "product_code"
        case deliveryStart = "delivery_start"
        case deliveryEnd = "delivery_end"
        case volumeMWh = "volume_mwh"
        case priceUSD = "price_usd"
        case status
        case eventTime = "event_time"
        case buySell = "buy_sell"
        case deliveryPoint = "delivery_point"
        case currency
        case unit
        case actionType = "action_type"
        case schemaVersion = "schema_version"
    }

    /// Decodes and validates a trade record with the rules of the fast reader (see
    /// ``RecordReader``): the same verdicts, every issue at once.
    ///
    /// - Parameter decoder: The decoder. Its `userInfo[.etrmUnknownFieldPolicy]` may hold an
    ///   ``UnknownFieldPolicy``; the default ignores unknown fields.
    /// - Throws: ``ValidationFailure`` with every issue, located under the decoder's coding path.
    public init(from decoder: any Decoder) throws {
        self = try Self.recordSchema.decode(from: decoder)
    }

    /// Encodes the record with its snake_case wire keys; absent optional fields are omitted.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tradeID, forKey: .tradeID)
        try container.encode(counterpartyLEI, forKey: .counterpartyLEI)
        try container.encode(productCode, forKey: .productCode)
        try container.encode(deliveryStart, forKey: .deliveryStart)
        try container.encode(deliveryEnd, forKey: .deliveryEnd)
        try container.encode(volumeMWh, forKey: .volumeMWh)
        try container.encode(priceUSD, forKey: .priceUSD)
        try container.encode(status, forKey: .status)
        try container.encode(eventTime, forKey: .eventTime)
        try container.encodeIfPresent(buySell, forKey: .buySell)
        try container.encodeIfPresent(deliveryPoint, forKey: .deliveryPoint)
        try container.encodeIfPresent(currency, forKey: .currency)
        try container.encodeIfPresent(unit, forKey: .unit)
        try container.encodeIfPresent(actionType, forKey: .actionType)
        try container.encodeIfPresent(schemaVersion, forKey: .schemaVersion)
    }
}
