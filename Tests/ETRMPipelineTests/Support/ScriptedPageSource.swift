import ETRMPipelineCore
import Foundation
import Resilience
import ResilienceTesting
import Synchronization

/// An in-memory vendor API over generated documents, with the faults of PROTOCOL.md scripted per request:
/// partitions, opaque cursors and page bodies as the simulator serves them.
final class ScriptedPageSource: PageSource {
    /// A fault for one request: the response to give instead of the page, or `nil` for the page.
    enum Fault: Sendable {
        case status(Int, retryAfter: String?)
        case truncated
        case malformed
        /// The page, with its `next_cursor` pointing back to its own cursor.
        case servedTwice
        /// The page after a wait on the source's clock.
        case slow(Duration)
    }

    /// Decides a request's fault from the page request, how many times that exact page was asked for (from 1),
    /// and how many requests came before (from 0).
    typealias Script = @Sendable (_ request: PageRequest, _ attempt: Int, _ serial: Int) -> Fault?

    private let records: [FeedKind: [[UInt8]]]
    private let script: Script
    private let crashAfterPages: Int?
    private let clock: ManualClock?
    private let state = Mutex((attempts: [PageRequest: Int](), serial: 0, served: 0))

    /// - Parameters:
    ///   - trades: `trades.json` as generated.
    ///   - broker: `broker.json` as generated.
    ///   - crashAfterPages: After serving this many good pages, every request is refused with 401 (which the
    ///     job does not retry): the job stops at a page boundary, as after a crash.
    ///   - script: The faults.
    init(
        trades: [UInt8], broker: [UInt8], crashAfterPages: Int? = nil, clock: ManualClock? = nil,
        script: @escaping Script = { _, _, _ in nil }
    ) {
        records = [.trades: Self.elements(trades), .broker: Self.elements(broker)]
        self.script = script
        self.crashAfterPages = crashAfterPages
        self.clock = clock
    }

    /// Every request so far.
    var requests: Int { state.withLock { $0.serial } }

    func fetch(_ request: PageRequest) async throws -> PageResponse {
        let (attempt, serial, crashed) = state.withLock { state in
            var key = request
            key.limit = 0
            state.attempts[key, default: 0] += 1
            state.serial += 1
            let crashed = crashAfterPages.map { state.served >= $0 } ?? false
            return (state.attempts[key, default: 0], state.serial - 1, crashed)
        }
        if crashed { return PageResponse(status: 401, body: Array("crashed".utf8)) }
        let fault = script(request, attempt, serial)
        if case .status(let status, let retryAfter) = fault {
            return PageResponse(status: status, retryAfter: retryAfter, body: Array("{}".utf8))
        }
        if case .slow(let wait) = fault, let clock { try await clock.sleep(for: wait) }
        let all = records[request.kind] ?? []
        let lower = request.partition * all.count / request.partitions
        let upper = (request.partition + 1) * all.count / request.partitions
        let offset = lower + (request.cursor.map { Int($0.dropFirst(4)) ?? 0 } ?? 0)
        let end = min(offset + request.limit, upper)
        var next = end < upper ? "cur-\(end - lower)" : nil
        if case .servedTwice = fault { next = request.cursor }
        var body = Array("{\"data\":[".utf8)
        for (position, element) in all[offset..<end].enumerated() {
            if position > 0 { body.append(contentsOf: ",\n".utf8) }
            body.append(contentsOf: element)
        }
        body.append(contentsOf: "],\"next_cursor\":\(next.map { "\"\($0)\"" } ?? "null")}".utf8)
        switch fault {
        case .truncated: body = Array(body.prefix(body.count * 2 / 3))
        case .malformed: body = Array("{\"data\":[{\"trade_id\": oops}],\"next_cursor\":null}".utf8)
        default: state.withLock { $0.served += 1 }
        }
        return PageResponse(status: 200, body: body)
    }

    /// The elements of a generated document's array, byte for byte.
    static func elements(_ document: [UInt8]) -> [[UInt8]] {
        guard let open = document.firstIndex(of: UInt8(ascii: "[")) else { return [] }
        var elements: [[UInt8]] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: Int?
        for position in (open + 1)..<document.count {
            let byte = document[position]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: ","), UInt8(ascii: "]"):
                guard depth == 0 else {
                    if byte == UInt8(ascii: "]") { depth -= 1 }
                    break
                }
                if let first = start { elements.append(trimmed(document, first..<position)) }
                start = nil
                if byte == UInt8(ascii: "]") { return elements }
                continue
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"): depth -= 1
            default: break
            }
            if start == nil { start = position }
        }
        return elements
    }

    private static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8] {
        var upper = range.upperBound
        while upper > range.lowerBound, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[upper - 1]) { upper -= 1 }
        return Array(bytes[range.lowerBound..<upper])
    }
}

/// Runs `body` while advancing `clock` to each sleeper's deadline that is at most `horizon` ahead (retry
/// backoffs, `Retry-After`, an open breaker), never to the attempt timeouts further away: no real sleeps.
/// With `stalled`, a sleeper at least that far ahead (a slow page) lets the clock move to the nearest deadline
/// whatever its distance (the attempt's timeout).
func drivingClock<T: Sendable>(
    _ clock: ManualClock, horizon: Duration = .seconds(20), stalled: Duration? = nil,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let finished = Mutex(false)
    let task = Task {
        defer { finished.withLock { $0 = true } }
        return try await body()
    }
    while !finished.withLock({ $0 }) {
        let now = clock.now
        let deadlines = clock.pendingDeadlines
        if let next = deadlines.first,
            now.duration(to: next) <= horizon
                || stalled.map({ limit in deadlines.contains { now.duration(to: $0) >= limit } }) == true
        {
            clock.advance(to: next)
        }
        await Task.yield()
    }
    return try await task.value
}
