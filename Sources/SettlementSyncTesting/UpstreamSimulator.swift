import ETRMContracts
import ETRMShared
import Foundation
import Resilience
import ResilienceTesting
import SettlementSync

/// The faults an ``UpstreamSimulator`` injects.
public struct FaultProfile: Sendable, Hashable {
    /// The profile's name, as given on the command line.
    public var name: String
    /// The fastest answer.
    public var minimumLatency: Duration
    /// The typical answer time (the median of a log-normal spread above the minimum).
    public var medianLatency: Duration
    /// The spread: latency = minimum + median × e^(σ·z), z standard normal.
    public var latencySigma: Double
    /// The share of attempts that fail with a transient error (HTTP 503 from the upstream).
    public var errorRate: Double
    /// The share of attempts answered 429 with a `Retry-After`.
    public var throttleRate: Double
    /// The upstream's `Retry-After` on a 429.
    public var throttleRetryAfter: Duration
    /// The simulated time span during which every attempt fails (a full outage), if any.
    public var outage: Range<Duration>?
    /// The share of contracts the upstream refuses for a business reason (decided per contract, so every
    /// retry of one instruction gets the same answer).
    public var rejectionRate: Double
    /// The share of attempts that ignore cancellation (a blocking SDK): they take ``deafLatency`` whatever the
    /// gateway's attempt timeout does, then go on to book.
    public var deafRate: Double
    /// How long a deaf attempt takes.
    public var deafLatency: Duration
    /// The share of attempts that book at once and answer ``lateAnswer`` later, ignoring cancellation: the
    /// gateway's attempt timeout has passed by then, so the outcome is ambiguous to it.
    public var lateRate: Double
    /// How long after booking a late attempt answers.
    public var lateAnswer: Duration

    /// Creates a profile.
    ///
    /// - Parameters:
    ///   - name: The name.
    ///   - minimumLatency: The fastest answer.
    ///   - medianLatency: The median latency above the minimum.
    ///   - latencySigma: The log-normal spread.
    ///   - errorRate: The transient error share.
    ///   - throttleRate: The 429 share.
    ///   - throttleRetryAfter: The 429's `Retry-After`.
    ///   - outage: The outage window, if any.
    ///   - rejectionRate: The business rejection share.
    ///   - deafRate: The share of attempts that ignore cancellation.
    ///   - deafLatency: How long a deaf attempt takes.
    ///   - lateRate: The share of attempts that book at once and answer late.
    ///   - lateAnswer: How long after booking a late attempt answers.
    public init(
        name: String, minimumLatency: Duration = .zero, medianLatency: Duration = .zero, latencySigma: Double = 0,
        errorRate: Double = 0, throttleRate: Double = 0, throttleRetryAfter: Duration = .seconds(1),
        outage: Range<Duration>? = nil, rejectionRate: Double = 0, deafRate: Double = 0,
        deafLatency: Duration = .milliseconds(600), lateRate: Double = 0, lateAnswer: Duration = .milliseconds(700)
    ) {
        self.name = name
        self.minimumLatency = minimumLatency
        self.medianLatency = medianLatency
        self.latencySigma = latencySigma
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.throttleRetryAfter = throttleRetryAfter
        self.outage = outage
        self.rejectionRate = rejectionRate
        self.deafRate = deafRate
        self.deafLatency = deafLatency
        self.lateRate = lateRate
        self.lateAnswer = lateAnswer
    }

    /// No latency and no faults: the benchmark's upstream.
    public static let noFaults = FaultProfile(name: "none")

    /// Some latency, 1 % errors, 0.5 % throttling, 0.5 % rejections, no outage.
    public static let flaky = FaultProfile(
        name: "flaky", minimumLatency: .milliseconds(2), medianLatency: .milliseconds(15), latencySigma: 0.8,
        errorRate: 0.01, throttleRate: 0.005, rejectionRate: 0.005)

    /// ``flaky`` plus a full outage from 1.0 s to 2.5 s of simulated time, and 0.5 % deaf and 0.5 % late
    /// attempts (600 ms and 700 ms, past the simulation's 250 ms attempt timeout): the default.
    public static let withOutage = FaultProfile(
        name: "outage", minimumLatency: .milliseconds(2), medianLatency: .milliseconds(15), latencySigma: 0.8,
        errorRate: 0.01, throttleRate: 0.005, outage: Duration.milliseconds(1000)..<Duration.milliseconds(2500),
        rejectionRate: 0.005, deafRate: 0.005, lateRate: 0.005)

    /// Only deaf and late attempts, 5 % each, beside ``flaky``'s latency: the ambiguous outcomes at a rate
    /// that keeps the gateway's ownership rule busy.
    public static let deafAndLate = FaultProfile(
        name: "deaf-late", minimumLatency: .milliseconds(2), medianLatency: .milliseconds(15), latencySigma: 0.8,
        deafRate: 0.05, lateRate: 0.05)

    /// Slow answers (a tail past the gateway's attempt timeout) and 5 % errors, no outage.
    public static let slow = FaultProfile(
        name: "slow", minimumLatency: .milliseconds(20), medianLatency: .milliseconds(120), latencySigma: 1.2,
        errorRate: 0.05, throttleRate: 0.01, rejectionRate: 0.005)

    /// The named profiles.
    public static let all: [FaultProfile] = [.noFaults, .flaky, .withOutage, .slow, .deafAndLate]
}

/// An in-process upstream ETRM with injected faults, counting what it booked.
///
/// One attempt: sleep the sampled latency on the clock (cancellation, from the gateway's attempt timeout,
/// ends it unbooked), then fail if the clock is inside the outage window or the dice say error or 429, then
/// refuse a contract chosen for rejection, else book the instruction and acknowledge its position. A *deaf*
/// attempt sleeps ``FaultProfile/deafLatency`` ignoring cancellation and goes on; a *late* one books at once
/// and answers ``FaultProfile/lateAnswer`` later, ignoring cancellation. Like a real ETRM it de-duplicates on
/// the submission's upstream idempotency key, and it records every owner fence that reached its booking step:
/// a key reached by two owners is a violation of the gateway's guarantee.
public final class UpstreamSimulator<C: Clock>: SettlementUpstream where C.Duration == Duration {
    /// The injected faults.
    public let profile: FaultProfile
    private let clock: C
    private let origin: C.Instant
    private let state: LockedState<State>
    /// Runs whose acknowledgements are scaled by a factor (reconciliation drift), by run id.
    private let drift: [String: ExactDecimal]

    struct State {
        let seed: UInt64
        var attemptsPerKey: [String: UInt64] = [:]
        var bookings: [String: Int] = [:]
        var bookedFence: [String: (fence: UInt64, acknowledgement: UpstreamAcknowledgement)] = [:]
        var owners: [String: Set<UInt64>] = [:]
        var deaf = 0
        var late = 0
        var retriesAbsorbed = 0
        var resubmissionsUnderNewFence = 0
        var attempts = 0
        var failures = 0
        var throttled = 0
        var rejections = 0
        var cancelled = 0
        var outageFailures = 0
    }

    /// What the upstream saw.
    public struct Counters: Sendable, Hashable {
        /// Attempts that reached the upstream.
        public var attempts: Int
        /// Instructions booked, counted once per booking.
        public var bookings: Int
        /// Distinct idempotency keys booked.
        public var distinctKeysBooked: Int
        /// Keys booked more than once (must stay 0).
        public var keysBookedTwice: Int
        /// Transient errors injected (outside the outage).
        public var failures: Int
        /// Attempts failed by the outage.
        public var outageFailures: Int
        /// 429s injected.
        public var throttled: Int
        /// Business rejections.
        public var rejections: Int
        /// Attempts cancelled before they finished (attempt timeout).
        public var cancelled: Int
        /// Re-submissions of a booked key under the same fence (one request's retry after a timeout that hit
        /// after the booking): answered with the original acknowledgement, not booked again.
        public var retriesAbsorbed: Int
        /// Re-submissions of a booked key under a new fence: a second owner forwarded the same instruction
        /// (must stay 0; the gateway's idempotency is what prevents it).
        public var resubmissionsUnderNewFence: Int
        /// Keys whose submissions reached the booking step at all.
        public var keysSubmitted: Int
        /// Keys whose submissions reached the booking step under two or more owner fences (must stay 0).
        public var keysSubmittedUnderTwoOwners: Int
        /// Attempts that ignored cancellation.
        public var deaf: Int
        /// Attempts that booked at once and answered late.
        public var late: Int
    }

    /// Creates a simulator.
    ///
    /// - Parameters:
    ///   - profile: The faults.
    ///   - clock: The clock latencies and the outage window are measured on.
    ///   - seed: The seed of the fault dice.
    ///   - drift: Runs whose acknowledged positions differ from the accepted ones, with the factor applied.
    public init(profile: FaultProfile, clock: C, seed: UInt64, drift: [String: ExactDecimal] = [:]) {
        self.profile = profile
        self.clock = clock
        self.origin = clock.now
        self.drift = drift
        state = LockedState(State(seed: seed))
    }

    public func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        // The dice of an attempt depend on the seed, the instruction and its attempt number only, not on the
        // order in which concurrent desks reach the upstream: runs with one seed see the same faults.
        let (latency, roll, ambiguity) = state.withLock { state -> (Duration, Double, Double) in
            state.attempts += 1
            let attempt = (state.attemptsPerKey[submission.idempotencyKey] ?? 0) + 1
            state.attemptsPerKey[submission.idempotencyKey] = attempt
            var random = SeededGenerator(seed: Self.hash(submission.idempotencyKey, state.seed &+ attempt))
            let latency = sampleLatency(&random)
            let roll = Double.random(in: 0..<1, using: &random)
            return (latency, roll, Double.random(in: 0..<1, using: &random))
        }
        let late = ambiguity < profile.lateRate
        if late {
            state.withLock { $0.late += 1 }
            let reply = try book(submission, roll: roll)
            await deafSleep(profile.lateAnswer)
            return reply
        }
        if ambiguity < profile.lateRate + profile.deafRate {
            state.withLock { $0.deaf += 1 }
            await deafSleep(profile.deafLatency)
            return try book(submission, roll: roll)
        }
        if latency > .zero {
            do {
                // The gateway runs the attempt on a timeout's child task: the desk waits for this sleep.
                try await SimulationClock.waitedFor {
                    try await clock.sleep(until: clock.now.advanced(by: latency), tolerance: nil)
                }
            } catch {
                state.withLock { $0.cancelled += 1 }
                throw error
            }
        }
        if Task.isCancelled {
            state.withLock { $0.cancelled += 1 }
            throw CancellationError()
        }
        return try book(submission, roll: roll)
    }

    /// The faults after the latency, then the booking step.
    private func book(_ submission: UpstreamSubmission, roll: Double) throws -> UpstreamReply {
        let elapsed = origin.duration(to: clock.now)
        if let outage = profile.outage, outage.contains(elapsed) {
            state.withLock { $0.outageFailures += 1 }
            throw UpstreamError(code: .unavailable, message: "upstream outage (simulated)")
        }
        if roll < profile.errorRate {
            state.withLock { $0.failures += 1 }
            throw UpstreamError(code: .unavailable, message: "upstream answered 503 (simulated)")
        }
        if roll < profile.errorRate + profile.throttleRate {
            state.withLock { $0.throttled += 1 }
            throw UpstreamError(
                code: .throttled, message: "upstream answered 429 (simulated)", retryAfter: profile.throttleRetryAfter)
        }
        _ = state.withLock { $0.owners[submission.idempotencyKey, default: []].insert(submission.fence) }
        if Self.isRejected(contractID: submission.contractID, rate: profile.rejectionRate) {
            state.withLock { $0.rejections += 1 }
            return .rejected(
                UpstreamRejection(code: "CONTRACT_CLOSED", reason: "contract \(submission.contractID) is closed"))
        }
        var acknowledged = submission.positionMWh
        if let factor = drift[submission.settlementRunID] {
            acknowledged =
                (try? submission.positionMWh.multipliedFullWidth(by: factor).rounded(scale: 5)) ?? acknowledged
        }
        let positionBooked = acknowledged
        let acknowledgement = state.withLock { state -> UpstreamAcknowledgement in
            // A real ETRM de-duplicates on the submission id (the key hash): a retry whose earlier attempt was
            // booked but timed out on the way back gets the original acknowledgement. A new fence on a booked
            // key means a second owner sent the instruction: counted as a violation.
            if let booked = state.bookedFence[submission.idempotencyKey] {
                if booked.fence == submission.fence {
                    state.retriesAbsorbed += 1
                } else {
                    state.resubmissionsUnderNewFence += 1
                    state.bookings[submission.idempotencyKey, default: 0] += 1
                }
                return booked.acknowledgement
            }
            state.bookings[submission.idempotencyKey, default: 0] += 1
            let acknowledgement = UpstreamAcknowledgement(
                reference: "ETRM-\(state.bookings.count)", acknowledgedPositionMWh: positionBooked)
            state.bookedFence[submission.idempotencyKey] = (submission.fence, acknowledgement)
            return acknowledgement
        }
        return .acknowledged(acknowledgement)
    }

    /// Sleeps `duration` ignoring cancellation (``SimulationClock/deafSleep(until:)`` on the simulation clock).
    private func deafSleep(_ duration: Duration) async {
        if let simulation = clock as? SimulationClock {
            await simulation.deafSleep(until: simulation.now.advanced(by: duration))
            return
        }
        let clock = self.clock
        await Task { try? await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }.value
    }

    /// FNV-1a of `text`, starting from `seed`.
    static func hash(_ text: String, _ seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// Whether the simulator refuses `contractID` (a hash of the id against the rate).
    public static func isRejected(contractID: String, rate: Double) -> Bool {
        guard rate > 0 else { return false }
        return Double(hash(contractID, 0) % 1_000_000) / 1_000_000 < rate
    }

    /// Bookings per idempotency key hash.
    public var bookings: [String: Int] { state.withLock { $0.bookings } }

    /// What the upstream saw so far.
    public var counters: Counters {
        state.withLock { state in
            Counters(
                attempts: state.attempts, bookings: state.bookings.values.reduce(0, +),
                distinctKeysBooked: state.bookings.count,
                keysBookedTwice: state.bookings.values.filter { $0 > 1 }.count,
                failures: state.failures, outageFailures: state.outageFailures, throttled: state.throttled,
                rejections: state.rejections, cancelled: state.cancelled, retriesAbsorbed: state.retriesAbsorbed,
                resubmissionsUnderNewFence: state.resubmissionsUnderNewFence, keysSubmitted: state.owners.count,
                keysSubmittedUnderTwoOwners: state.owners.values.filter { $0.count > 1 }.count, deaf: state.deaf,
                late: state.late)
        }
    }

    private func sampleLatency(_ random: inout SeededGenerator) -> Duration {
        guard profile.medianLatency > .zero else { return profile.minimumLatency }
        // Box–Muller: a standard normal from two uniforms.
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let u2 = Double.random(in: 0..<1, using: &random)
        let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        let median =
            Double(profile.medianLatency.components.attoseconds) / 1e18
            + Double(profile.medianLatency.components.seconds)
        let seconds = median * exp(profile.latencySigma * z)
        return profile.minimumLatency + .nanoseconds(Int64(min(seconds, 3600) * 1e9))
    }
}
