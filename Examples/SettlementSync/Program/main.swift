// settlement-sync: drives the settlement gateway with simulated desks against an in-process upstream with
// injected faults, on simulated time, and prints the outcome table and the invariants it checked.
//
//   swift run -c release settlement-sync                       # 2 000 requests, outage profile, memory store
//   swift run -c release settlement-sync --requests 10000 --journal /tmp/settlement-journal
import Foundation
import SettlementSync
import SettlementSyncTesting

let usage = """
    usage: settlement-sync [options]
      --requests N          requests in the workload (default 2000)
      --concurrency N       concurrent desk workers (default 64)
      --desks N             desk identities sharing the workers (default 16)
      --duplicates RATE     share of exact duplicates, 0...1 (default 0.05)
      --conflicts RATE      share of keys re-used with another payload (default 0.01)
      --invalid RATE        share of invalid payloads (default 0.02)
      --faults PROFILE      none | flaky | outage | slow | deaf-late (default outage, which has deaf and late
                            attempts too)
      --duration SECONDS    simulated time the desks spread their requests over (default 5)
      --seed N              seed of the workload, faults and jitter (default 42)
      --journal PATH        durable journal store in directory PATH (default: in-memory store)
      --memory              in-memory store (the default)
      --help                this text
    """

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

func parse(_ arguments: [String]) throws -> LoadOptions {
    var options = LoadOptions()
    var index = 0
    func value(_ name: String) throws -> String {
        index += 1
        guard index < arguments.count else { throw UsageError(description: "\(name) needs a value") }
        return arguments[index]
    }
    func count(_ name: String, minimum: Int) throws -> Int {
        let text = try value(name)
        guard let number = Int(text), number >= minimum else {
            throw UsageError(description: "\(name) must be an integer of at least \(minimum), got '\(text)'")
        }
        return number
    }
    func rate(_ name: String) throws -> Double {
        let text = try value(name)
        guard let number = Double(text), number.isFinite, (0...1).contains(number) else {
            throw UsageError(description: "\(name) must be a number in 0...1, got '\(text)'")
        }
        return number
    }
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--requests": options.requests = try count(argument, minimum: 1)
        case "--concurrency": options.concurrency = try count(argument, minimum: 1)
        case "--desks": options.desks = try count(argument, minimum: 1)
        case "--duplicates": options.duplicateRate = try rate(argument)
        case "--conflicts": options.conflictRate = try rate(argument)
        case "--invalid": options.invalidRate = try rate(argument)
        case "--duration":
            let text = try value(argument)
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw UsageError(description: "--duration must be a number of seconds in (0, 86400], got '\(text)'")
            }
            options.duration = .nanoseconds(Int64(seconds * 1e9))
        case "--faults":
            let name = try value(argument)
            guard let profile = FaultProfile.all.first(where: { $0.name == name }) else {
                throw UsageError(
                    description:
                        "--faults must be one of \(FaultProfile.all.map(\.name).joined(separator: ", ")), got '\(name)'"
                )
            }
            options.profile = profile
        case "--seed":
            let text = try value(argument)
            guard let seed = UInt64(text) else {
                throw UsageError(description: "--seed must be an unsigned integer, got '\(text)'")
            }
            options.seed = seed
        case "--journal": options.journalPath = try value(argument)
        case "--memory": options.journalPath = nil
        case "--help", "-h":
            print(usage)
            exit(0)
        default: throw UsageError(description: "unknown option '\(argument)'")
        }
        index += 1
    }
    guard options.duplicateRate + options.conflictRate + options.invalidRate <= 1 else {
        throw UsageError(description: "--duplicates + --conflicts + --invalid must not exceed 1")
    }
    return options
}

func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func rightAligned(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

let meaning: [Int: String] = [
    201: "accepted: booked upstream once (first answer or replay)",
    400: "missing or malformed header",
    403: "contract outside the trader's scope",
    409: "key in flight, or run on hold",
    422: "invalid payload, or key re-used with another payload",
    429: "desk over its rate limit",
    502: "upstream rejected the instruction (stored, replayed)",
    503: "upstream unavailable or breaker open (key released), or outcome pending (key held)",
]

let options: LoadOptions
do {
    options = try parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("settlement-sync: \(error)\n\n\(usage)\n".utf8))
    exit(2)
}

let store = options.journalPath.map { "journal at \($0)" } ?? "in-memory"
print(
    "settlement-sync: \(options.requests) requests, \(options.concurrency) desk workers over \(min(options.desks, options.concurrency)) desks, "
        + "duplicates \(options.duplicateRate), conflicts \(options.conflictRate), invalid \(options.invalidRate), "
        + "faults '\(options.profile.name)', seed \(options.seed), \(store) store")

let report: LoadReport
do {
    report = try await LoadRun.run(options)
} catch {
    FileHandle.standardError.write(Data("settlement-sync: the run could not start: \(error)\n".utf8))
    exit(1)
}

print("")
print("status  responses  meaning")
for status in report.statusCounts.keys.sorted() {
    print(
        "\(column(String(status), 6))  \(rightAligned(report.statusCounts[status] ?? 0, 9))  \(meaning[status] ?? "")")
}
print(
    "total   \(rightAligned(report.responses, 9))  (\(report.sends) sent: \(options.requests) workload requests + desk retries)"
)
print("")
print("audit outcome               count")
for (outcome, count) in report.outcomeCounts.sorted(by: { $0.key < $1.key }) {
    print("\(column(outcome, 26))  \(rightAligned(count, 5))")
}
let upstream = report.upstream
print("")
print(
    "upstream: \(upstream.attempts) attempts, \(upstream.bookings) bookings of \(upstream.distinctKeysBooked) keys, "
        + "\(upstream.failures) errors, \(upstream.outageFailures) outage failures, \(upstream.throttled) throttled, "
        + "\(upstream.rejections) rejections, \(upstream.cancelled) cancelled by the attempt timeout, "
        + "\(upstream.deaf) deaf, \(upstream.late) late")
print(
    "time: \(String(format: "%.2f", report.simulatedSeconds)) s simulated in \(String(format: "%.2f", report.wallSeconds)) s real"
)
print("")
print("invariants:")
for invariant in report.invariants {
    print("  [\(invariant.passed ? "ok" : "FAILED")] \(invariant.name): \(invariant.detail)")
}
exit(report.passed ? 0 : 1)
