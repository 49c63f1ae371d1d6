import ETRMShared
import Idempotency
import SettlementSync

/// One request a simulated desk sends: its headers and body, and what kind of request the workload meant.
public struct RequestSpec: Sendable, Hashable {
    /// What the workload made the request to be.
    public enum Kind: String, Sendable, Hashable {
        /// A new, valid instruction.
        case fresh
        /// An exact copy (headers and body) of an earlier request of the same desk.
        case duplicate
        /// An earlier request's `Idempotency-Key` with a different, valid instruction.
        case conflicting
        /// A new instruction that breaks the contract's rules.
        case invalid
    }

    /// The position in the workload.
    public var index: Int
    /// The desk's number.
    public var desk: Int
    /// The kind.
    public var kind: Kind
    /// The header fields.
    public var headers: [HTTPHeaderField]
    /// The body.
    public var body: [UInt8]

    /// The request to hand to the gateway.
    public var request: SettlementRequest { SettlementRequest(headers: headers, body: body) }

    /// The `Idempotency-Key`, when the request carries one.
    public var idempotencyKey: String? { request.header(SettlementHeaderName.idempotencyKey) }
}

/// The requests of a load run, made from a seed: per desk, in the order the desk sends them.
public struct Workload: Sendable {
    /// The desks' names, by desk number.
    public let deskNames: [String]
    /// Each desk's requests in sending order.
    public let queues: [[RequestSpec]]
    /// The run ids in use.
    public let runIDs: [String]

    /// The scope header of desk `desk`: its own contracts only.
    public static func scope(desk: Int) -> String {
        "DESK-\(pad(desk, 2)); contracts=DE\(pad(desk, 2))*,NL\(pad(desk, 2))*"
    }

    /// Makes a workload.
    ///
    /// - Parameters:
    ///   - requests: The number of requests (before desk retries).
    ///   - desks: The number of desks.
    ///   - duplicateRate: The share of exact duplicates.
    ///   - conflictRate: The share of key re-use with another payload.
    ///   - invalidRate: The share of invalid payloads.
    ///   - clientKeyRate: The share of fresh requests that carry an `Idempotency-Key` (the rest get a derived key).
    ///   - runsPerDesk: The settlement runs each desk spreads its instructions over.
    ///   - seed: The seed.
    public init(
        requests: Int, desks: Int, duplicateRate: Double, conflictRate: Double, invalidRate: Double,
        clientKeyRate: Double = 0.8, runsPerDesk: Int = 3, seed: UInt64
    ) {
        var random = SeededGenerator(seed: seed)
        let desks = max(1, desks)
        deskNames = (0..<desks).map { "DESK-\(Self.pad($0, 2))" }
        let runs = (0..<desks * max(1, runsPerDesk)).map { "SR2026" + Self.pad($0, 10) }
        runIDs = runs
        var queues = [[RequestSpec]](repeating: [], count: desks)
        // Per desk, the earlier valid requests and those among them that carry a client key.
        var earlierValid = [[RequestSpec]](repeating: [], count: desks)
        var earlierKeyed = [[RequestSpec]](repeating: [], count: desks)
        var serial = 0
        for index in 0..<max(0, requests) {
            let desk = index % desks
            let roll = Double.random(in: 0..<1, using: &random)
            var spec: RequestSpec
            if roll < duplicateRate, let original = earlierValid[desk].randomElement(using: &random) {
                spec = original
                spec.kind = .duplicate
            } else if roll < duplicateRate + conflictRate,
                let original = earlierKeyed[desk].randomElement(using: &random)
            {
                serial += 1
                spec = Self.fresh(desk: desk, serial: serial, runs: runs, runsPerDesk: runsPerDesk, random: &random)
                spec.headers = original.headers
                spec.kind = .conflicting
                // The body names the original's run so that only the payload differs, not the run header.
                spec.body = Self.body(
                    run: original.headers.first { $0.name == SettlementHeaderName.settlementRunID }?.value ?? "",
                    desk: desk, serial: serial, random: &random)
            } else {
                serial += 1
                spec = Self.fresh(desk: desk, serial: serial, runs: runs, runsPerDesk: runsPerDesk, random: &random)
                if roll < duplicateRate + conflictRate + invalidRate {
                    spec.kind = .invalid
                    let run = spec.headers[0].value
                    spec.body = Array(
                        (#"{"settlement_run_id":"\#(run)","contract_id":"DE\#(Self.pad(desk, 2))-BAD-\#(serial)","#
                            + #""position_mwh":250000.5,"settlement_price":-1,"timestamp_utc":"2026-01-22T10:00:00"}"#)
                            .utf8)
                }
                if Double.random(in: 0..<1, using: &random) >= clientKeyRate {
                    spec.headers.removeAll { $0.name == SettlementHeaderName.idempotencyKey }
                }
            }
            spec.index = index
            queues[desk].append(spec)
            if spec.kind == .fresh {
                earlierValid[desk].append(spec)
                if spec.idempotencyKey != nil { earlierKeyed[desk].append(spec) }
            }
        }
        self.queues = queues
    }

    private static func fresh(
        desk: Int, serial: Int, runs: [String], runsPerDesk: Int, random: inout SeededGenerator
    ) -> RequestSpec {
        let run = runs[desk * max(1, runsPerDesk) + Int.random(in: 0..<max(1, runsPerDesk), using: &random)]
        let headers = [
            HTTPHeaderField(SettlementHeaderName.settlementRunID, run),
            HTTPHeaderField(SettlementHeaderName.traderScope, scope(desk: desk)),
            HTTPHeaderField(SettlementHeaderName.idempotencyKey, "desk\(desk)-instr-\(serial)"),
        ]
        return RequestSpec(
            index: 0, desk: desk, kind: .fresh, headers: headers,
            body: body(run: run, desk: desk, serial: serial, random: &random))
    }

    private static func body(run: String, desk: Int, serial: Int, random: inout SeededGenerator) -> [UInt8] {
        let market = Bool.random(using: &random) ? "DE" : "NL"
        let position = Int.random(in: -99_999_999...99_999_999, using: &random)
        let price = Int.random(in: 1...50_000, using: &random)
        let sign = position < 0 ? "-" : ""
        let magnitude = abs(position)
        let text =
            #"{"settlement_run_id":"\#(run)","contract_id":"\#(market)\#(pad(desk, 2))-2026-Q1-\#(serial)","#
            + #""position_mwh":\#(sign)\#(magnitude / 1000).\#(pad(magnitude % 1000, 3)),"#
            + #""settlement_price":\#(price / 100).\#(pad(price % 100, 2)),"timestamp_utc":"2026-01-22T10:00:00Z"}"#
        return Array(text.utf8)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
