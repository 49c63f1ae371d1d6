extension TradeRecord: Codable {
    /// Encodes the record with its snake_case wire keys; absent optional fields are omitted.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeWireFields([
            "trade_id": tradeID,
            "counterparty_lei": counterpartyLEI,
            "product_code": productCode,
            "delivery_start": deliveryStart,
            "delivery_end": deliveryEnd,
            "volume_mwh": volumeMWh,
            "price_usd": priceUSD,
            "status": status,
            "event_time": eventTime,
            "buy_sell": buySell,
            "delivery_point": deliveryPoint,
            "currency": currency,
            "unit": unit,
            "action_type": actionType,
            "schema_version": schemaVersion,
        ])
    }
}
