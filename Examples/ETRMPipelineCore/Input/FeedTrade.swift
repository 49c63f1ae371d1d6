import ETRMContracts

/// One valid trade of the feed, as the reader delivers it: integers only, ready for the columns.
///
/// The type is declared on the public ``RecordSchema`` API: its fields (with the feed's own value types from
/// ``FeedRules``) and a build closure that scales the decimals and checks the delivery period. The reader
/// compiles that one declaration into its fast plan and its full-diagnostic rule table.
package struct FeedTrade: Sendable, Equatable {
    /// The trade id (any string; compared as bytes).
    package var tradeID: FeedKey
    /// The product code (any string).
    package var productCode: FeedKey
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
}

extension FeedTrade: ValidatedRecord {
    /// The feed's schema (`Benchmarks/Comparison/README.md`, "Semantics").
    package static let recordSchema = RecordSchema<FeedTrade>(
        name: "FeedTrade", containerKey: "trades", summary: "A trade of the comparison feed.",
        recordChecks: ["delivery_end is after delivery_start"]
    ) { fields in
        let tradeID = fields.code("trade_id", FeedKey.self, description: "Any string.")
        let lei = fields.code("counterparty_lei", LEI.self, description: "The counterparty's LEI.")
        let product = fields.code("product_code", FeedKey.self, description: "Any string.")
        let start = fields.code("delivery_start", FeedInstant.self, description: "Start of delivery.")
        let end = fields.code("delivery_end", FeedInstant.self, description: "End of delivery.")
        let volume = fields.decimal("volume_mwh", description: "MWh, 3 decimals, greater than 0.")
        let price = fields.decimal("price_usd", description: "USD, 2 decimals.")
        let status = fields.code("status", FeedStatus.self, description: "The status.")
        let event = fields.code("event_time", FeedInstant.self, description: "When this version was recorded.")
        return { values in
            // The checks that span a field's value and the feed's units, then the period; each reports at its
            // field, and all are reported together.
            var issues: [ValidationIssue] = []
            let volumeMilli = FeedRules.scaled(
                values[ifPresent: volume], at: volume, decimals: 3, minimum: .positive, issues: &issues)
            let priceCents = FeedRules.scaled(
                values[ifPresent: price], at: price, decimals: 2, minimum: nil, issues: &issues)
            // Each instant is parsed once (a code's value is validated on every read).
            let from = try? values[ifPresent: start]
            let to = try? values[ifPresent: end]
            if let from, let to, to.nanoseconds <= from.nanoseconds {
                issues.append(
                    end.locate(ValidationIssue(code: .endBeforeStart, message: "must be after delivery_start")))
            }
            guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
            _ = try values[lei]
            return FeedTrade(
                tradeID: try values[tradeID], productCode: try values[product],
                deliveryStart: try (from ?? values[start]).nanoseconds,
                deliveryEnd: try (to ?? values[end]).nanoseconds,
                volumeMilli: volumeMilli, priceCents: priceCents, status: try values[status].code,
                eventTime: try values[event].nanoseconds)
        }
    }
}

/// One row of `broker.json`: a trade id and the broker's volume in milli-MWh.
package struct BrokerRow: Sendable, Equatable {
    /// The trade id (any string).
    package var tradeID: FeedKey
    /// `broker_volume_mwh` in milli-MWh, 0 or more.
    package var volumeMilli: Int64
}

extension BrokerRow: ValidatedRecord {
    /// The broker file's schema: `{"broker_volumes": [{"trade_id": …, "broker_volume_mwh": …}]}`.
    package static let recordSchema = RecordSchema<BrokerRow>(
        name: "BrokerRow", containerKey: "broker_volumes", summary: "A broker-reported volume."
    ) { fields in
        let tradeID = fields.code("trade_id", FeedKey.self, description: "Any string.")
        let volume = fields.decimal("broker_volume_mwh", description: "MWh, 3 decimals, 0 or more.")
        return { values in
            var issues: [ValidationIssue] = []
            let milli = FeedRules.scaled(
                values[ifPresent: volume], at: volume, decimals: 3, minimum: .zero, issues: &issues)
            guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
            return BrokerRow(tradeID: try values[tradeID], volumeMilli: milli)
        }
    }
}
