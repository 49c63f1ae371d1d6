import ETRMTestSupport
import Foundation
import Idempotency
import ResilienceTesting
import Testing

/// The executor's lease heartbeat, replayed header fields, public problem details and capped `Retry-After`.
@Suite struct ExecutorHeartbeatTests {
    let clock = ManualClock()

    /// Counts lease extensions (and the ones refused) on the way to an in-memory store.
    final class CountingStore: ForwardingStore {
        let inner: InMemoryIdempotencyStore<ManualClock>
        let extensions = Counter()
        let refused = Counter()

        init(clock: ManualClock) throws { inner = try InMemoryIdempotencyStore(clock: clock) }

        func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws {
            do {
                try await inner.extendLease(key, token: token, lease: lease)
                extensions.increment()
            } catch {
                refused.increment()
                throw error
            }
        }
    }

    func executor(
        _ store: CountingStore, lease: Duration = .seconds(10), every interval: Duration = .seconds(3)
    )
        throws -> IdempotentExecutor<CountingStore>
    {
        IdempotentExecutor(
            store: store,
            configuration: .init(lease: lease, heartbeat: try .init(every: interval, clock: clock)))
    }

    /// Work that runs 15 s under a 10 s lease is not taken over while the heartbeat runs; once it ends, the
    /// heartbeat is gone: no sleeper is left on the clock and advancing time extends nothing more.
    @Test func heartbeatKeepsTheLeaseWhileTheWorkRunsThenStops() async throws {
        let store = try CountingStore(clock: clock)
        let executor = try executor(store)
        let key = Fixtures.key("long-1")
        let finish = Latch()
        let work = Task {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                await finish.wait()
                return Fixtures.accepted
            }
        }
        for beat in 1...5 {
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(3))
            await clock.waitForSleepers(count: 1)  // the heartbeat extended and sleeps again
            #expect(store.extensions.current == beat)
        }
        // 15 s: without the heartbeat the 10 s lease would have ended at 10 s.
        let duplicate = try await store.claim(key, fingerprint: Fixtures.fingerprint, lease: .seconds(10))
        #expect(duplicate == .inProgress(leaseRemaining: .seconds(10)), "extended at 15 s to end at 25 s")
        finish.open()
        let response = try await work.value
        #expect(response.disposition == .executed)
        #expect(clock.sleeperCount == 0, "the heartbeat ended with the work")
        clock.advance(by: .seconds(30))
        for _ in 0..<100 { await Task.yield() }
        #expect(store.extensions.current == 5 && store.refused.current == 0)
    }

    /// No heartbeat configured: nothing sleeps on the clock and the lease is never extended.
    @Test func withoutAHeartbeatNothingExtends() async throws {
        let store = try CountingStore(clock: clock)
        let executor = IdempotentExecutor(store: store, configuration: .init(lease: .seconds(10)))
        let response = try await executor.execute(key: Fixtures.key("short"), fingerprint: Fixtures.fingerprint) { _ in
            #expect(clock.sleeperCount == 0)
            return Fixtures.accepted
        }
        #expect(response.status == 201 && store.extensions.current == 0)
    }

    /// A heartbeat slower than the lease (a misconfiguration, or a stalled process) lets a successor take
    /// over; the stale owner's next beat is refused, the heartbeat stops, and its result is refused too.
    @Test func heartbeatStopsWhenTheLeaseWasTakenOver() async throws {
        let store = try CountingStore(clock: clock)
        let executor = try executor(store, lease: .seconds(10), every: .seconds(12))
        let key = Fixtures.key("long-2")
        let finish = Latch()
        let stale = Task {
            try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
                await finish.wait()
                return Fixtures.accepted
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(11))
        guard
            case .acquired(let successor) = try await store.claim(
                key, fingerprint: Fixtures.fingerprint, lease: .seconds(60))
        else {
            Issue.record("the ended lease should be taken over")
            return
        }
        clock.advance(by: .seconds(1))  // the stale owner's beat at 12 s
        while store.refused.current == 0 { await Task.yield() }
        for _ in 0..<100 { await Task.yield() }
        #expect(clock.sleeperCount == 0, "a refused heartbeat stops instead of sleeping again")
        finish.open()
        await #expect {
            try await stale.value
        } throws: { ($0 as? IdempotencyError)?.code == .notOwner }
        #expect(store.extensions.current == 0 && store.refused.current == 1)
        try await store.complete(key, token: successor, response: Fixtures.accepted, ttl: .seconds(60))
    }

    /// The heartbeat also stops when the operation throws (and the record is released).
    @Test func heartbeatStopsWhenTheWorkThrows() async throws {
        struct Failed: Error {}
        let store = try CountingStore(clock: clock)
        let executor = try executor(store)
        let started = Latch()
        let fail = Latch()
        let work = Task {
            try await executor.execute(key: Fixtures.key("fails"), fingerprint: Fixtures.fingerprint) { _ in
                started.open()
                await fail.wait()
                throw Failed()
            }
        }
        await started.wait()
        await clock.waitForSleepers(count: 1)
        fail.open()
        await #expect(throws: Failed.self) { try await work.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func nonPositiveHeartbeatIntervalIsRefused() {
        #expect {
            try IdempotentExecutor<CountingStore>.Heartbeat(every: .zero, clock: clock)
        } throws: { ($0 as? IdempotencyError)?.code == .invalidArgument }
    }

    /// The stored header fields come back on the execution, on every replay and on coalesced duplicates.
    @Test func headerFieldsAreReplayed() async throws {
        let store = try CountingStore(clock: clock)
        let executor = IdempotentExecutor(store: store)
        let key = Fixtures.key("headers")
        let first = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in Fixtures.accepted }
        let replay = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in
            StoredResponse(status: 500, body: [])
        }
        #expect(first.headerFields == Fixtures.accepted.headerFields)
        #expect(
            replay.headerFields == Fixtures.accepted.headerFields + [
                HTTPHeaderField(name: "Idempotent-Replayed", value: "true")
            ])
        #expect(replay.headerValue("location") == "/settlements/RUN0000000000001")
        #expect(replay.problem == nil && first.problem == nil)
    }

    /// Refusals carry a public problem document whose rendering is the body, naming the key when there is one.
    @Test func refusalsCarryPublicProblemDetails() async throws {
        let store = try CountingStore(clock: clock)
        let executor = IdempotentExecutor(store: store)
        let key = Fixtures.key("pd-1")
        _ = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in Fixtures.accepted }
        let reused = try await executor.execute(key: key, fingerprint: Fixtures.other) { _ in Fixtures.accepted }
        let problem = try #require(reused.problem)
        #expect(
            problem
                == ProblemDetails(
                    type: "urn:etrm:problem:idempotency-key-reused", title: "Idempotency-Key is already used",
                    status: 422,
                    detail:
                        "This Idempotency-Key was used with a different payload for this operation; a key must not be reused.",
                    idempotencyKey: "pd-1"))
        #expect(reused.body == problem.json)
        let document = try #require(JSONSerialization.jsonObject(with: Data(reused.body)) as? [String: Any])
        #expect(document["idempotency_key"] as? String == "pd-1" && document["status"] as? Int == 422)
        #expect(document.count == 5)

        let missing = try await executor.execute(key: nil, fingerprint: Fixtures.fingerprint) { _ in Fixtures.accepted }
        #expect(missing.problem?.status == 400 && missing.problem?.idempotencyKey == nil)
        let missingDocument = try #require(JSONSerialization.jsonObject(with: Data(missing.body)) as? [String: Any])
        #expect(missingDocument["idempotency_key"] == nil && missingDocument.count == 4)
    }

    @Test func problemJSONEscapesItsStrings() throws {
        let problem = ProblemDetails(
            type: "urn:x", title: "quote \" and \\ backslash", status: 409, detail: "line\nbreak\u{1}",
            idempotencyKey: "k\"1")
        #expect(
            String(decoding: problem.json, as: UTF8.self)
                == #"{"type":"urn:x","title":"quote \" and \\ backslash","status":409,"detail":"line\nbreak\u0001","idempotency_key":"k\"1"}"#
        )
    }

    /// `Retry-After` is the remaining lease rounded up, capped by the configured maximum, never below 1 s.
    @Test(arguments: [
        // (lease s, elapsed ms, cap s, expected Retry-After)
        (600, 0, 30, "30"),  // a long lease: capped
        (600, 0, 120, "120"),
        (10, 0, 30, "10"),  // below the cap: the remaining lease
        (10, 8_500, 30, "2"),  // 1.5 s left: rounded up
        (10, 9_999, 30, "1"),  // 1 ms left: at least 1 s
        (600, 0, 0, "1"),  // a cap of zero still says 1 s
    ])
    func retryAfterIsCappedAndAtLeastOneSecond(
        lease: Int, elapsedMilliseconds: Int, cap: Int, expected: String
    )
        async throws
    {
        let store = try CountingStore(clock: clock)
        let executor = IdempotentExecutor(
            store: store, configuration: .init(lease: .seconds(lease), maximumRetryAfter: .seconds(cap)))
        let key = Fixtures.key("busy")
        _ = try await store.claim(key, fingerprint: Fixtures.fingerprint, lease: .seconds(lease))
        clock.advance(by: .milliseconds(elapsedMilliseconds))
        let conflict = try await executor.execute(key: key, fingerprint: Fixtures.fingerprint) { _ in Fixtures.accepted
        }
        #expect(conflict.status == 409 && conflict.headerValue("Retry-After") == expected)
        #expect(conflict.problem?.idempotencyKey == "busy")
    }
}
