import Resilience
import SettlementSync

/// Everything `settlement-service` is configured with; the executable fills it from flags and environment.
public struct SettlementServiceConfiguration: Sendable {
    /// Where idempotency records live.
    public enum StoreChoice: Sendable, Equatable {
        /// A journal in a local directory: one durable node, no other software needed.
        case journal(directory: String)
        /// A PostgreSQL database shared by replicas, by its `postgres://` URL.
        case postgres(url: String)
    }

    /// The address listened on (default `127.0.0.1`).
    public var host: String
    /// The port listened on; 0 picks a free one.
    public var port: Int
    /// The idempotency store.
    public var store: StoreChoice
    /// The upstream ETRM's endpoint; with ``demo`` and no URL an in-process simulator is started.
    public var upstreamURL: String?
    /// The HS256 shared secret of bearer tokens.
    public var hs256Secret: String?
    /// The PEM of the ES256 public key of bearer tokens.
    public var es256PublicKeyPEM: String?
    /// Without JWT keys, the scope every request gets (for a service behind an authenticating proxy, and the
    /// benchmark); `nil` with no keys refuses to start.
    public var fixedScope: TraderScope?
    /// The gateway's settings (limits, retries, breaker, lease).
    public var gateway: SettlementGatewayConfiguration
    /// The largest request body, in bytes; larger ones are answered 413.
    public var bodyLimit: Int
    /// The upstream client's connections per host.
    public var upstreamConnections: Int
    /// Whether to start the in-process upstream simulator and print a demo token.
    public var demo: Bool

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: The listening address.
    ///   - port: The port.
    ///   - store: The store.
    ///   - upstreamURL: The upstream endpoint.
    ///   - hs256Secret: The HS256 secret.
    ///   - es256PublicKeyPEM: The ES256 public key.
    ///   - fixedScope: The scope without JWT keys.
    ///   - gateway: The gateway's settings.
    ///   - bodyLimit: The body limit.
    ///   - upstreamConnections: The upstream pool size.
    ///   - demo: Whether to run the demo.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, store: StoreChoice = .journal(directory: "settlement-journal"),
        upstreamURL: String? = nil, hs256Secret: String? = nil, es256PublicKeyPEM: String? = nil,
        fixedScope: TraderScope? = nil, gateway: SettlementGatewayConfiguration = .init(), bodyLimit: Int = 64 << 10,
        upstreamConnections: Int = 64, demo: Bool = false
    ) {
        self.host = host
        self.port = port
        self.store = store
        self.upstreamURL = upstreamURL
        self.hs256Secret = hs256Secret
        self.es256PublicKeyPEM = es256PublicKeyPEM
        self.fixedScope = fixedScope
        self.gateway = gateway
        self.bodyLimit = bodyLimit
        self.upstreamConnections = upstreamConnections
        self.demo = demo
    }
}

/// Why the service could not start: a ``code``, a message and the underlying ``cause`` where there is one.
///
/// Two errors are equal when their code and message are; the ``cause`` is not compared.
public struct SettlementServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case storeUnavailable = "store_unavailable"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// A setting is missing, out of range or inconsistent.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The store could not be opened.
        public static let storeUnavailable = Code(.storeUnavailable)
    }

    /// What went wrong.
    public var code: Code
    /// What is wrong.
    public var message: String
    /// The error that caused this one (the store's, the authenticator's, the gateway's), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: The explanation.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The code's name and the message, and the cause when there is one.
    public var description: String {
        guard let cause else { return "\(code): \(message)" }
        return "\(code): \(message) (cause: \(cause))"
    }

    /// Whether two errors have the same code and message; the causes are not compared.
    public static func == (lhs: SettlementServiceError, rhs: SettlementServiceError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes the code and the message, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
