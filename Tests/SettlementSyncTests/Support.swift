import ETRMContracts
import ETRMShared
import Idempotency
import Resilience
import ResilienceTesting
import SettlementSync
import SettlementSyncTesting

/// An upstream whose every attempt is answered by a closure, counting the attempts.
final class ScriptedUpstream: SettlementUpstream {
    private let script: @Sendable (UpstreamSubmission, Int) async throws -> UpstreamReply
    private let state = LockedState<[UpstreamSubmission]>([])

    init(_ script: @escaping @Sendable (UpstreamSubmission, Int) async throws -> UpstreamReply) {
        self.script = script
    }

    /// Acknowledges every attempt with the submitted position.
    static func accepting() -> ScriptedUpstream {
        ScriptedUpstream { submission, attempt in
            .acknowledged(
                UpstreamAcknowledgement(reference: "ETRM-\(attempt)", acknowledgedPositionMWh: submission.positionMWh))
        }
    }

    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        let attempt = state.withLock { submissions in
            submissions.append(submission)
            return submissions.count
        }
        return try await script(submission, attempt)
    }

    var attempts: Int { state.withLock { $0.count } }
    var submissions: [UpstreamSubmission] { state.withLock { $0 } }
}

/// Collects audit events.
final class AuditLog: SettlementAuditObserver {
    private let events = LockedState<[SettlementAuditEvent]>([])
    func record(_ event: SettlementAuditEvent) { events.withLock { $0.append(event) } }
    var all: [SettlementAuditEvent] { events.withLock { $0 } }
}

enum Fixture {
    static let run = "SR20260122000001"
    static let scope = "DESK-07; contracts=DEBY*,NLPK-2026-Q1"

    static func body(
        run: String = Fixture.run, contract: String = "DEBY-2026-01", position: String = "125.5",
        price: String = "87.25", timestamp: String = "2026-01-22T10:00:00Z"
    ) -> [UInt8] {
        Array(
            (#"{"settlement_run_id":"\#(run)","contract_id":"\#(contract)","position_mwh":\#(position),"#
                + #""settlement_price":\#(price),"timestamp_utc":"\#(timestamp)"}"#).utf8)
    }

    static func request(
        body: [UInt8] = Fixture.body(), key: String? = "key-1", run: String? = Fixture.run,
        scope: String? = Fixture.scope
    ) -> SettlementRequest {
        var headers: [HTTPHeaderField] = []
        if let run { headers.append(HTTPHeaderField(SettlementHeaderName.settlementRunID, run)) }
        if let scope { headers.append(HTTPHeaderField(SettlementHeaderName.traderScope, scope)) }
        if let key { headers.append(HTTPHeaderField(SettlementHeaderName.idempotencyKey, key)) }
        return SettlementRequest(headers: headers, body: body)
    }

    /// Short, test-sized settings: 3 attempts 100 ms apart, 1 s attempt timeout, a breaker that opens after 3
    /// consecutive failures for 30 s.
    static func configuration(
        breakerThreshold: Int = 3, deskCapacity: Int = 1_000, observer: (any ResilienceObserver)? = nil
    ) -> SettlementGatewayConfiguration {
        .init(
            lease: .seconds(60), attemptTimeout: .seconds(1),
            retry: .init(
                maxAttempts: 3, backoff: .constant(.milliseconds(100)), jitter: .none, overallTimeout: .seconds(10)),
            breaker: .init(
                mode: .consecutiveFailures(breakerThreshold), openDuration: .seconds(30), observer: observer),
            deskRateLimit: .init(capacity: deskCapacity, refill: 1, per: .seconds(1)),
            unavailableRetryAfter: .seconds(7))
    }

    typealias Gateway = SettlementGateway<SimulationClock, InMemoryIdempotencyStore<SimulationClock>, ScriptedUpstream>

    static func gateway(
        upstream: ScriptedUpstream, clock: SimulationClock = SimulationClock(),
        configuration: SettlementGatewayConfiguration = Fixture.configuration(),
        reconciler: SettlementReconciler = SettlementReconciler(), audit: AuditLog? = nil
    ) throws -> Gateway {
        try SettlementGateway(
            store: InMemoryIdempotencyStore(clock: clock), upstream: upstream, configuration: configuration,
            clock: clock, reconciler: reconciler, auditObserver: audit)
    }

    /// Handles `request` with the simulation driver moving time whenever the request sleeps.
    static func handle<Store: IdempotencyStore>(
        _ request: SettlementRequest, on gateway: SettlementGateway<SimulationClock, Store, ScriptedUpstream>
    ) async throws -> SettlementResponse {
        let clock = gateway.clock
        return try await SimulationDriver.run(clock: clock) {
            await clock.participate(0) { await gateway.handle(request) }
        }
    }
}

extension SettlementResponse {
    /// The problem document's `type`, when the body is one.
    var problemType: String? {
        guard let range = bodyText.range(of: #""type":""#) else { return nil }
        let rest = bodyText[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// An upstream that records, per upstream idempotency key, every owner fence whose submission reached its
/// booking step, and books each key once (de-duplicating on the key, as the contract asks).
///
/// `bookAfter` and `answerAfter` are measured from the start of an attempt; both waits ignore cancellation
/// (a blocking SDK): the attempt goes on after the gateway's attempt timeout.
final class BookingUpstream: SettlementUpstream {
    struct State {
        var fences: [String: Set<UInt64>] = [:]
        var bookings: [String: UpstreamAcknowledgement] = [:]
        var attempts = 0
    }
    let clock: SimulationClock
    let bookAfter: Duration
    let answerAfter: Duration
    private let state = LockedState(State())

    init(clock: SimulationClock, bookAfter: Duration, answerAfter: Duration) {
        self.clock = clock
        self.bookAfter = bookAfter
        self.answerAfter = answerAfter
    }

    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        let start = clock.now
        state.withLock { $0.attempts += 1 }
        await deafSleep(until: start.advanced(by: bookAfter))
        let acknowledgement = state.withLock { state in
            state.fences[submission.idempotencyKey, default: []].insert(submission.fence)
            if let booked = state.bookings[submission.idempotencyKey] { return booked }
            let booked = UpstreamAcknowledgement(
                reference: "ETRM-\(state.bookings.count + 1)", acknowledgedPositionMWh: submission.positionMWh)
            state.bookings[submission.idempotencyKey] = booked
            return booked
        }
        await deafSleep(until: start.advanced(by: answerAfter))
        return .acknowledged(acknowledgement)
    }

    private func deafSleep(until deadline: SimulationClock.Instant) async {
        await clock.deafSleep(until: deadline)
    }

    /// The number of distinct owners (fences) whose submission of one key reached the booking step, the most
    /// over all keys.
    var mostOwnersPerKey: Int { state.withLock { $0.fences.values.map(\.count).max() ?? 0 } }
    /// Keys booked.
    var bookings: Int { state.withLock { $0.bookings.count } }
    /// Attempts made.
    var attempts: Int { state.withLock { $0.attempts } }
}

/// A store in front of an in-memory store that fails as a test says: a claim that hangs, a claim that throws an
/// error of the store's own kind, completions that fail.
final class FaultyStore: IdempotencyStore {
    struct PoolError: Error, CustomStringConvertible {
        var description: String { "connection pool exhausted: postgres://settle:pw@db.internal:5432" }
    }
    struct Faults: Sendable {
        var claimHangs: Duration?
        var claimThrows = false
        var failingCompletes = 0
    }
    let base: InMemoryIdempotencyStore<SimulationClock>
    let clock: SimulationClock
    private let faults: LockedState<Faults>

    init(clock: SimulationClock, faults: Faults) throws {
        self.clock = clock
        base = try InMemoryIdempotencyStore(clock: clock)
        self.faults = LockedState(faults)
    }

    func claim(_ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration) async throws -> ClaimOutcome {
        let faults = self.faults.withLock { $0 }
        if let hang = faults.claimHangs {
            // Ignores cancellation, as a client stuck on a dead connection does.
            await clock.deafSleep(until: clock.now.advanced(by: hang))
        }
        if faults.claimThrows { throw PoolError() }
        return try await base.claim(key, fingerprint: fingerprint, lease: lease)
    }

    func complete(_ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration) async throws {
        let fail = faults.withLock { faults in
            defer { faults.failingCompletes -= 1 }
            return faults.failingCompletes > 0
        }
        if fail { throw PoolError() }
        try await base.complete(key, token: token, response: response, ttl: ttl)
    }

    func release(_ key: IdempotencyKey, token: OwnerToken) async throws {
        try await base.release(key, token: token)
    }

    func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws {
        try await base.extendLease(key, token: token, lease: lease)
    }
}
