/// Strategies composed into one value, read outermost first.
///
/// ```swift
/// let pipeline = try ResiliencePipeline(clock: clock)
///     .timeout(.seconds(60))                                  // 1. the whole call, retries included
///     .retry(.init(maxAttempts: 4, backoff: .exponential(initial: .milliseconds(500))))  // 2.
///     .circuitBreaker(breaker)                                // 3. each attempt asks the breaker
///     .bulkhead(bulkhead)                                     // 4. each attempt holds a permit
///     .timeout(.seconds(10))                                  // 5. each attempt's own limit
/// let page = try await pipeline.execute { try await vendor.fetchPage(n) }
/// ```
///
/// Each builder method wraps the new strategy *inside* the ones before it, so the pipeline reads in the
/// order a call passes through it. The recommended order is overall timeout → retry → circuit breaker →
/// rate limiter → bulkhead → attempt timeout: the retry sees every rejection and failure, the breaker counts
/// each attempt, and a rejected attempt never holds a bulkhead permit or a token.
///
/// Chained methods rather than a result builder: every step returns a concrete nested type
/// (`ResiliencePipeline<Composed<Composed<…>>>`), so the compiler specialises the whole chain and a call
/// allocates nothing for the composition; a misplaced strategy is an ordinary, readable line; and shared
/// stateful strategies (a breaker, a bulkhead) are passed in, so one breaker can serve several pipelines.
public struct ResiliencePipeline<C: Clock, Strategy: ResilienceStrategy>: ResilienceStrategy
where C.Duration == Duration {
    /// The clock new strategies are built on.
    public let clock: C
    /// The composed strategies.
    public let strategy: Strategy

    init(clock: C, strategy: Strategy) {
        self.clock = clock
        self.strategy = strategy
    }

    /// Runs `operation` through every strategy, outermost first.
    /// - Parameter operation: The protected work.
    /// - Returns: The operation's result.
    /// - Throws: The first error no strategy absorbed.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        try await strategy.execute(operation)
    }

    /// Adds `inner` inside the strategies so far.
    /// - Parameter inner: The next strategy.
    /// - Returns: The longer pipeline.
    public func then<Inner: ResilienceStrategy>(_ inner: Inner) -> ResiliencePipeline<C, Composed<Strategy, Inner>> {
        ResiliencePipeline<C, Composed<Strategy, Inner>>(
            clock: clock, strategy: Composed(outer: strategy, inner: inner))
    }

    /// Adds a ``Timeout`` of `duration`.
    /// - Parameters:
    ///   - duration: The time limit for everything inside it.
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Returns: The longer pipeline.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public func timeout(
        _ duration: Duration, name: String = "timeout", observer: (any ResilienceObserver)? = nil
    ) throws(ResilienceError) -> ResiliencePipeline<C, Composed<Strategy, Timeout<C>>> {
        then(try Timeout(duration, clock: clock, name: name, observer: observer))
    }

    /// Adds a ``Deadline`` of `duration`: a limit the strategies inside and the work honour (see
    /// ``TaskDeadline``), which cancels nothing and costs no task.
    /// - Parameters:
    ///   - duration: The time from the start of a call to its deadline.
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Returns: The longer pipeline.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public func deadline(
        _ duration: Duration, name: String = "deadline", observer: (any ResilienceObserver)? = nil
    ) throws(ResilienceError) -> ResiliencePipeline<C, Composed<Strategy, Deadline<C>>> {
        then(try Deadline(duration, clock: clock, name: name, observer: observer))
    }

    /// Adds a ``Retry``.
    /// - Parameter configuration: The retry's settings.
    /// - Returns: The longer pipeline.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for out-of-range settings.
    public func retry(
        _ configuration: RetryConfiguration = .init()
    ) throws(ResilienceError) -> ResiliencePipeline<C, Composed<Strategy, Retry<C>>> {
        then(try Retry(configuration, clock: clock))
    }

    /// Adds a shared ``CircuitBreaker``.
    /// - Parameter breaker: The breaker (it may serve several pipelines).
    /// - Returns: The longer pipeline.
    public func circuitBreaker(
        _ breaker: CircuitBreaker<C>
    ) -> ResiliencePipeline<C, Composed<Strategy, CircuitBreaker<C>>> {
        then(breaker)
    }

    /// Adds a shared ``RateLimiter``.
    /// - Parameter limiter: The limiter.
    /// - Returns: The longer pipeline.
    public func rateLimiter(_ limiter: RateLimiter<C>) -> ResiliencePipeline<C, Composed<Strategy, RateLimiter<C>>> {
        then(limiter)
    }

    /// Adds a shared ``Bulkhead``.
    /// - Parameter bulkhead: The bulkhead.
    /// - Returns: The longer pipeline.
    public func bulkhead(_ bulkhead: Bulkhead<C>) -> ResiliencePipeline<C, Composed<Strategy, Bulkhead<C>>> {
        then(bulkhead)
    }
}

extension ResiliencePipeline where Strategy == PassThrough {
    /// An empty pipeline on `clock`; add strategies with the builder methods.
    /// - Parameter clock: The clock of the timeouts and retries it builds.
    public init(clock: C) {
        self.init(clock: clock, strategy: PassThrough())
    }
}

extension ResiliencePipeline where Strategy == PassThrough, C == ContinuousClock {
    /// An empty pipeline on the continuous clock.
    public init() {
        self.init(clock: ContinuousClock())
    }
}

/// The empty strategy: runs the operation as it is.
public struct PassThrough: ResilienceStrategy {
    /// Creates the empty strategy.
    public init() {}

    /// Runs `operation`.
    /// - Parameter operation: The work.
    /// - Returns: Its result.
    /// - Throws: Its error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        try await operation()
    }
}

/// Two strategies, `inner` running inside `outer`.
public struct Composed<Outer: ResilienceStrategy, Inner: ResilienceStrategy>: ResilienceStrategy {
    /// The strategy a call meets first.
    public let outer: Outer
    /// The strategy inside it.
    public let inner: Inner

    /// Composes two strategies.
    /// - Parameters:
    ///   - outer: The strategy a call meets first.
    ///   - inner: The strategy inside it.
    public init(outer: Outer, inner: Inner) {
        self.outer = outer
        self.inner = inner
    }

    /// Runs `operation` through `outer`, then `inner`.
    /// - Parameter operation: The work.
    /// - Returns: Its result.
    /// - Throws: The first error no strategy absorbed.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        let inner = self.inner
        return try await outer.execute { try await inner.execute(operation) }
    }
}
