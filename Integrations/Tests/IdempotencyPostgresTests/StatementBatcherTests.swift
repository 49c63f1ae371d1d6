import Synchronization
import Testing

@testable import IdempotencyPostgres

/// The store's group commit without a database: which requests share a statement, and what each caller gets.
@Suite struct StatementBatcherTests {
    typealias Machine = StatementBatcher<String, String>.StateMachine

    @Test func aBatchTakesOneRequestPerKeyInArrivalOrder() {
        var machine = Machine(maximumBatchSize: 10, maximumFlushers: 1)
        for (id, key) in ["a", "b", "a", "c", "a"].enumerated() {
            _ = machine.submit(id: id, key: Array(key.utf8), request: "\(key)\(id)")
        }
        let batch1 = machine.nextBatch()?.map(\.request)
        #expect(batch1 == ["a0", "b1", "c3"])
        let batch2 = machine.nextBatch()?.map(\.request)
        #expect(batch2 == ["a2"])
        let batch3 = machine.nextBatch()?.map(\.request)
        #expect(batch3 == ["a4"])
        let batch7 = machine.nextBatch()
        #expect(batch7 == nil)
        #expect(machine.flushers == 0)
    }

    @Test func aBatchHoldsAtMostTheBatchSize() {
        var machine = Machine(maximumBatchSize: 2, maximumFlushers: 1)
        for id in 0..<5 { _ = machine.submit(id: id, key: [UInt8(id)], request: "\(id)") }
        let batch4 = machine.nextBatch()?.map(\.request)
        #expect(batch4 == ["0", "1"])
        let batch5 = machine.nextBatch()?.map(\.request)
        #expect(batch5 == ["2", "3"])
        let batch6 = machine.nextBatch()?.map(\.request)
        #expect(batch6 == ["4"])
        let batch8 = machine.nextBatch()
        #expect(batch8 == nil)
    }

    @Test func submissionsStartFlushersUpToTheMaximum() {
        var machine = Machine(maximumBatchSize: 1, maximumFlushers: 2)
        let started = (0..<3).map { machine.submit(id: $0, key: [UInt8($0)], request: "\($0)") }
        #expect(started == [true, true, false])
        #expect(machine.flushers == 2)
        _ = machine.nextBatch()
        _ = machine.nextBatch()
        _ = machine.nextBatch()
        let batch9 = machine.nextBatch()
        #expect(batch9 == nil, "one flusher stops")
        #expect(machine.flushers == 1)
        let again = machine.submit(id: 3, key: [3], request: "3")
        #expect(again, "a flusher starts again below the maximum")
    }

    @Test func cancelRemovesOnlyWaitingRequests() {
        var machine = Machine(maximumBatchSize: 1, maximumFlushers: 1)
        _ = machine.submit(id: 0, key: [0], request: "0")
        _ = machine.submit(id: 1, key: [1], request: "1")
        _ = machine.nextBatch()
        let (running, waiting) = (machine.cancel(id: 0), machine.cancel(id: 1))
        #expect(!running, "its batch already runs")
        #expect(waiting)
        #expect(machine.waiting.isEmpty)
    }

    @Test func aBatchHoldingTheSameKeyTwiceAnswersEachCallerFromItsOwnBatch() async throws {
        let harness = Harness()
        let results = try await harness.run(["x", "x", "y", "x"]) { _ in }
        // The blocking batch ran alone while the others queued; then one "x" per batch, "y" with the first.
        let batches = harness.batches
        #expect(batches.count == 4)
        #expect(batches.dropFirst().map { $0.sorted() } == [["x", "y"], ["x"], ["x"]])
        // Every caller got the response of its own request from its own batch.
        let answers = results.compactMap { try? $0.get() }
        #expect(answers.filter { $0.hasPrefix("y") } == ["y#1"])
        #expect(answers.filter { $0.hasPrefix("x") }.sorted() == ["x#1", "x#2", "x#3"])
    }

    @Test func aFailedBatchThrowsItsErrorToEveryCallerInIt() async throws {
        let harness = Harness()
        let results = try await harness.run(["bad", "ok", "fine"]) { batch in
            if batch.contains("bad") { throw Refusal(batch: batch.sorted()) }
        }
        let refusal = Refusal(batch: ["bad", "fine", "ok"])
        #expect(results == [.failure(refusal), .failure(refusal), .failure(refusal)])
        #expect(try await harness.batcher.submit(key: Array("ok".utf8), "ok") == "ok#2", "the next batch runs")
    }

    @Test func aBatchWithTooFewResponsesFailsEveryCaller() async throws {
        let batcher = StatementBatcher<String, String>(maximumBatchSize: 8, maximumFlushers: 1) { _ in [] }
        await #expect(throws: BatchError.self) { try await batcher.submit(key: [1], "a") }
    }

    @Test func aCallerCancelledWhileWaitingLeavesTheQueue() async throws {
        let harness = Harness()
        try await harness.blockFirstBatch()
        let waiter = Task { try await harness.batcher.submit(key: [9], "late") }
        while harness.batcher.waitingCount < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(harness.batcher.waitingCount == 0)
        harness.open()
        while harness.batches.count < 1 { await Task.yield() }
        #expect(harness.batches == [["block"]], "the cancelled request never reached a statement")
    }
}

struct Refusal: Error, Equatable {
    var batch: [String]
}

/// A batcher whose first batch ("block") waits until the test opens it, so that the requests submitted meanwhile
/// queue and go out together.
final class Harness: Sendable {
    final class Locked<Value>: Sendable {
        let value: Mutex<Value>
        init(_ value: sending Value) { self.value = Mutex(value) }
        func withLock<T>(_ body: (inout sending Value) throws -> sending T) rethrows -> sending T {
            try value.withLock(body)
        }
    }

    private let state = Locked<(batches: [[String]], gate: CheckedContinuation<Void, Never>?, open: Bool)>(
        ([], nil, false))
    private let behaviour = Locked<(@Sendable ([String]) throws -> Void)?>(nil)
    let batcher: StatementBatcher<String, String>

    init() {
        let state = self.state
        let behaviour = self.behaviour
        batcher = StatementBatcher(maximumBatchSize: 8, maximumFlushers: 1) { batch in
            if batch == ["block"] {
                await withCheckedContinuation { continuation in
                    let resume = state.withLock { state -> Bool in
                        if state.open { return true }
                        state.gate = continuation
                        return false
                    }
                    if resume { continuation.resume() }
                }
            }
            let number = state.withLock { state in
                state.batches.append(batch)
                return state.batches.count - 1
            }
            try behaviour.withLock { $0 }?(batch)
            return batch.map { "\($0)#\(number)" }
        }
    }

    var batches: [[String]] { state.withLock { $0.batches } }

    /// Starts the blocking batch and waits until its statement runs.
    func blockFirstBatch() async throws {
        Task { _ = try await batcher.submit(key: Array("block".utf8), "block") }
        while state.withLock({ $0.gate == nil }) { await Task.yield() }
    }

    func open() {
        let gate = state.withLock { state in
            state.open = true
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    /// Queues `requests` behind the blocking batch, opens it, and returns each caller's result in order.
    func run(
        _ requests: [String], _ check: @escaping @Sendable ([String]) throws -> Void
    ) async throws -> [Result<String, Refusal>] {
        behaviour.withLock { $0 = { batch in if batch != ["block"] { try check(batch) } } }
        try await blockFirstBatch()
        let tasks = requests.map { request in
            Task { () -> Result<String, Refusal> in
                do {
                    return .success(try await batcher.submit(key: Array(request.utf8), request))
                } catch {
                    return .failure(error as? Refusal ?? Refusal(batch: ["unexpected: \(error)"]))
                }
            }
        }
        while batcher.waitingCount < requests.count { await Task.yield() }
        open()
        var results: [Result<String, Refusal>] = []
        for task in tasks { results.append(await task.value) }
        return results
    }
}
