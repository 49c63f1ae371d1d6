import ETRMShared

/// A one-shot gate: tasks wait until ``open()``, and the test can count how many arrived.
package final class Latch: Sendable {
    private let state = LockedState<(open: Bool, entered: Int, waiters: [CheckedContinuation<Void, Never>])>(
        (false, 0, []))

    package init() {}

    /// Waits until the latch is open (returns at once when it already is).
    package func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                state.entered += 1
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    /// How many calls to ``wait()`` have arrived so far.
    package var entered: Int { state.withLock { $0.entered } }

    /// Opens the latch for every waiter, present and future.
    package func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
