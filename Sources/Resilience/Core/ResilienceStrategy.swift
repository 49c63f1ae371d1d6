/// A strategy that runs an operation under some protection: ``Retry``, ``CircuitBreaker``, ``RateLimiter``,
/// ``Bulkhead``, ``Timeout``, or a ``ResiliencePipeline`` of them.
///
/// The operation is a non-escaping `@Sendable` closure, so a call allocates no closure context; every
/// conforming type is generic (no existential boxing per call).
public protocol ResilienceStrategy: Sendable {
    /// Runs `operation` under this strategy.
    /// - Parameter operation: The protected work. It may be run more than once (retry) or not at all (rejection).
    /// - Returns: The operation's result.
    /// - Throws: The operation's error, `CancellationError`, or a ``ResilienceError`` when the strategy ends the
    ///   call itself.
    nonisolated(nonsending) func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output
}
