/// A store of idempotency records: the atomic claim / complete / release protocol.
///
/// The protocol every store keeps (``InMemoryIdempotencyStore``, ``JournalIdempotencyStore``, or a service's
/// own Redis or PostgreSQL store; the `IdempotencyConformance` product checks it):
///
/// - ``claim(_:fingerprint:lease:)`` is atomic. With no live record it stores an in-progress record and
///   returns ``ClaimOutcome/acquired(_:)`` with a fresh ``OwnerToken`` whose fence is greater than every
///   token issued for the key before. With a live record whose fingerprint differs it returns
///   ``ClaimOutcome/fingerprintMismatch`` (also while the record is in progress). Otherwise it returns
///   ``ClaimOutcome/completed(_:)`` with the stored response, or ``ClaimOutcome/inProgress(leaseRemaining:)``
///   while the owner's lease lasts. Once a lease has ended, the next claim takes the record over with a
///   new token.
/// - ``complete(_:token:response:ttl:)``, ``release(_:token:)`` and ``extendLease(_:token:lease:)`` succeed
///   only for the key's current owner token. A worker whose lease ended and was taken over gets
///   ``IdempotencyError/Code/notOwner`` and changes nothing. An owner whose lease ended but which nobody took
///   over still owns the record and may complete it or extend its lease (until the store's retention for
///   abandoned leases passes).
/// - ``extendLease(_:token:lease:)`` is the heartbeat of long-running work: the lease then ends `lease` from
///   now, or later if it already did; a store that persists records persists the new end.
/// - A completed record replays its response (status, header fields and body, byte for byte) until its TTL
///   passes; then the key is free.
/// - Responses are opaque: an empty body or a body of `0`, `false` or `null` is stored like any other.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for a request with `fingerprint`, atomically.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - fingerprint: The request payload's fingerprint.
    ///   - lease: How long the claim holds the key before another claim may take it over; positive.
    /// - Returns: What the caller should do: run the work, wait, replay, or refuse.
    /// - Throws: ``IdempotencyError`` (an invalid lease, a full store, an I/O failure) or the store's own errors.
    nonisolated(nonsending) func claim(
        _ key: IdempotencyKey, fingerprint: Fingerprint, lease: Duration
    ) async throws
        -> ClaimOutcome

    /// Stores the response of the work `token` was acquired for; it replays until `ttl` passes.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token from ``ClaimOutcome/acquired(_:)``.
    ///   - response: The response to replay.
    ///   - ttl: How long the completed record lives; positive.
    /// - Throws: ``IdempotencyError/Code/notOwner`` when `token` is not the current owner (nothing changes),
    ///   ``IdempotencyError/Code/alreadyCompleted`` when the record is already completed, or an I/O error.
    nonisolated(nonsending) func complete(
        _ key: IdempotencyKey, token: OwnerToken, response: StoredResponse, ttl: Duration
    ) async throws

    /// Deletes the in-progress record `token` owns, so that the next claim runs the work again (failed work
    /// under the release policy).
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token from ``ClaimOutcome/acquired(_:)``.
    /// - Throws: ``IdempotencyError/Code/notOwner`` when `token` is not the current owner (nothing changes),
    ///   ``IdempotencyError/Code/alreadyCompleted`` when the record is completed, or an I/O error.
    nonisolated(nonsending) func release(_ key: IdempotencyKey, token: OwnerToken) async throws

    /// Extends the lease `token` holds on `key`: afterwards it ends `lease` from now, or later if it already
    /// ended later (an extension never shortens a lease). The heartbeat of work that runs longer than one lease.
    ///
    /// - Parameters:
    ///   - key: The scoped key.
    ///   - token: The owner token from ``ClaimOutcome/acquired(_:)``.
    ///   - lease: How long from now the lease holds; positive.
    /// - Throws: ``IdempotencyError/Code/notOwner`` when `token` is not the current owner (the lease was taken
    ///   over, or the record was released or expired; nothing changes), ``IdempotencyError/Code/alreadyCompleted``
    ///   when the record is completed, ``IdempotencyError/Code/invalidArgument`` for a lease that is not
    ///   positive, or an I/O error.
    nonisolated(nonsending) func extendLease(_ key: IdempotencyKey, token: OwnerToken, lease: Duration) async throws
}

/// What a claim found.
public enum ClaimOutcome: Hashable, Sendable {
    /// The caller owns the key and runs the work; `token` fences its `complete` or `release`.
    case acquired(OwnerToken)
    /// Another owner's lease is live for `leaseRemaining` more (HTTP 409 with `Retry-After`).
    case inProgress(leaseRemaining: Duration)
    /// The work is done: replay this response.
    case completed(StoredResponse)
    /// The key is bound to another payload (HTTP 422).
    case fingerprintMismatch
}

/// Proof of ownership of a claimed key: a fencing token.
///
/// Each acquisition of a key gets a fence greater than every fence the store issued for that key before, so
/// a downstream system can refuse writes carrying an older fence.
public struct OwnerToken: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The fence: greater for every later acquisition of the same key.
    public let fence: UInt64

    /// Creates a token (for stores that persist tokens).
    ///
    /// - Parameter fence: The fence.
    public init(fence: UInt64) { self.fence = fence }

    public static func < (lhs: OwnerToken, rhs: OwnerToken) -> Bool { lhs.fence < rhs.fence }

    public var description: String { "fence \(fence)" }
}

/// One HTTP header field: of a stored response, and of the settlement gateway's requests and responses.
public struct HTTPHeaderField: Hashable, Sendable {
    /// The field name, such as `Content-Type`.
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a field.
    ///
    /// - Parameters:
    ///   - name: The field name.
    ///   - value: The field value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Creates a field: `HTTPHeaderField("Content-Type", "application/json")`.
    ///
    /// - Parameters:
    ///   - name: The field name.
    ///   - value: The field value.
    public init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }
}

extension Sequence<HTTPHeaderField> {
    /// The value of the first field named `name`, compared without case.
    package func value(named name: String) -> String? {
        first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A response to replay: a status, a few header fields and opaque bytes.
///
/// Keep the header fields a client needs to see the same response again (`Content-Type`, `Location`), not
/// per-request ones (`Date`, trace ids). Stores refuse, with ``IdempotencyError/Code/invalidArgument``, more
/// than ``maximumHeaderFieldCount`` fields, a name that is not an HTTP token, a value holding a control
/// character (CR and LF would split the replayed header), or a name and value longer together than
/// ``maximumHeaderFieldBytes`` UTF-8 bytes.
public struct StoredResponse: Hashable, Sendable {
    /// The most header fields a stored response keeps.
    public static let maximumHeaderFieldCount = 32
    /// The most UTF-8 bytes of one field's name and value together.
    public static let maximumHeaderFieldBytes = 4096

    /// The HTTP status, 100 to 599 (a stored failure keeps its 4xx or 5xx).
    public var status: Int
    /// Header fields replayed with the body, in order.
    public var headerFields: [HTTPHeaderField]
    /// The body, stored and replayed byte for byte; empty is a body like any other.
    public var body: [UInt8]

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status, 100 to 599.
    ///   - headerFields: Header fields to replay (such as `Content-Type`, `Location`); none by default.
    ///   - body: The body bytes.
    public init(status: Int, headerFields: [HTTPHeaderField] = [], body: [UInt8]) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }
}
