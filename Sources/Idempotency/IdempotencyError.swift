/// An error from the Idempotency module: a stable, machine-readable ``code`` and a message for people.
///
/// Codes are an open set (static members of ``Code``), so a new code in a later release does not break a
/// `switch` in a service. Compare with `==`:
///
/// ```swift
/// do { try await store.complete(key, token: token, response: response, ttl: .seconds(86_400)) }
/// catch let error as IdempotencyError where error.code == .notOwner { /* the lease was taken over */ }
/// ```
public struct IdempotencyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable code.
    public var code: Code
    /// A human-readable explanation naming the offending value where there is one.
    public var message: String
    /// The POSIX `errno` of a failed system call, when the error came from one.
    public var systemErrno: Int32?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: A human-readable explanation.
    ///   - systemErrno: The `errno` of a failed system call, if any.
    public init(code: Code, message: String, systemErrno: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemErrno = systemErrno
    }

    public var description: String {
        if let systemErrno { return "\(code.rawValue): \(message) (errno \(systemErrno))" }
        return "\(code.rawValue): \(message)"
    }
}

extension IdempotencyError {
    /// A stable, machine-readable error code.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// Creates a code from its `snake_case` form.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// An `Idempotency-Key` value that is empty, too long, or holds a character outside printable ASCII.
        public static let invalidKey = Code("invalid_key")
        /// A tenant, operation or settlement run id that is empty or longer than 255 UTF-8 bytes.
        public static let invalidScope = Code("invalid_scope")
        /// A body that is not well-formed JSON, so it has no canonical form.
        public static let invalidJSON = Code("invalid_json")
        /// An argument outside its allowed range (a lease or TTL that is not positive, a status outside 100…599).
        public static let invalidArgument = Code("invalid_argument")
        /// `complete` or `release` with a token that no longer owns the key: its lease was taken over, or the
        /// record was released or expired. Nothing was changed.
        public static let notOwner = Code("not_owner")
        /// `complete` or `release` on a record that is already completed. Nothing was changed.
        public static let alreadyCompleted = Code("already_completed")
        /// A new key arrived at an in-memory shard whose every record holds a live lease.
        public static let capacityExceeded = Code("capacity_exceeded")
        /// Another process, or another open store in this process, holds the journal's lock.
        public static let journalLocked = Code("journal_locked")
        /// The journal holds damage that is not a torn tail (a bad frame followed by good ones), or is not a
        /// journal at all. The store refuses to open rather than drop acknowledged records.
        public static let journalCorrupt = Code("journal_corrupt")
        /// A system call on the journal failed; the store accepts no further work.
        public static let journalIO = Code("journal_io")
        /// The store was closed.
        public static let storeClosed = Code("store_closed")
        /// A shared store's backend (a database) could not be reached in time, lost the connection, or refused a
        /// statement; the message carries the backend's own message. An operation that lost its connection may
        /// or may not have taken effect: retry it, or answer 503.
        public static let storeIO = Code("store_io")
    }
}
