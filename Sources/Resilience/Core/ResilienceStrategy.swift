/// A strategy that runs an operation under some protection: ``Retry``, ``CircuitBreaker``, ``RateLimiter``,
/// ``Bulkhead``, ``Timeout``, ``Deadline``, or a ``ResiliencePipeline`` of them.
///
/// The operation is a non-escaping `@Sendable` closure, so a call allocates no closure context; every
/// conforming type is generic (no existential boxing per call).
///
/// `execute` and its operation are `nonisolated(nonsending)` (SE-0461): a strategy runs on its caller's
/// executor instead of hopping to the global one on entry. In a pipeline every layer used to pay that hop;
/// without it the five-strategy pipelines with deadlines cost about a quarter less. A strategy of your own
/// declares the same (under the `NonisolatedNonsendingByDefault` upcoming feature it is the default):
///
/// ```swift
/// struct Logged<Inner: ResilienceStrategy>: ResilienceStrategy {
///     let inner: Inner
///     let logger: Logger
///
///     nonisolated(nonsending) func execute<Output: Sendable>(
///         _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
///     ) async throws -> Output {
///         logger.debug("calling upstream")
///         return try await inner.execute(operation)
///     }
/// }
/// ```
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
