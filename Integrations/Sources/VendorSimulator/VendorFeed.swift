import ETRMSampleFeed
import Foundation
import Synchronization

/// One answer of the simulator, before HTTP: status, headers, body, and how long to wait before sending it.
public struct VendorResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Header fields by name (`Content-Type`, `Retry-After`, `WWW-Authenticate`).
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]
    /// The wait before the body (a slow page), on the simulator's clock.
    public var delay: Duration

    /// The body as text (tests, messages).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// The counters `GET /v2/_stats` shows.
public struct VendorStatistics: Sendable, Hashable {
    /// Data requests received (any status).
    public var requests = 0
    /// Data responses by status.
    public var byStatus: [Int: Int] = [:]
    /// Authorised data requests received inside the outage window.
    public var outageRequests = 0
    /// Whether the outage window has opened.
    public var outageStarted = false
    /// Whether the outage window has closed.
    public var outageEnded = false
    /// Faults served, by fault (`duplicate` counts the answers whose `next_cursor` pointed back).
    public var faults: [VendorFault: Int] = [:]
    /// Good pages served (every 200 with valid JSON), by resource.
    public var pages: [VendorResource: Int] = [:]

    /// The counters as the JSON object of `/v2/_stats`, keys in a fixed order.
    public var json: String {
        let statuses = byStatus.keys.sorted().map { "\"\($0)\":\(byStatus[$0] ?? 0)" }.joined(separator: ",")
        let faultCounts = VendorFault.allCases.map { "\"\($0.rawValue)\":\(faults[$0] ?? 0)" }.joined(separator: ",")
        let pageCounts = VendorResource.allCases.map { "\"\($0.rawValue)\":\(pages[$0] ?? 0)" }.joined(separator: ",")
        return "{\"requests\":\(requests),\"by_status\":{\(statuses)},\"outage_requests\":\(outageRequests),"
            + "\"outage_started\":\(outageStarted),\"outage_ended\":\(outageEnded),"
            + "\"faults\":{\(faultCounts)},\"pages\":{\(pageCounts)}}"
    }
}

/// The vendor API's behaviour without the HTTP server: answers a data request from the sample feed, with the
/// fault plan of the seed, and keeps the counters.
///
/// Generic over the clock so that tests move time by hand (the outage window, slow pages); `wallClock` gives
/// the calendar time of `Retry-After` HTTP-dates.
///
/// ```swift
/// let feed = VendorFeed(configuration: configuration, clock: ContinuousClock())
/// let answer = feed.respond(to: .trades, query: "limit=500", authorization: "Bearer sim-token")
/// ```
public final class VendorFeed<C: Clock>: Sendable where C.Duration == Duration {
    /// What this feed serves and how it misbehaves.
    public let configuration: VendorSimulatorConfiguration
    /// The generated records, rendered on demand.
    public let feed: SampleFeed
    /// The clock of the outage window and of slow pages.
    public let clock: C
    private let wallClock: @Sendable () -> Date
    private let anchors: [VendorResource: [(record: Int, fault: VendorFault)]]
    private let duplicateTargets: [VendorResource: Int]
    private let state = Mutex(State())

    private struct PageKey: Hashable {
        var resource: VendorResource
        var offset: Int
    }

    private struct State {
        var statistics = VendorStatistics()
        var firstDataRequest: C.Instant?
        var attempts: [PageKey: Int] = [:]
        var duplicated: Set<VendorResource> = []
    }

    /// Generates the feed (about 2 s per million trades in a release build) and fixes the fault plan.
    ///
    /// - Parameters:
    ///   - configuration: What to serve and which faults are on.
    ///   - clock: The clock of the outage window and of slow pages.
    ///   - wallClock: The calendar time, for `Retry-After` HTTP-dates.
    public init(
        configuration: VendorSimulatorConfiguration, clock: C, wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        let feed = FeedGenerator(configuration: .init(trades: configuration.trades, seed: configuration.seed)).feed()
        self.feed = feed
        var anchors: [VendorResource: [(record: Int, fault: VendorFault)]] = [:]
        var duplicateTargets: [VendorResource: Int] = [:]
        let enabled = VendorFault.pageFaults.filter(configuration.faults.contains)
        for resource in VendorResource.allCases {
            let count = feed.count(Self.document(resource))
            guard count > 0 else { continue }
            // One record per enabled fault, each in its own stretch of the resource: the page holding it gets
            // the fault, so every fault occurs once the resource spans a page per fault.
            anchors[resource] = enabled.enumerated().map { position, fault in
                let stretch = max(1, count / enabled.count)
                let start = min(count - 1, position * count / enabled.count)
                let offset = Int(
                    Self.mix(configuration.seed, resource.hashSalt, UInt64(position), 11) % UInt64(stretch))
                return (min(count - 1, start + offset), fault)
            }
            duplicateTargets[resource] =
                count / 3 + Int(Self.mix(configuration.seed, resource.hashSalt, 12) % UInt64(max(1, count / 3)))
        }
        self.anchors = anchors
        self.duplicateTargets = duplicateTargets
    }

    static func document(_ resource: VendorResource) -> SampleFeed.Document {
        switch resource {
        case .trades: .trades
        case .brokerVolumes: .brokerVolumes
        }
    }

    /// The counters of `/v2/_stats`, with the outage flags as of now.
    public var statistics: VendorStatistics {
        let now = clock.now
        return state.withLock { state in
            var statistics = state.statistics
            if let window = outageWindow(state.firstDataRequest) {
                statistics.outageStarted = now >= window.lowerBound
                statistics.outageEnded = now >= window.upperBound
            }
            return statistics
        }
    }

    private func outageWindow(_ first: C.Instant?) -> Range<C.Instant>? {
        guard let first, let after = configuration.outageAfter else { return nil }
        let start = first.advanced(by: after)
        return start..<start.advanced(by: configuration.outageDuration)
    }

    // MARK: Answering

    /// Answers `GET /v2/trades` or `GET /v2/broker-volumes`.
    ///
    /// A page is `{"data":[records],"next_cursor":"…"|null,"total":N}`: `total` is the number of records of the
    /// whole resource (all partitions), the same on every page, for a client's progress and ETA.
    ///
    /// - Parameters:
    ///   - resource: Which records.
    ///   - query: The URL's query, percent-encoded as received (`nil` when there is none).
    ///   - authorization: The `Authorization` header, if any.
    /// - Returns: The answer; a slow page carries its delay, which the server waits before sending it.
    public func respond(to resource: VendorResource, query: String?, authorization: String?) -> VendorResponse {
        let now = clock.now
        guard authorization == "Bearer " + configuration.token else {
            var answer = Self.problem(
                401, "unauthorized", "Unauthorized",
                authorization == nil ? "an Authorization: Bearer token is required" : "the bearer token is not valid")
            answer.headers["WWW-Authenticate"] = "Bearer"
            return count(answer)
        }
        let inOutage = state.withLock { state in
            if state.firstDataRequest == nil { state.firstDataRequest = now }
            guard let window = outageWindow(state.firstDataRequest), window.contains(now) else { return false }
            state.statistics.outageRequests += 1
            return true
        }
        if inOutage {
            return count(
                Self.problem(503, "maintenance", "Service Unavailable", "the vendor API is down for maintenance"))
        }
        let page: PageRequest
        do throws(VendorSimulatorError) {
            page = try PageRequest(query: query, resource: resource, records: feed.count(Self.document(resource)))
        } catch {
            return count(Self.problem(400, "bad-request", "Bad Request", error.message))
        }
        return count(answer(page))
    }

    private func count(_ answer: VendorResponse) -> VendorResponse {
        state.withLock { state in
            state.statistics.requests += 1
            state.statistics.byStatus[answer.status, default: 0] += 1
        }
        return answer
    }

    private enum Plan {
        /// The page's records; a slow page waits first. Either may be the page whose `next_cursor` points back.
        case good(nextPointsBack: Bool, slow: Bool)
        case fault(VendorFault)
    }

    private func answer(_ page: PageRequest) -> VendorResponse {
        let resource = page.resource
        let key = PageKey(resource: resource, offset: page.offset)
        let salt = resource.hashSalt
        let offset = UInt64(page.offset)
        let seed = configuration.seed
        let poisoned =
            resource == .trades && page.partition == 0
            && configuration.poisonPageIndex.map { $0 * page.limit }
                == page.offset
        let kind = pageFault(page)
        let plan: Plan = state.withLock { state in
            let attempt = state.attempts[key, default: 0]
            state.attempts[key] = attempt + 1
            let plan: Plan
            let faulty = kind.map {
                $0 == .unavailable ? attempt < 1 + Int(Self.mix(seed, salt, offset, 2) % 3) : attempt == 0
            }
            if poisoned {
                plan = .fault(.malformed)
            } else if let kind, faulty == true, kind != .slow {
                plan = .fault(kind)
            } else {
                let pointsBack =
                    configuration.faults.contains(.duplicate) && !state.duplicated.contains(resource)
                    && isDuplicateTarget(page)
                if pointsBack { state.duplicated.insert(resource) }
                plan = .good(nextPointsBack: pointsBack, slow: kind == .slow && faulty == true)
            }
            switch plan {
            case .fault(let fault): state.statistics.faults[fault, default: 0] += 1
            case .good(let pointsBack, let slow):
                if pointsBack { state.statistics.faults[.duplicate, default: 0] += 1 }
                if slow { state.statistics.faults[.slow, default: 0] += 1 }
                state.statistics.pages[resource, default: 0] += 1
            }
            return plan
        }
        switch plan {
        case .good(let pointsBack, let slow):
            let next = pointsBack ? page.cursor : page.nextCursor
            return VendorResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: body(page, next: next),
                delay: slow ? configuration.slowDelay : .zero)
        case .fault(.throttle):
            var answer = Self.problem(429, "rate-limited", "Too Many Requests", "slow down")
            answer.headers["Retry-After"] =
                Self.mix(seed, salt, offset, 4) & 1 == 0
                ? String(configuration.retryAfterSeconds) : httpDate(secondsFromNow: configuration.retryAfterSeconds)
            return answer
        case .fault(.unavailable):
            var answer = Self.problem(503, "unavailable", "Service Unavailable", "try again")
            if Self.mix(seed, salt, offset, 3) & 1 == 0 {
                answer.headers["Retry-After"] = String(configuration.retryAfterSeconds)
            }
            return answer
        case .fault(.truncated):
            let full = body(page, next: page.nextCursor)
            // Into the middle of the first record (or of the envelope when the page is empty).
            let cut =
                page.count > 0 ? 9 + feed.record(Self.document(resource), at: page.offset).count / 2 : full.count / 2
            return VendorResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: Array(full.prefix(cut)), delay: .zero)
        case .fault(.malformed), .fault(.slow), .fault(.duplicate):
            // `{"data":[,` … : a comma where a value must be.
            var broken = body(page, next: page.nextCursor)
            broken.insert(UInt8(ascii: ","), at: 9)
            return VendorResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: broken, delay: .zero)
        }
    }

    /// The page fault of a page (on or off by the configuration), from the seed and the page's records.
    private func pageFault(_ page: PageRequest) -> VendorFault? {
        let range = page.offset..<(page.offset + page.count)
        if let anchored = anchors[page.resource]?.first(where: { range.contains($0.record) }) { return anchored.fault }
        let enabled = VendorFault.pageFaults.filter(configuration.faults.contains)
        guard !enabled.isEmpty, configuration.faultRate > 0 else { return nil }
        let roll = Double(Self.mix(configuration.seed, page.resource.hashSalt, UInt64(page.offset), 1) % 1_000_000)
        let slot = Int(roll / (configuration.faultRate * 1_000_000))
        return slot < enabled.count ? enabled[slot] : nil
    }

    /// Whether this is the page whose `next_cursor` points back at itself: the page holding the resource's
    /// target record, or the second page of its partition when the target is on the first (which has no cursor).
    private func isDuplicateTarget(_ page: PageRequest) -> Bool {
        guard let target = duplicateTargets[page.resource], page.offset > page.partitionStart else { return false }
        if (page.offset..<(page.offset + page.count)).contains(target) { return true }
        return (page.partitionStart..<page.offset).contains(target) && page.offset == page.partitionStart + page.limit
    }

    private func body(_ page: PageRequest, next: String?) -> [UInt8] {
        let document = Self.document(page.resource)
        var body: [UInt8] = []
        body.reserveCapacity(page.count * 280 + 64)
        body.append(contentsOf: #"{"data":["#.utf8)
        for index in page.offset..<(page.offset + page.count) {
            if index > page.offset { body.append(UInt8(ascii: ",")) }
            feed.append(document, record: index, to: &body)
        }
        body.append(contentsOf: #"],"next_cursor":"#.utf8)
        body.append(contentsOf: (next.map { "\"\($0)\"" } ?? "null").utf8)
        // The records of the whole resource (every partition), so that a client can show an ETA.
        body.append(contentsOf: ",\"total\":\(feed.count(document))}".utf8)
        return body
    }

    private func httpDate(secondsFromNow seconds: Int) -> String {
        // Rounded up to the next whole second: an HTTP-date has no fraction, and it must not come early.
        let date = Date(timeIntervalSince1970: (wallClock().timeIntervalSince1970).rounded(.up) + Double(seconds))
        // IMF-fixdate (RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func problem(_ status: Int, _ type: String, _ title: String, _ detail: String) -> VendorResponse {
        let body =
            "{\"type\":\"urn:etrm:vendor:problem:\(type)\",\"title\":\(jsonString(title)),\"status\":\(status),"
            + "\"detail\":\(jsonString(detail))}"
        return VendorResponse(
            status: status, headers: ["Content-Type": "application/problem+json"], body: Array(body.utf8), delay: .zero)
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// SplitMix64 over the values: the fault plan's hash.
    static func mix(_ values: UInt64...) -> UInt64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        for value in values {
            hash = (hash ^ value) &+ 0x9E37_79B9_7F4A_7C15
            hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
            hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
            hash ^= hash >> 31
        }
        return hash
    }
}

extension VendorResource {
    var hashSalt: UInt64 {
        switch self {
        case .trades: 0x7472_6164_6573
        case .brokerVolumes: 0x6272_6F6B_6572
        }
    }
}

/// A data request's parameters, checked: which partition, from which record, how many.
struct PageRequest {
    var resource: VendorResource
    var limit: Int
    var partition: Int
    var partitions: Int
    var partitionStart: Int
    var partitionEnd: Int
    /// The first record of the page.
    var offset: Int
    /// The cursor this page was asked with (`nil` for a partition's first page).
    var cursor: String?

    var count: Int { min(limit, partitionEnd - offset) }
    var nextCursor: String? {
        offset + count < partitionEnd ? Self.cursor(resource, partition, partitions, offset + count) : nil
    }

    static let maximumLimit = 10_000
    static let maximumPartitions = 10_000

    static func cursor(_ resource: VendorResource, _ partition: Int, _ partitions: Int, _ offset: Int) -> String {
        "v2-\(resource.cursorTag)-\(partition)-\(partitions)-\(offset)"
    }

    /// A query the simulator answers with 400.
    private static func refusal(_ message: String) -> VendorSimulatorError {
        VendorSimulatorError(code: .invalidRequest, message: message)
    }

    init(query: String?, resource: VendorResource, records: Int) throws(VendorSimulatorError) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = String(parts[0])
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            guard let name = rawName.replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = rawValue.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { throw Self.refusal("the query is not valid percent-encoding: \(pair)") }
            guard ["limit", "cursor", "partition", "partitions"].contains(name) else {
                throw Self.refusal("unknown parameter '\(name)' (limit, cursor, partition, partitions)")
            }
            guard values[name] == nil else { throw Self.refusal("parameter '\(name)' is given twice") }
            values[name] = value
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(VendorSimulatorError) -> Int? {
            guard let text = values[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw Self.refusal(
                    "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound) (got '\(text)')")
            }
            return value
        }
        self.resource = resource
        limit = try integer("limit", 1...Self.maximumLimit) ?? 1000
        let partitions = try integer("partitions", 1...Self.maximumPartitions)
        let partition = try integer("partition", 0...(Self.maximumPartitions - 1))
        switch (partition, partitions) {
        case (nil, nil):
            self.partition = 0
            self.partitions = 1
        case (let partition?, let partitions?):
            guard partition < partitions else {
                throw Self.refusal("partition must be below partitions (got \(partition) of \(partitions))")
            }
            self.partition = partition
            self.partitions = partitions
        default: throw Self.refusal("partition and partitions go together")
        }
        if let cursor = values["cursor"] {
            let fields = cursor.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0] == "v2", let p = Int(fields[2]), let k = Int(fields[3]),
                let offset = Int(fields[4]), k >= 1, k <= Self.maximumPartitions, p >= 0, p < k
            else { throw Self.refusal("cursor '\(cursor)' is not one this API issued") }
            guard fields[1] == resource.cursorTag else {
                throw Self.refusal("cursor '\(cursor)' belongs to another resource")
            }
            if partitions != nil, p != self.partition || k != self.partitions {
                throw Self.refusal(
                    "cursor '\(cursor)' belongs to partition \(p) of \(k), not \(self.partition) of \(self.partitions)")
            }
            self.partition = p
            self.partitions = k
            self.cursor = cursor
            self.offset = offset
        } else {
            self.cursor = nil
            self.offset = 0
        }
        partitionStart = self.partition * records / self.partitions
        partitionEnd = (self.partition + 1) * records / self.partitions
        if cursor == nil {
            offset = partitionStart
        } else {
            guard offset >= partitionStart, offset < partitionEnd else {
                throw Self.refusal("cursor '\(cursor ?? "")' is outside its partition")
            }
        }
    }
}
