import ETRMContracts
import SettlementSync
import Testing

/// The run holds use the package's exact tolerance rule, not a binary double.
@Suite struct ReconcilerTests {
    @Test func aRunExactlyAtTheToleranceIsNotHeld() throws {
        let reconciler = SettlementReconciler()
        // 0.000180 on 0.036 is exactly 0.5 %; through doubles it was 0.005000000000000001, and the run was held.
        let state = reconciler.record(
            settlementRunID: "SR1", accepted: try ExactDecimal("0.036"), acknowledged: try ExactDecimal("0.036180"))
        #expect(!state.onHold)
        #expect(!reconciler.isOnHold("SR1"))
        reconciler.record(
            settlementRunID: "SR1", accepted: try ExactDecimal("1000"), acknowledged: try ExactDecimal("1005.0001"))
        #expect(reconciler.isOnHold("SR1"))
    }

    @Test func driftOnNoVolumeHoldsTheRun() throws {
        let reconciler = SettlementReconciler(tolerance: try ExactDecimal("0.01"))
        let state = reconciler.record(settlementRunID: "SR2", accepted: .zero, acknowledged: try ExactDecimal("0.001"))
        #expect(state.onHold)
        #expect(state.drift == .infinity)
    }

    @Test func driftForDisplayIsTheRatio() throws {
        let reconciler = SettlementReconciler()
        let state = reconciler.record(
            settlementRunID: "SR3", accepted: try ExactDecimal("200"), acknowledged: try ExactDecimal("201.000"))
        #expect(state.drift == 0.005)
        #expect(!state.onHold)
    }
}
