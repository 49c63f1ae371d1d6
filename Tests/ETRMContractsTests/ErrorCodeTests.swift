import ETRMContracts
import ETRMShared
import ETRMTestSupport
import Foundation
import Testing

@Suite struct ErrorCodeTests {
    /// ValidationIssue codes are an open set: the package's own are checked by name and documented.
    @Test func validationIssueCodesKeepTheirWireNamesAndAreDocumented() {
        let expected: [(ValidationIssue.Code, String)] = [
            (.missingField, "missing_field"), (.wrongType, "wrong_type"), (.unknownField, "unknown_field"),
            (.duplicateKey, "duplicate_key"), (.notAnObject, "not_an_object"), (.invalidJSON, "invalid_json"),
            (.invalidUTF8, "invalid_utf8"), (.limitExceeded, "limit_exceeded"),
            (.accountingMismatch, "accounting_mismatch"), (.notADecimal, "not_a_decimal"),
            (.outOfRange, "out_of_range"), (.invalidTimestamp, "invalid_timestamp"),
            (.ambiguousTimezone, "ambiguous_timezone"), (.endBeforeStart, "end_before_start"),
            (.invalidValue, "invalid_value"), (.invalidLEI, "invalid_lei"), (.invalidEIC, "invalid_eic"),
            (.invalidIdentifier, "invalid_identifier"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: expected.map(\.0), expected: expected, module: "ETRMContracts")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func deadLetterErrorCodesKeepTheirNamesAndAreDocumented() {
        let expected: [(DeadLetterError.Code, String)] = [
            (.openFailed, "open_failed"), (.writeFailed, "write_failed"), (.readFailed, "read_failed"),
            (.corruptRecord, "corrupt_record"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: DeadLetterError.Code.all, expected: expected, module: "ETRMContracts")
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A JSON problem becomes the validation issue code of the same name, the one on the wire.
    @Test func jsonErrorCodesMapToTheIssueCodesOfTheSameName() {
        let expected: [(JSONError.Code, String)] = [
            (.invalidJSON, "invalid_json"), (.invalidUTF8, "invalid_utf8"), (.limitExceeded, "limit_exceeded"),
            (.duplicateKey, "duplicate_key"),
        ]
        let problems = ErrorCodeCheck.problems(declared: JSONError.Code.all, expected: expected, module: nil)
        #expect(problems.isEmpty, "\(problems)")
        for code in JSONError.Code.all { #expect(ValidationIssue.Code(code).rawValue == code.description) }
        let issue = ValidationIssue(JSONError(.duplicateKey, at: 7, "duplicate key \"a\""))
        #expect(issue.code == .duplicateKey && issue.message == "duplicate key \"a\" (byte 7)")
    }

    @Test func aLineThatIsNotARecordCarriesTheDecodingErrorAsCause() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"not\": \"a letter\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try JSONLinesDeadLetterReader(path: path).readAll()
        } throws: { error in
            guard let error = error as? DeadLetterError else { return false }
            return error.code == .corruptRecord && error.cause is DecodingError
        }
        #expect {
            try JSONLinesDeadLetterReader(path: path + ".missing").readAll()
        } throws: { ($0 as? DeadLetterError)?.cause != nil }
    }

    @Test func deadLetterEqualityIgnoresTheCause() {
        let plain = DeadLetterError(code: .writeFailed, message: "disk full", errno: 28)
        let caused = DeadLetterError(code: .writeFailed, message: "disk full", errno: 28, cause: POSIXError(.ENOSPC))
        #expect(plain == caused)
        #expect(caused.description == "write_failed: disk full (errno 28) (cause: \(POSIXError(.ENOSPC)))")
    }
}
