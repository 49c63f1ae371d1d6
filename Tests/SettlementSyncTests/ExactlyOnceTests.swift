import ETRMContracts
import ETRMShared
import Idempotency
import Resilience
import ResilienceTesting
import SettlementSyncTesting
import Testing

@testable import SettlementSync

/// The issue's settings: lease 3 s, attempt timeout 200 ms, retries for at most 1 s (4 attempts 100 ms apart).
private func issueConfiguration() -> SettlementGatewayConfiguration {
    var configuration = Fixture.configuration(breakerThreshold: 50)
    configuration.lease = .seconds(3)
    configuration.attemptTimeout = .milliseconds(200)
    configuration.retry = .init(
        maxAttempts: 4, backoff: .constant(.milliseconds(100)), jitter: .none, overallTimeout: .seconds(1))
    return configuration
}

/// Requests sent by desks at given offsets of simulated time, each its own participant; the responses in order.
private func send<Store: IdempotencyStore, Upstream: SettlementUpstream>(
    _ requests: [(at: Duration, request: SettlementRequest)],
    to gateway: SettlementGateway<SimulationClock, Store, Upstream>
) async throws -> [(response: SettlementResponse, answeredAt: Duration)] {
    let clock = gateway.clock
    clock.enroll(requests.indices)
    return try await SimulationDriver.run(clock: clock) {
        try await withThrowingTaskGroup(of: (Int, SettlementResponse, Duration).self) { group in
            for (index, entry) in requests.enumerated() {
                group.addTask {
                    await clock.participate(index) {
                        if entry.at > .zero { try? await clock.sleep(until: .init(offset: entry.at)) }
                        let response = await gateway.handle(entry.request)
                        return (index, response, clock.now.offset)
                    }
                }
            }
            var answers = [(response: SettlementResponse, answeredAt: Duration)?](repeating: nil, count: requests.count)
            for try await (index, response, at) in group { answers[index] = (response, at) }
            let answered = answers.compactMap { $0 }
            guard answered.count == requests.count else { throw Unanswered(count: requests.count - answered.count) }
            return answered
        }
    }
}

/// Requests that got no response (the test's time limit ended them).
private struct Unanswered: Error {
    let count: Int
}

@Suite(.timeLimit(.minutes(1))) struct ExactlyOnceTests {
    /// Issue 12, defect 1: the upstream ignores cancellation and answers at 4 s; a duplicate arrives at 3.5 s,
    /// after the first claim's own 3 s lease.
    @Test func aDeafUpstreamKeepsTheKeyWithItsFirstOwnerUntilItAnswers() async throws {
        let clock = SimulationClock()
        let upstream = BookingUpstream(clock: clock, bookAfter: .seconds(4), answerAfter: .seconds(4))
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: issueConfiguration(),
            clock: clock)
        let answers = try await send(
            [(.zero, Fixture.request()), (.milliseconds(3500), Fixture.request()), (.seconds(10), Fixture.request())],
            to: gateway)
        let (first, duplicate, later) = (answers[0], answers[1], answers[2])
        #expect(first.response.status == 503)
        #expect(first.response.problemType == "urn:etrm:problem:upstream-outcome-pending")
        #expect(first.response.header(SettlementHeaderName.retryAfter) != nil)
        #expect(first.answeredAt <= .milliseconds(1110), "the attempt timeouts returned at their deadlines")
        #expect(duplicate.response.status == 409, "the key stays with its first owner while it is unresolved")
        #expect(later.response.status == 201)
        #expect(later.response.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.mostOwnersPerKey == 1, "one owner submitted")
        #expect(upstream.bookings == 1)
    }

    /// Issue 12, defect 2: the upstream books at once and answers after the request gave up (1.5 s); the desk
    /// retries at 1.2 s and at 3 s.
    @Test func aLateUpstreamIsNotSubmittedAgainUnderANewOwner() async throws {
        let clock = SimulationClock()
        let upstream = BookingUpstream(clock: clock, bookAfter: .zero, answerAfter: .milliseconds(1500))
        let audit = AuditLog()
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: issueConfiguration(),
            clock: clock, auditObserver: audit)
        let answers = try await send(
            [(.zero, Fixture.request()), (.milliseconds(1200), Fixture.request()), (.seconds(3), Fixture.request())],
            to: gateway)
        #expect(answers[0].response.status == 503)
        #expect(answers[0].response.problemType == "urn:etrm:problem:upstream-outcome-pending")
        #expect(answers[1].response.status == 409)
        #expect(answers[2].response.status == 201)
        #expect(answers[2].response.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.mostOwnersPerKey == 1, "no second owner submitted")
        #expect(upstream.bookings == 1)
        #expect(audit.all.map(\.outcome).contains(.upstreamOutcomePending))
    }

    /// The late answer comes while the request still retries: the request answers with the booking.
    @Test func aLateBookingThatArrivesWhileRetryingIsTheAnswer() async throws {
        let clock = SimulationClock()
        let upstream = BookingUpstream(clock: clock, bookAfter: .zero, answerAfter: .milliseconds(300))
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: issueConfiguration(),
            clock: clock)
        let answers = try await send([(.zero, Fixture.request()), (.seconds(2), Fixture.request())], to: gateway)
        #expect(answers[0].response.status == 201)
        #expect(answers[1].response.status == 201)
        #expect(answers[1].response.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.mostOwnersPerKey == 1)
        #expect(upstream.attempts <= 2, "no attempt after the late booking arrived")
    }

    /// An upstream that cannot de-duplicate gets one attempt per key once an attempt is ambiguous.
    @Test func anUpstreamWithoutDeduplicationGetsNothingMoreAfterAnAmbiguousAttempt() async throws {
        let clock = SimulationClock()
        let upstream = BookingUpstream(clock: clock, bookAfter: .zero, answerAfter: .milliseconds(1500))
        var configuration = issueConfiguration()
        configuration.upstreamDeduplicates = false
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: configuration,
            clock: clock)
        let answers = try await send(
            [(.zero, Fixture.request()), (.milliseconds(1000), Fixture.request()), (.seconds(3), Fixture.request())],
            to: gateway)
        #expect(answers[0].response.status == 503)
        #expect(answers[0].answeredAt <= .milliseconds(305), "one backoff, then no further attempt")
        #expect(answers[1].response.status == 409)
        #expect(answers[2].response.status == 201)
        #expect(upstream.attempts == 1)
    }

    /// Issue 12, defect 13: the upstream booked but storing its answer failed.
    @Test(arguments: [2, 6])
    func aFailedCompletionAfterTheBookingStillGivesTheDeskIts201AndTheReplay(_ failingCompletes: Int) async throws {
        let clock = SimulationClock()
        let store = try FaultyStore(clock: clock, faults: .init(failingCompletes: failingCompletes))
        let upstream = ScriptedUpstream.accepting()
        var configuration = Fixture.configuration()
        configuration.lease = .seconds(30)
        let audit = AuditLog()
        let gateway = try SettlementGateway(
            store: store, upstream: upstream, configuration: configuration, clock: clock, auditObserver: audit)
        let answers = try await send([(.zero, Fixture.request()), (.seconds(25), Fixture.request())], to: gateway)
        #expect(answers[0].response.status == 201)
        #expect(answers[1].response.status == 201, "a replay, not 409 for the rest of the lease")
        #expect(answers[1].response.header(SettlementHeaderName.replayed) == "true")
        #expect(upstream.attempts == 1)
        #expect(audit.all.map(\.outcome) == [.accepted, .replayed])
    }

    /// Issue 12, defect 11: a store that hangs is a 503 in bounded time.
    @Test func aHungStoreIsA503AtTheStoreTimeout() async throws {
        let clock = SimulationClock()
        let store = try FaultyStore(clock: clock, faults: .init(claimHangs: .seconds(67)))
        var configuration = Fixture.configuration()
        configuration.storeTimeout = .milliseconds(500)
        let gateway = try SettlementGateway(
            store: store, upstream: ScriptedUpstream.accepting(), configuration: configuration, clock: clock)
        let answers = try await send([(.zero, Fixture.request())], to: gateway)
        #expect(answers[0].response.status == 503)
        #expect(answers[0].response.problemType == "urn:etrm:problem:store-unavailable")
        #expect(answers[0].response.header(SettlementHeaderName.retryAfter) == "7")
        #expect(answers[0].answeredAt <= .milliseconds(505), "the store timeout, plus the driver's 1 ms steps")
    }

    /// Issue 12, defect 12: a store error of the store's own kind is a store failure, and its text stays in the
    /// audit event.
    @Test func aStoreErrorIsAStableStoreProblemAndItsCauseGoesToTheAuditOnly() async throws {
        let clock = SimulationClock()
        let store = try FaultyStore(clock: clock, faults: .init(claimThrows: true))
        let audit = AuditLog()
        let upstream = ScriptedUpstream.accepting()
        let gateway = try SettlementGateway(
            store: store, upstream: upstream, configuration: Fixture.configuration(), clock: clock,
            auditObserver: audit)
        let answers = try await send([(.zero, Fixture.request())], to: gateway)
        let response = answers[0].response
        #expect(response.status == 503)
        #expect(response.problemType == "urn:etrm:problem:store-unavailable")
        #expect(!response.bodyText.contains("pool"))
        #expect(!response.bodyText.contains("db.internal"))
        #expect(!response.bodyText.contains("upstream"))
        #expect(upstream.attempts == 0)
        let event = try #require(audit.all.first)
        #expect(event.outcome == .storeUnavailable)
        #expect(event.cause?.contains("connection pool exhausted") == true)
    }

    /// Issue 12, defect 16: a refused connection fails at once; the 503 comes after the backoffs only.
    @Test func anUnreachableUpstreamIsA503AfterTheBackoffsNotTheAttemptTimeouts() async throws {
        let clock = SimulationClock()
        let upstream = ScriptedUpstream { _, _ in
            throw UpstreamError(code: .unreachable, message: "connection refused (ECONNREFUSED)")
        }
        var configuration = Fixture.configuration(breakerThreshold: 10)
        configuration.attemptTimeout = .seconds(5)
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: configuration,
            clock: clock)
        let answers = try await send([(.zero, Fixture.request())], to: gateway)
        #expect(answers[0].response.status == 503)
        #expect(answers[0].response.problemType == "urn:etrm:problem:upstream-unavailable")
        #expect(upstream.attempts == 3)
        #expect(
            answers[0].answeredAt <= .milliseconds(205),
            "two 100 ms backoffs (and 1 ms driver steps), no attempt timeout")
    }
}

@Suite struct RequestIDTests {
    /// Issue 12, defect 14: two replicas make different ids for requests without `X-Request-ID`.
    @Test func twoReplicasMakeDistinctTimeOrderedRequestIDs() async throws {
        let clock = SimulationClock()
        let store = try InMemoryIdempotencyStore(clock: clock)
        let replicas = try (0..<2).map { _ in
            try SettlementGateway(
                store: store, upstream: ScriptedUpstream.accepting(), configuration: Fixture.configuration(),
                clock: clock)
        }
        var ids: [String] = []
        for replica in replicas {
            for key in ["a", "b"] {
                let answers = try await send([(.zero, Fixture.request(key: key))], to: replica)
                ids.append(try #require(answers[0].response.header(SettlementHeaderName.requestID)))
            }
        }
        #expect(Set(ids).count == 4)
        for id in ids {
            let groups = id.split(separator: "-")
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "UUID text form: \(id)")
            #expect(groups.count == 5 && groups[2].first == "7", "version 7: \(id)")
        }
    }

    @Test func aRequestIDIsTheUUIDTextOfItsBits() {
        #expect(
            SettlementRequestID.format(high: 0x019a_6f1c_3b2e_7c41, low: 0x9d0a_5e8f_2b7c_1a44)
                == "019a6f1c-3b2e-7c41-9d0a-5e8f2b7c1a44")
    }

    @Test func theRequestIDMakerIsInjectable() async throws {
        let clock = SimulationClock()
        var configuration = Fixture.configuration()
        configuration.makeRequestID = { "replica-b-000042" }
        let gateway = try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: ScriptedUpstream.accepting(),
            configuration: configuration,
            clock: clock)
        let answers = try await send([(.zero, Fixture.request())], to: gateway)
        #expect(answers[0].response.header(SettlementHeaderName.requestID) == "replica-b-000042")
    }
}
