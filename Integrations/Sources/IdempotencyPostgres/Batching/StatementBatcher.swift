import Synchronization

/// Group commit for one kind of statement: requests that wait at the same time go to the database together, as
/// one statement and one commit, and each caller gets its own result.
///
/// A caller submits its request and waits. When fewer than `maximumFlushers` flushers run, the submission starts
/// one; a flusher takes every waiting request (up to the batch size, one per key), runs `execute` on them and
/// hands each caller its response, then takes the next batch, until nothing waits. A lone request therefore
/// goes out at once; under load the batches grow by themselves, with no timer. When `execute` throws, every
/// caller in the batch gets that error. A caller cancelled while it waits leaves the queue; one cancelled while
/// its batch runs gets `CancellationError` at once, and the statement finishes without it.
final class StatementBatcher<Request: Sendable, Response: Sendable>: Sendable {
    /// Runs one batch: one response per request, in the requests' order.
    typealias Execute = @Sendable ([Request]) async throws -> [Response]

    private enum Waiter {
        case registered
        case cancelled
        case waiting(CheckedContinuation<Response, any Error>)
    }

    private struct State {
        var machine: StateMachine
        var nextID = 0
        var waiters: [Int: Waiter] = [:]
    }

    private let state: Mutex<State>
    private let execute: Execute

    init(maximumBatchSize: Int, maximumFlushers: Int, execute: @escaping Execute) {
        state = Mutex(
            State(machine: StateMachine(maximumBatchSize: maximumBatchSize, maximumFlushers: maximumFlushers)))
        self.execute = execute
    }

    /// Submits `request` under `key` (at most one request per key goes into a batch) and waits for its response.
    func submit(key: [UInt8], _ request: Request) async throws -> Response {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.waiters[state.nextID] = .registered
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let (startFlusher, cancelled) = state.withLock { state -> (Bool, Bool) in
                    if case .cancelled = state.waiters[id] {
                        state.waiters[id] = nil
                        return (false, true)
                    }
                    state.waiters[id] = .waiting(continuation)
                    return (state.machine.submit(id: id, key: key, request: request), false)
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                } else if startFlusher {
                    Task { await self.flush() }
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Response, any Error>? in
                switch state.waiters[id] {
                case .registered:
                    state.waiters[id] = .cancelled
                    return nil
                case .waiting(let continuation):
                    state.waiters[id] = nil
                    _ = state.machine.cancel(id: id)
                    return continuation
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// How many requests wait for a batch (not those whose batch runs); for tests.
    var waitingCount: Int { state.withLock { $0.machine.waiting.count } }

    private func flush() async {
        while let batch = state.withLock({ $0.machine.nextBatch() }) {
            let outcome: Result<[Response], any Error>
            do {
                outcome = .success(try await execute(batch.map(\.request)))
            } catch {
                outcome = .failure(error)
            }
            let continuations = state.withLock { state in
                batch.map { entry -> CheckedContinuation<Response, any Error>? in
                    guard case .waiting(let continuation) = state.waiters.removeValue(forKey: entry.id) else {
                        return nil
                    }
                    return continuation
                }
            }
            switch outcome {
            case .success(let responses) where responses.count == batch.count:
                for (continuation, response) in zip(continuations, responses) {
                    continuation?.resume(returning: response)
                }
            case .success(let responses):
                let error = BatchError(message: "a batch of \(batch.count) returned \(responses.count) responses")
                for continuation in continuations { continuation?.resume(throwing: error) }
            case .failure(let error):
                for continuation in continuations { continuation?.resume(throwing: error) }
            }
        }
    }
}

/// A batch whose statement answered for a different number of requests than it was given.
struct BatchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
