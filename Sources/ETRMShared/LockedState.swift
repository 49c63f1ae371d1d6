#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// State behind a `pthread_mutex_t`, for the short synchronous critical sections of the strategies and of
/// `ManualClock`. The state must be `Sendable`: it is handed between the threads that take the lock.
///
/// It plays the role of `Synchronization.Mutex`, which the package used at first: on Linux that `Mutex` waits
/// on a futex the ThreadSanitizer cannot see, so every test under `swift test --sanitize=thread` reported
/// false races. A pthread mutex is intercepted by the sanitizer and costs the same uncontended. State and
/// mutex share one allocation (`ManagedBuffer`), made once when the owner is created; locking allocates
/// nothing.
///
/// An `UnsafeContinuation` kept in the state is resumed under the lock, and its task reads what it waited for
/// under the lock after the await: the sanitizer does not see a resume that comes before the task has suspended
/// as happening before the task goes on (swiftlang/swift#57803). `TimeoutRace` shows the pattern.
@usableFromInline
package final class LockedState<State: Sendable>: @unchecked Sendable {
    @usableFromInline
    final class Storage: ManagedBuffer<State, pthread_mutex_t> {
        deinit {
            // The header (the state) is destroyed by `ManagedBuffer` itself.
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    @usableFromInline
    let storage: ManagedBuffer<State, pthread_mutex_t>

    /// Creates the lock around `state`.
    package init(_ state: State) {
        let storage = Storage.create(minimumCapacity: 1) { _ in state }
        storage.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }
        self.storage = storage
    }

    /// Runs `body` with exclusive access to the state; `body`'s error type passes through unchanged.
    @inlinable
    package func withLock<Value, Failure: Error>(
        _ body: (inout State) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let outcome = storage.withUnsafeMutablePointers { state, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return Result { () throws(Failure) -> Value in try body(&state.pointee) }
        }
        return try outcome.get()
    }
}
