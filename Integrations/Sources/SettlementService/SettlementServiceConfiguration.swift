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

/// Why the service could not start; `code` is an open set.
public struct SettlementServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The code in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// A setting is missing, out of range or inconsistent.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The store could not be opened.
        public static let storeUnavailable = Code(rawValue: "store_unavailable")
    }

    /// The stable code.
    public var code: Code
    /// What is wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The code.
    ///   - message: The explanation.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
