import ETRMContracts
import ETRMTestSupport
import Foundation
import Testing

@testable import TradeFrame

@Suite struct TradeFrameErrorTests {
    @Test func codesAreDistinctKeepTheirWireNamesAndAreDocumented() {
        let expected: [(TradeFrameError.Code, String)] = [
            (.lengthMismatch, "length_mismatch"), (.duplicateColumn, "duplicate_column"),
            (.unknownColumn, "unknown_column"), (.typeMismatch, "type_mismatch"),
            (.schemaMismatch, "schema_mismatch"), (.overflow, "overflow"), (.inexact, "inexact"),
            (.invalidInput, "invalid_input"), (.invalidArgument, "invalid_argument"), (.outOfRange, "out_of_range"),
            (.duplicateKey, "duplicate_key"), (.corruptFile, "corrupt_file"), (.unsupported, "unsupported"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: TradeFrameError.Code.all, expected: expected, module: "TradeFrame")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func theMessageStartsWithTheCodeAndNamesTheColumn() {
        let error = TradeFrameError(.lengthMismatch, column: "price", "has 9 rows, expected 10")
        #expect(error.description == #"length_mismatch: column "price": has 9 rows, expected 10"#)
    }

    @Test func aDecimalThatDoesNotParseCarriesTheExactDecimalIssueAsCause() throws {
        var builder = try DecimalColumnBuilder(scale: 2)
        #expect {
            try builder.append(parsing: "12.3.4")
        } throws: { error in
            guard let error = error as? TradeFrameError, let cause = error.cause as? ValidationIssue else {
                return false
            }
            return error.code == .invalidInput && cause.code == .notADecimal
        }
    }

    @Test func aCSVCellErrorKeepsTheCauseWhenItNamesTheColumn() {
        let csv = Array("price\n12.3.4\n".utf8)
        #expect {
            try TradeFrame.readCSV(csv, schema: [CSVColumn("price", .decimal, scale: 2)])
        } throws: { error in
            guard let error = error as? TradeFrameError else { return false }
            return error.column == "price" && (error.cause as? ValidationIssue)?.code == .notADecimal
        }
    }

    @Test func equalityComparesCodeColumnAndMessageNotTheCause() {
        let plain = TradeFrameError(.invalidInput, column: "a", "bad")
        let caused = TradeFrameError(.invalidInput, column: "a", "bad", cause: CocoaError(.fileNoSuchFile))
        #expect(plain == caused)
        #expect(Set([plain, caused]).count == 1)
        #expect(plain != TradeFrameError(.invalidInput, column: "b", "bad"))
    }
}
