/// The deadline the current task's work runs under, propagated to everything the work calls.
///
/// A ``Deadline`` or a ``Timeout`` in a pipeline sets it for the work inside; nested limits keep the earliest
/// (an attempt's limit never extends the overall one). The strategies honour it wherever they would wait: a
/// ``Retry`` gives up instead of sleeping until or past it, a ``RateLimiter`` refuses a wait for tokens that
/// would reach it, and a ``Bulkhead`` stops queueing at it. The work reads it to hand the time that is left to
/// its own client, which is how a deadline reaches the network (a request timeout, a database statement
/// timeout, a gRPC deadline):
///
/// ```swift
/// try await pipeline.execute {
///     var request = URLRequest(url: pageURL)
///     if let left = TaskDeadline.remaining(on: clock) { request.timeoutInterval = left / .seconds(1) }
///     return try await session.data(for: request)
/// }
/// ```
///
/// A deadline belongs to a clock type: a strategy on `ContinuousClock` sees deadlines set on
/// `ContinuousClock`, a test on `ManualClock` sees those set on `ManualClock`. Only the nearest deadline is
/// kept, so a pipeline (which has one clock) should not mix clock types.
public enum TaskDeadline {
    /// The nearest deadline: the instant's type and its bits.
    ///
    /// Plain bits rather than an `any InstantProtocol`, which costs a dynamic cast and value-witness calls on
    /// every read. Instants that are not plain data of at most 16 bytes (no standard clock's) go to ``boxed``.
    @usableFromInline
    struct Bound: Sendable {
        @usableFromInline let type: ObjectIdentifier
        @usableFromInline let bits: (UInt64, UInt64)

        @inlinable
        init<Instant: InstantProtocol>(_ instant: Instant) {
            var bits: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &bits) { $0.storeBytes(of: instant, as: Instant.self) }
            self.type = ObjectIdentifier(Instant.self)
            self.bits = bits
        }

        @inlinable
        func instant<Instant: InstantProtocol>(as _: Instant.Type) -> Instant? {
            guard type == ObjectIdentifier(Instant.self) else { return nil }
            return withUnsafeBytes(of: bits) { $0.loadUnaligned(as: Instant.self) }
        }
    }

    /// The nearest deadline of an instant type that does not fit ``Bound``.
    @usableFromInline
    struct Boxed: Sendable {
        @usableFromInline let instant: any InstantProtocol
        @usableFromInline init(_ instant: any InstantProtocol) { self.instant = instant }
    }

    @usableFromInline static let local = TaskLocal<Bound?>(wrappedValue: nil)
    @usableFromInline static let boxed = TaskLocal<Boxed?>(wrappedValue: nil)

    /// Whether `Instant` is stored as bits (decided at compile time once specialised).
    @inlinable
    static func fitsBits<Instant: InstantProtocol>(_: Instant.Type) -> Bool {
        _isPOD(Instant.self) && MemoryLayout<Instant>.size <= 16
    }

    /// The deadline on `clock` the current task runs under, if any.
    /// - Parameter clock: The clock whose deadline is wanted.
    /// - Returns: The instant, or `nil` when no deadline of that clock's type is set.
    @inlinable
    public static func current<C: Clock>(on clock: C) -> C.Instant? {
        fitsBits(C.Instant.self)
            ? local.get()?.instant(as: C.Instant.self) : boxed.get()?.instant as? C.Instant
    }

    /// Runs `operation` with `deadline` set, without comparing it with the current one.
    @inlinable
    nonisolated(nonsending) static func binding<Instant: InstantProtocol, Output>(
        _ deadline: Instant, _ operation: () async throws -> Output
    ) async rethrows -> Output {
        if fitsBits(Instant.self) {
            return try await local.withValue(Bound(deadline), operation: operation)
        }
        return try await boxed.withValue(Boxed(deadline), operation: operation)
    }

    /// The time left until the deadline on `clock` (negative once it has passed), if one is set.
    /// - Parameter clock: The clock whose deadline is wanted.
    /// - Returns: The time left, or `nil` when no deadline of that clock's type is set.
    @inlinable
    public static func remaining<C: Clock>(on clock: C) -> C.Duration? {
        current(on: clock).map { clock.now.duration(to: $0) }
    }

    /// Throws when the deadline on `clock` has passed: for work that loops (a batch of pages) to stop between
    /// steps.
    /// - Parameter clock: The clock whose deadline is checked.
    /// - Throws: ``ResilienceError/Code/timedOut`` when the deadline is at or before `clock.now`.
    @inlinable
    public static func check<C: Clock>(on clock: C) throws(ResilienceError) {
        guard let deadline = current(on: clock), deadline <= clock.now else { return }
        throw ResilienceError(code: .timedOut, message: "the task's deadline has passed")
    }

    /// Runs `operation` under `deadline`, or under the current deadline when that is earlier.
    ///
    /// A service that receives a deadline from its own caller (a header, a gRPC deadline) sets it with this,
    /// so its pipelines' waits and its outgoing requests stop at the caller's deadline.
    /// - Parameters:
    ///   - deadline: The instant the work should finish by.
    ///   - clock: The clock of `deadline`.
    ///   - operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: The operation's error.
    @inlinable
    nonisolated(nonsending) public static func withDeadline<C: Clock, Output>(
        _ deadline: C.Instant, on clock: C, _ operation: () async throws -> Output
    ) async rethrows -> Output {
        if let enclosing = current(on: clock), enclosing <= deadline { return try await operation() }
        return try await binding(deadline, operation)
    }
}

/// Gives everything inside it a deadline, ``duration`` from the start of the call, without cancelling the work.
///
/// `Deadline` is the cooperative time limit: it sets ``TaskDeadline`` for the work and the strategies inside
/// it, and those stop *waiting* at it (a ``Retry`` inside gives up rather than sleep past it, a
/// ``RateLimiter`` refuses a wait that would reach it, a ``Bulkhead`` stops queueing at it). A call that
/// starts after the deadline has passed (an attempt after a slow one) is refused with
/// ``ResilienceError/Code/timedOut`` without running. The work itself is not cancelled: it is expected to
/// hand ``TaskDeadline/remaining(on:)`` to its own client, the way a gRPC deadline or Polly's cancellation
/// token travels, and whatever it returns or throws is passed through, even after the deadline.
///
/// Use ``Timeout`` where work must be stopped whatever it does (it cancels the work's task, and also sets the
/// deadline); use `Deadline` where the work honours a deadline itself. The difference is cost: a cancelling
/// timeout needs a child task per call (and its allocations), because Swift cancels tasks, not calls; a
/// deadline is one task-local value, with no allocation.
///
/// ```swift
/// let pipeline = try ResiliencePipeline()
///     .deadline(.seconds(60))        // the whole call, retries included
///     .retry(.init(maxAttempts: 4))  // never sleeps to the deadline
///     .circuitBreaker(breaker)
///     .deadline(.seconds(10))        // each attempt: min(10 s, what is left of the 60 s)
/// ```
public struct Deadline<C: Clock>: ResilienceStrategy where C.Duration == Duration {
    /// The time from the start of a call to its deadline.
    public let duration: Duration
    /// The clock the deadline is measured on.
    public let clock: C
    /// The name in events.
    public let name: String
    /// Receives the deadline's events (``ResilienceEvent/Kind/timedOut`` when a call is refused).
    public let observer: (any ResilienceObserver)?

    /// Creates a deadline strategy.
    /// - Parameters:
    ///   - duration: The time from the start of a call to its deadline (positive).
    ///   - clock: The clock the deadline is measured on.
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public init(
        _ duration: Duration, clock: C, name: String = "deadline", observer: (any ResilienceObserver)? = nil
    ) throws(ResilienceError) {
        guard duration > .zero else { throw .invalidConfiguration("deadline must be positive (got \(duration))") }
        self.duration = duration
        self.clock = clock
        self.name = name
        self.observer = observer
    }

    /// Runs `operation` under the earlier of ``duration`` from now and the current ``TaskDeadline``.
    /// - Parameter operation: The work.
    /// - Returns: The operation's result.
    /// - Throws: ``ResilienceError/Code/timedOut`` when the current deadline has already passed (the
    ///   operation is not run), or the operation's error.
    @inlinable
    nonisolated(nonsending) public func execute<Output: Sendable>(
        _ operation: nonisolated(nonsending) @Sendable () async throws -> Output
    ) async throws -> Output {
        let now = clock.now
        let deadline = now.advanced(by: duration)
        if let enclosing = TaskDeadline.current(on: clock), enclosing <= deadline {
            guard now < enclosing else { throw refused() }
            // The enclosing deadline is the earlier one and is already set.
            return try await operation()
        }
        return try await TaskDeadline.binding(deadline, operation)
    }

    /// The error (and event) of a call that starts after its deadline.
    @usableFromInline
    func refused() -> ResilienceError {
        observer.emit(ResilienceEvent(source: name, kind: .timedOut, timeout: duration))
        return ResilienceError(code: .timedOut, message: "'\(name)': the deadline passed before the call started")
    }
}

extension Deadline where C == ContinuousClock {
    /// Creates a deadline strategy on the continuous clock.
    /// - Parameters:
    ///   - duration: The time from the start of a call to its deadline (positive).
    ///   - name: The name in events.
    ///   - observer: The event observer.
    /// - Throws: ``ResilienceError/Code/invalidConfiguration`` for a duration that is not positive.
    public init(
        _ duration: Duration, name: String = "deadline", observer: (any ResilienceObserver)? = nil
    ) throws(ResilienceError) {
        try self.init(duration, clock: ContinuousClock(), name: name, observer: observer)
    }
}
