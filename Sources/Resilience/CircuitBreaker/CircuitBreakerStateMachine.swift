/// The logic of a ``CircuitBreaker``: pure, synchronous, and testable without tasks or clocks.
///
/// Every call asks ``acquire(now:)`` for a permit and reports its outcome with
/// ``record(_:outcome:duration:now:)``. A permit remembers the state it was issued in (a generation number),
/// so an outcome that arrives after the breaker has moved on (a slow call that returns after the breaker
/// opened, a probe whose lease expired) is counted in the metrics but cannot flip the state.
///
/// Half-open: at most ``CircuitBreakerConfiguration/halfOpenProbes`` probes hold a permit at once. Each permit
/// is leased for ``CircuitBreakerConfiguration/probeLease``; an expired lease is reclaimed by the next
/// ``acquire(now:)`` and its probe's late outcome is ignored. A probe failure (or slow probe) reopens the
/// breaker; once `halfOpenProbes` probes have succeeded it closes.
@usableFromInline
package struct CircuitBreakerStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    @usableFromInline package typealias Instant = C.Instant
    @usableFromInline package typealias Permit = CircuitBreaker<C>.Permit
    @usableFromInline package typealias Metrics = CircuitBreaker<C>.Metrics

    /// A change of state.
    @usableFromInline
    package struct Transition: Sendable, Hashable {
        /// The state left.
        @usableFromInline package var from: CircuitBreakerState
        /// The state entered.
        @usableFromInline package var to: CircuitBreakerState

        /// Creates a transition.
        /// - Parameters:
        ///   - from: The state left.
        ///   - to: The state entered.
        @usableFromInline
        package init(from: CircuitBreakerState, to: CircuitBreakerState) {
            self.from = from
            self.to = to
        }
    }

    /// The answer to `acquire(now:)`.
    @usableFromInline
    package enum AcquireAction: Sendable, Equatable {
        /// Run the call.
        case permitted(Permit)
        /// Run the call as the first probe: the breaker just went from open to half-open.
        case permittedAfterTransition(Permit, Transition)
        /// Fail fast; `retryAfter` is the time until a probe may be admitted (`nil` when forced open).
        case rejected(retryAfter: Duration?)
    }

    @usableFromInline
    struct Probe: Sendable {
        @usableFromInline var id: UInt64
        @usableFromInline var leaseExpiry: Instant

        @usableFromInline
        init(id: UInt64, leaseExpiry: Instant) {
            self.id = id
            self.leaseExpiry = leaseExpiry
        }
    }

    @usableFromInline
    enum Phase: Sendable {
        case closed
        case open(until: Instant)
        case halfOpen(probes: [Probe], successes: Int)
        case forcedOpen
        case disabled
        case metricsOnly
    }

    @usableFromInline var phase: Phase = .closed
    @usableFromInline var generation: UInt64 = 0
    @usableFromInline var nextProbeID: UInt64 = 0
    @usableFromInline var window: SlidingWindow<Instant>
    @usableFromInline let openDuration: Duration
    @usableFromInline let halfOpenProbes: Int
    @usableFromInline let probeLease: Duration
    @usableFromInline let slowCallDuration: Duration?
    @usableFromInline var metrics = Metrics(
        state: .closed, permittedCalls: 0, rejectedCalls: 0, successfulCalls: 0, failedCalls: 0, ignoredCalls: 0,
        slowCalls: 0, expiredProbeLeases: 0, windowCalls: 0, windowFailures: 0, windowSlowCalls: 0)

    /// Creates a closed breaker's state.
    /// - Parameter configuration: The settings (validated by ``CircuitBreaker``).
    @usableFromInline package init(configuration: CircuitBreakerConfiguration) {
        window = SlidingWindow(configuration: configuration)
        openDuration = configuration.openDuration
        halfOpenProbes = configuration.halfOpenProbes
        probeLease = configuration.probeLease
        slowCallDuration = configuration.slowCallDuration
    }

    /// The current state (an open breaker whose time is up still reads open until the next acquire).
    @inlinable
    package var state: CircuitBreakerState {
        switch phase {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        case .forcedOpen: .forcedOpen
        case .disabled: .disabled
        case .metricsOnly: .metricsOnly
        }
    }

    /// Asks to run one call.
    /// - Parameter now: The current time; read only when the state depends on it (open, half-open).
    /// - Returns: A permit, or a rejection with the time until the next probe.
    @inlinable
    package mutating func acquire(now: @autoclosure () -> Instant) -> AcquireAction {
        switch phase {
        case .closed, .disabled, .metricsOnly:
            metrics.permittedCalls += 1
            return .permitted(Permit(generation: generation, probe: nil))
        case .forcedOpen:
            metrics.rejectedCalls += 1
            return .rejected(retryAfter: nil)
        case .open(let until):
            let now = now()
            guard now >= until else {
                metrics.rejectedCalls += 1
                return .rejected(retryAfter: now.duration(to: until))
            }
            generation &+= 1
            let permit = admitProbe(into: [], successes: 0, now: now)
            return .permittedAfterTransition(permit, Transition(from: .open, to: .halfOpen))
        case .halfOpen(var probes, let successes):
            let now = now()
            let before = probes.count
            probes.removeAll { $0.leaseExpiry <= now }
            metrics.expiredProbeLeases += before - probes.count
            if probes.count + successes < halfOpenProbes {
                return .permitted(admitProbe(into: probes, successes: successes, now: now))
            }
            phase = .halfOpen(probes: probes, successes: successes)
            metrics.rejectedCalls += 1
            let firstExpiry = probes.map(\.leaseExpiry).min()
            return .rejected(retryAfter: firstExpiry.map { now.duration(to: $0) })
        }
    }

    @inlinable
    mutating func admitProbe(into probes: [Probe], successes: Int, now: Instant) -> Permit {
        var probes = probes
        let id = nextProbeID
        nextProbeID &+= 1
        probes.append(Probe(id: id, leaseExpiry: now.advanced(by: probeLease)))
        phase = .halfOpen(probes: probes, successes: successes)
        metrics.permittedCalls += 1
        return Permit(generation: generation, probe: id)
    }

    /// Reports the outcome of a permitted call.
    /// - Parameters:
    ///   - permit: The permit the call ran under.
    ///   - outcome: How the call counts.
    ///   - duration: How long the call took, when slow calls are tracked.
    ///   - now: The current time; read only when needed (time window, opening).
    /// - Returns: The state change the outcome caused, if any.
    @inlinable
    package mutating func record(
        _ permit: Permit, outcome: CircuitBreakerOutcome, duration: Duration? = nil, now: @autoclosure () -> Instant
    ) -> Transition? {
        if case .disabled = phase { return nil }
        let slow = outcome != .ignored && slowCallDuration.map { (duration ?? .zero) >= $0 } ?? false
        switch outcome {
        case .success: metrics.successfulCalls += 1
        case .failure: metrics.failedCalls += 1
        case .ignored: metrics.ignoredCalls += 1
        }
        if slow { metrics.slowCalls += 1 }
        guard permit.generation == generation else { return nil }

        switch phase {
        case .closed, .metricsOnly:
            guard outcome != .ignored else { return nil }
            let time: Instant? = window.needsTime ? now() : nil
            let reached = window.record(failure: outcome == .failure, slow: slow, now: time)
            guard reached, case .closed = phase else { return nil }
            return enter(.open(until: (time ?? now()).advanced(by: openDuration)), from: .closed)
        case .halfOpen(var probes, var successes):
            guard let probeID = permit.probe, let index = probes.firstIndex(where: { $0.id == probeID }) else {
                return nil
            }
            probes.remove(at: index)
            switch outcome {
            case .ignored:
                phase = .halfOpen(probes: probes, successes: successes)
                return nil
            case .failure:
                return enter(.open(until: now().advanced(by: openDuration)), from: .halfOpen)
            case .success where slow:
                return enter(.open(until: now().advanced(by: openDuration)), from: .halfOpen)
            case .success:
                successes += 1
                if successes >= halfOpenProbes { return enter(.closed, from: .halfOpen) }
                phase = .halfOpen(probes: probes, successes: successes)
                return nil
            }
        case .open, .forcedOpen, .disabled:
            return nil
        }
    }

    /// Moves the breaker to `state` by hand: ``CircuitBreakerState/forcedOpen``, ``CircuitBreakerState/disabled``
    /// and ``CircuitBreakerState/metricsOnly`` hold until the next manual change; ``CircuitBreakerState/closed``
    /// resets the window; ``CircuitBreakerState/open`` opens for the open duration from `now`;
    /// ``CircuitBreakerState/halfOpen`` admits probes at once.
    /// - Parameters:
    ///   - state: The target state.
    ///   - now: The current time.
    /// - Returns: The transition, or `nil` when already in `state`.
    @usableFromInline package mutating func transition(to state: CircuitBreakerState, now: Instant) -> Transition? {
        let from = self.state
        guard from != state else { return nil }
        let target: Phase =
            switch state {
            case .closed: .closed
            case .open: .open(until: now.advanced(by: openDuration))
            case .halfOpen: .halfOpen(probes: [], successes: 0)
            case .forcedOpen: .forcedOpen
            case .disabled: .disabled
            case .metricsOnly: .metricsOnly
            }
        return enter(target, from: from)
    }

    @inlinable
    mutating func enter(_ target: Phase, from: CircuitBreakerState) -> Transition {
        phase = target
        generation &+= 1
        window.reset()
        return Transition(from: from, to: state)
    }

    /// The counters and the current window.
    /// - Parameter now: The current time (for a time window).
    /// - Returns: A snapshot.
    @usableFromInline package func metrics(now: Instant) -> Metrics {
        var snapshot = metrics
        snapshot.state = state
        let counts = window.counts(now: now)
        snapshot.windowCalls = counts.calls
        snapshot.windowFailures = counts.failures
        snapshot.windowSlowCalls = counts.slow
        return snapshot
    }
}
