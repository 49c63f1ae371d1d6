/// Replaces chosen errors with a fallback value: serve the last good price list when the vendor is down, or
/// route a settlement to a retry queue when the breaker is open.
///
/// ```swift
/// let fallback = Fallback<Submission>(handling: { ($0 as? ResilienceError)?.code == .circuitOpen }) { error in
///     try await retryQueue.enqueue(instruction)
///     return .queued
/// }
/// let submission = try await fallback.execute { try await pipeline.execute { try await etrm.submit(instruction) } }
/// ```
///
/// `CancellationError` is never handled: a cancelled caller is not answered with a fallback.
public struct Fallback<Output: Sendable>: Sendable {
    @usableFromInline let handles: @Sendable (any Error) -> Bool
    @usableFromInline let fallback: @Sendable (any Error) async throws -> Output
    /// The name in events.
    public let name: String
    /// Receives the fallback's events.
    public let observer: (any ResilienceObserver)?

    /// Creates a fallback.
    /// - Parameters:
    ///   - name: The name in events.
    ///   - observer: The event observer.
    ///   - handles: Which errors to replace (default: every error except cancellation).
    ///   - fallback: Produces the replacement from the error; it may throw.
    public init(
        name: String = "fallback", observer: (any ResilienceObserver)? = nil,
        handling handles: @escaping @Sendable (any Error) -> Bool = { _ in true },
        _ fallback: @escaping @Sendable (any Error) async throws -> Output
    ) {
        self.name = name
        self.observer = observer
        self.handles = handles
        self.fallback = fallback
    }

    /// Runs `operation`, replacing a handled error with the fallback's value.
    /// - Parameter operation: The primary work.
    /// - Returns: The operation's result, or the fallback's.
    /// - Throws: An unhandled error, `CancellationError`, or the fallback's error.
    @inlinable
    public func execute(_ operation: nonisolated(nonsending) @Sendable () async throws -> Output) async throws -> Output
    {
        do {
            return try await operation()
        } catch {
            guard !(error is CancellationError), !Task.isCancelled, handles(error) else { throw error }
            observer.emit(ResilienceEvent(source: name, kind: .fallbackUsed, error: error))
            return try await fallback(error)
        }
    }
}
