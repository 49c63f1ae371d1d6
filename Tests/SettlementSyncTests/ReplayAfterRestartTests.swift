import ETRMContracts
import ETRMShared
import Foundation
import Idempotency
import Resilience
import ResilienceTesting
import SettlementSync
import SettlementSyncTesting
import Testing

/// What a desk sees when it retries after the gateway restarted on the same journal: the first answer again,
/// byte for byte (status, header fields in order, body), marked as a replay when it was stored.
@Suite struct ReplayAfterRestartTests {
    typealias JournalGateway = SettlementGateway<
        SimulationClock, JournalIdempotencyStore<WallClock>, ScriptedUpstream
    >

    /// The three answers a desk can get for a claimed or refused instruction: booked (stored), refused by
    /// the upstream (stored), invalid (never stored: it is answered again, not replayed).
    enum Case: String, CaseIterable, Sendable {
        case booked, upstreamRejected, invalid
    }

    static func upstream() -> ScriptedUpstream {
        ScriptedUpstream { submission, attempt in
            submission.contractID == "DEBY-2026-02"
                ? .rejected(UpstreamRejection(code: "CONTRACT_CLOSED", reason: "contract DEBY-2026-02 is closed"))
                : .acknowledged(
                    UpstreamAcknowledgement(
                        reference: "ETRM-\(attempt)", acknowledgedPositionMWh: submission.positionMWh))
        }
    }

    static func gateway(
        _ store: JournalIdempotencyStore<WallClock>, _ upstream: ScriptedUpstream = upstream()
    ) throws -> JournalGateway {
        try SettlementGateway(
            store: store, upstream: upstream, configuration: Fixture.configuration(), clock: SimulationClock())
    }

    static func request(_ testCase: Case) -> SettlementRequest {
        let body: [UInt8]
        switch testCase {
        case .booked: body = Fixture.body()
        case .upstreamRejected: body = Fixture.body(contract: "DEBY-2026-02")
        case .invalid: body = Fixture.body(position: "\"lots\"")
        }
        var request = Fixture.request(body: body, key: "restart-\(testCase.rawValue)")
        request.headers.append(HTTPHeaderField(SettlementHeaderName.requestID, "req-desk-1"))
        return request
    }

    @Test(arguments: Case.allCases)
    func aRetryAfterARestartGetsTheFirstAnswerByteForByte(_ testCase: Case) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("settlement-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let firstStore = try JournalIdempotencyStore(directory: directory)
        let firstUpstream = Self.upstream()
        let firstGateway = try Self.gateway(firstStore, firstUpstream)
        let first = try await Fixture.handle(Self.request(testCase), on: firstGateway)
        await firstStore.close()

        let secondStore = try JournalIdempotencyStore(directory: directory)
        let secondUpstream = Self.upstream()
        let secondGateway = try Self.gateway(secondStore, secondUpstream)
        let again = try await Fixture.handle(Self.request(testCase), on: secondGateway)
        // What the journal holds for the key: the response's own fields, nothing per request.
        let key = try IdempotencyKey(
            headerValue: "restart-\(testCase.rawValue)",
            scope: IdempotencyScope(tenant: "DESK-07", operation: "POST /settlements"))
        let claim = try await secondStore.claim(
            key, fingerprint: Fingerprint(exactBytes: Fingerprint.canonicalJSON(Self.request(testCase).body)),
            lease: .seconds(1))
        await secondStore.close()

        let requestID = HTTPHeaderField(SettlementHeaderName.requestID, "req-desk-1")
        let replayed = HTTPHeaderField(SettlementHeaderName.replayed, "true")
        let json = HTTPHeaderField("Content-Type", "application/json")
        let problem = HTTPHeaderField("Content-Type", "application/problem+json")
        switch testCase {
        case .booked:
            #expect(first.status == 201)
            #expect(first.headers == [json, requestID])
            #expect(firstUpstream.attempts == 1)
        case .upstreamRejected:
            #expect(first.status == 502)
            #expect(first.headers == [problem, requestID])
            #expect(
                first.bodyText
                    == #"{"type":"urn:etrm:problem:upstream-rejected","title":"The upstream ETRM rejected the instruction","#
                    + #""status":502,"detail":"contract DEBY-2026-02 is closed","upstream_code":"CONTRACT_CLOSED"}"#)
            #expect(firstUpstream.attempts == 1)
        case .invalid:
            #expect(first.status == 422)
            #expect(first.headers == [problem, requestID])
            #expect(first.problemType == "urn:etrm:problem:invalid-instruction")
            #expect(firstUpstream.attempts == 0)
        }
        #expect(again.status == first.status)
        #expect(again.body == first.body)
        #expect(secondUpstream.attempts == 0, "nothing is sent again after the restart")
        if testCase == .invalid {
            // Never stored, so answered again (the same bytes), not replayed.
            #expect(again.headers == first.headers)
            guard case .acquired = claim else {
                Issue.record("an invalid instruction left a record: \(claim)")
                return
            }
        } else {
            guard case .completed(let stored) = claim else {
                Issue.record("no completed record after the restart: \(claim)")
                return
            }
            #expect(stored.headerFields == [HTTPHeaderField(name: "Content-Type", value: first.headers[0].value)])
            #expect(stored.body == first.body)
            // The stored fields in their order, then the replay mark, then this request's id.
            #expect(again.headers == Array(first.headers.dropLast()) + [replayed, requestID])
        }
    }

    @Test func aKeyReusedWithAnotherPayloadAfterARestartIsRefusedWithTheSame422() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("settlement-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let other = Fixture.request(body: Fixture.body(position: "99"), key: "reused")

        let firstStore = try JournalIdempotencyStore(directory: directory)
        let firstGateway = try Self.gateway(firstStore)
        let booked = try await Fixture.handle(Fixture.request(key: "reused"), on: firstGateway)
        let refused = try await Fixture.handle(other, on: firstGateway)
        await firstStore.close()

        let secondStore = try JournalIdempotencyStore(directory: directory)
        let secondGateway = try Self.gateway(secondStore)
        let refusedAgain = try await Fixture.handle(other, on: secondGateway)
        await secondStore.close()

        #expect(booked.status == 201)
        #expect(refused.status == 422)
        #expect(refused.problemType == "urn:etrm:problem:idempotency-key-reused")
        #expect(refusedAgain.status == 422)
        #expect(refusedAgain.body == refused.body)
        #expect(refusedAgain.headers.dropLast() == refused.headers.dropLast(), "all but the request id")
        #expect(refusedAgain.header("Content-Type") == "application/problem+json")
    }
}
