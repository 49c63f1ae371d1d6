import ETRMContracts
import ETRMShared
import Foundation
import Testing

@testable import TradeFrame

@Suite struct ReconciliationTests {
    static func frame(_ ids: [String], _ volumes: [String?], scale: Int) throws -> TradeFrame {
        try TradeFrame([
            ("trade_id", StringColumn(ids)), ("volume_mwh", try DecimalColumn(parsing: volumes, scale: scale)),
        ])
    }

    @Test func flagsVariancesOverHalfAPercent() throws {
        let ours = try Self.frame(["T1", "T2", "T3", "T4", "T5"], ["100.0", "200.0", "50.0", "0.0", "10.0"], scale: 1)
        let broker = try TradeFrame([
            ("trade_id", CategoricalColumn(["T2", "T1", "T9", "T3", "T4"] as [String])),
            ("volume_mwh", try DecimalColumn(parsing: ["201", "100.4", "5", "50.3", "0"], scale: 1)),
        ])
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched["trade_id", as: StringColumn.self]?.values == ["T1", "T2", "T3", "T4"])
        let variance = report.matched["variance", as: Double.self]!
        #expect(abs(variance[0]! - 0.004) < 1e-12)
        #expect(abs(variance[1]! - 0.005) < 1e-12)
        #expect(abs(variance[2]! - 0.006) < 1e-12)
        #expect(variance[3] == 0)
        #expect(report.matched["flagged", as: Bool.self]?.values == [false, false, true, false])
        #expect(report.matched["status", as: CategoricalColumn.self]?.values == ["ok", "ok", "hold", "ok"])
        #expect(report.flagged["trade_id", as: StringColumn.self]?.values == ["T3"])
        #expect(report.flagged["status", as: CategoricalColumn.self]?.values == ["hold"])
        #expect(report.oursWithoutBroker["trade_id", as: StringColumn.self]?.values == ["T5"])
        #expect(report.brokerWithoutOurs["trade_id", as: CategoricalColumn.self]?.values == ["T9"])
    }

    /// 0.600 against 0.603 is a variance of exactly 0.005: in Float64 it is 0.0050000000000000044 and was flagged.
    @Test func exactlyAtTheToleranceIsNotFlagged() throws {
        let ours = try Self.frame(["A", "B", "C", "D"], ["0.600", "0.600", "1000.000", "3.000"], scale: 3)
        let broker = try Self.frame(["A", "B", "C", "D"], ["0.603", "0.604", "995.000", "2.985"], scale: 3)
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched["flagged", as: Bool.self]?.values == [false, true, false, false])
        #expect(report.flagged["trade_id", as: StringColumn.self]?.values == ["B"])
    }

    @Test func zeroVolumeOfOursIsFlaggedUnlessTheBrokerIsZeroToo() throws {
        let ours = try Self.frame(["A", "B"], ["0", "0"], scale: 2)
        let broker = try Self.frame(["A", "B"], ["0.01", "0"], scale: 2)
        var configuration = Reconciliation.Configuration(tolerance: try ExactDecimal("1000"))
        configuration.holdStatus = "on_hold"
        let report = try Reconciliation(configuration: configuration).reconcile(ours: ours, broker: broker)
        #expect(report.matched["variance", as: Double.self]?.values == [.infinity, 0])
        #expect(report.matched["flagged", as: Bool.self]?.values == [true, false])
        #expect(report.flagged["status"]?.text(at: 0) == "on_hold")
    }

    @Test func negativeVolumesCompareByMagnitude() throws {
        let ours = try Self.frame(["A", "B", "C"], ["-200.000", "-200.000", "-200.000"], scale: 3)
        let broker = try Self.frame(["A", "B", "C"], ["-201.000", "-201.001", "-199.000"], scale: 3)
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched["flagged", as: Bool.self]?.values == [false, true, false])
        let variance = try #require(report.matched["variance", as: Double.self])
        #expect(abs(variance[0]! - 0.005) < 1e-12)  // (−201 − −200) / −200
    }

    @Test func differingScalesAndIntegersCompareExactly() throws {
        let ours = try Self.frame(["A", "B"], ["200", "200"], scale: 0)
        let broker = try TradeFrame([
            ("trade_id", StringColumn(["A", "B"])),
            ("volume_mwh", try DecimalColumn(parsing: ["201.0000", "201.0001"], scale: 4)),
        ])
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched["flagged", as: Bool.self]?.values == [false, true])
        let integers = try TradeFrame([
            ("trade_id", StringColumn(["A", "B"])), ("volume_mwh", Column<Int64>([200, 200])),
        ])
        let again = try Reconciliation().reconcile(ours: integers, broker: broker)
        #expect(again.matched["flagged", as: Bool.self]?.values == [false, true])
    }

    @Test func nullVolumesAreFlaggedWithANullVariance() throws {
        let ours = try Self.frame(["A", "B"], [nil, "1"], scale: 0)
        let broker = try Self.frame(["A", "B"], ["1", nil], scale: 0)
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched["variance", as: Double.self]?.values == [nil, nil])
        #expect(report.matched["flagged", as: Bool.self]?.values == [true, true])
    }

    @Test func floatVolumesAreRejectedWithAReason() throws {
        let ours = try Self.frame(["A"], ["1"], scale: 0)
        let broker = try TradeFrame([("trade_id", StringColumn(["A"])), ("volume_mwh", Column<Double>([1.0]))])
        let error = #expect(throws: TradeFrameError.self) {
            try Reconciliation().reconcile(ours: ours, broker: broker)
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "volume_mwh")
        #expect(error?.message.contains("exact") == true)
    }

    @Test func badConfigurationIsAnError() throws {
        let frame = try TradeFrame([("trade_id", StringColumn(["A"])), ("volume_mwh", StringColumn(["x"]))])
        let negative = #expect(throws: TradeFrameError.self) {
            try Reconciliation(configuration: .init(tolerance: try ExactDecimal("-0.1")))
                .reconcile(ours: frame, broker: frame)
        }
        #expect(negative?.code == .invalidArgument)
        let error = #expect(throws: TradeFrameError.self) {
            try Reconciliation().reconcile(ours: frame, broker: frame)
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.column == "volume_mwh")
    }

    /// A trade feed often has its own `status` column: the matched frame must not silently replace it.
    @Test(arguments: Reconciliation.addedColumns)
    func ourColumnThatTheReportWouldOverwriteIsAnError(name: String) throws {
        let ours = try Self.frame(["A"], ["1.0"], scale: 1).adding(name, StringColumn(["CONFIRMED"]))
        let broker = try Self.frame(["A"], ["1.0"], scale: 1)
        let error = #expect(throws: TradeFrameError.self) { try Reconciliation().reconcile(ours: ours, broker: broker) }
        #expect(error?.code == .duplicateColumn)
        #expect(error?.column == name)
        let renamed = try ours.renaming([name: "our_\(name)"])
        let report = try Reconciliation().reconcile(ours: renamed, broker: broker)
        #expect(report.matched["our_\(name)"]?.text(at: 0) == "CONFIRMED")
    }

    /// Random volumes near the tolerance (many exactly on it), flags checked against Foundation.Decimal.
    @Test(arguments: [UInt64(1), 2, 3])
    func flagsMatchADecimalReference(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let rows = 500
        let tolerances = ["0.005", "0", "0.1", "0.0125"]
        let toleranceText = tolerances[Int(seed) % tolerances.count]
        let ourScale = 3
        let brokerScale = Int(seed % 2) * 2 + 2  // 2 or 4
        var ids: [String] = []
        var ours: [Int64] = []
        var broker: [Int64] = []
        for row in 0..<rows {
            ids.append("T\(row)")
            let mine = Int64.random(in: -20...20, using: &random) * 200 * (Bool.random(using: &random) ? 1 : 1000)
            ours.append(mine)
            // The broker's value at its own scale: ours ± a small step, often landing exactly on 0.5 %.
            let atBrokerScale = mine * pow10[brokerScale] / pow10[ourScale]
            let step = Int64.random(in: -8...8, using: &random)  // units of the broker's last digit
            broker.append(atBrokerScale + step * Int64.random(in: 0...3, using: &random))
        }
        let ourFrame = try TradeFrame([
            ("trade_id", StringColumn(ids)),
            ("volume_mwh", try DecimalColumn(significands: Column(ours), scale: ourScale)),
        ])
        let brokerFrame = try TradeFrame([
            ("trade_id", StringColumn(ids.reversed())),
            ("volume_mwh", try DecimalColumn(significands: Column(broker.reversed()), scale: brokerScale)),
        ])
        let tolerance = try ExactDecimal(toleranceText)
        let report = try Reconciliation(configuration: .init(tolerance: tolerance))
            .reconcile(ours: ourFrame, broker: brokerFrame)
        let flags = try #require(report.matched["flagged", as: Bool.self])
        let t = try #require(Decimal(string: toleranceText))
        var flaggedCount = 0
        for row in 0..<rows {
            let o = Decimal(ours[row]) / pow(Decimal(10), ourScale)
            let b = Decimal(broker[row]) / pow(Decimal(10), brokerScale)
            let expected = abs(b - o) > t * abs(o)
            #expect(flags[row] == expected, "row \(row): ours \(o), broker \(b), tolerance \(t)")
            let pairwise = try Reconciliation.exceedsTolerance(
                broker: ExactDecimal(significand: broker[row], scale: UInt8(brokerScale)),
                ours: ExactDecimal(significand: ours[row], scale: UInt8(ourScale)), tolerance: tolerance)
            #expect(pairwise == expected, "row \(row): ours \(o), broker \(b), tolerance \(t)")
            if expected { flaggedCount += 1 }
        }
        #expect(report.flagged.rowCount == flaggedCount)
        #expect(flaggedCount > 0 && flaggedCount < rows)
    }

    /// The rows without a counterpart (taken from the inner join's rows) against a nested-loop reference, with
    /// null ids on both sides (a null never matches; repeated ids are refused, see ReconciliationDuplicateTests).
    @Test func rowsWithoutACounterpartMatchANestedLoop() throws {
        let ourIDs: [String?] = ["A", nil, "B", "C", "G", "D", nil]
        let brokerIDs: [String?] = ["C", nil, "A", "E", "H", "F"]
        let ours = try TradeFrame([
            ("trade_id", StringColumn(ourIDs)),
            ("volume_mwh", try DecimalColumn(parsing: ["1", "2", "3", "4", "5", "6", "7"], scale: 0)),
        ])
        let broker = try TradeFrame([
            ("trade_id", StringColumn(brokerIDs)),
            ("volume_mwh", try DecimalColumn(parsing: ["4", "1", "1", "9", "4", "2"], scale: 0)),
        ])
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        // Nested loops: a row is without a counterpart when no row on the other side has the same non-null id.
        let oursWithout = ourIDs.indices.filter { row in
            !brokerIDs.contains { $0 != nil && $0 == ourIDs[row] }
        }
        let brokerWithout = brokerIDs.indices.filter { row in
            !ourIDs.contains { $0 != nil && $0 == brokerIDs[row] }
        }
        #expect(oursWithout == [1, 2, 4, 5, 6])
        #expect(brokerWithout == [1, 3, 4, 5])
        #expect(report.oursWithoutBroker["trade_id", as: StringColumn.self]?.values == oursWithout.map { ourIDs[$0] })
        #expect(report.oursWithoutBroker["volume_mwh"]?.text(at: 1) == "3")
        #expect(
            report.brokerWithoutOurs["trade_id", as: StringColumn.self]?.values == brokerWithout.map { brokerIDs[$0] })
        #expect(report.matched["trade_id", as: StringColumn.self]?.values == ["A", "C"])
    }

    /// Volumes whose common-scale significands leave Int64 still get the correctly rounded variance.
    @Test func varianceBeyondInt64AtTheCommonScale() throws {
        let ours = try TradeFrame([("trade_id", StringColumn(["T1"])), ("volume_mwh", Column<Int64>([10]))])
        // 10.000000000000000001 at scale 18: ours at that scale is 10^19, beyond Int64.
        let broker = try TradeFrame([
            ("trade_id", StringColumn(["T1"])),
            ("volume_mwh", try DecimalColumn(significands: Column([Int64(10_000_000_000_000_000)]), scale: 18)),
        ])
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        let variance = try #require(report.matched["variance", as: Double.self]?[0])
        #expect(variance == -0.999)  // (0.01 − 10) / 10
    }

    /// The pairwise rule: exactly at the tolerance is no breach, scales may differ, zero against zero is none.
    @Test func exceedsToleranceOnOnePair() throws {
        let half = try ExactDecimal("0.005")
        let check = { (broker: String, ours: String) throws -> Bool in
            try Reconciliation.exceedsTolerance(broker: ExactDecimal(broker), ours: ExactDecimal(ours), tolerance: half)
        }
        #expect(try check("0.603", "0.600") == false)  // exactly 0.5 %
        #expect(try check("0.6031", "0.600") == true)
        #expect(try check("0.597", "0.6") == false)
        #expect(try check("0.5969", "0.6") == true)
        #expect(try check("0", "0") == false)
        #expect(try check("0.001", "0") == true)
        #expect(try check("-201", "-200") == false)  // by magnitude of ours: 1/200 = 0.5 %
        #expect(throws: TradeFrameError.self) {
            try Reconciliation.exceedsTolerance(
                broker: ExactDecimal(1), ours: ExactDecimal(1), tolerance: ExactDecimal("-0.1"))
        }
    }
}

/// Issue 13: A,A,B against A,B,B gave four matched rows, B both ok and flagged. A trade id on two rows of one side
/// makes the pairing ambiguous, so it is refused, naming the side, the id and its rows.
@Suite struct ReconciliationDuplicateTests {
    @Test func duplicateIDsOnEitherSideAreRefused() throws {
        let ours = try ReconciliationTests.frame(["A", "A", "B"], ["1.0", "1.0", "2.0"], scale: 1)
        let broker = try ReconciliationTests.frame(["A", "B", "B"], ["1.0", "2.0", "3.0"], scale: 1)
        let error = #expect(throws: TradeFrameError.self) { try Reconciliation().reconcile(ours: ours, broker: broker) }
        #expect(error?.code == .duplicateKey)
        #expect(error?.column == "trade_id")
        #expect(error?.message.contains("\"A\"") == true)
        #expect(error?.message.contains("our frame") == true)
        #expect(error?.message.contains("rows 0 and 1") == true)

        let unique = try ReconciliationTests.frame(["A", "B"], ["1.0", "2.0"], scale: 1)
        let brokerError = #expect(throws: TradeFrameError.self) {
            try Reconciliation().reconcile(ours: unique, broker: broker)
        }
        #expect(brokerError?.code == .duplicateKey)
        #expect(brokerError?.message.contains("\"B\"") == true)
        #expect(brokerError?.message.contains("broker frame") == true)
        #expect(brokerError?.message.contains("rows 1 and 2") == true)
    }

    /// An id repeated on rows that match nothing is still refused: the rule is about each side, not about the join.
    @Test func duplicateWithoutACounterpartIsRefusedToo() throws {
        let ours = try ReconciliationTests.frame(["A", "C", "C"], ["1.0", "2.0", "2.0"], scale: 1)
        let broker = try TradeFrame([
            ("trade_id", CategoricalColumn(["A"] as [String])),
            ("volume_mwh", try DecimalColumn(parsing: ["1.0"], scale: 1)),
        ])
        let error = #expect(throws: TradeFrameError.self) { try Reconciliation().reconcile(ours: ours, broker: broker) }
        #expect(error?.code == .duplicateKey)
        #expect(error?.message.contains("\"C\"") == true)
    }

    /// Null ids never match; several of them are rows without a counterpart, not duplicates.
    @Test func nullIDsAreNotDuplicates() throws {
        let ours = try TradeFrame([
            ("trade_id", StringColumn(["A", nil, nil])),
            ("volume_mwh", try DecimalColumn(parsing: ["1.0", "2.0", "3.0"], scale: 1)),
        ])
        let broker = try ReconciliationTests.frame(["A"], ["1.0"], scale: 1)
        let report = try Reconciliation().reconcile(ours: ours, broker: broker)
        #expect(report.matched.rowCount == 1)
        #expect(report.oursWithoutBroker.rowCount == 2)
    }
}
