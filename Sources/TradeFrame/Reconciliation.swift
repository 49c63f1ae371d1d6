import ETRMContracts

/// Reconciles our trades against broker-reported volumes: join on the trade id, relative variance
/// `(broker − ours) / ours`, and a hold on every trade whose variance exceeds the tolerance.
///
/// The flag is exact: with the tolerance `t = n × 10^-k` (an `ExactDecimal` from ETRMContracts), a trade is
/// flagged when `|broker − ours| × 10^k > n × |ours|`, computed in integers on the volumes' significands brought
/// to one scale. No binary floating point takes part, so 0.600 against 0.603 at 0.005 is exactly at the tolerance and
/// not flagged. The `variance` column is Float64 and for display only.
public struct Reconciliation: Sendable {
    /// Settings of a reconciliation.
    public struct Configuration: Sendable, Hashable {
        /// The largest accepted `|variance|`, an exact decimal; 0.005 (0.5 %) by default.
        public var tolerance = ExactDecimal(significand: 5, scale: 3)
        /// Our trade id column.
        public var tradeID: String = "trade_id"
        /// The broker's trade id column.
        public var brokerTradeID: String = "trade_id"
        /// Our volume column: decimal or integer (Float32 and Float64 columns are rejected, see
        /// ``Reconciliation/reconcile(ours:broker:)``).
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
        /// - Parameter tolerance: The largest accepted `|variance|`, such as `try ExactDecimal("0.005")`.
        public init(tolerance: ExactDecimal) { self.tolerance = tolerance }
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
    /// Volumes must be exact: decimal columns (any scales; ours and the broker's may differ) or integer columns
    /// (scale 0). A Float32 or Float64 volume column is rejected with `typeMismatch`, because a binary double
    /// cannot say whether 100.4 was meant exactly; parse such volumes into a ``DecimalColumn`` first.
    ///
    /// Flags: `|broker − ours| × 10^k > n × |ours|` for the tolerance `n × 10^-k`, in integers. So a variance
    /// exactly at the tolerance is not flagged; negative volumes compare by magnitude of `ours` (a variance of
    /// −0.4 % is within 0.5 %); when ours is zero the trade is flagged unless the broker also reports zero (the
    /// `variance` is then +infinity, or 0). A null volume on either side is flagged with a null variance.
    ///
    /// Each trade id must be on at most one row of each side: with an id twice, which row pairs with which is a
    /// guess (A, A, B against A, B, B would give four matched rows, B both ok and on hold), so it is refused with
    /// `duplicateKey` naming the side, the id and two of its rows. Keep one event per trade first, with
    /// ``TradeFrame/keepingLatest(per:by:)``. Null ids never match and are not duplicates.
    ///
    /// - Parameters:
    ///   - ours: Our trades.
    ///   - broker: The broker's trades.
    /// - Returns: The report.
    /// - Throws: ``TradeFrameError`` when a configured column is missing or not an exact numeric column
    ///   (`typeMismatch`), the tolerance is negative (`invalidArgument`), our frame already has one of
    ///   ``addedColumns`` (`duplicateColumn`: the matched frame would silently replace it), or a trade id is on
    ///   two rows of one side (`duplicateKey`).
    public func reconcile(ours: TradeFrame, broker: TradeFrame) throws(TradeFrameError) -> Report {
        let c = configuration
        let rule = try Self.rule(c.tolerance)
        for added in Self.addedColumns where ours.columnNames.contains(added) {
            throw TradeFrameError(
                .duplicateColumn, column: added,
                "our frame already has a '\(added)' column, which the matched frame would overwrite; rename it first")
        }
        // Each side is keyed once: the duplicate check and the join share the index.
        let ourKeys = try Self.refuseRepeatedIDs(in: ours, key: c.tradeID, side: "our frame")
        let brokerKeys = try Self.refuseRepeatedIDs(in: broker, key: c.brokerTradeID, side: "the broker frame")
        let ourValues = try ExactValues(try ours.column(c.volume), name: c.volume, purpose: "reconciliation")
        let brokerColumn = try broker.column(c.brokerVolume)
        let brokerValues = try ExactValues(brokerColumn, name: c.brokerVolume, purpose: "reconciliation")
        let (left, right) = try ourKeys.join(with: brokerKeys, kind: .inner)
        let (variance, flagged) = Self.compare(
            ours: ourValues, rows: left, broker: brokerValues, brokerRows: right,
            tolerance: rule)
        let flags = Column<Bool>(storage: flagged)
        let status = CategoricalColumn(
            dictionary: StringColumn([c.clearStatus, c.holdStatus]),
            wideCodes: ContiguousArray(flagged.lazy.map { $0 ? 1 : 0 }), validity: nil)
        let matched = try ours.gathering(left)
            .adding("broker_volume", brokerColumn.gathering(right))
            .adding("variance", variance)
            .adding("flagged", flags)
            .adding("status", status)
        // A row is without a counterpart exactly when the inner join never used it (a null key never matches,
        // so it is never used): the two anti joins come from the inner join's rows, without hashing again.
        let oursWithout = ours.gathering(Self.unused(left, count: ours.rowCount))
        let brokerWithout = broker.gathering(Self.unused(right, count: broker.rowCount))
        return Report(
            matched: matched, oursWithoutBroker: oursWithout, brokerWithoutOurs: brokerWithout,
            flagged: try matched.filter(flags))
    }

    /// Whether a broker volume breaches the tolerance against ours, by the exact rule ``reconcile(ours:broker:)``
    /// flags with: `|broker − ours| × 10^k > n × |ours|` for the tolerance `n × 10^-k`, in integers at one scale
    /// (`ExactDecimal.isExceeded(by:relativeTo:)` of ETRMContracts, with this module's error).
    ///
    /// For a caller that has paired its rows already. A variance exactly at the tolerance is not a breach; when
    /// ours is zero, any non-zero broker volume is.
    ///
    /// - Parameters:
    ///   - broker: The broker's volume.
    ///   - ours: Our volume.
    ///   - tolerance: The largest accepted `|variance|`, zero or more.
    /// - Returns: Whether `|broker − ours| / |ours|` exceeds the tolerance.
    /// - Throws: ``TradeFrameError`` with code `invalidArgument` for a negative tolerance.
    public static func exceedsTolerance(
        broker: ExactDecimal, ours: ExactDecimal, tolerance: ExactDecimal
    ) throws(TradeFrameError) -> Bool {
        do {
            return try tolerance.isExceeded(by: broker, relativeTo: ours)
        } catch {
            throw Self.negative(tolerance)
        }
    }

    /// The exact rule of `tolerance` (`ExactDecimal.isExceeded(by:relativeTo:)`'s), refusing a negative one.
    static func rule(_ tolerance: ExactDecimal) throws(TradeFrameError) -> RelativeTolerance {
        do {
            return try RelativeTolerance(tolerance)
        } catch {
            throw negative(tolerance)
        }
    }

    private static func negative(_ tolerance: ExactDecimal) -> TradeFrameError {
        TradeFrameError(.invalidArgument, "the tolerance \(tolerance) must be zero or more")
    }

    /// `frame` keyed by `key`; throws `duplicateKey` when a non-null id is on two rows, naming the first such pair.
    static func refuseRepeatedIDs(in frame: TradeFrame, key: String, side: String) throws(TradeFrameError) -> KeyIndex {
        let index = try frame.keyed(by: key)
        if let (first, repeated) = index.firstDuplicate() {
            throw TradeFrameError(
                .duplicateKey, column: key,
                "\(side) has trade id \"\(try frame.column(key).text(at: repeated) ?? "")\" on rows \(first) and "
                    + "\(repeated); each id must be on one row per side (keep the latest event per id first)")
        }
        return index
    }

    /// The columns ``Report/matched`` adds to ours; our frame must not have them already.
    public static let addedColumns = ["broker_volume", "variance", "flagged", "status"]

    /// The rows of `0..<count` that are not in `used`, ascending.
    static func unused(_ used: [Int], count: Int) -> [Int] {
        var isUsed = [Bool](repeating: false, count: count)
        for row in used { isUsed[row] = true }
        return (0..<count).filter { !isUsed[$0] }
    }

    /// The variance `(theirs − mine) / mine` as Float64: through Int64 when both fit (the conversion from
    /// Int128 is a slow generic routine; both round correctly, so the result is the same).
    @inline(__always)
    static func variance(theirs: Int128, mine: Int128) -> Double {
        let difference = theirs - mine
        if let d = Int64(exactly: difference), let m = Int64(exactly: mine) { return Double(d) / Double(m) }
        return Double(difference) / Double(mine)
    }

    /// The display variance and the exact flag of each matched pair.
    static func compare(
        ours: ExactValues, rows: [Int], broker: ExactValues, brokerRows: [Int], tolerance: RelativeTolerance
    ) -> (variance: Column<Double>, flagged: ContiguousArray<Bool>) {
        let scale = max(ours.scale, broker.scale)
        let ourFactor = Int128(pow10[scale - ours.scale])
        let brokerFactor = Int128(pow10[scale - broker.scale])
        var variance = ColumnBuilder<Double>(capacity: rows.count)
        var flagged = ContiguousArray<Bool>(repeating: true, count: rows.count)
        let ourValidity = ours.significands.validity
        let brokerValidity = broker.significands.validity
        for position in 0..<rows.count {
            let row = rows[position]
            let brokerRow = brokerRows[position]
            guard ourValidity.valid(row), brokerValidity.valid(brokerRow) else {
                variance.appendNull()
                continue
            }
            // Each side is below 2^63 × 10^18 < 2^123 at the common scale.
            let mine = Int128(ours.significands.value(at: row)) * ourFactor
            let theirs = Int128(broker.significands.value(at: brokerRow)) * brokerFactor
            flagged[position] = tolerance.exceeded(value: theirs, reference: mine)
            variance.append(mine == 0 ? (theirs == 0 ? 0 : .infinity) : Self.variance(theirs: theirs, mine: mine))
        }
        return (variance.finish(), flagged)
    }
}
