import AsyncHTTPClient
import ETRMSampleFeed
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ResilienceTesting
import Testing
import VendorSimulator

/// The real simulator on a free loopback port, and a real AsyncHTTPClient to talk to it.
struct SimulatorHarness<C: Clock>: Sendable where C.Duration == Duration {
    static var token: String { "test-token" }

    let running: VendorSimulator.Running<C>
    let client: HTTPClient

    var base: String { "http://127.0.0.1:\(running.port)" }

    static func start(
        trades: Int = 3_000, seed: UInt64 = 5, faults: Set<VendorFault> = [], clock: C,
        adjust: (inout VendorSimulatorConfiguration) -> Void = { _ in }
    ) async throws -> SimulatorHarness {
        var configuration = VendorSimulatorConfiguration(
            port: 0, trades: trades, seed: seed, token: token, faults: faults)
        configuration.slowDelay = .zero
        adjust(&configuration)
        var logger = Logger(label: "vendor-sim-test")
        logger.logLevel = .error
        let running = try await VendorSimulator.start(configuration, clock: clock, logger: logger)
        return SimulatorHarness(running: running, client: HTTPClient(eventLoopGroupProvider: .singleton))
    }

    func stop() async throws {
        try await client.shutdown()
        try await running.stop()
    }

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
        var nextCursor: String? { json?["next_cursor"] as? String }
        var records: [Any] { json?["data"] as? [Any] ?? [] }

        /// The bytes between `{"data":[` and `],"next_cursor":`: the page's records as the simulator wrote them.
        var rawRecords: [UInt8] {
            let marker = Array(#"],"next_cursor":"#.utf8)
            var end = body.count - marker.count
            while end >= 9, !body[end..<(end + marker.count)].elementsEqual(marker) { end -= 1 }
            return Array(body[9..<end])
        }
    }

    func get(_ pathAndQuery: String, token: String? = Self.token) async throws -> Answer {
        var request = HTTPClientRequest(url: base + pathAndQuery)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
    }

    func statistics() async throws -> [String: Any] {
        try #require(try await get("/v2/_stats", token: nil).json)
    }
}

/// The records of a generated document joined by `,` (as a page joins them), from the document's bytes.
func fileRecords(_ document: [UInt8], header: String) -> [UInt8] {
    let inner = document.dropFirst(header.utf8.count).dropLast("\n]}\n".utf8.count)
    var joined: [UInt8] = []
    var index = inner.startIndex
    while index < inner.endIndex {
        if inner[index] == UInt8(ascii: ","), index + 1 < inner.endIndex, inner[index + 1] == UInt8(ascii: "\n") {
            joined.append(UInt8(ascii: ","))
            index += 2
        } else {
            joined.append(inner[index])
            index += 1
        }
    }
    return joined
}

@Suite struct VendorSimulatorTests {
    static let paths = ["/v2/trades", "/v2/broker-volumes"]

    /// Partitions read in order, each through its cursors, give the generated file's records exactly once and in
    /// order, for several partition counts and a limit that does not divide the partitions.
    @Test func paginationCoversEveryRecordOnceInOrderAcrossPartitions() async throws {
        let harness = try await SimulatorHarness.start(trades: 3_000, seed: 5, clock: ContinuousClock())
        let documents = try FeedGenerator(configuration: .init(trades: 3_000, seed: 5)).documents()
        let expected = [
            fileRecords(documents.trades, header: SampleFeed.Document.trades.header),
            fileRecords(documents.broker, header: SampleFeed.Document.brokerVolumes.header),
        ]
        for (path, expected) in zip(Self.paths, expected) {
            for partitions in [1, 3, 7] {
                var joined: [UInt8] = []
                var pages = 0
                for partition in 0..<partitions {
                    var cursor: String?
                    repeat {
                        var query = "?limit=233&partition=\(partition)&partitions=\(partitions)"
                        if let cursor { query += "&cursor=\(cursor)" }
                        let answer = try await harness.get(path + query)
                        #expect(answer.status == 200)
                        #expect(answer.headers["Content-Type"] == ["application/json"])
                        #expect(answer.json != nil, "page is valid JSON")
                        // Every page carries the resource's record count, whatever the partition.
                        #expect(
                            answer.json?["total"] as? Int
                                == (path == "/v2/trades" ? documents.counts.records : documents.counts.brokerRows))
                        let raw = answer.rawRecords
                        if !joined.isEmpty, !raw.isEmpty { joined.append(UInt8(ascii: ",")) }
                        joined += raw
                        cursor = answer.nextCursor
                        pages += 1
                    } while cursor != nil
                }
                #expect(joined == expected, "\(path) in \(partitions) partitions")
                #expect(pages >= partitions)
            }
        }
        // Without partition parameters: one partition, default limit 1000.
        let first = try await harness.get("/v2/trades")
        #expect(first.records.count == 1000)
        #expect(first.nextCursor != nil)
        try await harness.stop()
    }

    @Test func requestsWithoutTheTokenGet401() async throws {
        let harness = try await SimulatorHarness.start(clock: ContinuousClock())
        for token in [nil, "wrong"] as [String?] {
            for path in Self.paths {
                let answer = try await harness.get(path, token: token)
                #expect(answer.status == 401)
                #expect(answer.headers["Content-Type"] == ["application/problem+json"])
                #expect(answer.headers["WWW-Authenticate"] == ["Bearer"])
                #expect(answer.json?["status"] as? Int == 401)
            }
        }
        let statistics = try await harness.statistics()
        #expect((statistics["by_status"] as? [String: Int])?["401"] == 4)
        try await harness.stop()
    }

    @Test func badParametersGet400WithAProblemDocument() async throws {
        let harness = try await SimulatorHarness.start(clock: ContinuousClock())
        let cursor = try #require(try await harness.get("/v2/trades?limit=10").nextCursor)
        let brokerCursor = try #require(try await harness.get("/v2/broker-volumes?limit=10").nextCursor)
        let partitionCursor = try #require(
            try await harness.get("/v2/trades?limit=10&partition=1&partitions=2").nextCursor)
        let bad = [
            "limit=0", "limit=10001", "limit=abc", "limit=", "partition=1", "partitions=2",
            "partition=2&partitions=2", "partition=-1&partitions=2", "partitions=0&partition=0", "cursor=nonsense",
            "cursor=v2-t-0-1-99999999", "cursor=\(brokerCursor)", "cursor=\(partitionCursor)&partition=0&partitions=2",
            "cursor=\(cursor)&cursor=\(cursor)", "offset=5", "limit=10&page=2", "cursor=%ZZ",
        ]
        for query in bad {
            let answer = try await harness.get("/v2/trades?" + query)
            #expect(answer.status == 400, "\(query)")
            #expect(answer.headers["Content-Type"] == ["application/problem+json"], "\(query)")
            let detail = answer.json?["detail"] as? String
            #expect(detail?.isEmpty == false, "\(query): \(answer.text)")
        }
        // The same cursor with the partition parameters repeated is fine.
        #expect(
            try await harness.get("/v2/trades?limit=10&partition=1&partitions=2&cursor=\(partitionCursor)").status
                == 200)
        try await harness.stop()
    }

    /// One pass over both resources with every fault on, retrying at once whatever is not a good page (the test
    /// ignores Retry-After): what each request got, in order.
    func faultLog(seed: UInt64) async throws -> (log: [String], statistics: [String: Any], records: [[UInt8]]) {
        let harness = try await SimulatorHarness.start(
            trades: 4_000, seed: seed, faults: Set(VendorFault.allCases), clock: ContinuousClock()
        ) { $0.faultRate = 0.1 }
        var log: [String] = []
        var records: [[UInt8]] = []
        for path in Self.paths {
            var joined: [UInt8] = []
            var seen: Set<String> = []
            var cursor: String?
            var done = false
            while !done {
                let query = "?limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")
                let answer = try await harness.get(path + query)
                let retryAfter = answer.headers["Retry-After"].first
                switch answer.status {
                case 200 where answer.json == nil:
                    let truncated = !answer.body.starts(with: Array(#"{"data":[,"#.utf8))
                    log.append("\(path) \(cursor ?? "-") \(truncated ? "truncated" : "malformed")")
                    if truncated { #expect(answer.body.last != UInt8(ascii: "}")) }
                case 200:
                    let next = answer.nextCursor
                    if let next, next == cursor {
                        log.append("\(path) \(cursor ?? "-") duplicate")
                    } else {
                        log.append("\(path) \(cursor ?? "-") ok")
                    }
                    // A client ingests a batch (source + cursor) once.
                    if seen.insert(cursor ?? "-").inserted {
                        if !joined.isEmpty { joined.append(UInt8(ascii: ",")) }
                        joined += answer.rawRecords
                    }
                    cursor = next
                    done = next == nil
                case 429:
                    let form = try #require(retryAfter)
                    let isSeconds = form.allSatisfy { $0.isNumber }
                    #expect(isSeconds || form.hasSuffix(" GMT"), "Retry-After \(form)")
                    log.append("\(path) \(cursor ?? "-") 429 \(isSeconds ? "seconds" : "date")")
                case 503:
                    log.append("\(path) \(cursor ?? "-") 503 \(retryAfter == nil ? "bare" : "retry-after")")
                default:
                    Issue.record("unexpected \(answer.status): \(answer.text)")
                    done = true
                }
            }
            records.append(joined)
        }
        let statistics = try await harness.statistics()
        try await harness.stop()
        return (log, statistics, records)
    }

    @Test func everyFaultOccursAndTheSameSeedGivesTheSameFaults() async throws {
        let first = try await faultLog(seed: 17)
        let again = try await faultLog(seed: 17)
        let other = try await faultLog(seed: 18)
        #expect(first.log == again.log)
        #expect(first.log != other.log)
        for kind in ["truncated", "malformed", "duplicate", "429 seconds", "429 date", "503 bare", "503 retry-after"] {
            #expect(first.log.contains { $0.hasSuffix(kind) }, "\(kind) occurs")
        }
        // The page served twice: once per resource.
        #expect(first.log.filter { $0.hasSuffix("duplicate") }.count == 2)
        let faults = try #require(first.statistics["faults"] as? [String: Int])
        for fault in VendorFault.allCases { #expect((faults[fault.rawValue] ?? 0) > 0, "\(fault) served") }
        // Despite the faults, the records once each and in order.
        let documents = try FeedGenerator(configuration: .init(trades: 4_000, seed: 17)).documents()
        #expect(first.records[0] == fileRecords(documents.trades, header: SampleFeed.Document.trades.header))
        #expect(first.records[1] == fileRecords(documents.broker, header: SampleFeed.Document.brokerVolumes.header))
    }

    @Test func theOutageWindowRunsOnTheInjectedClockAndCountsItsRequests() async throws {
        let clock = ManualClock()
        let harness = try await SimulatorHarness.start(clock: clock) {
            $0.outageAfter = .seconds(10)
            $0.outageDuration = .seconds(5)
        }
        #expect(try await harness.get("/v2/trades?limit=10").status == 200)
        var statistics = try await harness.statistics()
        #expect(statistics["outage_started"] as? Bool == false)
        clock.advance(by: .seconds(9))
        #expect(try await harness.get("/v2/trades?limit=10").status == 200)
        clock.advance(by: .seconds(1))
        for path in Self.paths {
            let answer = try await harness.get(path + "?limit=10")
            #expect(answer.status == 503)
            #expect(answer.headers["Retry-After"].isEmpty)
            #expect(answer.headers["Content-Type"] == ["application/problem+json"])
        }
        // Unauthorised requests are answered 401 and are not outage requests.
        #expect(try await harness.get("/v2/trades", token: nil).status == 401)
        clock.advance(by: .seconds(4))
        #expect(try await harness.get("/v2/broker-volumes?limit=10").status == 503)
        statistics = try await harness.statistics()
        #expect(statistics["outage_requests"] as? Int == 3)
        #expect(statistics["outage_started"] as? Bool == true)
        #expect(statistics["outage_ended"] as? Bool == false)
        clock.advance(by: .seconds(1))
        #expect(try await harness.get("/v2/trades?limit=10").status == 200)
        statistics = try await harness.statistics()
        #expect(statistics["outage_requests"] as? Int == 3)
        #expect(statistics["outage_ended"] as? Bool == true)
        #expect(statistics["requests"] as? Int == 7)
        #expect((statistics["by_status"] as? [String: Int]) == ["200": 3, "401": 1, "503": 3])
        try await harness.stop()
    }

    @Test func aSlowPageWaitsOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let adjust: (inout VendorSimulatorConfiguration) -> Void = {
            $0.slowDelay = .seconds(3)
            $0.faultRate = 0
        }
        // Which page is slow follows from the seed: a feed of the same configuration finds it.
        var configuration = VendorSimulatorConfiguration(port: 0, trades: 3_000, seed: 5, token: "t", faults: [.slow])
        adjust(&configuration)
        let probe = VendorFeed(configuration: configuration, clock: clock)
        var cursor: String?
        var slowQuery: String?
        while slowQuery == nil {
            let query = "limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")
            let answer = probe.respond(to: .trades, query: query, authorization: "Bearer t")
            if answer.delay > .zero { slowQuery = query }
            let page = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
            cursor = try #require(page["next_cursor"] as? String)
        }
        let harness = try await SimulatorHarness.start(faults: [.slow], clock: clock, adjust: adjust)
        let query = "/v2/trades?" + (slowQuery ?? "")
        let pending = Task { try await harness.get(query) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.pendingDeadlines == [clock.now.advanced(by: .seconds(3))])
        clock.advance(by: .seconds(3))
        let answer = try await pending.value
        #expect(answer.status == 200)
        #expect(answer.records.count == 100)
        // Only its first answer is slow.
        #expect(try await harness.get(query).status == 200)
        #expect(clock.sleeperCount == 0)
        try await harness.stop()
    }

    @Test func aPoisonedPageIsMalformedOnEveryRequest() async throws {
        let harness = try await SimulatorHarness.start(clock: ContinuousClock()) { $0.poisonPageIndex = 2 }
        var cursor: String?
        for _ in 0..<2 {
            let next: String = try #require(
                try await harness.get("/v2/trades?limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")).nextCursor)
            cursor = next
        }
        for _ in 0..<3 {
            let answer = try await harness.get("/v2/trades?limit=100&cursor=\(cursor ?? "")")
            #expect(answer.status == 200)
            #expect(answer.json == nil)
        }
        // Other partitions are not poisoned.
        #expect(try await harness.get("/v2/trades?limit=100&partition=1&partitions=2").json != nil)
        try await harness.stop()
    }

    @Test func faultsParseFromTheFlag() throws {
        #expect(try VendorSimulatorConfiguration.faults(parsing: "all") == Set(VendorFault.allCases))
        #expect(try VendorSimulatorConfiguration.faults(parsing: "none").isEmpty)
        #expect(try VendorSimulatorConfiguration.faults(parsing: "slow,throttle") == [.slow, .throttle])
        #expect(throws: VendorSimulatorError.self) { try VendorSimulatorConfiguration.faults(parsing: "slow,nope") }
    }

    @Test func errorCodesAreDistinctKeepTheirNamesAndNameABadFlag() {
        let expected: [(VendorSimulatorError.Code, String)] = [
            (.invalidConfiguration, "invalid_configuration"), (.invalidRequest, "invalid_request"),
        ]
        #expect(VendorSimulatorError.Code.all == expected.map(\.0))
        #expect(expected.map(\.0.description) == expected.map(\.1))
        #expect {
            try VendorSimulatorConfiguration.faults(parsing: "slow,nope")
        } throws: { ($0 as? VendorSimulatorError)?.code == .invalidConfiguration }
    }
}
