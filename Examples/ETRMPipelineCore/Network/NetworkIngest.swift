import Foundation
import Resilience
import Synchronization

/// The settings of the network job's fetching.
package struct NetworkSettings: Sendable {
    /// Partitions of each feed, and the most pages in flight at once.
    package var partitions = 4
    /// Records per page (`limit`).
    package var pageSize = 1000
    /// The longest one attempt may take.
    package var attemptTimeout: Duration = .seconds(30)
    /// The most attempts per page while the breaker stays closed, counting the first.
    package var maxAttempts = 8
    /// The delay before each retry, before jitter.
    package var backoff = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(5))
    /// The longest `Retry-After` honoured (a longer one is capped).
    package var maximumServerDelay: Duration = .seconds(30)
    /// Consecutive failures (5xx, 429, timeouts, transport errors) that open the breaker.
    package var breakerFailures = 5
    /// How long the breaker stays open before one probe.
    package var breakerOpenDuration: Duration = .seconds(2)
    /// The retry budget shared by every page: retries allowed per first attempt, and a floor per second.
    package var retryRatio = 0.5
    package var minimumRetriesPerSecond = 20.0
    /// The random numbers behind the jitter; seed it in tests.
    package var random = RandomSource.system

    package init() {}
}

/// The network job's counters, for the `network:` line on standard error.
package struct NetworkStats: Sendable, Equatable {
    /// Pages committed (a page served twice counts once).
    package var pages = 0
    /// Records in the pages committed.
    package var records = 0
    /// Records quarantined in the pages committed (each trades page is validated as it commits).
    package var quarantined = 0
    /// Partitions (of both feeds) fetched to their last page, and how many there are.
    package var partitionsDone = 0
    package var partitionsTotal = 0
    /// The circuit breaker's state, from its last state-change event.
    package var breaker = CircuitBreakerState.closed
    /// Pages received again under a batch id already committed, and not ingested.
    package var duplicatePages = 0
    /// Retries scheduled.
    package var retries = 0
    /// Times the breaker opened.
    package var breakerOpens = 0
    /// Probes the breaker admitted (half-open transitions).
    package var probes = 0
    /// Time at least one page request (attempts, backoff, breaker pauses) was outstanding.
    package var waiting: Duration = .zero
    /// The records of each feed, from its pages' `total` when the API gives one.
    package var totals: [FeedKind: Int] = [:]
    /// Records of the pages an earlier start committed (recovered from the checkpoint).
    package var resumedRecords = 0

    /// The records still to fetch, once every feed's total is known.
    package var remainingRecords: Int? {
        guard totals.count == FeedKind.allCases.count else { return nil }
        return max(0, totals.values.reduce(0, +) - resumedRecords - records)
    }

    package init() {}

    /// The line printed to standard error after a network run; `wall` is the whole run's time.
    ///
    /// `network: pages=P duplicate_pages=D retries=R breaker_opens=O probes=B network_wait=W.WWW s
    /// wall=T.TTT s wait_share=S.SSS`
    package func line(wall: Duration) -> String {
        let share = wall > .zero ? waiting / wall : 0
        return "network: pages=\(pages) duplicate_pages=\(duplicatePages) retries=\(retries)"
            + " breaker_opens=\(breakerOpens) probes=\(probes) network_wait=\(Report.seconds(waiting)) s"
            + " wall=\(Report.seconds(wall)) s wait_share=\(String(format: "%.3f", min(1, share)))"
    }
}

/// Why one attempt at a page failed.
package struct PageFailure: Error, Sendable, RetryAfterProviding, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// 429, 5xx: retried (after `Retry-After` when given), counted by the breaker.
        case status(Int)
        /// A 200 whose body is not a page (truncated, malformed): retried; the breaker ignores it.
        case unreadable(String)
        /// 4xx other than 429 (bad token, bad parameters): not retried.
        case rejected(Int, String)
        /// The transport failed (connection refused or reset): retried, counted by the breaker.
        case transport(String)
    }

    package var kind: Kind
    package var retryAfter: Duration?
    /// The body of an unreadable page, for its dead letter.
    package var body: [UInt8] = []

    package var description: String {
        switch kind {
        case .status(let status): "HTTP \(status)"
        case .unreadable(let reason): "unreadable page: \(reason)"
        case .rejected(let status, let body): "HTTP \(status): \(body)"
        case .transport(let message): "transport: \(message)"
        }
    }
}

/// A page that stayed unreadable after its retries: dead-lettered whole, and the job exits non-zero.
package struct PoisonedPage: Sendable, Equatable {
    package var request: PageRequest
    package var reason: String
    package var body: [UInt8]
    package var attempts: Int
}

/// Where committed pages go: each is validated as it commits and only what the pipeline needs of it is kept
/// (``StoredPage``), after it is made durable in the checkpoint's log when there is one. Rebuilt from the log
/// on resume, by validating its pages again.
package final class PageStore: Sendable {
    private struct State {
        var pages: [FeedKind: [Int: [StoredPage]]] = [:]
        var poisoned: [PoisonedPage] = []
        var log: PageLog?
    }

    private let state = Mutex(State())
    package let partitions: Int

    /// - Parameter partitions: The partitions of each feed.
    package init(partitions: Int) { self.partitions = partitions }

    private func keep(_ page: CommittedPage) throws(PipelineError) -> StoredPage {
        try StoredPage(validating: page, partitions: partitions)
    }

    /// Opens the checkpoint in `directory`: its pages are committed already, and are kept as if they had just
    /// been fetched. Later commits are appended to it.
    ///
    /// - Returns: The log.
    /// - Throws: What ``PageLog/init(directory:identity:now:recover:)`` throws.
    package func open(checkpoint directory: String, identity: String, now: Int64) throws(PipelineError) -> PageLog {
        var recovered: [StoredPage] = []
        let log = try PageLog(directory: directory, identity: identity, now: now) { (page) throws(PipelineError) in
            recovered.append(try keep(page))
        }
        state.withLock { state in
            state.log = log
            for page in recovered {
                state.pages[page.page.kind, default: [:]][page.page.partition, default: []].append(page)
            }
        }
        return log
    }

    /// The pages of a partition, in order.
    package func pages(_ kind: FeedKind, _ partition: Int) -> [StoredPage] {
        state.withLock { $0.pages[kind]?[partition] ?? [] }
    }

    /// Every page of a feed in the file's order: partitions in order, each page in order.
    package func pages(_ kind: FeedKind) -> [StoredPage] {
        let all = state.withLock { $0.pages[kind] ?? [:] }
        return (0..<partitions).flatMap { all[$0] ?? [] }
    }

    /// Commits a page: validates it (on the caller's task, so pages are validated in parallel), makes it durable
    /// when there is a log, and keeps what the pipeline needs of it.
    ///
    /// - Returns: What is kept.
    /// - Throws: ``PipelineError`` for a page whose records break the document (as the file run would fail), or a
    ///   log that cannot be written.
    @discardableResult
    package func commit(_ page: CommittedPage) throws(PipelineError) -> StoredPage {
        let kept = try keep(page)
        try state.withLock { (state) throws(PipelineError) in
            try state.log?.append(page)
            state.pages[page.kind, default: [:]][page.partition, default: []].append(kept)
        }
        return kept
    }

    package func poison(_ page: PoisonedPage) { state.withLock { $0.poisoned.append(page) } }

    /// The pages that stayed unreadable, in feed and partition order.
    package var poisoned: [PoisonedPage] {
        state.withLock { $0.poisoned }.sorted {
            ($0.request.kind == .trades ? 0 : 1, $0.request.partition)
                < ($1.request.kind == .trades ? 0 : 1, $1.request.partition)
        }
    }
}

/// Fetches every partition of both feeds through a ``ResiliencePipeline`` (retry with `Retry-After`, a retry
/// budget and jitter, then a circuit breaker, then the attempt timeout), K partitions in flight, committing
/// each page to a ``PageStore``.
package final class NetworkIngest<C: Clock>: Sendable where C.Duration == Duration {
    package let source: any PageSource
    package let settings: NetworkSettings
    package let clock: C
    /// The current Unix time, for `Retry-After` given as an HTTP-date.
    package let unixNow: @Sendable () -> Int64
    /// Called with the counters after each change (from the fetching tasks).
    package let observe: (@Sendable (NetworkStats) -> Void)?
    private let counters: Mutex<NetworkStats>
    private let inFlight = Mutex((count: 0, since: ContinuousClock.now))

    package init(
        source: any PageSource, settings: NetworkSettings, clock: C,
        unixNow: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        observe: (@Sendable (NetworkStats) -> Void)? = nil
    ) {
        self.source = source
        self.settings = settings
        self.clock = clock
        self.unixNow = unixNow
        self.observe = observe
        var stats = NetworkStats()
        stats.partitionsTotal = FeedKind.allCases.count * settings.partitions
        counters = Mutex(stats)
    }

    /// The counters so far.
    package var stats: NetworkStats { counters.withLock { $0 } }

    /// Changes the counters, then passes them to ``observe``.
    private func count(_ change: (inout NetworkStats) -> Void) {
        let stats = counters.withLock { stats in
            change(&stats)
            return stats
        }
        observe?(stats)
    }

    /// Fetches what `store` lacks. A page that stays unreadable stops its partition and is recorded in the
    /// store's ``PageStore/poisoned``; the other partitions go on.
    ///
    /// - Parameter store: Where pages are committed (holding what a checkpoint recovered).
    /// - Throws: ``PipelineError`` for a page that could not be fetched (a rejected request, retries spent on
    ///   5xx, 429 or timeouts) or a commit that failed; the pages committed so far stay committed.
    package func run(into store: PageStore) async throws(PipelineError) {
        let observer = ClosureObserver { [self] event in
            guard event.kind == .retryScheduled || event.kind == .circuitStateChanged else { return }
            self.count { stats in
                switch event.kind {
                case .retryScheduled: stats.retries += 1
                case .circuitStateChanged:
                    if let state = event.state { stats.breaker = state }
                    if event.state == .open { stats.breakerOpens += 1 }
                    if event.state == .halfOpen { stats.probes += 1 }
                default: break
                }
            }
        }
        let pipeline:
            ResiliencePipeline<C, Composed<Composed<Composed<PassThrough, Retry<C>>, CircuitBreaker<C>>, Timeout<C>>>
        do {
            var retry = RetryConfiguration(
                name: "vendor-retry", maxAttempts: settings.maxAttempts, backoff: settings.backoff, jitter: .full,
                maximumServerDelay: settings.maximumServerDelay,
                budget: try RetryBudget(
                    .init(retryRatio: settings.retryRatio, minimumRetriesPerSecond: settings.minimumRetriesPerSecond),
                    clock: clock),
                random: settings.random, observer: observer)
            retry.shouldRetryError = { error in
                if let failure = error as? PageFailure, case .rejected = failure.kind { return .doNotRetry }
                return RetryConfiguration.defaultErrorDecision(error)
            }
            let breaker = try CircuitBreaker(
                CircuitBreakerConfiguration(
                    name: "vendor-breaker", mode: .consecutiveFailures(settings.breakerFailures),
                    openDuration: settings.breakerOpenDuration, halfOpenProbes: 1,
                    probeLease: settings.attemptTimeout + .seconds(1), observer: observer,
                    classifyError: { error in
                        guard let failure = error as? PageFailure else {
                            return error is CancellationError ? .ignored : .failure
                        }
                        switch failure.kind {
                        case .status, .transport: return .failure
                        case .unreadable, .rejected: return .ignored
                        }
                    }),
                clock: clock)
            pipeline = try ResiliencePipeline(clock: clock).retry(retry).circuitBreaker(breaker)
                .timeout(settings.attemptTimeout, name: "vendor-attempt")
        } catch {
            throw PipelineError(.internalFailure, "building the resilience pipeline: \(error)")
        }
        let resumed = FeedKind.allCases.reduce(0) { $0 + store.pages($1).reduce(0) { $0 + $1.page.count } }
        count { $0.resumedRecords = resumed }
        let jobs = FeedKind.allCases.flatMap { kind in (0..<settings.partitions).map { (kind, $0) } }
        let outcome: Result<Void, PipelineError> = await withTaskGroup(of: Result<Void, PipelineError>.self) { group in
            var next = 0
            var failure: PipelineError?
            func startNext() {
                guard next < jobs.count else { return }
                let (kind, partition) = jobs[next]
                next += 1
                group.addTask {
                    do throws(PipelineError) {
                        try await self.fetchPartition(kind, partition, store: store, pipeline: pipeline)
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<settings.partitions { startNext() }
            while let result = await group.next() {
                if case .failure(let error) = result, failure == nil {
                    failure = error
                    group.cancelAll()
                }
                if failure == nil { startNext() }
            }
            return failure.map { .failure($0) } ?? .success(())
        }
        try outcome.get()
    }

    private func fetchPartition<S: ResilienceStrategy>(
        _ kind: FeedKind, _ partition: Int, store: PageStore, pipeline: S
    ) async throws(PipelineError) {
        let committed = store.pages(kind, partition)
        var seen = Set(committed.map(\.batchID))
        var sequence = committed.count
        var cursor = committed.last?.page.nextCursor
        if let last = committed.last, last.page.nextCursor == nil {
            count { $0.partitionsDone += 1 }
            return
        }
        var repeats = 0
        while true {
            let request = PageRequest(
                kind: kind, partition: partition, partitions: settings.partitions, cursor: cursor,
                limit: settings.pageSize)
            guard let page = try await fetch(request, pipeline: pipeline, store: store) else { return }
            if let total = page.total { count { $0.totals[kind] = total } }
            if seen.contains(request.batchID) {
                // A page served twice: its records are committed already; follow the second answer's cursor.
                count { $0.duplicatePages += 1 }
                repeats += 1
                guard repeats <= 3 else {
                    throw PipelineError(
                        .ioFailure, "the server keeps serving batch \(request.batchID) (its next cursor loops)")
                }
            } else {
                repeats = 0
                let kept = try store.commit(
                    CommittedPage(
                        kind: kind, partition: partition, sequence: sequence, cursor: cursor,
                        nextCursor: page.nextCursor, count: page.count, records: page.records))
                seen.insert(request.batchID)
                sequence += 1
                count { stats in
                    stats.pages += 1
                    stats.records += page.count
                    stats.quarantined += kept.quarantined
                }
            }
            guard let next = page.nextCursor else {
                count { $0.partitionsDone += 1 }
                return
            }
            cursor = next
        }
    }

    /// One page through the pipeline; waits out an open breaker. `nil` when the page stayed unreadable (it is
    /// then in the store's poisoned pages).
    private func fetch<S: ResilienceStrategy>(
        _ request: PageRequest, pipeline: S, store: PageStore
    ) async throws(PipelineError) -> PageBody? {
        beginWaiting()
        defer { endWaiting() }
        let attempts = Mutex(0)
        while true {
            do {
                return try await pipeline.execute { () async throws -> PageBody in
                    attempts.withLock { $0 += 1 }
                    return try await attempt(request)
                }
            } catch let error as ResilienceError where error.code == .circuitOpen {
                // The breaker is open: the job pauses instead of hammering, and tries again when it admits a
                // probe (the other partitions are refused meanwhile and pause too). A refusal while half-open
                // carries the probe's whole lease as its hint, so the pause is capped: a refusal costs no
                // request, and the partitions go on soon after the probe closes the breaker.
                let pause = min(max(error.retryAfter ?? .milliseconds(100), .milliseconds(10)), Self.longestPause)
                do { try await clock.sleep(for: pause) } catch {
                    throw PipelineError(.internalFailure, "cancelled while the breaker was open")
                }
            } catch let failure as PageFailure {
                if case .unreadable(let reason) = failure.kind {
                    store.poison(
                        PoisonedPage(
                            request: request, reason: reason, body: failure.body,
                            attempts: attempts.withLock { $0 }))
                    return nil
                }
                throw PipelineError(
                    .ioFailure,
                    "batch \(request.batchID) could not be fetched after \(attempts.withLock { $0 }) attempts: \(failure)"
                )
            } catch is CancellationError {
                throw PipelineError(.internalFailure, "cancelled")
            } catch {
                throw PipelineError(
                    .ioFailure,
                    "batch \(request.batchID) could not be fetched after \(attempts.withLock { $0 }) attempts: \(error)"
                )
            }
        }
    }

    /// One attempt: the request, then the response read as a page or a failure.
    private func attempt(_ request: PageRequest) async throws -> PageBody {
        let response: PageResponse
        do {
            response = try await source.fetch(request)
        } catch let error as CancellationError {
            throw error
        } catch let error as PipelineError {
            throw PageFailure(kind: .transport(error.message))
        } catch {
            throw PageFailure(kind: .transport("\(error)"))
        }
        switch response.status {
        case 200:
            do {
                return try PageBody.parse(response.body)
            } catch {
                throw PageFailure(kind: .unreadable(error.reason), body: response.body)
            }
        case 429, 500...599:
            let hint = response.retryAfter.flatMap { try? RetryAfter(parsing: $0) }
            throw PageFailure(kind: .status(response.status), retryAfter: hint?.delay(nowUnixSeconds: unixNow()))
        default:
            throw PageFailure(
                kind: .rejected(response.status, String(decoding: response.body.prefix(300), as: UTF8.self)))
        }
    }

    /// The longest a partition pauses on one refusal of the breaker before asking it again.
    static var longestPause: Duration { .milliseconds(250) }

    private func beginWaiting() {
        inFlight.withLock { state in
            if state.count == 0 { state.since = .now }
            state.count += 1
        }
    }

    private func endWaiting() {
        let waited: Duration? = inFlight.withLock { state in
            state.count -= 1
            return state.count == 0 ? ContinuousClock.now - state.since : nil
        }
        if let waited { counters.withLock { $0.waiting += waited } }
    }
}
