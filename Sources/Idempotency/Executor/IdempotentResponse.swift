/// What ``IdempotentExecutor`` answers: a status, a body and header fields ready to send, and how it came
/// about.
public struct IdempotentResponse: Hashable, Sendable {
    /// One HTTP header field (the same type a ``StoredResponse`` keeps).
    public typealias HeaderField = HTTPHeaderField

    /// How a response came about. An open set of values; compare with `==`.
    public struct Disposition: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The disposition in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// The operation ran for this call, and its response is now stored.
        public static let executed = Disposition(rawValue: "executed")
        /// The stored response of an earlier call was replayed.
        public static let replayed = Disposition(rawValue: "replayed")
        /// A concurrent call in this process ran the operation and this call waited for its response.
        public static let coalesced = Disposition(rawValue: "coalesced")
        /// No `Idempotency-Key` (HTTP 400).
        public static let missingKey = Disposition(rawValue: "missing_key")
        /// An `Idempotency-Key` that breaks the key rules (HTTP 400).
        public static let invalidKey = Disposition(rawValue: "invalid_key")
        /// The key was used with another payload (HTTP 422).
        public static let payloadMismatch = Disposition(rawValue: "payload_mismatch")
        /// A request with this key is still in progress (HTTP 409).
        public static let inProgress = Disposition(rawValue: "in_progress")
    }

    /// The HTTP status.
    public var status: Int
    /// The body: the operation's bytes, or an RFC 9457 problem-details document (``problem`` rendered).
    public var body: [UInt8]
    /// Header fields to send: the stored response's fields for executions and replays, `Content-Type` for
    /// problems, `Retry-After` for 409, `Idempotent-Replayed` for replays.
    public var headerFields: [HeaderField]
    /// The problem-details document ``body`` renders, for the executor's refusals (400, 409, 422); `nil` for
    /// the operation's own responses. Map it to a service's own error format, or send ``body`` as it is.
    public var problem: ProblemDetails?
    /// Whether the body is a replay of a response produced by an earlier or concurrent call.
    public var replayed: Bool
    /// How the response came about.
    public var disposition: Disposition

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - body: The body.
    ///   - headerFields: Header fields to send.
    ///   - replayed: Whether the body is a replay.
    ///   - disposition: How the response came about.
    ///   - problem: The problem-details document `body` renders, if any.
    public init(
        status: Int, body: [UInt8], headerFields: [HeaderField] = [], replayed: Bool, disposition: Disposition,
        problem: ProblemDetails? = nil
    ) {
        self.status = status
        self.body = body
        self.headerFields = headerFields
        self.replayed = replayed
        self.disposition = disposition
        self.problem = problem
    }

    /// The value of the first header field named `name` (compared without case), if any.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The value, or `nil`.
    public func headerValue(_ name: String) -> String? {
        headerFields.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
