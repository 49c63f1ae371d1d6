import ETRMContracts
import ETRMShared
import ETRMTestSupport
import Foundation
import Idempotency
import Resilience
import ResilienceTesting
import SettlementSync
import SettlementSyncTesting
import Testing

@Suite struct GatewayStatusTests {
    @Test func acceptsAValidInstructionWith201AndBooksItOnce() async throws {
        let upstream = ScriptedUpstream.accepting()
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        let response = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(response.status == 201)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header(SettlementHeaderName.replayed) == nil)
        #expect(response.bodyText.contains(#""status":"accepted""#))
        #expect(response.bodyText.contains(#""position_mwh":125.5"#))
        #expect(upstream.attempts == 1)
        let submission = try #require(upstream.submissions.first)
        #expect(submission.contractID == "DEBY-2026-01")
        #expect(submission.settlementRunID == Fixture.run)
        #expect(submission.positionMWh == (try ExactDecimal("125.5")))
        #expect(submission.fence >= 1)
        #expect(audit.all.map(\.outcome) == [.accepted])
    }

    @Test(arguments: [SettlementHeaderName.settlementRunID, SettlementHeaderName.traderScope])
    func missingHeaderIs400NamingIt(_ header: String) async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let request = Fixture.request(
            run: header == SettlementHeaderName.settlementRunID ? nil : Fixture.run,
            scope: header == SettlementHeaderName.traderScope ? nil : Fixture.scope)
        let response = try await Fixture.handle(request, on: gateway)
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.problemType == "urn:etrm:problem:missing-header")
        #expect(response.bodyText.contains(header))
        #expect(upstream.attempts == 0)
    }

    @Test(arguments: [
        (SettlementHeaderName.settlementRunID, "sr-lowercase", Fixture.scope, "key-1"),
        (SettlementHeaderName.traderScope, Fixture.run, "DESK 07", "key-1"),
        (SettlementHeaderName.traderScope, Fixture.run, "DESK-07; contracts=DE BY*", "key-1"),
        (SettlementHeaderName.idempotencyKey, Fixture.run, Fixture.scope, "bad\u{7}key"),
    ])
    func malformedHeaderIs400NamingIt(_ header: String, _ run: String, _ scope: String, _ key: String) async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let response = try await Fixture.handle(Fixture.request(key: key, run: run, scope: scope), on: gateway)
        #expect(response.status == 400)
        #expect(response.problemType == "urn:etrm:problem:invalid-header")
        #expect(response.bodyText.contains(header))
        #expect(upstream.attempts == 0)
    }

    @Test func contractOutsideTheScopeIs403() async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let response = try await Fixture.handle(
            Fixture.request(body: Fixture.body(contract: "FRBASE-2026-01")), on: gateway)
        #expect(response.status == 403)
        #expect(response.problemType == "urn:etrm:problem:scope-forbidden")
        #expect(response.bodyText.contains("FRBASE-2026-01"))
        #expect(upstream.attempts == 0)
    }

    @Test func invalidPayloadIs422WithEveryIssueAndDoesNotBurnTheKey() async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let bad = Fixture.body(position: "250000", price: "0", timestamp: "2026-01-22T10:00:00")
        let rejected = try await Fixture.handle(Fixture.request(body: bad, key: "key-fix"), on: gateway)
        #expect(rejected.status == 422)
        #expect(rejected.problemType == "urn:etrm:problem:invalid-instruction")
        for pointer in ["/position_mwh", "/settlement_price", "/timestamp_utc"] {
            #expect(rejected.bodyText.contains(#""pointer":"\#(pointer)""#), "missing issue for \(pointer)")
        }
        #expect(rejected.bodyText.contains(#""code":"ambiguous_timezone""#))
        #expect(upstream.attempts == 0)
        // The same key with the corrected payload runs: the invalid attempt left no record behind.
        let fixed = try await Fixture.handle(Fixture.request(key: "key-fix"), on: gateway)
        #expect(fixed.status == 201)
        #expect(fixed.header(SettlementHeaderName.replayed) == nil)
        #expect(upstream.attempts == 1)
    }

    @Test(arguments: [
        ("not json", "invalid_json"), ("[1,2]", "not_an_object"), ("", "invalid_json"),
        (#"{"settlement_run_id":"SR20260122000001"}"#, "missing_field"),
        (
            #"{"settlement_run_id":"SR20260122000001","contract_id":"DEBY-2026-01","position_mwh":1,"settlement_price":1,"timestamp_utc":"2026-01-22T10:00:00Z","extra":1}"#,
            "unknown_field"
        ),
        (
            #"{"settlement_run_id":"SR20260122000009","contract_id":"DEBY-2026-01","position_mwh":1,"settlement_price":1,"timestamp_utc":"2026-01-22T10:00:00Z"}"#,
            "header_mismatch"
        ),
    ])
    func malformedBodiesAre422WithACode(_ body: String, _ code: String) async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let response = try await Fixture.handle(Fixture.request(body: Array(body.utf8)), on: gateway)
        #expect(response.status == 422)
        #expect(response.bodyText.contains(#""code":"\#(code)""#), "\(response.bodyText)")
        #expect(upstream.attempts == 0)
    }

    @Test func completedDuplicateReplaysTheStoredResponseMarkedAsReplay() async throws {
        let upstream = ScriptedUpstream.accepting()
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        let first = try await Fixture.handle(Fixture.request(), on: gateway)
        let second = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(first.status == 201)
        #expect(second.status == 201)
        #expect(second.body == first.body)
        #expect(second.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.attempts == 1)
        #expect(audit.all.map(\.outcome) == [.accepted, .replayed])
    }

    @Test func derivedKeyMakesAReSerialisedRetryTheSameRequest() async throws {
        let upstream = ScriptedUpstream.accepting()
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        let compact = Fixture.body()
        let reordered = Array(
            (#"{ "timestamp_utc": "2026-01-22T10:00:00Z", "settlement_price": 87.25, "position_mwh": 125.5,"#
                + #" "contract_id": "DEBY-2026-01", "settlement_run_id": "SR20260122000001" }"#).utf8)
        let first = try await Fixture.handle(Fixture.request(body: compact, key: nil), on: gateway)
        let second = try await Fixture.handle(Fixture.request(body: reordered, key: nil), on: gateway)
        #expect(first.status == 201)
        #expect(second.status == 201)
        #expect(second.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.attempts == 1)
        let events = audit.all
        #expect(events.allSatisfy { $0.keyDerived })
        #expect(events[0].keyHash == events[1].keyHash)
    }

    @Test func sameKeyFromAnotherDeskIsAnotherKey() async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream)
        let first = try await Fixture.handle(Fixture.request(), on: gateway)
        let other = try await Fixture.handle(
            Fixture.request(scope: "DESK-08; contracts=DEBY*"), on: gateway)
        #expect(first.status == 201)
        #expect(other.status == 201)
        #expect(other.header(SettlementHeaderName.replayed) == nil)
        #expect(upstream.attempts == 2)
    }

    @Test func sameKeyWithAnotherPayloadIs422() async throws {
        let upstream = ScriptedUpstream.accepting()
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        _ = try await Fixture.handle(Fixture.request(), on: gateway)
        let reused = try await Fixture.handle(Fixture.request(body: Fixture.body(position: "99")), on: gateway)
        #expect(reused.status == 422)
        #expect(reused.problemType == "urn:etrm:problem:idempotency-key-reused")
        #expect(upstream.attempts == 1)
        #expect(audit.all.last?.outcome == .payloadMismatch)
    }

    @Test func duplicateWhileTheFirstIsInFlightIs409() async throws {
        let gate = Latch()
        let upstream = ScriptedUpstream { submission, _ in
            await gate.wait()
            return .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-1", acknowledgedPositionMWh: submission.positionMWh))
        }
        let gateway = try Fixture.gateway(upstream: upstream)
        let first = Task { await gateway.handle(Fixture.request()) }
        while gate.entered == 0 { await Task.yield() }
        let duplicate = await gateway.handle(Fixture.request())
        #expect(duplicate.status == 409)
        #expect(duplicate.problemType == "urn:etrm:problem:idempotency-key-in-progress")
        #expect(Int(duplicate.header(SettlementHeaderName.retryAfter) ?? "") ?? 0 >= 1)
        gate.open()
        #expect(await first.value.status == 201)
        #expect(upstream.attempts == 1)
    }

    @Test func upstreamRejectionIs502AndIsReplayed() async throws {
        let upstream = ScriptedUpstream { _, _ in
            .rejected(UpstreamRejection(code: "CONTRACT_CLOSED", reason: "contract DEBY-2026-01 is closed"))
        }
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        let first = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(first.status == 502)
        #expect(first.problemType == "urn:etrm:problem:upstream-rejected")
        #expect(first.bodyText.contains("CONTRACT_CLOSED"))
        let again = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(again.status == 502)
        #expect(again.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.attempts == 1, "a rejection is not retried and not re-sent")
        #expect(gateway.breaker.state == .closed, "a business rejection is a healthy answer")
        #expect(audit.all.map(\.outcome) == [.upstreamRejected, .replayed])
    }

    @Test func exhaustedRetriesAre503WithRetryAfterAndReleaseTheKey() async throws {
        let healthy = LockedState(false)
        let upstream = ScriptedUpstream { submission, _ in
            guard healthy.withLock({ $0 }) else {
                throw UpstreamError(code: .unavailable, message: "503 from upstream")
            }
            return .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-1", acknowledgedPositionMWh: submission.positionMWh))
        }
        let gateway = try Fixture.gateway(
            upstream: upstream, configuration: Fixture.configuration(breakerThreshold: 10))
        let failed = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(failed.status == 503)
        #expect(failed.header(SettlementHeaderName.retryAfter) == "7")
        #expect(upstream.attempts == 3, "three attempts, then the retry gave up")
        healthy.withLock { $0 = true }
        let retried = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(retried.status == 201, "the key was released, so the desk's retry runs")
        #expect(retried.header(SettlementHeaderName.replayed) == nil)
        #expect(upstream.attempts == 4)
    }

    @Test func upstreamRetryAfterHintIsHonouredAndTimeoutsAreRetried() async throws {
        let clock = SimulationClock()
        let upstream = ScriptedUpstream { submission, attempt in
            switch attempt {
            case 1: throw UpstreamError(code: .throttled, message: "429", retryAfter: .seconds(2))
            case 2:
                // Never answers in time: the attempt timeout cancels it. The wait is on the simulation clock (a
                // real sleep would hold simulated time still, since the desk is neither asleep nor working).
                try await SimulationClock.waitedFor { try await clock.sleep(for: .seconds(3600)) }
                return .rejected(UpstreamRejection(code: "LATE", reason: "unreachable"))
            default:
                return .acknowledged(
                    UpstreamAcknowledgement(reference: "ETRM-3", acknowledgedPositionMWh: submission.positionMWh))
            }
        }
        let slowGateway = try Fixture.gateway(upstream: upstream, clock: clock)
        let response = try await Fixture.handle(Fixture.request(), on: slowGateway)
        #expect(response.status == 201)
        #expect(upstream.attempts == 3)
        // 2 s server hint + 1 s attempt timeout + 100 ms backoff, on simulated time.
        #expect(clock.now.offset >= .milliseconds(3100))
    }

    @Test func openBreakerIs503WithItsRemainingOpenTime() async throws {
        let upstream = ScriptedUpstream { _, _ in throw UpstreamError(code: .unavailable, message: "down") }
        let audit = AuditLog()
        let gateway = try Fixture.gateway(
            upstream: upstream, configuration: Fixture.configuration(breakerThreshold: 2), audit: audit)
        let first = try await Fixture.handle(Fixture.request(key: "a"), on: gateway)
        #expect(first.status == 503)
        #expect(gateway.breaker.state == .open)
        let attemptsWhenOpen = upstream.attempts
        let openedAt = gateway.clock.now
        let second = try await Fixture.handle(Fixture.request(key: "b"), on: gateway)
        #expect(second.status == 503)
        #expect(second.header(SettlementHeaderName.retryAfter) == "30")
        #expect(upstream.attempts == attemptsWhenOpen, "an open breaker sends nothing")
        #expect(gateway.clock.now == openedAt, "answered at once: the default retry predicate does not wait")
        #expect(audit.all.map(\.outcome) == [.circuitOpen, .circuitOpen])
    }

    @Test func aRetryPredicateThatWaitsOutTheOpenBreakerIsHonoured() async throws {
        let healthy = LockedState(false)
        let upstream = ScriptedUpstream { submission, _ in
            guard healthy.withLock({ $0 }) else { throw UpstreamError(code: .unavailable, message: "down") }
            return .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-1", acknowledgedPositionMWh: submission.positionMWh))
        }
        var configuration = Fixture.configuration(breakerThreshold: 2)
        configuration.lease = .seconds(120)
        configuration.retry.maxAttempts = 4
        configuration.retry.overallTimeout = .seconds(60)
        configuration.retry.shouldRetryError = { error in
            if let open = error as? ResilienceError, open.code == .circuitOpen, let wait = open.retryAfter {
                healthy.withLock { $0 = true }  // the upstream recovers while the breaker is open
                return .retryAfter(wait)
            }
            return RetryConfiguration.defaultErrorDecision(error)
        }
        let gateway = try Fixture.gateway(upstream: upstream, configuration: configuration)
        let response = try await Fixture.handle(Fixture.request(), on: gateway)
        #expect(response.status == 201, "the predicate waited out the breaker's 30 s and the probe booked it")
        #expect(upstream.attempts == 3, "two failures open the breaker, the third attempt is the probe")
        #expect(gateway.clock.now.offset >= .seconds(30))
    }

    @Test func deskOverItsRateLimitIs429WithRetryAfter() async throws {
        let upstream = ScriptedUpstream.accepting()
        let gateway = try Fixture.gateway(upstream: upstream, configuration: Fixture.configuration(deskCapacity: 2))
        var statuses: [Int] = []
        for index in 0..<3 {
            statuses.append(try await Fixture.handle(Fixture.request(key: "k\(index)"), on: gateway).status)
        }
        #expect(statuses == [201, 201, 429])
        let limited = try await Fixture.handle(Fixture.request(key: "k9"), on: gateway)
        #expect(limited.status == 429)
        #expect(limited.header(SettlementHeaderName.retryAfter) == "1")
        let otherDesk = try await Fixture.handle(
            Fixture.request(key: "k9", scope: "DESK-99; contracts=*"), on: gateway)
        #expect(otherDesk.status == 201, "the limit is per desk")
        #expect(upstream.attempts == 3)
    }

    @Test func driftAboveHalfAPercentPutsTheRunOnHold() async throws {
        let upstream = ScriptedUpstream { submission, _ in
            let acknowledged = try submission.positionMWh.multipliedFullWidth(by: ExactDecimal("1.006")).rounded(
                scale: 5)
            return .acknowledged(UpstreamAcknowledgement(reference: "ETRM", acknowledgedPositionMWh: acknowledged))
        }
        let held = LockedState<[String]>([])
        let reconciler = SettlementReconciler(onHold: { run, _ in held.withLock { $0.append(run) } })
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, reconciler: reconciler, audit: audit)
        let first = try await Fixture.handle(Fixture.request(key: "a"), on: gateway)
        #expect(first.status == 201)
        #expect(reconciler.isOnHold(Fixture.run))
        #expect(held.withLock { $0 } == [Fixture.run])
        let state = try #require(reconciler.state(of: Fixture.run))
        #expect(abs(state.drift - 0.006) < 1e-9)
        let next = try await Fixture.handle(Fixture.request(body: Fixture.body(position: "10"), key: "b"), on: gateway)
        #expect(next.status == 409)
        #expect(next.problemType == "urn:etrm:problem:settlement-run-on-hold")
        #expect(upstream.attempts == 1)
        // The replay of the booked instruction still replays; the held one's key was released.
        #expect(try await Fixture.handle(Fixture.request(key: "a"), on: gateway).status == 201)
        reconciler.releaseHold(settlementRunID: Fixture.run)
        let afterRelease = try await Fixture.handle(
            Fixture.request(body: Fixture.body(position: "10"), key: "b"), on: gateway)
        #expect(afterRelease.status == 201)
        #expect(audit.all.map(\.outcome) == [.accepted, .runOnHold, .replayed, .accepted])
    }

    @Test func driftWithinHalfAPercentKeepsTheRunOpen() async throws {
        let upstream = ScriptedUpstream { submission, _ in
            let acknowledged = try submission.positionMWh.multipliedFullWidth(by: ExactDecimal("1.004")).rounded(
                scale: 5)
            return .acknowledged(UpstreamAcknowledgement(reference: "ETRM", acknowledgedPositionMWh: acknowledged))
        }
        let gateway = try Fixture.gateway(upstream: upstream)
        #expect(try await Fixture.handle(Fixture.request(key: "a"), on: gateway).status == 201)
        #expect(!gateway.reconciler.isOnHold(Fixture.run))
    }

    @Test func everyRequestLeavesOneAuditEventWithItsFields() async throws {
        let upstream = ScriptedUpstream.accepting()
        let audit = AuditLog()
        let gateway = try Fixture.gateway(upstream: upstream, audit: audit)
        var request = Fixture.request()
        request.headers.append(HTTPHeaderField(SettlementHeaderName.requestID, "req-abc"))
        let response = try await Fixture.handle(request, on: gateway)
        _ = try await Fixture.handle(Fixture.request(run: nil), on: gateway)
        let events = audit.all
        #expect(events.count == 2)
        let event = try #require(events.first)
        #expect(event.requestID == "req-abc")
        #expect(response.header(SettlementHeaderName.requestID) == "req-abc")
        #expect(event.desk == "DESK-07")
        #expect(event.settlementRunID == Fixture.run)
        #expect(event.contractID == "DEBY-2026-01")
        #expect(event.keyHash?.count == 64)
        #expect(event.keyHash != "key-1")
        #expect(event.status == 201)
        let missing = events[1]
        #expect(missing.outcome == .missingHeader)
        #expect(missing.keyHash == nil)
        #expect(missing.requestID != event.requestID)
    }

    @Test func leaseShorterThanTheLongestForwardIsRefused() throws {
        var configuration = Fixture.configuration()
        configuration.lease = .seconds(5)
        #expect(throws: SettlementSyncError.self) {
            _ = try Fixture.gateway(upstream: .accepting(), configuration: configuration)
        }
        configuration.lease = .seconds(60)
        configuration.retry.overallTimeout = nil
        #expect(throws: SettlementSyncError.self) {
            _ = try Fixture.gateway(upstream: .accepting(), configuration: configuration)
        }
    }
}

/// A forward longer than the lease keeps its claim when the gateway beats the lease.
@Suite struct LeaseHeartbeatTests {
    /// A 10 s lease beaten every 3 s, and a forward allowed to take minutes.
    static func configuration(heartbeat: Duration? = .seconds(3)) -> SettlementGatewayConfiguration {
        var configuration = Fixture.configuration()
        configuration.lease = .seconds(10)
        configuration.leaseHeartbeat = heartbeat
        configuration.attemptTimeout = .seconds(60)
        configuration.retry.overallTimeout = .seconds(120)
        return configuration
    }

    @Test func aSlowUpstreamKeepsItsClaimPastTheLease() async throws {
        let clock = SimulationClock()
        let upstream = ScriptedUpstream { submission, _ in
            // Three leases long; waited for, since it runs in the attempt timeout's child task.
            try await SimulationClock.waitedFor { try await clock.sleep(for: .seconds(30)) }
            return .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-1", acknowledgedPositionMWh: submission.positionMWh))
        }
        let gateway = try Fixture.gateway(upstream: upstream, clock: clock, configuration: Self.configuration())
        clock.enroll(0..<3)
        let (first, duplicate, late) = try await SimulationDriver.run(clock: clock) {
            async let first = clock.participate(0) { await gateway.handle(Fixture.request()) }
            async let duplicate = clock.participate(1) {
                try? await clock.sleep(for: .seconds(20))  // the first claim's own lease ended at 10 s
                return await gateway.handle(Fixture.request())
            }
            async let late = clock.participate(2) {
                try? await clock.sleep(for: .seconds(45))  // after the forward finished
                return await gateway.handle(Fixture.request())
            }
            return await (first, duplicate, late)
        }
        #expect(first.status == 201)
        #expect(first.header(SettlementHeaderName.replayed) == nil)
        #expect(duplicate.status == 409, "the beaten lease still held the key at 20 s")
        #expect(duplicate.problemType == "urn:etrm:problem:idempotency-key-in-progress")
        #expect(late.status == 201)
        #expect(late.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.attempts == 1, "booked once")
    }

    @Test func aLeaseShorterThanTheForwardNeedsAHeartbeatOfAtMostHalfTheLease() throws {
        #expect(throws: SettlementSyncError.self, "no heartbeat: the lease must outlast the forward") {
            _ = try Fixture.gateway(upstream: .accepting(), configuration: Self.configuration(heartbeat: nil))
        }
        #expect(throws: SettlementSyncError.self, "a beat longer than half the lease") {
            _ = try Fixture.gateway(upstream: .accepting(), configuration: Self.configuration(heartbeat: .seconds(6)))
        }
        #expect(throws: SettlementSyncError.self, "a beat that is not positive") {
            _ = try Fixture.gateway(upstream: .accepting(), configuration: Self.configuration(heartbeat: .zero))
        }
        _ = try Fixture.gateway(upstream: .accepting(), configuration: Self.configuration(heartbeat: .seconds(5)))
    }
}
