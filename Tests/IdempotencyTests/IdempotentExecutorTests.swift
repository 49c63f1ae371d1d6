import ETRMTestSupport
import Foundation
import Idempotency
import ResilienceTesting
import Testing

@Suite struct IdempotentExecutorTests {
    let clock = ManualClock()

    func executor(
        coalescing: Bool = false,
        failurePolicy: IdempotentExecutor<InMemoryIdempotencyStore<ManualClock>>.FailurePolicy = .releaseRecord
    )
        throws -> IdempotentExecutor<InMemoryIdempotencyStore<ManualClock>>
    {
        IdempotentExecutor(
            store: try InMemoryIdempotencyStore(clock: clock),
            configuration: .init(lease: .seconds(10), failurePolicy: failurePolicy, coalescesDuplicates: coalescing))
    }

    func problem(_ response: IdempotentResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// 500 tasks, one key, no coalescing: the operation runs once; it is held until the 499 others have their
    /// answer, so every one of them is a 409 with Retry-After.
    @Test func fiveHundredConcurrentCallersRunTheOperationOnce() async throws {
        let executor = try executor()
        let executions = Counter()
        let answered = Counter()
        let everyoneElseAnswered = Latch()
        let key = Fixtures.key("settle-1")
        let responses = try await withThrowingTaskGroup(of: IdempotentResponse.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    let response = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                        executions.increment()
                        await everyoneElseAnswered.wait()
                        return Fixtures.accepted
                    }
                    if response.disposition != .executed, answered.increment() == 499 { everyoneElseAnswered.open() }
                    return response
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(executions.current == 1)
        #expect(responses.filter { $0.disposition == .executed && $0.body == Fixtures.accepted.body }.count == 1)
        let conflicts = responses.filter { $0.status == 409 }
        #expect(conflicts.count == 499)
        #expect(conflicts.allSatisfy { $0.headerValue("Retry-After") == "10" && $0.disposition == .inProgress })
        let replay = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
            executions.increment()
            return StoredResponse(status: 500, body: [])
        }
        #expect(replay.replayed && replay.status == 201 && replay.body == Fixtures.accepted.body)
        #expect(executions.current == 1)
    }

    /// 500 tasks, one key, coalescing: the operation runs once and every caller gets its response.
    @Test func coalescedCallersAllGetTheFirstResponse() async throws {
        let executor = try executor(coalescing: true)
        let executions = Counter()
        let key = Fixtures.key("settle-2")
        let responses = try await withThrowingTaskGroup(of: IdempotentResponse.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                        executions.increment()
                        for _ in 0..<10 { await Task.yield() }
                        return Fixtures.accepted
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(executions.current == 1)
        #expect(responses.count == 500)
        #expect(responses.allSatisfy { $0.status == 201 && $0.body == Fixtures.accepted.body })
        #expect(responses.filter { !$0.replayed }.count == 1)
        #expect(responses.filter { $0.disposition == .coalesced || $0.disposition == .replayed }.count == 499)
    }

    /// 100 duplicates wait for a first call that is held; 50 of them are cancelled and leave at once with
    /// `CancellationError` while the first call still runs; the first call then completes once and the 50 others
    /// get its response. (Before, a cancelled duplicate waited for the first call; the time limit catches that.)
    @Test(.timeLimit(.minutes(1))) func cancelledCoalescedDuplicatesLeaveAtOnce() async throws {
        let executor = try executor(coalescing: true)
        let executions = Counter()
        let started = Latch()
        let finish = Latch()
        let key = Fixtures.key("settle-cancel")
        let first = Task {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                executions.increment()
                started.open()
                await finish.wait()
                return Fixtures.accepted
            }
        }
        await started.wait()
        let duplicates = (0..<100).map { _ in
            Task {
                try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                    executions.increment()
                    return StoredResponse(status: 500, body: [])
                }
            }
        }
        for _ in 0..<20 { await Task.yield() }
        for duplicate in duplicates[..<50] { duplicate.cancel() }
        var cancelled = 0
        // Should the duplicates wait for the first call after all, the time limit cancels the test, and that
        // lets the first call finish so the test fails instead of hanging.
        await withTaskCancellationHandler {
            for duplicate in duplicates[..<50] {
                do {
                    let response = try await duplicate.value
                    Issue.record("a cancelled duplicate returned \(response.status)")
                } catch {
                    if error is CancellationError { cancelled += 1 }
                }
            }
        } onCancel: {
            finish.open()
        }
        #expect(cancelled == 50, "every cancelled duplicate left before the first call finished")
        #expect(executions.current == 1)
        finish.open()
        let response = try await first.value
        #expect(response.disposition == .executed && response.status == 201)
        var coalesced = 0
        for duplicate in duplicates[50...] {
            let response = try await duplicate.value
            let shared = response.disposition == .coalesced || response.disposition == .replayed
            if shared && response.body == Fixtures.accepted.body { coalesced += 1 }
        }
        #expect(coalesced == 50)
        #expect(executions.current == 1)
        let replay = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
            executions.increment()
            return StoredResponse(status: 500, body: [])
        }
        #expect(replay.disposition == .replayed && executions.current == 1)
    }

    @Test func coalescedDuplicateWithAnotherPayloadIsRefused() async throws {
        let executor = try executor(coalescing: true)
        let started = Latch()
        let finish = Latch()
        let key = Fixtures.key("settle-3")
        let first = Task {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                started.open()
                await finish.wait()
                return Fixtures.accepted
            }
        }
        await started.wait()
        let other = try await executor.execute(key: key, fingerprint: Fixtures.other) { _ in Fixtures.accepted }
        #expect(other.status == 422 && other.disposition == .payloadMismatch)
        finish.open()
        #expect(try await first.value.status == 201)
    }

    /// The lease runs out mid-operation: exactly one of 50 successors runs, and the stale owner's result is
    /// refused and changes nothing.
    @Test func leaseExpiryLetsExactlyOneSuccessorRun() async throws {
        let executor = try executor()
        let key = Fixtures.key("settle-4")
        let executions = Counter()
        let started = Latch()
        let finish = Latch()
        let stale = Task {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { token in
                executions.increment()
                started.open()
                await finish.wait()
                return StoredResponse(status: 201, body: Array("stale \(token.fence)".utf8))
            }
        }
        await started.wait()
        clock.advance(by: .seconds(11))
        let successor = StoredResponse(status: 201, body: Array("successor".utf8))
        let responses = try await withThrowingTaskGroup(of: IdempotentResponse.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                        executions.increment()
                        return successor
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(executions.current == 2, "the stale owner and exactly one successor")
        #expect(responses.filter { $0.disposition == .executed }.count == 1)
        #expect(responses.allSatisfy { $0.status == 409 || $0.body == successor.body })
        finish.open()
        await #expect {
            try await stale.value
        } throws: { ($0 as? IdempotencyError)?.code == .notOwner }
        let replay = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
            executions.increment()
            return Fixtures.accepted
        }
        #expect(replay.replayed && replay.body == successor.body)
        #expect(executions.current == 2)
    }

    @Test func missingAndInvalidKeysAre400WithProblemDetails() async throws {
        let executor = try executor()
        let executions = Counter()
        let operation: @Sendable (OwnerToken) async throws -> StoredResponse = { _ in
            executions.increment()
            return Fixtures.accepted
        }
        let missing = try await executor.execute(
            idempotencyKeyHeader: nil, scope: Fixtures.scope, fingerprint: Fixtures.fingerprint, operation: operation)
        let invalid = try await executor.execute(
            idempotencyKeyHeader: String(repeating: "x", count: 300), scope: Fixtures.scope,
            fingerprint: Fixtures.fingerprint, operation: operation)
        for (response, type) in [
            (missing, "urn:etrm:problem:idempotency-key-missing"),
            (invalid, "urn:etrm:problem:idempotency-key-invalid"),
        ] {
            #expect(response.status == 400)
            #expect(response.headerValue("content-type") == "application/problem+json")
            let document = try problem(response)
            #expect(document["type"] as? String == type)
            #expect(document["status"] as? Int == 400)
            #expect((document["title"] as? String)?.isEmpty == false)
        }
        #expect(missing.disposition == .missingKey && invalid.disposition == .invalidKey)
        #expect(executions.current == 0)
    }

    @Test func keyReusedWithAnotherPayloadIs422() async throws {
        let executor = try executor()
        _ = try await executor.execute(
            idempotencyKeyHeader: "k", scope: Fixtures.scope, fingerprint: Fixtures.fingerprint
        ) { _ in Fixtures.accepted }
        let reused = try await executor.execute(
            idempotencyKeyHeader: "\"k\"", scope: Fixtures.scope, fingerprint: Fixtures.other
        ) { _ in Fixtures.accepted }
        #expect(reused.status == 422 && reused.disposition == .payloadMismatch)
        #expect(try problem(reused)["status"] as? Int == 422)
    }

    struct UpstreamDown: Error {}

    /// When the first of several coalesced calls fails, the waiting duplicates try again: one runs.
    @Test func coalescedDuplicatesRetryAfterTheFirstCallFails() async throws {
        let executor = try executor(coalescing: true)
        let executions = Counter()
        let key = Fixtures.key("settle-7")
        let results = await withTaskGroup(of: Result<IdempotentResponse, any Error>.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        return .success(
                            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                                let attempt = executions.increment()
                                for _ in 0..<5 { await Task.yield() }
                                if attempt == 1 { throw UpstreamDown() }
                                return Fixtures.accepted
                            })
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let failures = results.filter { if case .failure = $0 { true } else { false } }
        let successes = results.compactMap { try? $0.get() }
        #expect(failures.count == 1, "only the first call sees its own error")
        #expect(successes.count == 19 && successes.allSatisfy { $0.body == Fixtures.accepted.body })
        #expect(executions.current == 2)
    }

    @Test func releasePolicyLetsARetryRunAgain() async throws {
        let executor = try executor()
        let executions = Counter()
        let key = Fixtures.key("settle-5")
        await #expect(throws: UpstreamDown.self) {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                executions.increment()
                throw UpstreamDown()
            }
        }
        let retry = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
            executions.increment()
            return Fixtures.accepted
        }
        #expect(retry.disposition == .executed && executions.current == 2)
    }

    @Test func storePolicyReplaysTheFailure() async throws {
        let executor = try executor(
            failurePolicy: .storeResponse { _ in StoredResponse(status: 502, body: Array("upstream rejected".utf8)) })
        let executions = Counter()
        let key = Fixtures.key("settle-6")
        for attempt in 0..<3 {
            let response = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                executions.increment()
                throw UpstreamDown()
            }
            #expect(response.status == 502 && response.replayed == (attempt > 0))
        }
        #expect(executions.current == 1)
    }

    /// Powertools py#8090: a falsy result was not stored, so the retry ran again.
    @Test func emptyResponsesAreStoredAndReplayed() async throws {
        let executor = try executor()
        let executions = Counter()
        for body in ["", "0", "false", "null"] {
            let key = Fixtures.key("falsy-\(body)")
            for _ in 0..<2 {
                let response = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                    executions.increment()
                    return StoredResponse(status: 200, body: Array(body.utf8))
                }
                #expect(response.body == Array(body.utf8))
            }
        }
        #expect(executions.current == 4)
    }
}
