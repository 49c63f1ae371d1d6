/// A bilateral OTC trade confirmation in the shape of EFET CpML: two parties, a product, and a list of
/// time-interval quantities (`TimeIntervalQuantities`: start, end, contract capacity in MW, price).
///
/// ## Mapping to ``TradeRecord``
/// One trade per time interval, because intervals can carry different capacities and prices (a shaped
/// profile) and each is settled on its own.
///
/// | trade field | from |
/// |---|---|
/// | `trade_id` | `"\(documentID)-\(n)"`, `n` the 1-based interval position |
/// | `counterparty_lei` | the party that is not ``ourLEI`` |
/// | `buy_sell` | `BUY` when ``ourLEI`` is the buyer, `SELL` when it is the seller |
/// | `product_code` | ``productCode`` |
/// | `delivery_start`, `delivery_end` | the interval |
/// | `volume_mwh` | contract capacity (MW) × interval hours, exact (5 MW over 8 h = 40 MWh) |
/// | `price_usd` | the interval's price |
/// | `delivery_point`, `currency`, `unit` | ``deliveryPoint``, ``currency``, `MWh` |
/// | `status`, `action_type` | `CONFIRMED`, `N` (or `M` when ``isAmendment``; status `AMENDED`) |
/// | `event_time` | ``confirmedAt`` |
///
/// If ``ourLEI`` is neither the buyer nor the seller the confirmation is not ours: `/our_lei` `invalid_value`.
public struct OTCConfirmation: Sendable, Hashable {
    /// One time-interval quantity.
    public struct TimeIntervalQuantity: Sendable, Hashable {
        /// The interval's start (inclusive).
        public var start: UTCTimestamp
        /// The interval's end (exclusive).
        public var end: UTCTimestamp
        /// The contract capacity in MW.
        public var contractCapacityMW: ExactDecimal
        /// The price per MWh.
        public var price: ExactDecimal

        /// Creates a time-interval quantity.
        ///
        /// - Parameters:
        ///   - start: The start.
        ///   - end: The end.
        ///   - contractCapacityMW: The capacity in MW.
        ///   - price: The price per MWh.
        public init(start: UTCTimestamp, end: UTCTimestamp, contractCapacityMW: ExactDecimal, price: ExactDecimal) {
            self.start = start
            self.end = end
            self.contractCapacityMW = contractCapacityMW
            self.price = price
        }
    }

    /// The confirmation document's id.
    public var documentID: String
    /// The buyer's LEI.
    public var buyerLEI: LEI
    /// The seller's LEI.
    public var sellerLEI: LEI
    /// The desk's own LEI, to tell the counterparty and the side.
    public var ourLEI: LEI
    /// The product.
    public var productCode: String
    /// The delivery point.
    public var deliveryPoint: EIC?
    /// The price currency.
    public var currency: Currency
    /// Whether this confirmation amends an earlier one.
    public var isAmendment: Bool
    /// The time-interval quantities.
    public var intervals: [TimeIntervalQuantity]
    /// When the confirmation was issued.
    public var confirmedAt: UTCTimestamp

    /// Creates a confirmation.
    ///
    /// - Parameters:
    ///   - documentID: The document id.
    ///   - buyerLEI: The buyer.
    ///   - sellerLEI: The seller.
    ///   - ourLEI: The desk's own LEI.
    ///   - productCode: The product.
    ///   - deliveryPoint: The delivery point.
    ///   - currency: The currency.
    ///   - isAmendment: Whether it amends an earlier confirmation.
    ///   - intervals: The time-interval quantities.
    ///   - confirmedAt: When it was issued.
    public init(
        documentID: String, buyerLEI: LEI, sellerLEI: LEI, ourLEI: LEI, productCode: String, deliveryPoint: EIC? = nil,
        currency: Currency = .EUR, isAmendment: Bool = false, intervals: [TimeIntervalQuantity],
        confirmedAt: UTCTimestamp
    ) {
        self.documentID = documentID
        self.buyerLEI = buyerLEI
        self.sellerLEI = sellerLEI
        self.ourLEI = ourLEI
        self.productCode = productCode
        self.deliveryPoint = deliveryPoint
        self.currency = currency
        self.isAmendment = isAmendment
        self.intervals = intervals
        self.confirmedAt = confirmedAt
    }

    /// The canonical trades of the confirmation: one per time interval (see the mapping above).
    ///
    /// - Returns: The trades, in interval order.
    /// - Throws: ``ValidationFailure`` with every issue (`/our_lei`, `/intervals/3/…`).
    public func tradeRecords() throws(ValidationFailure) -> [TradeRecord] {
        let side: Side
        let counterparty: LEI
        if ourLEI == buyerLEI {
            (side, counterparty) = (.buy, sellerLEI)
        } else if ourLEI == sellerLEI {
            (side, counterparty) = (.sell, buyerLEI)
        } else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    path: "/our_lei", code: .invalidValue, message: "our LEI is neither the buyer nor the seller",
                    value: ourLEI.description)
            ])
        }
        var trades: [TradeRecord] = []
        var issues: [ValidationIssue] = []
        for (position, interval) in intervals.enumerated() {
            let prefix = "/intervals/\(position)"
            let period: DeliveryPeriod
            let volume: ExactDecimal
            do throws(ValidationIssue) {
                period = try DeliveryPeriod(start: interval.start, end: interval.end)
            } catch {
                issues.append(error.prefixed(by: prefix + "/end"))
                continue
            }
            do throws(ValidationIssue) {
                volume = try Normalisation.energyMWh(capacityMW: interval.contractCapacityMW, over: period.duration)
            } catch {
                issues.append(error.prefixed(by: prefix + "/contract_capacity_mw"))
                continue
            }
            let trade = Normalisation.trade(prefix, into: &issues) { () throws(ValidationFailure) in
                try TradeRecord(
                    tradeID: "\(documentID)-\(position + 1)", counterpartyLEI: counterparty, productCode: productCode,
                    delivery: period, volumeMWh: volume, priceUSD: interval.price,
                    status: isAmendment ? .amended : .confirmed, eventTime: confirmedAt, buySell: side,
                    deliveryPoint: deliveryPoint, currency: currency, unit: .MWh,
                    actionType: isAmendment ? .modify : .new)
            }
            if let trade { trades.append(trade) }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        return trades
    }
}
