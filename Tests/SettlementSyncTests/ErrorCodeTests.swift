import ETRMContracts
import ETRMTestSupport
import Foundation
import Idempotency
import Testing

@testable import SettlementSync

@Suite struct ErrorCodeTests {
    @Test func settlementSyncErrorCodesKeepTheirNamesAndAreDocumented() {
        let expected: [(SettlementSyncError.Code, String)] = [
            (.invalidConfiguration, "invalid_configuration"), (.invalidScope, "invalid_scope"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: SettlementSyncError.Code.all, expected: expected, module: "SettlementSync")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func upstreamErrorCodesKeepTheirNamesAndAreDocumented() {
        let expected: [(UpstreamError.Code, String)] = [
            (.unavailable, "unavailable"), (.throttled, "throttled"), (.unreachable, "unreachable"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: UpstreamError.Code.all, expected: expected, module: "SettlementSync")
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The gateway's own issue code is declared once and documented with the module's codes.
    @Test func theHeaderMismatchIssueCodeIsDeclaredAndDocumented() {
        let problems = ErrorCodeCheck.problems(
            declared: [ValidationIssue.Code.headerMismatch],
            expected: [(ValidationIssue.Code.headerMismatch, "header_mismatch")], module: "SettlementSync")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aMalformedScopeIsAnInvalidScope() {
        #expect {
            try TraderScope(headerValue: "desk=")
        } throws: { ($0 as? SettlementSyncError)?.code == .invalidScope }
    }

    @Test func theCauseIsCarriedAndNotCompared() {
        let cause = IdempotencyError(code: .invalidScope, message: "operation is empty")
        let error = SettlementSyncError(code: .invalidConfiguration, message: "operation: empty", cause: cause)
        #expect((error.cause as? IdempotencyError) == cause)
        #expect(error == SettlementSyncError(code: .invalidConfiguration, message: "operation: empty"))
        #expect(error.description == "invalid_configuration: operation: empty (cause: \(cause))")

        let refused = UpstreamError(
            code: .unreachable, message: "connection refused", retryAfter: .seconds(1), cause: POSIXError(.ECONNREFUSED)
        )
        #expect((refused.cause as? POSIXError)?.code == .ECONNREFUSED)
        #expect(refused == UpstreamError(code: .unreachable, message: "connection refused", retryAfter: .seconds(1)))
        #expect(refused != UpstreamError(code: .unreachable, message: "connection refused"))
    }
}
