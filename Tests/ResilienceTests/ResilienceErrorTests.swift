import ETRMTestSupport
import Testing

@testable import Resilience

@Suite struct ResilienceErrorTests {
    @Test func codesAreDistinctKeepTheirNamesAndAreDocumented() {
        let expected: [(ResilienceError.Code, String)] = [
            (.invalidConfiguration, "invalidConfiguration"), (.circuitOpen, "circuitOpen"),
            (.rateLimited, "rateLimited"), (.quotaExhausted, "quotaExhausted"), (.bulkheadFull, "bulkheadFull"),
            (.bulkheadQueueTimeout, "bulkheadQueueTimeout"), (.timedOut, "timedOut"),
            (.registryFull, "registryFull"), (.invalidArgument, "invalidArgument"),
            (.invalidRetryAfter, "invalidRetryAfter"),
        ]
        let problems = ErrorCodeCheck.problems(
            declared: ResilienceError.Code.all, expected: expected, module: "Resilience")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func theCauseIsCarried() {
        struct Refused: Error {}
        let error = ResilienceError(code: .timedOut, message: "late", cause: Refused())
        #expect(error.cause is Refused)
        #expect(error.description == "ResilienceError(timedOut): late (cause: Refused())")
    }
}
