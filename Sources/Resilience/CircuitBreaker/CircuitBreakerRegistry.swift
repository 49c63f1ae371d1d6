import ETRMShared

/// One ``CircuitBreaker`` per upstream (endpoint, vendor, desk), created on first use, with bounded memory.
///
/// A breaker per key keeps one failing endpoint from opening the breaker of the healthy ones (a single
/// shared breaker is a common foot-gun). The registry holds at most ``maximumBreakers``. When a new key
/// arrives at the limit, the least recently used breaker that is closed (or disabled, or metrics-only) is
/// evicted: it carries no state worth keeping beyond its window. Open, half-open and forced-open breakers are
/// never evicted, so a failing upstream is not forgotten; if every breaker is in such a state the lookup
/// throws ``ResilienceError/Code/registryFull``.
///
/// - Complexity: A lookup of an existing key is O(1); creating one at the limit scans the registry, O(n).
public final class CircuitBreakerRegistry<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    private struct Entry {
        var breaker: CircuitBreaker<C>
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
    }

    /// The most breakers held.
    public let maximumBreakers: Int
    private let clock: C
    private let makeConfiguration: @Sendable (Key) -> CircuitBreakerConfiguration
    private let state = LockedState(State())

    /// Creates an empty registry.
    /// - Parameters:
    ///   - maximumBreakers: The bound on breakers held (at least 1).
    ///   - clock: The clock every breaker uses.
    ///   - configuration: The settings of the breaker for a key (name it after the key for readable events).
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` when `maximumBreakers` is below 1.
    public init(
        maximumBreakers: Int = 1024, clock: C,
        configuration: @escaping @Sendable (Key) -> CircuitBreakerConfiguration
    ) throws(ResilienceError) {
        guard maximumBreakers >= 1 else {
            throw .invalidConfiguration("registry maximumBreakers must be at least 1 (got \(maximumBreakers))")
        }
        self.maximumBreakers = maximumBreakers
        self.clock = clock
        self.makeConfiguration = configuration
    }

    /// The breaker for `key`, created on first use.
    /// - Parameter key: The upstream.
    /// - Returns: The key's breaker.
    /// - Throws: ``ResilienceError/Code/registryFull`` when the registry is full of non-closed breakers, or
    ///   ``ResilienceError/Code/invalidConfiguration`` when the key's configuration is invalid.
    public func breaker(for key: Key) throws(ResilienceError) -> CircuitBreaker<C> {
        let result: Result<CircuitBreaker<C>, ResilienceError> = state.withLock { state in
            state.tick &+= 1
            if var entry = state.entries[key] {
                entry.lastUsed = state.tick
                state.entries[key] = entry
                return .success(entry.breaker)
            }
            if state.entries.count >= maximumBreakers {
                let evictable = state.entries.lazy.filter { entry in
                    switch entry.value.breaker.state {
                    case .closed, .disabled, .metricsOnly: true
                    case .open, .halfOpen, .forcedOpen: false
                    }
                }
                guard let victim = evictable.min(by: { $0.value.lastUsed < $1.value.lastUsed }) else {
                    return .failure(
                        ResilienceError(
                            code: .registryFull,
                            message: "circuit breaker registry holds \(maximumBreakers) breakers, none closed"))
                }
                state.entries[victim.key] = nil
            }
            do throws(ResilienceError) {
                let breaker = try CircuitBreaker(makeConfiguration(key), clock: clock)
                state.entries[key] = Entry(breaker: breaker, lastUsed: state.tick)
                return .success(breaker)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The number of breakers held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The keys and states of every breaker held (for a health endpoint).
    public var states: [Key: CircuitBreakerState] {
        state.withLock { $0.entries.mapValues { $0.breaker.state } }
    }
}

extension CircuitBreakerRegistry where C == ContinuousClock {
    /// Creates an empty registry on the continuous clock.
    /// - Parameters:
    ///   - maximumBreakers: The bound on breakers held (at least 1).
    ///   - configuration: The settings of the breaker for a key.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` when `maximumBreakers` is below 1.
    public convenience init(
        maximumBreakers: Int = 1024, configuration: @escaping @Sendable (Key) -> CircuitBreakerConfiguration
    ) throws(ResilienceError) {
        try self.init(maximumBreakers: maximumBreakers, clock: ContinuousClock(), configuration: configuration)
    }
}
