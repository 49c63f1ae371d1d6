import Foundation

/// A physical gas nomination: a shipper's notice to the transmission operator of the energy it will inject
/// (entry) or withdraw (exit) at a network point on one gas day, in kWh, against a contract.
///
/// ## Mapping to ``TradeRecord``
/// One trade per nomination, for the whole gas day.
///
/// | trade field | from |
/// |---|---|
/// | `trade_id` | ``nominationID`` |
/// | `counterparty_lei` | ``counterpartyLEI`` (the contract's other party) |
/// | `product_code` | `"NG-GD"` (a gas-day product) |
/// | `delivery_start`, `delivery_end` | the gas day: 06:00 local on ``gasDay`` to 06:00 the next day, in UTC |
/// | `volume_mwh` | ``quantityKWh`` / 1000, exact |
/// | `price_usd` | ``contractPrice`` |
/// | `buy_sell` | `BUY` for entry (gas comes to the shipper's portfolio), `SELL` for exit |
/// | `delivery_point` | ``networkPoint`` |
/// | `currency`, `unit` | ``currency``, `MWh` |
/// | `status`, `action_type` | `PENDING` (a nomination is confirmed by the operator later), `N` |
/// | `event_time` | ``nominatedAt`` |
public struct PhysicalNomination: Sendable, Hashable {
    /// The direction of the flow at the network point.
    public struct Direction: Sendable, Hashable {
        let isEntry: Bool
        /// Gas enters the shipper's portfolio.
        public static let entry = Direction(isEntry: true)
        /// Gas leaves the shipper's portfolio.
        public static let exit = Direction(isEntry: false)
    }

    /// The nomination's id.
    public var nominationID: String
    /// The counterparty of the underlying contract.
    public var counterpartyLEI: LEI
    /// The network point.
    public var networkPoint: EIC
    /// The gas day.
    public var gasDay: LocalDate
    /// The market's time zone (the gas day starts at 06:00 in it).
    public var zone: TimeZone
    /// Entry or exit.
    public var direction: Direction
    /// The energy for the day in kWh, positive.
    public var quantityKWh: ExactDecimal
    /// The contract price per MWh.
    public var contractPrice: ExactDecimal
    /// The price currency.
    public var currency: Currency
    /// When the nomination was sent.
    public var nominatedAt: UTCTimestamp

    /// Creates a nomination.
    ///
    /// - Parameters:
    ///   - nominationID: The id.
    ///   - counterpartyLEI: The contract's other party.
    ///   - networkPoint: The network point.
    ///   - gasDay: The gas day.
    ///   - zone: The market's time zone.
    ///   - direction: Entry or exit.
    ///   - quantityKWh: The day's energy in kWh.
    ///   - contractPrice: The price per MWh.
    ///   - currency: The currency.
    ///   - nominatedAt: When it was sent.
    public init(
        nominationID: String, counterpartyLEI: LEI, networkPoint: EIC, gasDay: LocalDate, zone: TimeZone,
        direction: Direction, quantityKWh: ExactDecimal, contractPrice: ExactDecimal, currency: Currency = .EUR,
        nominatedAt: UTCTimestamp
    ) {
        self.nominationID = nominationID
        self.counterpartyLEI = counterpartyLEI
        self.networkPoint = networkPoint
        self.gasDay = gasDay
        self.zone = zone
        self.direction = direction
        self.quantityKWh = quantityKWh
        self.contractPrice = contractPrice
        self.currency = currency
        self.nominatedAt = nominatedAt
    }

    /// The canonical trade of the nomination (see the mapping above).
    ///
    /// - Returns: The trade.
    /// - Throws: ``ValidationFailure`` with every issue (`/quantity_kwh`, …).
    public func tradeRecord() throws(ValidationFailure) -> TradeRecord {
        let volume: ExactDecimal
        do throws(ValidationIssue) {
            volume = try quantityKWh.multipliedFullWidth(by: ExactDecimal(1))
                .divided(
                    by: WideDecimal(ExactDecimal(1000)), scale: min(ExactDecimal.maximumScale, quantityKWh.scale + 3)
                )
                .normalized
        } catch {
            throw ValidationFailure(issues: [error.prefixed(by: "/quantity_kwh")])
        }
        let delivery: DeliveryPeriod
        do throws(ValidationIssue) {
            delivery = try DeliveryPeriod.gasDay(gasDay, in: zone)
        } catch {
            throw ValidationFailure(issues: [error.prefixed(by: "/gas_day")])
        }
        var issues: [ValidationIssue] = []
        let trade = Normalisation.trade("", into: &issues) { () throws(ValidationFailure) in
            try TradeRecord(
                tradeID: nominationID, counterpartyLEI: counterpartyLEI, productCode: "NG-GD",
                delivery: delivery, volumeMWh: volume, priceUSD: contractPrice,
                status: .pending, eventTime: nominatedAt, buySell: direction.isEntry ? .buy : .sell,
                deliveryPoint: networkPoint, currency: currency, unit: .MWh, actionType: .new)
        }
        guard let trade else {
            throw ValidationFailure(issues: issues.map { $0.path == "/volume_mwh" ? relabel($0) : $0 })
        }
        return trade
    }

    private func relabel(_ issue: ValidationIssue) -> ValidationIssue {
        var copy = issue
        copy.path = "/quantity_kwh"
        copy.message += " (after conversion to MWh)"
        return copy
    }
}
