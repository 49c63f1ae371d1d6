/// Reconciles our trades against broker-reported volumes: join on the trade id, relative variance
/// `(broker − ours) / ours`, and a hold on every trade whose variance exceeds the tolerance.
public struct Reconciliation: Sendable {
    /// Settings of a reconciliation.
    public struct Configuration: Sendable, Hashable {
        /// The largest accepted `|variance|`; 0.005 (0.5 %) by default.
        public var tolerance: Double = 0.005
        /// Our trade id column.
        public var tradeID: String = "trade_id"
        /// The broker's trade id column.
        public var brokerTradeID: String = "trade_id"
        /// Our volume column (decimal, float or integer).
        public var volume: String = "volume_mwh"
        /// The broker's volume column.
        public var brokerVolume: String = "volume_mwh"
        /// The status written for flagged trades.
        public var holdStatus: String = "hold"
        /// The status written for trades within tolerance.
        public var clearStatus: String = "ok"

        /// The default configuration.
        public init() {}

        /// A configuration with a tolerance.
        ///
        /// - Parameter tolerance: The largest accepted `|variance|`.
        public init(tolerance: Double) { self.tolerance = tolerance }
    }

    /// The configuration.
    public var configuration: Configuration

    /// Creates a reconciliation.
    ///
    /// - Parameter configuration: The settings.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The outcome of a reconciliation. Every one of our rows is in ``matched`` or ``oursWithoutBroker``; every
    /// broker row is in ``matched`` or ``brokerWithoutOurs``.
    public struct Report: Sendable {
        /// Our rows with a broker row: our columns, then `broker_volume`, `variance` (Float64), `flagged` (Bool)
        /// and `status` (categorical: hold or ok).
        public let matched: TradeFrame
        /// Our rows the broker did not report.
        public let oursWithoutBroker: TradeFrame
        /// Broker rows we do not have.
        public let brokerWithoutOurs: TradeFrame
        /// The matched rows whose `|variance|` exceeds the tolerance: the trades on hold.
        public let flagged: TradeFrame
    }

    /// Reconciles two frames.
    ///
    /// A zero volume of ours gives variance 0 when the broker also reports zero and an infinite variance
    /// (flagged) otherwise. A null volume on either side is flagged with a null variance.
    ///
    /// - Parameters:
    ///   - ours: Our trades.
    ///   - broker: The broker's trades.
    /// - Returns: The report.
    /// - Throws: ``TradeFrameError`` when a configured column is missing or not numeric, or the tolerance is
    ///   negative.
    public func reconcile(ours: TradeFrame, broker: TradeFrame) throws(TradeFrameError) -> Report {
        let c = configuration
        guard c.tolerance >= 0, !c.tolerance.isNaN else {
            throw TradeFrameError(.invalidArgument, "the tolerance \(c.tolerance) must be zero or more")
        }
        let brokerSide = try broker.selecting([c.brokerTradeID, c.brokerVolume])
        let (left, right) = try ours.joinIndices(
            with: brokerSide, on: [c.tradeID], rightKeys: [c.brokerTradeID], kind: .inner)
        let ourVolume = try GroupedFrame.doubles(try ours.column(c.volume), name: c.volume).gathering(left)
        let brokerColumn = try broker.column(c.brokerVolume)
        let brokerVolume = try GroupedFrame.doubles(brokerColumn, name: c.brokerVolume).gathering(right)
        var variance = ColumnBuilder<Double>(capacity: left.count)
        var flagged = ContiguousArray<Bool>()
        flagged.reserveCapacity(left.count)
        for row in 0..<left.count {
            guard let mine = ourVolume[row], let theirs = brokerVolume[row] else {
                variance.appendNull()
                flagged.append(true)
                continue
            }
            let value = mine == 0 ? (theirs == 0 ? 0 : .infinity) : (theirs - mine) / mine
            variance.append(value)
            flagged.append(!(abs(value) <= c.tolerance))
        }
        let flags = Column<Bool>(storage: flagged)
        let status = CategoricalColumn(
            dictionary: StringColumn([c.clearStatus, c.holdStatus]),
            wideCodes: ContiguousArray(flagged.lazy.map { $0 ? 1 : 0 }), validity: nil)
        let matched = try ours.gathering(left)
            .adding("broker_volume", brokerColumn.gathering(right))
            .adding("variance", variance.finish())
            .adding("flagged", flags)
            .adding("status", status)
        let oursWithout = ours.gathering(
            try ours.joinIndices(with: brokerSide, on: [c.tradeID], rightKeys: [c.brokerTradeID], kind: .anti).left)
        let brokerWithout = broker.gathering(
            try broker.joinIndices(
                with: try ours.selecting([c.tradeID]), on: [c.brokerTradeID], rightKeys: [c.tradeID], kind: .anti
            ).left)
        return Report(
            matched: matched, oursWithoutBroker: oursWithout, brokerWithoutOurs: brokerWithout,
            flagged: try matched.filter(flags))
    }
}
