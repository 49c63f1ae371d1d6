import Dispatch

/// Runs independent jobs on all cores (`DispatchQueue.concurrentPerform`) and returns when every one has
/// finished.
///
/// The jobs are not `@Sendable`: the callers' jobs write only their own results (a distinct variable or slot
/// each), read shared state that nobody writes meanwhile, and nothing they capture outlives the call. That is
/// what the unchecked box below vouches for.
enum Parallel {
    /// Runs `body(0)` to `body(count - 1)` concurrently.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
        }
    }

    /// `transform(0)` to `transform(count - 1)`, computed concurrently.
    static func map<T>(_ count: Int, _ transform: (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        forEach(count) { slots[$0] = transform($0) }
        return slots.compactMap { $0 }
    }

    /// Runs each job once, concurrently.
    static func run(_ jobs: () -> Void...) {
        forEach(jobs.count) { jobs[$0]() }
    }

    /// Runs `background` on a thread of the dispatch pool while `foreground` runs on this one, and returns when
    /// both have finished. Unlike ``run(_:)``, `foreground` runs outside the pool, so work it spreads over the
    /// pool itself (the library's chunked read) gets every core the background leaves free.
    static func alongside(_ background: () -> Void, _ foreground: () -> Void) {
        withoutActuallyEscaping(background) { background in
            // The pool's thread lets go of `background` before it signals, so it does not outlive the call.
            let job = JobSlot(background)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                job.runOnce()
                done.signal()
            }
            foreground()
            done.wait()
        }
    }
}

/// A value handed to `DispatchQueue.concurrentPerform` (see ``Parallel``).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A job handed to another thread, released as soon as it has run (see ``Parallel/alongside(_:_:)``).
private final class JobSlot: @unchecked Sendable {
    // @unchecked: `job` is set before the thread starts and cleared by that thread alone.
    private var job: (() -> Void)?

    init(_ job: @escaping () -> Void) { self.job = job }

    func runOnce() {
        job?()
        job = nil
    }
}
