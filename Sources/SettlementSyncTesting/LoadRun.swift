import ETRMContracts
import ETRMShared
import Foundation
import Idempotency
import Resilience
import ResilienceTesting
import SettlementSync
import Synchronization

/// The settings of a ``LoadRun``.
public struct LoadOptions: Sendable {
    /// Requests in the workload (desk retries come on top).
    public var requests = 2_000
    /// Concurrent desk workers.
    public var concurrency = 64
    /// Desk identities (each served by `concurrency / desks` workers, so a desk's duplicates can overlap).
    public var desks = 16
    /// The share of exact duplicates.
    public var duplicateRate = 0.05
    /// The share of key re-use with another payload.
    public var conflictRate = 0.01
    /// The share of invalid payloads.
    public var invalidRate = 0.02
    /// The upstream's faults.
    public var profile = FaultProfile.withOutage
    /// The seed of the workload, the fault dice and the retry jitter.
    public var seed: UInt64 = 42
    /// The journal directory for a durable store, or `nil` for the in-memory store.
    public var journalPath: String?
    /// The simulated time the desks spread their requests over.
    public var duration: Duration = .seconds(5)
    /// How often a desk re-sends a request answered 409, 429 or 503 (after its `Retry-After`).
    public var deskRetries = 8
    /// Runs whose upstream acknowledgements drift by 1 % (the reconciliation hold), counted from the first run.
    public var driftingRuns = 1

    /// Creates the default options.
    public init() {}

    /// The gateway settings of the simulation: short timeouts on simulated time.
    public static func gatewayConfiguration(
        seed: UInt64, observer: (any ResilienceObserver)?
    ) -> SettlementGatewayConfiguration {
        .init(
            lease: .seconds(60), attemptTimeout: .milliseconds(250),
            retry: .init(
                name: "settlement.upstream.retry", maxAttempts: 4,
                backoff: .exponential(initial: .milliseconds(50), maximum: .seconds(1)), jitter: .full,
                overallTimeout: .seconds(5), maximumServerDelay: .seconds(2),
                random: RandomSource(SeededRandom(seed: seed))),
            breaker: .init(
                name: "settlement.upstream.breaker", mode: .consecutiveFailures(8), openDuration: .seconds(1),
                observer: observer),
            deskRateLimit: .init(name: "settlement.desk.limiter", capacity: 40, refill: 200, per: .seconds(1)),
            unavailableRetryAfter: .seconds(1))
    }
}

/// A seeded generator for the retry's jitter.
struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1CE_5EED }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One checked invariant.
public struct InvariantResult: Sendable, Hashable {
    /// What is checked.
    public var name: String
    /// Whether it held.
    public var passed: Bool
    /// The figures behind the verdict.
    public var detail: String
}

/// What a load run did and found.
public struct LoadReport: Sendable {
    /// The options.
    public var options: LoadOptions
    /// Responses by status.
    public var statusCounts: [Int: Int]
    /// Audit events by `"<status> <outcome>"`.
    public var outcomeCounts: [String: Int]
    /// Requests handed to the gateway (workload requests plus desk retries).
    public var sends: Int
    /// Responses received.
    public var responses: Int
    /// Audit events recorded.
    public var auditEvents: Int
    /// Distinct instructions answered 201 (first time or replayed).
    public var acceptedInstructions: Int
    /// What the upstream saw.
    public var upstream: UpstreamSimulator<SimulationClock>.Counters
    /// Breaker transitions: simulated seconds, from, to.
    public var breakerTransitions: [(Double, CircuitBreakerState, CircuitBreakerState)]
    /// Runs the reconciliation put on hold.
    public var runsOnHold: [String]
    /// The simulated seconds the run took.
    public var simulatedSeconds: Double
    /// The real seconds the run took.
    public var wallSeconds: Double
    /// The invariants, in the order checked.
    public var invariants: [InvariantResult]
    /// The first 201 body of each workload request answered 201, by workload index.
    public var acceptedBodiesBySpec: [Int: [UInt8]]

    /// Whether every invariant held.
    public var passed: Bool { invariants.allSatisfy(\.passed) }
}

/// Drives a `SettlementGateway` with simulated desks against an ``UpstreamSimulator`` on a
/// `SimulationClock` and checks the flow's invariants.
public enum LoadRun {
    /// Runs the load and checks every invariant.
    ///
    /// - Parameter options: The load, faults and store.
    /// - Returns: The report.
    /// - Throws: A configuration or journal error (the run itself reports failures as invariants).
    public static func run(_ options: LoadOptions) async throws -> LoadReport {
        let clock = SimulationClock()
        if let path = options.journalPath {
            let store = try JournalIdempotencyStore(directory: path)
            var report = try await run(options, clock: clock, store: store)
            await store.close()
            report.invariants.append(try await checkRestart(options, path: path, firstRun: report))
            return report
        }
        let store = try InMemoryIdempotencyStore(configuration: .init(capacity: 1_000_000), clock: clock)
        var report = try await run(options, clock: clock, store: store)
        report.invariants.append(
            InvariantResult(
                name: "restart replays completed requests", passed: true,
                detail: "not applicable to the in-memory store (run with --journal PATH)"))
        return report
    }

    final class Cursors: Sendable {
        let state: LockedState<[Int]>
        init(count: Int) { state = LockedState([Int](repeating: 0, count: count)) }
    }

    final class Collector: Sendable {
        struct State {
            var sends = 0
            var responses = 0
            var statusCounts: [Int: Int] = [:]
            var events: [SettlementAuditEvent] = []
            var transitions: [(Double, CircuitBreakerState, CircuitBreakerState)] = []
            var acceptedBodies: [Int: [UInt8]] = [:]
        }
        let state = LockedState(State())
    }

    static func run<Store: IdempotencyStore>(
        _ options: LoadOptions, clock: SimulationClock, store: Store
    ) async throws -> LoadReport {
        let started = ContinuousClock.now
        let collector = Collector()
        let workload = Workload(
            requests: options.requests, desks: min(options.desks, options.concurrency),
            duplicateRate: options.duplicateRate, conflictRate: options.conflictRate,
            invalidRate: options.invalidRate, seed: options.seed)
        let drift = Dictionary(
            uniqueKeysWithValues: workload.runIDs.prefix(options.driftingRuns).map {
                ($0, ExactDecimal(significand: 101, scale: 2))
            })
        let upstream = UpstreamSimulator(profile: options.profile, clock: clock, seed: options.seed &+ 1, drift: drift)
        let breakerObserver = ClosureObserver { event in
            if event.kind == .circuitStateChanged, let from = event.previousState, let to = event.state {
                let at = clock.elapsedSeconds
                collector.state.withLock { $0.transitions.append((at, from, to)) }
            }
        }
        let auditObserver = ClosureAuditObserver { event in
            collector.state.withLock { $0.events.append(event) }
        }
        let configuration = LoadOptions.gatewayConfiguration(seed: options.seed, observer: breakerObserver)
        let gateway = try SettlementGateway(
            store: store, upstream: upstream, configuration: configuration,
            clock: clock, auditObserver: auditObserver)

        let desks = workload.queues.count
        let cursors = Cursors(count: desks)
        let pace = options.duration * options.concurrency / max(1, options.requests)
        // Every worker counts as awake before its task starts: time must not move while some have not begun.
        clock.enroll(0..<max(1, options.concurrency))
        try await SimulationDriver.run(clock: clock) {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<max(1, options.concurrency) {
                    let desk = worker % desks
                    group.addTask {
                        await clock.participate(worker) {
                            var random = SeededRandom(seed: options.seed &+ UInt64(worker) &* 7919)
                            while true {
                                let next: RequestSpec? = cursors.state.withLock { cursors in
                                    guard cursors[desk] < workload.queues[desk].count else { return nil }
                                    defer { cursors[desk] += 1 }
                                    return workload.queues[desk][cursors[desk]]
                                }
                                guard let spec = next else { return }
                                // Think time: exponential around the pace, so the load spreads over the duration.
                                let think = pace * (-log(Double.random(in: Double.ulpOfOne..<1, using: &random)))
                                try? await clock.sleep(until: clock.now.advanced(by: think))
                                await send(
                                    spec, gateway: gateway, clock: clock, retries: options.deskRetries, to: collector)
                            }
                        }
                    }
                }
            }
        }

        let upstreamCounters = upstream.counters
        let snapshot = collector.state.withLock { $0 }
        var invariants: [InvariantResult] = []

        invariants.append(
            InvariantResult(
                name: "every request gets exactly one response",
                passed: snapshot.sends == snapshot.responses && snapshot.responses == snapshot.events.count,
                detail: "\(snapshot.sends) sent, \(snapshot.responses) responses, \(snapshot.events.count) audit events"
            ))

        let acceptedKeys = Set(snapshot.events.filter { $0.status == 201 }.compactMap(\.keyHash))
        let bookings = upstream.bookings
        let twice = bookings.filter { $0.value > 1 }.count + upstreamCounters.resubmissionsUnderNewFence
        let bookedNotAccepted = Set(bookings.keys).subtracting(acceptedKeys).count
        let acceptedNotBooked = acceptedKeys.subtracting(bookings.keys).count
        invariants.append(
            InvariantResult(
                name: "every accepted instruction reached the upstream exactly once",
                passed: twice == 0 && bookedNotAccepted == 0 && acceptedNotBooked == 0,
                detail:
                    "\(acceptedKeys.count) accepted, \(bookings.count) booked, \(twice) booked twice or re-sent under a new owner, \(upstreamCounters.retriesAbsorbed) retries after an ambiguous timeout absorbed by the upstream key, \(acceptedNotBooked) accepted but not booked, \(bookedNotAccepted) booked but never answered 201"
            ))

        invariants.append(
            InvariantResult(
                name: "no instruction submitted under two owners",
                passed: upstreamCounters.keysSubmittedUnderTwoOwners == 0,
                detail:
                    "\(upstreamCounters.keysSubmittedUnderTwoOwners) instructions submitted under two owners, of \(upstreamCounters.keysSubmitted) that reached the booking step (\(upstreamCounters.deaf) deaf and \(upstreamCounters.late) late attempts)"
            ))

        let stuck = try await keysInProgress(workload: workload, store: store, operation: configuration.operation)
        invariants.append(
            InvariantResult(
                name: "no key stays in progress", passed: stuck.inProgress == 0,
                detail:
                    "\(stuck.checked) keys re-claimed: \(stuck.completed) completed, \(stuck.free) free, \(stuck.mismatched) bound to another payload, \(stuck.inProgress) in progress"
            ))

        invariants.append(
            breakerInvariant(options.profile, transitions: snapshot.transitions, final: gateway.breaker.state))

        let held = gateway.reconciler.allRuns.filter { $0.value.onHold }.map { $0.key }.sorted()
        let expectedHeld = Set(workload.runIDs.prefix(options.driftingRuns))
        let touchedDrift = expectedHeld.filter { gateway.reconciler.state(of: $0) != nil }
        invariants.append(
            InvariantResult(
                name: "runs drifting over 0.5 % are on hold, the others are not",
                passed: Set(held) == touchedDrift,
                detail:
                    "on hold: \(held.isEmpty ? "none" : held.joined(separator: ", ")); drifting runs booked: \(touchedDrift.count)"
            ))

        return LoadReport(
            options: options, statusCounts: snapshot.statusCounts,
            outcomeCounts: snapshot.events.reduce(into: [:]) { $0["\($1.status) \($1.outcome)", default: 0] += 1 },
            sends: snapshot.sends, responses: snapshot.responses, auditEvents: snapshot.events.count,
            acceptedInstructions: acceptedKeys.count, upstream: upstreamCounters,
            breakerTransitions: snapshot.transitions, runsOnHold: held, simulatedSeconds: clock.elapsedSeconds,
            wallSeconds: Self.seconds(since: started), invariants: invariants,
            acceptedBodiesBySpec: snapshot.acceptedBodies)
    }

    /// Sends `spec`, re-sending after `Retry-After` on 409, 429 and 503 up to `retries` times.
    static func send<Store: IdempotencyStore>(
        _ spec: RequestSpec,
        gateway: SettlementGateway<SimulationClock, Store, UpstreamSimulator<SimulationClock>>,
        clock: SimulationClock, retries: Int, to collector: Collector
    ) async {
        var attempt = 0
        while true {
            collector.state.withLock { $0.sends += 1 }
            let response = await gateway.handle(spec.request)
            collector.state.withLock { state in
                state.responses += 1
                state.statusCounts[response.status, default: 0] += 1
                if response.status == 201, state.acceptedBodies[spec.index] == nil {
                    state.acceptedBodies[spec.index] = response.body
                }
            }
            attempt += 1
            guard [409, 429, 503].contains(response.status), attempt <= retries,
                let retryAfter = response.header(SettlementHeaderName.retryAfter).flatMap(Int64.init)
            else { return }
            try? await clock.sleep(until: clock.now.advanced(by: .seconds(retryAfter)))
        }
    }

    struct KeyCensus {
        var checked = 0
        var completed = 0
        var free = 0
        var mismatched = 0
        var inProgress = 0
    }

    /// Re-claims every key the workload used (with its payload's fingerprint), through the store's public
    /// protocol: a key still in progress is a leak.
    static func keysInProgress<Store: IdempotencyStore>(
        workload: Workload, store: Store, operation: String
    ) async throws -> KeyCensus {
        var seen = Set<[UInt8]>()
        var probes: [(IdempotencyKey, Fingerprint)] = []
        for spec in workload.queues.joined() where spec.kind != .invalid {
            guard let canonical = try? Fingerprint.canonicalJSON(spec.body) else { continue }
            let scope = try IdempotencyScope(tenant: workload.deskNames[spec.desk], operation: operation)
            let run = spec.request.header(SettlementHeaderName.settlementRunID) ?? ""
            let key =
                try spec.idempotencyKey.map { try IdempotencyKey(headerValue: $0, scope: scope) }
                ?? IdempotencyKey.derived(settlementRunID: run, body: canonical, scope: scope)
            let fingerprint = Fingerprint(exactBytes: canonical)
            guard seen.insert(key.storageBytes + fingerprint.bytes).inserted else { continue }
            probes.append((key, fingerprint))
        }
        let probeList = probes
        return try await withThrowingTaskGroup(of: KeyCensus.self) { group in
            let lanes = 32
            for lane in 0..<lanes {
                group.addTask {
                    var census = KeyCensus()
                    for index in stride(from: lane, to: probeList.count, by: lanes) {
                        let (key, fingerprint) = probeList[index]
                        census.checked += 1
                        switch try await store.claim(key, fingerprint: fingerprint, lease: .seconds(1)) {
                        case .acquired(let token):
                            census.free += 1
                            try await store.release(key, token: token)
                        case .completed: census.completed += 1
                        case .fingerprintMismatch: census.mismatched += 1
                        case .inProgress: census.inProgress += 1
                        }
                    }
                    return census
                }
            }
            var total = KeyCensus()
            for try await part in group {
                total.checked += part.checked
                total.completed += part.completed
                total.free += part.free
                total.mismatched += part.mismatched
                total.inProgress += part.inProgress
            }
            return total
        }
    }

    static func breakerInvariant(
        _ profile: FaultProfile, transitions: [(Double, CircuitBreakerState, CircuitBreakerState)],
        final: CircuitBreakerState
    ) -> InvariantResult {
        let name = "the breaker opens during the outage and closes after it"
        let listed = transitions.map { "\(String(format: "%.3f", $0.0))s \($0.1)→\($0.2)" }.joined(separator: ", ")
        guard let outage = profile.outage else {
            return InvariantResult(
                name: name, passed: final == .closed,
                detail:
                    "no outage in profile '\(profile.name)'; final state \(final); transitions: \(listed.isEmpty ? "none" : listed)"
            )
        }
        let start =
            Double(outage.lowerBound.components.seconds) + Double(outage.lowerBound.components.attoseconds) / 1e18
        let end = Double(outage.upperBound.components.seconds) + Double(outage.upperBound.components.attoseconds) / 1e18
        let openedDuring = transitions.contains { $0.2 == .open && $0.0 >= start && $0.0 <= end + 0.5 }
        let closedAfter = transitions.contains { $0.2 == .closed && $0.0 >= end }
        return InvariantResult(
            name: name, passed: openedDuring && closedAfter && final == .closed,
            detail: "outage \(start)s–\(end)s; final state \(final); transitions: \(listed.isEmpty ? "none" : listed)")
    }

    /// Reopens the journal, re-sends every request answered 201, and checks that each is a replay of the same
    /// bytes and that the upstream books nothing.
    static func checkRestart(
        _ options: LoadOptions, path: String, firstRun: LoadReport
    ) async throws
        -> InvariantResult
    {
        let name = "restart replays completed requests instead of re-sending them"
        let clock = SimulationClock()
        let store = try JournalIdempotencyStore(directory: path)
        let upstream = UpstreamSimulator(profile: .noFaults, clock: clock, seed: options.seed)
        var configuration = LoadOptions.gatewayConfiguration(seed: options.seed, observer: nil)
        configuration.deskRateLimit = .init(capacity: 1_000_000, refill: 1_000_000, per: .seconds(1))
        let gateway = try SettlementGateway(
            store: store, upstream: upstream, configuration: configuration, clock: clock)
        let workload = Workload(
            requests: options.requests, desks: min(options.desks, options.concurrency),
            duplicateRate: options.duplicateRate, conflictRate: options.conflictRate,
            invalidRate: options.invalidRate, seed: options.seed)
        var replayed = 0
        var different = 0
        let accepted = firstRun.acceptedBodiesBySpec
        let specs = Dictionary(uniqueKeysWithValues: workload.queues.joined().map { ($0.index, $0) })
        for (index, body) in accepted.sorted(by: { $0.key < $1.key }) {
            guard let spec = specs[index] else { continue }
            let response = await gateway.handle(spec.request)
            if response.status == 201, response.header(SettlementHeaderName.replayed) == "true", response.body == body {
                replayed += 1
            } else {
                different += 1
            }
        }
        await store.close()
        let booked = upstream.counters.bookings
        return InvariantResult(
            name: name, passed: different == 0 && booked == 0 && replayed == accepted.count,
            detail:
                "journal reopened (\(store.recoveryReport.recordsReplayed) records recovered); \(accepted.count) accepted requests re-sent: \(replayed) replayed byte for byte, \(different) not, \(booked) booked again"
        )
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = start.duration(to: .now).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
