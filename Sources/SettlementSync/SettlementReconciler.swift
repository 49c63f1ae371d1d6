import ETRMContracts
import ETRMShared
import Resilience

/// Compares, per settlement run, the positions the gateway accepted with the positions the upstream
/// acknowledged, and puts a run on hold when they drift apart.
///
/// The gateway calls ``record(settlementRunID:accepted:acknowledged:)`` once per instruction the upstream
/// booked (never for a replay). The drift of a run is
/// `Σ |acknowledged − accepted| / Σ |accepted|` over its instructions, in exact decimals; once it exceeds
/// ``tolerance`` (0.5 % by default) the run is on hold: the gateway refuses new instructions for it with
/// 409 until an operator calls ``releaseHold(settlementRunID:)``. Replays of instructions already booked still
/// replay.
public final class SettlementReconciler: Sendable {
    /// One run's totals.
    public struct RunState: Hashable, Sendable {
        /// The instructions booked.
        public var instructions: Int
        /// Σ accepted position, MWh (net).
        public var acceptedNetMWh: WideDecimal
        /// Σ acknowledged position, MWh (net).
        public var acknowledgedNetMWh: WideDecimal
        /// Σ |accepted position|, MWh.
        public var acceptedGrossMWh: WideDecimal
        /// Σ |acknowledged − accepted|, MWh.
        public var absoluteDriftMWh: WideDecimal
        /// Whether the run is on hold.
        public var onHold: Bool

        /// The relative drift: ``absoluteDriftMWh`` over ``acceptedGrossMWh`` (0 for a run with no volume and
        /// no drift, infinity for drift on no volume), as a double for display; holds are decided exactly.
        public var drift: Double {
            let gross = acceptedGrossMWh.significand
            let drift = absoluteDriftMWh.significand
            if gross == 0 { return drift == 0 ? 0 : .infinity }
            var ratio = Double(drift) / Double(gross)
            let shift = Int(acceptedGrossMWh.scale) - Int(absoluteDriftMWh.scale)
            for _ in 0..<abs(shift) { ratio = shift > 0 ? ratio * 10 : ratio / 10 }
            return ratio
        }
    }

    /// The relative drift above which a run goes on hold (0.005 = 0.5 %), compared exactly
    /// (`ExactDecimal.isExceeded(byDeviation:of:)` of ETRMContracts).
    public let tolerance: ExactDecimal
    /// Called once when a run goes on hold, with the run id and its totals.
    private let onHold: (@Sendable (String, RunState) -> Void)?
    private let runs = LockedState<[String: RunState]>([:])

    /// Creates a reconciler.
    ///
    /// - Parameters:
    ///   - tolerance: The relative drift above which a run goes on hold; 0.005 by default.
    ///   - onHold: Called once when a run goes on hold (alerting, a ticket).
    /// - Precondition: `tolerance` is zero or more.
    public init(
        tolerance: ExactDecimal = ExactDecimal(significand: 5, scale: 3),
        onHold: (@Sendable (String, RunState) -> Void)? = nil
    ) {
        precondition(!tolerance.isNegative, "a settlement reconciliation tolerance must be zero or more")
        self.tolerance = tolerance
        self.onHold = onHold
    }

    /// Records one booked instruction and re-checks its run.
    ///
    /// - Parameters:
    ///   - settlementRunID: The run.
    ///   - accepted: The position the gateway accepted, MWh.
    ///   - acknowledged: The position the upstream acknowledged, MWh.
    /// - Returns: The run's state after the instruction.
    @discardableResult
    public func record(settlementRunID: String, accepted: ExactDecimal, acknowledged: ExactDecimal) -> RunState {
        let tolerance = self.tolerance
        let (state, wentOnHold) = runs.withLock { runs -> (RunState, Bool) in
            var state =
                runs[settlementRunID]
                ?? RunState(
                    instructions: 0, acceptedNetMWh: .zero, acknowledgedNetMWh: .zero, acceptedGrossMWh: .zero,
                    absoluteDriftMWh: .zero, onHold: false)
            let wasOnHold = state.onHold
            state.instructions += 1
            do throws(ValidationIssue) {
                let accepted = WideDecimal(accepted)
                let acknowledged = WideDecimal(acknowledged)
                state.acceptedNetMWh = try state.acceptedNetMWh.adding(accepted)
                state.acknowledgedNetMWh = try state.acknowledgedNetMWh.adding(acknowledged)
                state.acceptedGrossMWh = try state.acceptedGrossMWh.adding(Self.magnitude(accepted))
                let difference = try acknowledged.subtracting(accepted)
                state.absoluteDriftMWh = try state.absoluteDriftMWh.adding(Self.magnitude(difference))
                if try tolerance.isExceeded(byDeviation: state.absoluteDriftMWh, of: state.acceptedGrossMWh) {
                    state.onHold = true
                }
            } catch {
                state.onHold = true  // totals that overflow cannot be reconciled: hold the run for a person
            }
            runs[settlementRunID] = state
            return (state, state.onHold && !wasOnHold)
        }
        if wentOnHold { onHold?(settlementRunID, state) }
        return state
    }

    /// Whether `settlementRunID` is on hold.
    ///
    /// - Parameter settlementRunID: The run.
    /// - Returns: `true` while the run is held.
    public func isOnHold(_ settlementRunID: String) -> Bool {
        runs.withLock { $0[settlementRunID]?.onHold ?? false }
    }

    /// The run's totals, if it has booked instructions.
    ///
    /// - Parameter settlementRunID: The run.
    /// - Returns: The totals, or `nil`.
    public func state(of settlementRunID: String) -> RunState? {
        runs.withLock { $0[settlementRunID] }
    }

    /// Every run's totals, by run id.
    public var allRuns: [String: RunState] { runs.withLock { $0 } }

    /// Lifts a run's hold after a person resolved the drift; its totals are kept.
    ///
    /// - Parameter settlementRunID: The run.
    public func releaseHold(settlementRunID: String) {
        runs.withLock { $0[settlementRunID]?.onHold = false }
    }

    private static func magnitude(_ value: WideDecimal) -> WideDecimal {
        value.significand < 0 ? value.negated() : value
    }
}
