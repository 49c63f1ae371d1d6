import ETRMContracts
import Resilience

/// The upstream ETRM the gateway forwards accepted instructions to.
///
/// A conforming type wraps the service's HTTP or messaging client. The gateway calls it inside its resilience
/// pipeline (retry, circuit breaker, attempt timeout), so an implementation makes exactly one attempt per call:
///
/// - return ``UpstreamReply/acknowledged(_:)`` when the upstream booked the instruction (→ 201);
/// - return ``UpstreamReply/rejected(_:)`` when it refused it for a business reason (→ 502, stored and
///   replayed: sending the same instruction again would be refused again);
/// - throw (``UpstreamError`` or any error) when the upstream answered that it did not book the instruction
///   (5xx, 429) or could not be reached at all: the gateway retries. Throw as soon as the failure is known:
///   a refused connection or a failed name lookup is ``UpstreamError/Code/unreachable`` at once, so the
///   gateway moves on to its next attempt without waiting for the attempt timeout.
///
/// ## The contract: de-duplication on the upstream idempotency key
///
/// Every attempt for one gateway idempotency key carries the same ``UpstreamSubmission/idempotencyKey``: each
/// retry of a request, and every later request of the desk with that key, whichever owner (fence) or replica
/// makes it. The upstream must de-duplicate on it: a submission whose key it has already booked is answered
/// with that booking (or that rejection), never booked again, also while the first submission is still being
/// processed. An HTTP upstream sends it as the `Idempotency-Key` header.
///
/// An attempt need not honour cancellation, and no HTTP client could promise that a cancelled request was not
/// booked once it was sent. Instead the gateway bounds its own wait: each attempt gets
/// ``UpstreamSubmission/timeLeft`` (pass it on as the request's deadline, e.g. AsyncHTTPClient's
/// `execute(request, deadline: .now() + .nanoseconds(…))`), and when it passes the gateway stops waiting
/// whether or not the call returns. Such an attempt is *ambiguous*: it may have been booked. The gateway keeps
/// the key claimed (extending its lease) until every ambiguous attempt has returned, records a late booking
/// as the key's 201 (or a late rejection as its 502), and answers duplicates meanwhile with 409. The key never
/// passes to a second owner while an attempt that may reach the upstream is unresolved, and retries after an
/// ambiguous attempt resume with the same upstream idempotency key.
///
/// An upstream that cannot de-duplicate: set
/// ``SettlementGatewayConfiguration/upstreamDeduplicates`` to `false`. After an ambiguous attempt the gateway
/// then sends nothing more for that key: no further attempt, no retry by a later request. The key stays held
/// until the attempt returns; its outcome is recorded (201 or 502), or, when it failed, the key is released.
/// A request that ends while the attempt is unresolved gets 503 with the problem type
/// `upstream-outcome-pending`, so the desk asks again with the same key.
public protocol SettlementUpstream: Sendable {
    /// Makes one attempt to book `submission`.
    ///
    /// - Parameter submission: The validated instruction with its upstream idempotency key and deadline.
    /// - Returns: The upstream's acknowledgement or business rejection.
    /// - Throws: ``UpstreamError`` or another error for a failure that may pass (retried).
    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply
}

/// A validated instruction on its way to the upstream: one attempt.
public struct UpstreamSubmission: Hashable, Sendable {
    /// The settlement run id.
    public var settlementRunID: String
    /// The contract id.
    public var contractID: String
    /// The net position in MWh.
    public var positionMWh: ExactDecimal
    /// The settlement price per MWh.
    public var settlementPrice: ExactDecimal
    /// The hexadecimal SHA-256 of the scoped idempotency key (the desk's key with its desk and operation).
    public var keyHash: String
    /// The key the upstream de-duplicates on (its `Idempotency-Key`): the same for every attempt and every
    /// owner of one gateway key, and different for different keys. The gateway sets it to ``keyHash``.
    public var idempotencyKey: String
    /// The owner token's fence of the request making the attempt: greater for every later acquisition of the
    /// key. For logs and audit; the upstream de-duplicates on ``idempotencyKey``, not on the fence.
    public var fence: UInt64
    /// The time this attempt has, measured when ``SettlementUpstream/submit(_:)`` is called: the gateway stops
    /// waiting for the attempt when it passes. An HTTP upstream makes it the request's deadline.
    public var timeLeft: Duration
    /// The request body as received.
    public var body: [UInt8]

    /// Creates a submission.
    ///
    /// - Parameters:
    ///   - settlementRunID: The settlement run id.
    ///   - contractID: The contract id.
    ///   - positionMWh: The net position in MWh.
    ///   - settlementPrice: The settlement price.
    ///   - keyHash: The idempotency key's hash.
    ///   - idempotencyKey: The upstream idempotency key; ``keyHash`` when `nil`.
    ///   - fence: The owner token's fence.
    ///   - timeLeft: The attempt's time left.
    ///   - body: The request body.
    public init(
        settlementRunID: String, contractID: String, positionMWh: ExactDecimal, settlementPrice: ExactDecimal,
        keyHash: String, idempotencyKey: String? = nil, fence: UInt64, timeLeft: Duration, body: [UInt8]
    ) {
        self.settlementRunID = settlementRunID
        self.contractID = contractID
        self.positionMWh = positionMWh
        self.settlementPrice = settlementPrice
        self.keyHash = keyHash
        self.idempotencyKey = idempotencyKey ?? keyHash
        self.fence = fence
        self.timeLeft = timeLeft
        self.body = body
    }
}

/// The upstream's answer to one attempt.
public enum UpstreamReply: Hashable, Sendable {
    /// The upstream booked the instruction.
    case acknowledged(UpstreamAcknowledgement)
    /// The upstream refused the instruction for a business reason.
    case rejected(UpstreamRejection)
}

/// The upstream's receipt for a booked instruction.
public struct UpstreamAcknowledgement: Hashable, Sendable {
    /// The upstream's reference for the booking.
    public var reference: String
    /// The position the upstream booked, in MWh; reconciliation compares it with the accepted position.
    public var acknowledgedPositionMWh: ExactDecimal

    /// Creates an acknowledgement.
    ///
    /// - Parameters:
    ///   - reference: The upstream's reference.
    ///   - acknowledgedPositionMWh: The position booked.
    public init(reference: String, acknowledgedPositionMWh: ExactDecimal) {
        self.reference = reference
        self.acknowledgedPositionMWh = acknowledgedPositionMWh
    }
}

/// The upstream's business refusal of an instruction.
public struct UpstreamRejection: Hashable, Sendable {
    /// The upstream's reason code.
    public var code: String
    /// The upstream's explanation.
    public var reason: String

    /// Creates a rejection.
    ///
    /// - Parameters:
    ///   - code: The upstream's reason code.
    ///   - reason: The explanation.
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// A failed attempt at the upstream that may pass: the gateway retries it.
///
/// ``retryAfter`` carries the upstream's `Retry-After` (a 429 or 503 with a hint); the retry waits that long
/// instead of its own backoff (capped by the retry's maximum server delay). ``cause`` carries the transport's
/// error where there is one. Two errors are equal when their code, message and `Retry-After` are; the cause is
/// not compared.
public struct UpstreamError: Error, Hashable, Sendable, CustomStringConvertible, RetryAfterProviding {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case unavailable, throttled, unreachable
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// The upstream could not be reached or answered 5xx.
        public static let unavailable = Code(.unavailable)
        /// The upstream answered 429 (too many requests).
        public static let throttled = Code(.throttled)
        /// The upstream could not be reached at all (connection refused, no route, name lookup failed): the
        /// request was not sent, a fast transient failure.
        public static let unreachable = Code(.unreachable)
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The upstream's `Retry-After`, when it sent one.
    public var retryAfter: Duration?
    /// The transport's error (a refused connection, a timed-out request), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: An explanation.
    ///   - retryAfter: The upstream's `Retry-After`, if any.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, retryAfter: Duration? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.cause = cause
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let retryAfter { text += " (retry after \(retryAfter))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    public static func == (lhs: UpstreamError, rhs: UpstreamError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.retryAfter == rhs.retryAfter
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(retryAfter)
    }
}
