import ETRMContracts
import Idempotency
import Resilience
import SettlementSync
import SettlementSyncTesting
import Testing

@Suite struct UpstreamContractTests {
    @Test func everyAttemptOfOneKeyCarriesOneUpstreamKeyAndItsDeadlineWhateverTheOwner() async throws {
        let upstream = ScriptedUpstream { submission, attempt in
            // Three attempts of the first request fail; the desk's retry (a new owner) is booked.
            guard attempt > 3 else { throw UpstreamError(code: .unavailable, message: "503") }
            return .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-\(attempt)", acknowledgedPositionMWh: submission.positionMWh))
        }
        let gateway = try Fixture.gateway(
            upstream: upstream, configuration: Fixture.configuration(breakerThreshold: 10))
        let first = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(first.status == 503)
        let retry = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(retry.status == 201)
        let other = try await Fixture.handle(Fixture.request(key: "key-2"), on: gateway)
        #expect(other.status == 201)

        let submissions = upstream.submissions
        try #require(submissions.count == 5)
        let firstKey = submissions[0].idempotencyKey
        #expect(submissions[0..<4].allSatisfy { $0.idempotencyKey == firstKey })
        #expect(firstKey == submissions[0].keyHash)
        #expect(submissions[4].idempotencyKey != firstKey)
        #expect(Set(submissions[0..<4].map(\.fence)).count == 2)
        // Each attempt is told the attempt timeout (1 s) as its time left: the simulation clock stands still
        // between the timeout's start and the call.
        #expect(submissions.allSatisfy { $0.timeLeft == .seconds(1) })
    }
}
