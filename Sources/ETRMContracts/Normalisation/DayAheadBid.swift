import Foundation

/// A day-ahead auction bid (SDAC-style): one participant, one bidding zone, one delivery day, and a quantity
/// and price for every market time unit of that day.
///
/// ## Mapping to ``TradeRecord``
/// Decided: **one trade per MTU with a non-zero quantity** (not one per block), because settlement, REMIT
/// reporting and TradeFrame's hour-ending derivations all work per MTU, and a block is easy to rebuild by
/// grouping while an aggregated block cannot be split back.
///
/// | trade field | from |
/// |---|---|
/// | `trade_id` | `"\(bidID)-\(n)"`, `n` the 1-based MTU position in the local day (`-1` … `-96`) |
/// | `counterparty_lei` | ``exchangeLEI`` (the exchange is the central counterparty) |
/// | `product_code` | `"DA-\(minutes)"`: `DA-15`, `DA-30`, `DA-60` |
/// | `delivery_start`, `delivery_end` | the MTU, `[start, start + MTU)`, in UTC |
/// | `volume_mwh` | `|quantity_mw|` × MTU hours, exact (10 MW over 15 minutes = 2.5 MWh) |
/// | `price_usd` | the MTU's price |
/// | `buy_sell` | `BUY` for a positive quantity, `SELL` for a negative one (the auction's sign convention) |
/// | `delivery_point` | ``biddingZone`` |
/// | `currency`, `unit` | ``currency``, `MWh` |
/// | `status`, `action_type` | `PENDING` (the auction has not cleared), `N` |
/// | `event_time` | ``submittedAt`` |
///
/// The bid must have exactly one interval per MTU of the local day: 96 quarter hours on most days, 92 on the
/// spring DST day and 100 on the autumn one in Europe/Berlin.
public struct DayAheadBid: Sendable, Hashable {
    /// One MTU of the bid.
    public struct Interval: Sendable, Hashable {
        /// The quantity in MW: positive to buy, negative to sell, zero for no bid.
        public var quantityMW: ExactDecimal
        /// The limit price per MWh.
        public var price: ExactDecimal

        /// Creates an interval.
        ///
        /// - Parameters:
        ///   - quantityMW: The quantity in MW (positive buys, negative sells).
        ///   - price: The price per MWh.
        public init(quantityMW: ExactDecimal, price: ExactDecimal) {
            self.quantityMW = quantityMW
            self.price = price
        }
    }

    /// The bid's id.
    public var bidID: String
    /// The exchange's LEI (the counterparty of every trade).
    public var exchangeLEI: LEI
    /// The bidding zone.
    public var biddingZone: EIC
    /// The local delivery day.
    public var deliveryDay: LocalDate
    /// The bidding zone's time zone.
    public var zone: TimeZone
    /// The market time unit.
    public var marketTimeUnit: MarketTimeUnit
    /// The price currency.
    public var currency: Currency
    /// One interval per MTU, in order.
    public var intervals: [Interval]
    /// When the bid was submitted.
    public var submittedAt: UTCTimestamp

    /// Creates a bid.
    ///
    /// - Parameters:
    ///   - bidID: The bid's id.
    ///   - exchangeLEI: The exchange's LEI.
    ///   - biddingZone: The bidding zone.
    ///   - deliveryDay: The local delivery day.
    ///   - zone: The zone's time zone.
    ///   - marketTimeUnit: The MTU.
    ///   - currency: The price currency.
    ///   - intervals: One per MTU of the day.
    ///   - submittedAt: The submission time.
    public init(
        bidID: String, exchangeLEI: LEI, biddingZone: EIC, deliveryDay: LocalDate, zone: TimeZone,
        marketTimeUnit: MarketTimeUnit = .quarterHour, currency: Currency = .EUR, intervals: [Interval],
        submittedAt: UTCTimestamp
    ) {
        self.bidID = bidID
        self.exchangeLEI = exchangeLEI
        self.biddingZone = biddingZone
        self.deliveryDay = deliveryDay
        self.zone = zone
        self.marketTimeUnit = marketTimeUnit
        self.currency = currency
        self.intervals = intervals
        self.submittedAt = submittedAt
    }

    /// The canonical trades of the bid: one per MTU with a non-zero quantity (see the mapping above).
    ///
    /// - Returns: The trades, in delivery order.
    /// - Throws: ``ValidationFailure`` with every issue: a wrong number of intervals (`/intervals`), and per
    ///   interval (`/intervals/12/…`) whatever the trade rules reject.
    public func tradeRecords() throws(ValidationFailure) -> [TradeRecord] {
        let units: [DeliveryPeriod]
        do throws(ValidationIssue) {
            units = try DeliveryPeriod.deliveryDay(deliveryDay, in: zone).split(into: marketTimeUnit)
        } catch {
            throw ValidationFailure(issues: [error.prefixed(by: "/delivery_day")])
        }
        guard units.count == intervals.count else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    path: "/intervals", code: .invalidValue,
                    message: "\(deliveryDay) in \(zone.identifier) has \(units.count) MTUs of \(marketTimeUnit.minutes)"
                        + " minutes; the bid has \(intervals.count) intervals",
                    value: String(intervals.count))
            ])
        }
        var trades: [TradeRecord] = []
        var issues: [ValidationIssue] = []
        for (position, (unit, interval)) in zip(units, intervals).enumerated() where !interval.quantityMW.isZero {
            let prefix = "/intervals/\(position)"
            let volume: ExactDecimal
            do throws(ValidationIssue) {
                volume = try Normalisation.energyMWh(capacityMW: interval.quantityMW.magnitude, over: unit.duration)
            } catch {
                issues.append(error.prefixed(by: prefix + "/quantity_mw"))
                continue
            }
            let trade = Normalisation.trade(prefix, into: &issues) { () throws(ValidationFailure) in
                try TradeRecord(
                    tradeID: "\(bidID)-\(position + 1)", counterpartyLEI: exchangeLEI,
                    productCode: "DA-\(marketTimeUnit.minutes)", delivery: unit, volumeMWh: volume,
                    priceUSD: interval.price, status: .pending, eventTime: submittedAt,
                    buySell: interval.quantityMW.isNegative ? .sell : .buy, deliveryPoint: biddingZone,
                    currency: currency, unit: .MWh, actionType: .new)
            }
            if let trade { trades.append(trade) }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        return trades
    }
}
