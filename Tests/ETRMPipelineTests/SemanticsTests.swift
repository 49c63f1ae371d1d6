import ETRMPipelineCore
import Foundation
import Testing
import TradeFrame

/// The semantics of issue #6 on the hand-made fixtures, looked at row by row (the fixture suite checks the
/// digests; these say which rule broke).
@Suite struct SemanticsTests {
    private func run(_ fixture: String, zone: String = "America/New_York") throws -> PipelineResult {
        let directory = Fixtures.root.appendingPathComponent(fixture)
        let trades = try [UInt8](Data(contentsOf: directory.appendingPathComponent("trades.json")))
        let broker = try [UInt8](Data(contentsOf: directory.appendingPathComponent("broker.json")))
        return try Pipeline(configuration: .init(zone: zone)).run(trades: trades, broker: broker)
    }

    private func rows(_ result: PipelineResult) throws -> [String: (cycle: String, volume: String, status: String)] {
        let ids = try result.final.column("trade_id", as: StringColumn.self)
        let cycles = try result.final.column("settlement_cycle")
        let volumes = try result.final.column("volume_mwh")
        let statuses = try result.final.column("status")
        var rows: [String: (String, String, String)] = [:]
        for row in 0..<result.final.rowCount {
            rows[ids[row] ?? ""] = (
                cycles.text(at: row) ?? "", volumes.text(at: row) ?? "", statuses.text(at: row) ?? ""
            )
        }
        return rows
    }

    @Test func eachDefectKindIsQuarantinedWithItsCode() throws {
        let result = try run("defects")
        let codes = result.feed.quarantinedByCode
        // The generator's five kinds: a missing field, LEI check digits, end before start, a volume string,
        // month 13.
        #expect(result.feed.quarantinedIndices.contains(1))  // price_usd missing
        #expect(result.feed.quarantinedIndices.contains(2))  // LEI check digits
        #expect(result.feed.quarantinedIndices.contains(3))  // end before start
        #expect(result.feed.quarantinedIndices.contains(4))  // volume "12.5"
        #expect(result.feed.quarantinedIndices.contains(5))  // month 13
        for code in ["missing_field", "invalid_lei", "end_before_start", "wrong_type", "invalid_timestamp"] {
            #expect((codes[code] ?? 0) > 0, "\(code)")
        }
        #expect(result.summary.validRecords + result.summary.quarantined == result.summary.inputRecords)
    }

    /// Duplicate keys are out of the comparison's scope; the pipeline keeps the module reader's outcome: the
    /// record is quarantined with `duplicate_key`.
    @Test func aDuplicateKeyQuarantinesTheRecord() throws {
        let record = """
            {"trade_id": "K-1", "counterparty_lei": "506700GE1G29325QX363", "product_code": "NG-HH", \
            "delivery_start": "2025-03-10T14:00:00Z", "delivery_end": "2025-03-10T15:00:00Z", "volume_mwh": 1, \
            "volume_mwh": 2, "price_usd": 2.5, "status": "CONFIRMED", "event_time": "2025-03-01T09:00:00Z"}
            """
        let result = try Pipeline().run(
            trades: Array("{\"trades\": [\(record)]}".utf8), broker: Array(#"{"broker_volumes": []}"#.utf8))
        #expect(result.feed.quarantinedIndices == [0])
        #expect(result.feed.quarantinedByCode["duplicate_key"] == 1)
    }

    @Test func reSendsResolveToTheLatestEventWithTiesToTheLaterRecord() throws {
        let result = try run("dedup")
        let rows = try rows(result)
        #expect(rows["R-1"]?.volume == "5.000")  // the re-send came first and is the latest
        #expect(rows["R-2"]?.volume == "2.000")  // a tie: the later record
        #expect(rows["R-3"]?.volume == "7.000")  // the same instant written with another offset
        #expect(rows["R-4"]?.volume == "8.000")  // an invalid re-send never wins
        #expect(rows["R-5"]?.volume == "1.000")  // later by one nanosecond
        #expect(rows["R-6"]?.status == "CANCELLED")  // status plays no part
        #expect(rows["R-7"]?.volume == "2.000")
        // "R-\u{e9}" and "R-e\u{301}" are two trades (bytes differ), though Swift's `String ==` calls them equal.
        #expect(result.final.rowCount == 11)
    }

    @Test func finalOrderIsByCycleThenTradeIDAsBytes() throws {
        let result = try run("dedup")
        let ids = try result.final.column("trade_id", as: StringColumn.self)
        let order = (0..<result.final.rowCount).map { ids[$0] ?? "" }
        #expect(order == ["R-1", "R-10", "R-2", "R-3", "R-4", "R-5", "R-6", "R-7", "R-e\u{301}", "R-\u{e9}", "r-1"])
    }

    @Test(arguments: [
        ("America/New_York", "Z-01", "2025-10"), ("America/New_York", "Z-02", "2025-11"),
        ("America/New_York", "Z-03", "2025-11"), ("America/New_York", "Z-04", "2025-02"),
        ("America/New_York", "Z-08", "2025-11"), ("America/New_York", "Z-09", "2025-12"),
        ("America/New_York", "Z-11", "2025-03"), ("Europe/London", "Z-06", "2025-04"),
        ("Europe/London", "Z-07", "2024-10"), ("Europe/London", "Z-10", "2025-12"), ("UTC", "Z-01", "2025-11"),
    ])
    func settlementCycleAcrossDSTAndMonthBoundaries(zone: String, trade: String, cycle: String) throws {
        #expect(try rows(try run("zone", zone: zone))[trade]?.cycle == cycle)
    }

    @Test func reconciliationIsExactAtTheTolerance() throws {
        let result = try run("reconcile")
        let flagged = try result.reconciliation.flagged.column("trade_id", as: StringColumn.self)
        let ids = Set((0..<flagged.count).map { flagged[$0] ?? "" })
        #expect(ids == ["C-02", "C-04", "C-05"])  // C-01, C-03, C-09, C-10 sit exactly at 0.5 %
        #expect(result.summary.brokerWithoutTrade == 2)  // X-99, and C-08 whose trade was quarantined
    }

    @Test func vwapRoundsHalfToEvenAndNeverPrintsNegativeZero() throws {
        let groups = Dictionary(uniqueKeysWithValues: try run("reconcile").groups.map { ($0.product, $0.vwapText) })
        #expect(groups["HALF-EVEN-DOWN"] == "0.0062")
        #expect(groups["HALF-EVEN-UP"] == "0.0002")
        #expect(groups["NEG-ZERO"] == "0.0000")
        #expect(groups["NEG"] == "-1.4329")
    }

    @Test func brokerRowWithoutTradeIsCounted() throws {
        let result = try run("defects")
        #expect(result.summary.brokerRows == 1)
        #expect(result.summary.brokerWithoutTrade == 1)
        #expect(result.summary.reconciledMatched == 0)
    }

    @Test(arguments: ["0.005", "0", "1", "0.01", "123456789.123456789", "007.50"])
    func toleranceAcceptsPlainDecimals(_ text: String) throws {
        #expect(try Tolerance(parsing: text).text == text)
    }

    @Test(arguments: ["-0.1", "5e-3", "", ".5", "5.", "1234567890", "0.1234567890", "+1", " 1"])
    func toleranceRejectsEverythingElse(_ text: String) {
        #expect(throws: PipelineError.self) { try Tolerance(parsing: text) }
    }
}
