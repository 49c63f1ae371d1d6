import Idempotency
import Testing

@testable import SettlementSync

/// Records stored before responses kept their header fields replay with the `Content-Type` their status had.
@Suite struct LegacyReplayTests {
    typealias Gateway = SettlementGateway<
        ContinuousClock, InMemoryIdempotencyStore<ContinuousClock>, NeverUpstream
    >

    @Test func storedStatusesWithoutFieldsGetTheirFormerContentType() {
        let body: [UInt8] = Array(#"{"status":"accepted"}"#.utf8)
        #expect(Gateway.legacyContentType(status: 201, body: body)?.name == "Content-Type")
        #expect(Gateway.legacyContentType(status: 201, body: body)?.value == "application/json")
        #expect(Gateway.legacyContentType(status: 502, body: body)?.value == "application/problem+json")
    }

    @Test func otherStatusesAndEmptyBodiesGetNone() {
        #expect(Gateway.legacyContentType(status: 201, body: []) == nil)
        #expect(Gateway.legacyContentType(status: 200, body: [0x7B, 0x7D]) == nil)
        #expect(Gateway.legacyContentType(status: 409, body: [0x7B, 0x7D]) == nil)
    }
}

/// An upstream the legacy tests never call.
struct NeverUpstream: SettlementUpstream {
    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        Issue.record("the upstream must not be called")
        throw CancellationError()
    }
}
