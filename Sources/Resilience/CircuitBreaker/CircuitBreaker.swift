import ETRMShared

/// Fails fast while an upstream is unhealthy, then lets a bounded number of probes find out whether it has
/// recovered.
///
/// ```swift
/// let breaker = try CircuitBreaker(.init(mode: .consecutiveFailures(5), openDuration: .seconds(300)))
/// let trades = try await breaker.execute { try await vendor.fetchTrades() }
/// ```
///
/// The logic is a pure state machine (`CircuitBreakerStateMachine`, tested as a value); this class holds it
/// behind a lock and performs its actions (events, rejections) after leaving the lock. A call through a closed
/// breaker takes the lock twice (permit, outcome), reads no clock unless slow calls or a time window need one,
/// and allocates nothing.
/// It is a `final class` rather than an `actor`: an actor would add two executor hops per call, and the
/// benchmarks (`ResilienceBenchmarks`) measure the difference.
///
/// A rejected call throws ``ResilienceError`` with code ``ResilienceError/Code/circuitOpen`` and
/// ``ResilienceError/retryAfter`` set to the time until the next probe may run.
public final class CircuitBreaker<C: Clock>: ResilienceStrategy, Sendable where C.Duration == Duration {
    /// The settings type (``CircuitBreakerConfiguration``).
    public typealias Configuration = CircuitBreakerConfiguration

    /// The settings.
    public let configuration: CircuitBreakerConfiguration
    /// The clock for open durations, leases, windows and slow calls.
    public let clock: C
    @usableFromInline let machine: LockedState<CircuitBreakerStateMachine<C>>
    @usableFromInline let measuresDuration: Bool

    /// Creates a closed breaker.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - clock: The clock.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public init(_ configuration: CircuitBreakerConfiguration = .init(), clock: C) throws(ResilienceError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.machine = LockedState(CircuitBreakerStateMachine(configuration: configuration))
        self.measuresDuration = configuration.slowCallDuration != nil
    }

    /// Runs `operation` if the breaker admits it and records its outcome.
    /// - Parameter operation: The protected call.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/circuitOpen`` when rejected, or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        let permit = try acquirePermit()
        let start = measuresDuration ? clock.now : nil
        do {
            let result = try await operation()
            record(permit, outcome: .success, start: start)
            return result
        } catch {
            record(permit, outcome: configuration.classifyError(error), start: start)
            throw error
        }
    }

    /// Asks for a permit without running anything (for callers that run the call themselves).
    /// - Returns: A permit to pass to ``record(_:outcome:duration:)``.
    /// - Throws: ``ResilienceError/Code/circuitOpen`` with the time until the next probe.
    @inlinable
    public func acquirePermit() throws(ResilienceError) -> Permit {
        let clock = self.clock
        let action = machine.withLock { $0.acquire(now: clock.now) }
        switch action {
        case .permitted(let permit):
            return permit
        case .permittedAfterTransition(let permit, let transition):
            emit(transition)
            return permit
        case .rejected(let retryAfter):
            configuration.observer.emit(
                ResilienceEvent(
                    source: configuration.name, kind: .rejected, rejection: .circuitOpen, retryAfter: retryAfter))
            throw ResilienceError(
                code: .circuitOpen, message: "circuit breaker '\(configuration.name)' is \(state)",
                retryAfter: retryAfter)
        }
    }

    /// Reports the outcome of a call run under `permit`.
    /// - Parameters:
    ///   - permit: The permit from ``acquirePermit()``.
    ///   - outcome: How the call counts.
    ///   - duration: How long it took (for slow-call tracking), if known.
    @inlinable
    public func record(_ permit: Permit, outcome: CircuitBreakerOutcome, duration: Duration? = nil) {
        let clock = self.clock
        let transition = machine.withLock { $0.record(permit, outcome: outcome, duration: duration, now: clock.now) }
        if let transition { emit(transition) }
    }

    @inlinable
    func record(_ permit: Permit, outcome: CircuitBreakerOutcome, start: C.Instant?) {
        record(permit, outcome: outcome, duration: start.map { $0.duration(to: clock.now) })
    }

    /// Moves the breaker by hand (forced open during a vendor's maintenance, disabled, metrics only, or back
    /// to closed).
    /// - Parameter state: The target state.
    public func transition(to state: CircuitBreakerState) {
        let now = clock.now
        let transition = machine.withLock { $0.transition(to: state, now: now) }
        if let transition { emit(transition) }
    }

    /// The current state.
    public var state: CircuitBreakerState { machine.withLock { $0.state } }

    /// A snapshot of the counters and the current window.
    public var metrics: Metrics {
        let now = clock.now
        return machine.withLock { $0.metrics(now: now) }
    }

    @inlinable
    func emit(_ transition: CircuitBreakerStateMachine<C>.Transition) {
        configuration.observer.emit(
            ResilienceEvent(
                source: configuration.name, kind: .circuitStateChanged, previousState: transition.from,
                state: transition.to))
    }
}

extension CircuitBreaker where C == ContinuousClock {
    /// Creates a closed breaker on the continuous clock.
    /// - Parameter configuration: The settings.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public convenience init(_ configuration: CircuitBreakerConfiguration = .init()) throws(ResilienceError) {
        try self.init(configuration, clock: ContinuousClock())
    }
}

extension CircuitBreaker {
    /// Permission to run one call; hand it back to ``CircuitBreaker/record(_:outcome:duration:)``.
    public struct Permit: Sendable, Hashable {
        @usableFromInline let generation: UInt64
        @usableFromInline let probe: UInt64?

        @usableFromInline
        init(generation: UInt64, probe: UInt64?) {
            self.generation = generation
            self.probe = probe
        }
        /// Whether this permit is a half-open probe's.
        @inlinable public var isProbe: Bool { probe != nil }
    }

    /// Counters since creation, plus the current window.
    public struct Metrics: Sendable, Equatable {
        /// The state.
        public var state: CircuitBreakerState
        /// Calls permitted.
        public var permittedCalls: Int
        /// Calls rejected without running.
        public var rejectedCalls: Int
        /// Outcomes recorded as success.
        public var successfulCalls: Int
        /// Outcomes recorded as failure.
        public var failedCalls: Int
        /// Outcomes ignored by classification.
        public var ignoredCalls: Int
        /// Calls at or over the slow-call duration.
        public var slowCalls: Int
        /// Probes whose lease expired before they reported.
        public var expiredProbeLeases: Int
        /// Calls in the current window (consecutive mode: the current run of failures).
        public var windowCalls: Int
        /// Failures in the current window.
        public var windowFailures: Int
        /// Slow calls in the current window.
        public var windowSlowCalls: Int

        /// The failure rate of the current window (0 when it is empty).
        public var failureRate: Double { windowCalls == 0 ? 0 : Double(windowFailures) / Double(windowCalls) }
    }
}
