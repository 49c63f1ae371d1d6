/// A fault the vendor simulator can inject into its data responses (`PROTOCOL.md` between the simulator and
/// `etrm-pipeline run --url`).
///
/// Which pages get which fault follows from the seed alone: a page's plan is a hash of the seed, the resource and
/// the page's first record, and the attempt number of that page (how often it was requested before). The order in
/// which concurrent clients ask therefore does not change what each request gets.
public enum VendorFault: String, CaseIterable, Sendable, Hashable {
    /// 429 on a page's first request, with `Retry-After` as delta-seconds on some pages and as an HTTP-date on
    /// the others.
    case throttle
    /// A burst of one to three 503 answers on a page's first requests, some with `Retry-After`, some without.
    case unavailable
    /// The page's first answer waits ``VendorSimulatorConfiguration/slowDelay`` before its body.
    case slow
    /// The page's first answer is a 200 whose body stops in the middle of a record.
    case truncated
    /// The page's first answer is a 200 whose body is not valid JSON.
    case malformed
    /// Once per run and resource, a page's `next_cursor` points back at its own cursor; the second answer
    /// for it carries the right one.
    case duplicate

    /// The faults a page's plan chooses among (``duplicate`` is decided apart: once per run).
    static let pageFaults: [VendorFault] = [.throttle, .unavailable, .slow, .truncated, .malformed]
}

/// A resource the simulator serves: the records of `trades.json` or of `broker.json`.
public enum VendorResource: String, CaseIterable, Sendable, Hashable {
    /// `GET /v2/trades`.
    case trades
    /// `GET /v2/broker-volumes`.
    case brokerVolumes = "broker-volumes"

    /// The route's path.
    public var path: String { "/v2/" + rawValue }

    var cursorTag: String {
        switch self {
        case .trades: "t"
        case .brokerVolumes: "b"
        }
    }
}

/// What `etrm-vendor-sim` serves and how it misbehaves.
public struct VendorSimulatorConfiguration: Sendable {
    /// Listening address.
    public var host = "127.0.0.1"
    /// Port; 0 picks a free one.
    public var port = 8090
    /// Records of `trades.json` (as `etrm-pipeline generate --trades`).
    public var trades = 100_000
    /// The generator's seed (as `etrm-pipeline generate --seed`); it also fixes the fault plan.
    public var seed: UInt64 = 42
    /// The bearer token every data request must carry.
    public var token = "sim-token"
    /// The faults that are on.
    public var faults: Set<VendorFault> = []
    /// Share of pages that get each of the page faults, besides the one page per fault and resource that always
    /// gets it (so each fault occurs whenever a resource has at least five pages).
    public var faultRate = 0.02
    /// The wait of a slow page.
    public var slowDelay: Duration = .milliseconds(250)
    /// The delay a `Retry-After` asks for, in seconds.
    public var retryAfterSeconds = 1
    /// When the outage window opens, measured from the first authorised data request; `nil`: no outage.
    public var outageAfter: Duration?
    /// How long the outage window lasts.
    public var outageDuration: Duration = .zero
    /// Page `I` (0-based) of partition 0 of `/v2/trades` is malformed on every request; `nil`: off.
    public var poisonPageIndex: Int?

    /// The defaults: no faults, no outage.
    public init() {}

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - port: Port; 0 picks a free one.
    ///   - trades: Records of `trades.json`.
    ///   - seed: The generator's seed and the fault plan's.
    ///   - token: The bearer token.
    ///   - faults: The faults that are on.
    public init(port: Int, trades: Int, seed: UInt64, token: String, faults: Set<VendorFault>) {
        self.port = port
        self.trades = trades
        self.seed = seed
        self.token = token
        self.faults = faults
    }

    /// Parses `--faults`: `all`, `none`, or a comma-separated list of ``VendorFault`` names.
    ///
    /// - Parameter text: The flag's value.
    /// - Returns: The faults.
    /// - Throws: ``VendorSimulatorError`` naming an unknown fault.
    public static func faults(parsing text: String) throws(VendorSimulatorError) -> Set<VendorFault> {
        switch text {
        case "all": return Set(VendorFault.allCases)
        case "none", "": return []
        default:
            var faults: Set<VendorFault> = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let fault = VendorFault(rawValue: String(name)) else {
                    throw VendorSimulatorError(
                        "--faults: unknown fault '\(name)' (all, none, or a list of "
                            + VendorFault.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                }
                faults.insert(fault)
            }
            return faults
        }
    }

    /// Checks the values.
    ///
    /// - Throws: ``VendorSimulatorError`` for the first value out of range.
    public func validate() throws(VendorSimulatorError) {
        guard (0...65_535).contains(port) else { throw VendorSimulatorError("--port must be 0...65535") }
        guard trades >= 0 else { throw VendorSimulatorError("--trades must not be negative") }
        guard !token.isEmpty else { throw VendorSimulatorError("--token must not be empty") }
        guard (0...0.15).contains(faultRate) else { throw VendorSimulatorError("--fault-rate must be 0...0.15") }
        guard slowDelay >= .zero else { throw VendorSimulatorError("--slow-ms must not be negative") }
        guard retryAfterSeconds >= 0 else { throw VendorSimulatorError("--retry-after must not be negative") }
        if let outageAfter, outageAfter < .zero { throw VendorSimulatorError("--outage-after must not be negative") }
        guard outageDuration >= .zero else { throw VendorSimulatorError("--outage-duration must not be negative") }
        if let poisonPageIndex, poisonPageIndex < 0 {
            throw VendorSimulatorError("--poison-cursor-index must not be negative")
        }
    }
}

/// An invalid simulator configuration or page request: a ``code`` and a message naming the offending value.
public struct VendorSimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case invalidRequest = "invalid_request"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// A setting or flag is out of range, or names an unknown fault.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A page request's query is malformed or out of range (answered 400 by the simulator).
        public static let invalidRequest = Code(.invalidRequest)
    }

    /// What went wrong.
    public var code: Code
    /// What is wrong.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: What is wrong.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// An invalid configuration.
    ///
    /// - Parameter message: What is wrong.
    package init(_ message: String) { self.init(code: .invalidConfiguration, message: message) }

    /// The message.
    public var description: String { message }
}
