import Foundation
import JWTKit
import SettlementAuth
import SettlementService
import Testing

/// Holds upstream requests until the test opens it, and tells the test when one arrived.
final class Gate: Sendable {
    let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation
    private let opens: AsyncStream<Void>
    private let open: AsyncStream<Void>.Continuation

    init() {
        (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        (opens, open) = AsyncStream.makeStream(of: Void.self)
    }

    func pass() async {
        arrived.yield()
        for await _ in opens { return }
    }

    func release() { open.finish() }
}

@Suite("Settlement service over real HTTP on loopback", .serialized)
struct SettlementServiceHTTPTests {
    @Test func bookedInstructionAnswers201WithTheUpstreamReferenceAndOneBooking() async throws {
        let harness = try await ServiceHarness.start()
        let answer = try await harness.post(
            ServiceHarness.instruction(), token: try await harness.token(), key: "k-201")
        try await harness.stop()
        #expect(answer.status == 201)
        #expect(answer.header("Content-Type") == "application/json")
        #expect(answer.json["status"] as? String == "accepted")
        #expect(answer.json["upstream_reference"] as? String == "TX1")
        #expect(answer.header("X-Request-ID") != nil)
        #expect(harness.simulator.bookings.count == 1)
        let keyHash = try #require(answer.json["idempotency_key_sha256"] as? String)
        #expect(harness.simulator.bookings.keys.first?.isEmpty == false)
        let line = try #require(harness.logLines.all.first { $0.contains("\"outcome\":\"accepted\"") })
        for field in ["request_id", "desk", "run_id", "contract", "key_hash", "status", "duration_ms"] {
            #expect(line.contains("\"\(field)\":"), "log line lacks \(field): \(line)")
        }
        #expect(line.contains(keyHash))
    }

    @Test func retryWithTheSameKeyReplaysTheStoredAnswerWithoutBookingAgain() async throws {
        let harness = try await ServiceHarness.start()
        let token = try await harness.token()
        let first = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-replay")
        let second = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-replay")
        try await harness.stop()
        #expect(first.status == 201)
        #expect(first.header("Idempotent-Replayed") == nil)
        #expect(second.status == 201)
        #expect(second.header("Idempotent-Replayed") == "true")
        #expect(second.body == first.body)
        #expect(harness.simulator.requestCount == 1)
    }

    @Test func missingRunHeaderAnswers400ProblemJSON() async throws {
        let harness = try await ServiceHarness.start()
        let answer = try await harness.post(ServiceHarness.instruction(), token: try await harness.token(), runID: nil)
        try await harness.stop()
        #expect(answer.status == 400)
        #expect(answer.header("Content-Type") == "application/problem+json")
        #expect(answer.json["type"] as? String == "urn:etrm:problem:missing-header")
    }

    @Test func missingExpiredAndForgedTokensAnswer401AndNeverReachTheUpstream() async throws {
        let harness = try await ServiceHarness.start()
        let expired = try await harness.token(expires: Date().addingTimeInterval(-60))
        let forged = try await SettlementTokenIssuer(hs256Secret: String(repeating: "x", count: 40)).token(
            SettlementClaims(subject: "m", expires: Date().addingTimeInterval(600), desk: "DESK-07", contracts: ["*"]))
        var answers: [ServiceHarness.Answer] = []
        for token in [nil, expired, forged, "not-a-jwt"] {
            answers.append(try await harness.post(ServiceHarness.instruction(), token: token, key: "k-401"))
        }
        try await harness.stop()
        #expect(answers.map(\.status) == [401, 401, 401, 401])
        #expect(answers.allSatisfy { $0.header("WWW-Authenticate")?.hasPrefix("Bearer") == true })
        #expect(answers.allSatisfy { $0.header("Content-Type") == "application/problem+json" })
        #expect(answers[1].json["detail"] as? String == "the token has expired")
        #expect(harness.simulator.requestCount == 0)
    }

    @Test func es256TokenVerifiedWithTheConfiguredPublicKeyIsAccepted() async throws {
        let key = ES256PrivateKey()
        let harness = try await ServiceHarness.start(es256PublicKeyPEM: key.publicKey.pemRepresentation)
        let token = try await SettlementTokenIssuer(es256PrivateKeyPEM: key.pemRepresentation).token(
            SettlementClaims(
                subject: "es", expires: Date().addingTimeInterval(600), desk: "DESK-09", contracts: ["DE-*"]))
        let answer = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-es256")
        try await harness.stop()
        #expect(answer.status == 201)
    }

    @Test func contractOutsideTheTokensScopeAnswers403() async throws {
        let harness = try await ServiceHarness.start()
        let token = try await harness.token(contracts: ["NL-*"])
        // A caller-sent X-Trader-Scope is replaced by the token's claims, so it cannot widen the scope.
        let answer = try await harness.post(
            ServiceHarness.instruction(), token: token, key: "k-403",
            extra: [("X-Trader-Scope", "DESK-07; contracts=*")])
        try await harness.stop()
        #expect(answer.status == 403)
        #expect(answer.json["type"] as? String == "urn:etrm:problem:scope-forbidden")
        #expect(harness.simulator.requestCount == 0)
    }

    @Test func duplicateWhileTheFirstIsInFlightAnswers409AndTheFirstStillBooks() async throws {
        let gate = Gate()
        let harness = try await ServiceHarness.start(behaviour: { _ in
            await gate.pass()
            return .book
        })
        let token = try await harness.token()
        let first = Task { try await harness.post(ServiceHarness.instruction(), token: token, key: "k-409") }
        for await _ in gate.arrivals { break }
        let duplicate = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-409")
        gate.release()
        let firstAnswer = try await first.value
        try await harness.stop()
        #expect(duplicate.status == 409)
        #expect(duplicate.header("Content-Type") == "application/problem+json")
        #expect(firstAnswer.status == 201)
        #expect(harness.simulator.bookings.count == 1)
    }

    @Test func bodyOverTheLimitAnswers413() async throws {
        let harness = try await ServiceHarness.start()
        let padding = String(repeating: " ", count: 70_000)
        let answer = try await harness.post(ServiceHarness.instruction() + padding, token: try await harness.token())
        try await harness.stop()
        #expect(answer.status == 413)
        #expect(answer.json["type"] as? String == "urn:etrm:problem:payload-too-large")
        #expect(harness.simulator.requestCount == 0)
    }

    @Test func invalidInstructionAndKeyReuseWithAnotherPayloadAnswer422() async throws {
        let harness = try await ServiceHarness.start()
        let token = try await harness.token()
        let invalid = try await harness.post(
            ServiceHarness.instruction().replacingOccurrences(of: "87.35", with: "0"), token: token, key: "k-bad")
        let booked = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-422")
        let reused = try await harness.post(ServiceHarness.instruction(position: "1"), token: token, key: "k-422")
        try await harness.stop()
        #expect(invalid.status == 422)
        #expect((invalid.json["issues"] as? [[String: Any]])?.first?["pointer"] as? String == "/settlement_price")
        #expect(booked.status == 201)
        #expect(reused.status == 422)
        #expect(harness.simulator.bookings.count == 1)
    }

    @Test func deskOverItsRateLimitAnswers429WithRetryAfter() async throws {
        let harness = try await ServiceHarness.start(adjust: { configuration in
            configuration.gateway.deskRateLimit = .init(name: "desk", capacity: 1, refill: 1, per: .seconds(30))
        })
        let token = try await harness.token()
        let first = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-429-a")
        let second = try await harness.post(ServiceHarness.instruction(position: "2"), token: token, key: "k-429-b")
        try await harness.stop()
        #expect(first.status == 201)
        #expect(second.status == 429)
        let retryAfter = try #require(second.header("Retry-After").flatMap(Int.init))
        #expect((1...30).contains(retryAfter))
    }

    @Test func upstreamRejectionAnswers502AndReplaysIt() async throws {
        let harness = try await ServiceHarness.start(behaviour: { _ in
            .respond(status: 422, headers: [], body: #"{"code":"unknown_contract","detail":"no such contract"}"#)
        })
        let token = try await harness.token()
        let first = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-502")
        let again = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-502")
        try await harness.stop()
        #expect(first.status == 502)
        #expect(first.json["upstream_code"] as? String == "unknown_contract")
        #expect(first.json["detail"] as? String == "no such contract")
        #expect(again.status == 502)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(harness.simulator.requestCount == 1)
    }

    @Test func upstreamUnavailableAnswers503WithItsRetryAfterAndReleasesTheKey() async throws {
        let harness = try await ServiceHarness.start(behaviour: { received in
            // The first instruction's two attempts fail; its retry after the 503 books.
            received.earlierAttempts < 2 ? .respond(status: 503, headers: [("Retry-After", "7")], body: "{}") : .book
        })
        let token = try await harness.token()
        let unavailable = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-503")
        let retried = try await harness.post(ServiceHarness.instruction(), token: token, key: "k-503")
        try await harness.stop()
        #expect(unavailable.status == 503)
        #expect(unavailable.header("Retry-After") == "7")
        #expect(retried.status == 201)
        #expect(harness.simulator.requestCount == 3)
        #expect(harness.simulator.bookings.count == 1)
    }

    @Test func refusedUpstreamConnectionFailsFastWith503() async throws {
        let harness = try await ServiceHarness.start(adjust: { configuration in
            configuration.upstreamURL = "http://127.0.0.1:1/api/v1/settlements/sync"
            configuration.gateway.attemptTimeout = .seconds(20)
        })
        let start = ContinuousClock.now
        let answer = try await harness.post(
            ServiceHarness.instruction(), token: try await harness.token(), key: "k-refused")
        let elapsed = start.duration(to: .now)
        try await harness.stop()
        #expect(answer.status == 503)
        #expect(answer.header("Retry-After") != nil)
        // Two attempts against a refused port: far below one 20 s attempt timeout.
        #expect(elapsed < .seconds(5))
    }

    @Test func operationalEndpointsServeHealthReadinessMetricsAndTheContract() async throws {
        let harness = try await ServiceHarness.start()
        let readyBefore = try await harness.get("/ready")
        _ = try await harness.post(ServiceHarness.instruction(), token: try await harness.token(), key: "k-ops")
        let health = try await harness.get("/health")
        let ready = try await harness.get("/ready")
        let metrics = try await harness.get("/metrics")
        let openapi = try await harness.get("/openapi.json")
        let docs = try await harness.get("/docs")
        try await harness.stop()
        #expect(health.status == 200)
        #expect(readyBefore.json["last_processed_at"] is NSNull)
        #expect(ready.status == 200)
        #expect(ready.json["breaker"] as? String == "closed")
        #expect(ready.json["last_processed_at"] is String)
        #expect(metrics.body.contains(#"settlement_requests_total{status="201",outcome="accepted"} 1"#))
        #expect(openapi.body == SettlementOpenAPI.document)
        #expect(docs.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(!docs.body.contains("<script"))
        #expect(docs.body.contains("/v1/settlements/sync"))
    }

    @Test func gracefulStopLetsTheInFlightRequestFinishAndBook() async throws {
        let gate = Gate()
        let harness = try await ServiceHarness.start(behaviour: { _ in
            await gate.pass()
            return .book
        })
        let token = try await harness.token()
        let inFlight = Task { try await harness.post(ServiceHarness.instruction(), token: token, key: "k-stop") }
        for await _ in gate.arrivals { break }
        let stopping = Task { try await harness.service.stop() }
        gate.release()
        let answer = try await inFlight.value
        try await stopping.value
        try await harness.client.shutdown()
        try await harness.upstream.stop()
        #expect(answer.status == 201)
        #expect(harness.simulator.bookings.count == 1)
    }
}
