import Foundation
import Testing

@testable import ETRMContracts

/// Separator faults in the record array: empty elements and missing commas are document issues, never
/// records; every record keeps its own verdict; counting balances; no dead letter is empty.
@Suite struct ReaderArrayElementTests {
    static func widget(_ id: String) -> String { #"{"id": "\#(id)", "quantity": 1}"# }

    /// Reads through the public entry point and checks the invariants every outcome must keep.
    static func read(_ elements: String) throws -> (accepted: [Int], rejected: [RejectedRecord], report: BatchReport) {
        var accepted: [Int] = []
        var rejected: [RejectedRecord] = []
        let report = try RecordReader<Widget>().read(
            Array(#"{"widgets": [\#(elements)]}"#.utf8), onRecord: { index, _ in accepted.append(index) },
            onRejected: { rejected.append($0) })
        #expect(report.accepted + report.quarantined == report.received)
        #expect(rejected.allSatisfy { !$0.rawBytes.isEmpty }, "a dead letter holds the bytes it stands for")
        return (accepted, rejected, report)
    }

    @Test(arguments: [
        ("\(widget("a")),,\(widget("b"))", 2),
        (",\(widget("a"))", 1),
        (" , ,\(widget("a")), \(widget("b"))", 2),
        ("\(widget("a")), ,\(widget("b")),,\(widget("c"))", 3),
    ])
    func anEmptyElementIsADocumentIssueNotARecord(elements: String, records: Int) throws {
        let (accepted, rejected, report) = try Self.read(elements)
        #expect(report.received == records)
        #expect(accepted == Array(0..<records))
        #expect(rejected.isEmpty)
        #expect(!report.documentIssues.isEmpty)
        #expect(
            report.documentIssues.allSatisfy { $0.code == .invalidJSON && $0.message.contains("empty array element") })
    }

    @Test func aMissingCommaCostsNoNeighbour() throws {
        let (accepted, rejected, report) = try Self.read("\(Self.widget("a")) \(Self.widget("b")),\(Self.widget("c"))")
        #expect(accepted == [0, 1, 2])
        #expect(rejected.isEmpty)
        #expect(report.received == 3)
        #expect(report.documentIssues.map(\.code) == [.invalidJSON])
        let message = try #require(report.documentIssues.first?.message)
        #expect(message.contains("missing after record 0"))
    }

    @Test func aMissingCommaBesideABadRecordQuarantinesOnlyThatRecord() throws {
        let bad = #"{"id": "b", "quantity": -1}"#
        let broken = #"{"id": "c" "quantity": 1}"#
        let (accepted, rejected, report) = try Self.read(
            "\(Self.widget("a"))\(bad) \(broken)\n\(Self.widget("d"))")
        #expect(accepted == [0, 3])
        #expect(rejected.map(\.index) == [1, 2])
        #expect(rejected.map { String(decoding: $0.rawBytes, as: UTF8.self) } == [bad, broken])
        #expect(report.documentIssues.count == 3)
    }

    @Test func junkBetweenRecordsIsQuarantinedWithExactlyItsBytes() throws {
        let (accepted, rejected, report) = try Self.read(
            "\(Self.widget("a")) oops, \(Self.widget("b"))}, \(Self.widget("c"))")
        #expect(accepted == [0, 2, 4])
        #expect(rejected.map(\.index) == [1, 3])
        #expect(rejected.map { String(decoding: $0.rawBytes, as: UTF8.self) } == ["oops", "}"])
        #expect(report.received == 5)
    }

    /// Junk with no brackets that runs straight into a record (no comma between them) is quarantined with
    /// exactly its own bytes; the record after it is read on its own.
    @Test(arguments: ["oops", "-", "nul", "1x", #"oops"x""#], [" ", "", "\n"])
    func junkRunningIntoARecordCostsNotTheRecord(junk: String, gap: String) throws {
        let (accepted, rejected, report) = try Self.read(
            "\(Self.widget("a")), \(junk)\(gap)\(Self.widget("b")), \(Self.widget("c"))")
        #expect(accepted == [0, 2, 3])
        #expect(rejected.map(\.index) == [1])
        #expect(rejected.map { String(decoding: $0.rawBytes, as: UTF8.self) } == [junk])
        #expect(report.received == 4)
        #expect(report.documentIssues.map(\.code) == [.invalidJSON])
        #expect(report.documentIssues.first?.message.contains("missing after record 1") == true)
    }

    @Test func anUnbalancedReportIsAStructuredErrorNotACrash() throws {
        let report = BatchReport(source: "s", batchID: "b", received: 3, accepted: 1, quarantined: 1)
        #expect {
            _ = try report.checkedBalance()
        } throws: { error in
            (error as? ValidationFailure)?.issues.map(\.code) == [.accountingMismatch]
        }
        let balanced = BatchReport(source: "s", batchID: "b", received: 2, accepted: 1, quarantined: 1)
        #expect(try balanced.checkedBalance() == balanced)
    }
}
