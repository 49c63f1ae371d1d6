import Foundation
import Testing

@testable import ETRMContracts

private let berlin = TimeZone(identifier: "Europe/Berlin")!
private let epex = try! LEI("506700GE1G29325QX363")
private let us = try! LEI("7LTWFZYICNSX8D621K86")
private let them = try! LEI("HWUPKR0MPOU8FGXBT394")
private let deLu = try! EIC("10Y1001A1001A82H")
private func time(_ text: String) -> UTCTimestamp { try! UTCTimestamp(rfc3339: text) }
private func decimal(_ text: String) -> ExactDecimal { try! ExactDecimal(text) }

@Suite struct NormalisationTests {
    private func bid(day: String, count: Int, quantity: (Int) -> String = { $0 % 4 == 0 ? "0" : "10" }) -> DayAheadBid {
        DayAheadBid(
            bidID: "BID-7", exchangeLEI: epex, biddingZone: deLu, deliveryDay: try! LocalDate(day), zone: berlin,
            intervals: (0..<count).map { .init(quantityMW: decimal(quantity($0)), price: decimal("85.10")) },
            submittedAt: time("2025-03-29T10:00:00Z"))
    }

    @Test func dayAheadBidGivesOneTradePerNonZeroQuarterHourOnTheShortDay() throws {
        let trades = try bid(day: "2025-03-30", count: 92).tradeRecords()
        #expect(trades.count == 69)  // 92 quarter hours, every fourth one zero
        let first = try #require(trades.first)
        #expect(first.tradeID == "BID-7-2")
        #expect(first.deliveryStart == time("2025-03-29T23:15:00Z"))
        #expect(first.deliveryEnd == time("2025-03-29T23:30:00Z"))
        #expect(first.volumeMWh == decimal("2.5"))  // 10 MW for a quarter hour
        #expect(first.productCode == "DA-15")
        #expect(first.buySell == .buy && first.status == .pending && first.deliveryPoint == deLu)
        #expect(trades.last?.deliveryEnd == time("2025-03-30T22:00:00Z"))
    }

    @Test func aSellBidIsNegativeAndTheLongDayHasAHundredQuarterHours() throws {
        let trades = try bid(day: "2025-10-26", count: 100, quantity: { _ in "-4.2" }).tradeRecords()
        #expect(trades.count == 100)
        #expect(trades.allSatisfy { $0.buySell == .sell && $0.volumeMWh == decimal("1.05") })
    }

    @Test func aBidWithTheWrongNumberOfIntervalsIsRejected() {
        #expect(
            throws: ValidationFailure(issues: [
                ValidationIssue(
                    path: "/intervals", code: .invalidValue,
                    message: "2025-03-30 in Europe/Berlin has 92 MTUs of 15 minutes; the bid has 96 intervals",
                    value: "96")
            ])
        ) { try bid(day: "2025-03-30", count: 96).tradeRecords() }
    }

    @Test func everyBadIntervalIsReported() throws {
        var bad = bid(day: "2025-06-02", count: 96)
        bad.intervals[5].price = decimal("2000000")
        bad.intervals[9].price = decimal("-2000000")
        let failure = try #require(throws: ValidationFailure.self) { try bad.tradeRecords() }
        #expect(failure.issues.map(\.path) == ["/intervals/5/price_usd", "/intervals/9/price_usd"])
        #expect(failure.issues.allSatisfy { $0.code == .outOfRange })
    }

    private func confirmation(ours: LEI, intervals: [OTCConfirmation.TimeIntervalQuantity]) -> OTCConfirmation {
        OTCConfirmation(
            documentID: "CNF-1", buyerLEI: us, sellerLEI: them, ourLEI: ours, productCode: "DE-SHAPED",
            deliveryPoint: deLu, intervals: intervals, confirmedAt: time("2025-05-01T09:00:00Z"))
    }

    @Test func otcConfirmationGivesOneTradePerTimeInterval() throws {
        let intervals: [OTCConfirmation.TimeIntervalQuantity] = [
            .init(
                start: time("2025-06-02T06:00:00Z"), end: time("2025-06-02T14:00:00Z"),
                contractCapacityMW: decimal("5"),
                price: decimal("90.5")),
            .init(
                start: time("2025-06-02T14:00:00Z"), end: time("2025-06-02T14:45:00Z"),
                contractCapacityMW: decimal("2.4"),
                price: decimal("101")),
        ]
        let bought = try confirmation(ours: us, intervals: intervals).tradeRecords()
        #expect(bought.map(\.tradeID) == ["CNF-1-1", "CNF-1-2"])
        #expect(bought.map(\.volumeMWh) == [decimal("40"), decimal("1.8")])
        #expect(bought.allSatisfy { $0.buySell == .buy && $0.counterpartyLEI == them && $0.status == .confirmed })
        let sold = try confirmation(ours: them, intervals: intervals).tradeRecords()
        #expect(sold.allSatisfy { $0.buySell == .sell && $0.counterpartyLEI == us })
    }

    @Test func otcConfirmationProblemsAreReportedPerInterval() throws {
        #expect(throws: ValidationFailure.self) { try confirmation(ours: epex, intervals: []).tradeRecords() }
        let intervals: [OTCConfirmation.TimeIntervalQuantity] = [
            .init(
                start: time("2025-06-02T06:00:00Z"), end: time("2025-06-02T06:20:00Z"),
                contractCapacityMW: decimal("1"),
                price: decimal("90")),
            .init(
                start: time("2025-06-02T08:00:00Z"), end: time("2025-06-02T07:00:00Z"),
                contractCapacityMW: decimal("1"),
                price: decimal("90")),
            .init(
                start: time("2025-06-02T08:00:00Z"), end: time("2025-06-02T09:00:00Z"),
                contractCapacityMW: decimal("0"),
                price: decimal("90")),
        ]
        let failure = try #require(throws: ValidationFailure.self) {
            try confirmation(ours: us, intervals: intervals).tradeRecords()
        }
        #expect(
            failure.issues.map(\.path) == [
                "/intervals/0/contract_capacity_mw", "/intervals/1/end", "/intervals/2/volume_mwh",
            ])
        #expect(failure.issues.map(\.code) == [.outOfRange, .endBeforeStart, .outOfRange])
    }

    @Test func aNominationCoversTheGasDayInMWh() throws {
        let nomination = PhysicalNomination(
            nominationID: "NOM-42", counterpartyLEI: them, networkPoint: try EIC("37Y005053MH0000R"),
            gasDay: try LocalDate("2025-01-15"), zone: berlin, direction: .exit, quantityKWh: decimal("1234567"),
            contractPrice: decimal("38.40"), nominatedAt: time("2025-01-14T12:00:00Z"))
        let trade = try nomination.tradeRecord()
        #expect(trade.deliveryStart == time("2025-01-15T05:00:00Z"))
        #expect(trade.deliveryEnd == time("2025-01-16T05:00:00Z"))
        #expect(trade.volumeMWh == decimal("1234.567"))
        #expect(trade.buySell == .sell && trade.productCode == "NG-GD" && trade.unit == .MWh)
        var empty = nomination
        empty.quantityKWh = .zero
        let failure = try #require(throws: ValidationFailure.self) { try empty.tradeRecord() }
        #expect(failure.issues.map(\.path) == ["/quantity_kwh"])
    }
}
