import ETRMContracts
import Resilience

/// The upstream ETRM the gateway forwards accepted instructions to.
///
/// A conforming type wraps the service's HTTP or messaging client. The gateway calls it inside its resilience
/// pipeline (attempt timeout, retry, circuit breaker), so an implementation makes exactly one attempt per call:
///
/// - return ``UpstreamReply/acknowledged(_:)`` when the upstream booked the instruction (→ 201);
/// - return ``UpstreamReply/rejected(_:)`` when it refused it for a business reason (→ 502, stored and
///   replayed: sending the same instruction again would be refused again);
/// - throw (``UpstreamError`` or any error) when the attempt failed for a reason that may pass: the gateway
///   retries, and answers 503 with the key released if it gives up.
///
/// The call must honour task cancellation: the attempt timeout cancels it, and an attempt that was cancelled
/// must not be booked.
public protocol SettlementUpstream: Sendable {
    /// Makes one attempt to book `submission`.
    ///
    /// - Parameter submission: The validated instruction with its idempotency fence.
    /// - Returns: The upstream's acknowledgement or business rejection.
    /// - Throws: ``UpstreamError`` or another error for a failure that may pass (retried).
    func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply
}

/// A validated instruction on its way to the upstream.
public struct UpstreamSubmission: Hashable, Sendable {
    /// The settlement run id.
    public var settlementRunID: String
    /// The contract id.
    public var contractID: String
    /// The net position in MWh.
    public var positionMWh: ExactDecimal
    /// The settlement price per MWh.
    public var settlementPrice: ExactDecimal
    /// The hexadecimal SHA-256 of the scoped idempotency key: a stable id for the upstream's own de-duplication.
    public var keyHash: String
    /// The owner token's fence: greater for every later acquisition of the same key, so the upstream can refuse
    /// a write from an owner whose lease was taken over.
    public var fence: UInt64
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
    ///   - fence: The owner token's fence.
    ///   - body: The request body.
    public init(
        settlementRunID: String, contractID: String, positionMWh: ExactDecimal, settlementPrice: ExactDecimal,
        keyHash: String, fence: UInt64, body: [UInt8]
    ) {
        self.settlementRunID = settlementRunID
        self.contractID = contractID
        self.positionMWh = positionMWh
        self.settlementPrice = settlementPrice
        self.keyHash = keyHash
        self.fence = fence
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
/// instead of its own backoff (capped by the retry's maximum server delay).
public struct UpstreamError: Error, Hashable, Sendable, CustomStringConvertible, RetryAfterProviding {
    /// A stable, machine-readable code; an open set.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// The upstream could not be reached or answered 5xx.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The upstream answered 429 (too many requests).
        public static let throttled = Code(rawValue: "throttled")
    }

    /// The stable code.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The upstream's `Retry-After`, when it sent one.
    public var retryAfter: Duration?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: An explanation.
    ///   - retryAfter: The upstream's `Retry-After`, if any.
    public init(code: Code, message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String {
        if let retryAfter { return "\(code): \(message) (retry after \(retryAfter))" }
        return "\(code): \(message)"
    }
}
