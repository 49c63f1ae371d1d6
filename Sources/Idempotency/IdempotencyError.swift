/// An error from the Idempotency module: a stable, machine-readable ``code`` and a message for people.
///
/// Codes are declared by this module (static members of ``Code``) and new ones may be added in a minor release,
/// so compare with `==` rather than switching exhaustively:
///
/// ```swift
/// do { try await store.complete(key, token: token, response: response, ttl: .seconds(86_400)) }
/// catch let error as IdempotencyError where error.code == .notOwner { /* the lease was taken over */ }
/// ```
public struct IdempotencyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var code: Code
    /// A human-readable explanation naming the offending value where there is one.
    public var message: String
    /// The POSIX `errno` of a failed system call, when the error came from one.
    public var systemErrno: Int32?
    /// The error that caused this one (a database driver's error, a JSON syntax error), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - systemErrno: The `errno` of a failed system call, if any.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, systemErrno: Int32? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.systemErrno = systemErrno
        self.cause = cause
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let systemErrno { text += " (errno \(systemErrno))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    /// Two errors are equal when their code, message and `errno` are; the ``cause`` is not compared.
    public static func == (lhs: IdempotencyError, rhs: IdempotencyError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.systemErrno == rhs.systemErrno
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(systemErrno)
    }
}

extension IdempotencyError {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name
    /// (its ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case invalidKey = "invalid_key"
            case invalidScope = "invalid_scope"
            case invalidJSON = "invalid_json"
            case invalidArgument = "invalid_argument"
            case notOwner = "not_owner"
            case alreadyCompleted = "already_completed"
            case capacityExceeded = "capacity_exceeded"
            case journalLocked = "journal_locked"
            case journalCorrupt = "journal_corrupt"
            case journalVersionUnsupported = "journal_version_unsupported"
            case journalIO = "journal_io"
            case storeClosed = "store_closed"
            case storeIO = "store_io"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name, as it appears in messages.
        public var description: String { value.rawValue }

        /// An `Idempotency-Key` value that is empty, too long, or holds a character outside printable ASCII.
        public static let invalidKey = Code(.invalidKey)
        /// A tenant, operation or settlement run id that is empty or longer than 255 UTF-8 bytes.
        public static let invalidScope = Code(.invalidScope)
        /// A body that is not well-formed JSON, so it has no canonical form.
        public static let invalidJSON = Code(.invalidJSON)
        /// An argument outside its allowed range (a lease or TTL that is not positive, a status outside 100…599).
        public static let invalidArgument = Code(.invalidArgument)
        /// `complete` or `release` with a token that no longer owns the key: its lease was taken over, or the
        /// record was released or expired. Nothing was changed.
        public static let notOwner = Code(.notOwner)
        /// `complete` or `release` on a record that is already completed. Nothing was changed.
        public static let alreadyCompleted = Code(.alreadyCompleted)
        /// A new key arrived at an in-memory shard whose every record holds a live lease.
        public static let capacityExceeded = Code(.capacityExceeded)
        /// Another process, or another open store in this process, holds the journal's lock.
        public static let journalLocked = Code(.journalLocked)
        /// The journal holds damage that is not a torn tail (a bad frame followed by a good one, a missing,
        /// repeated or reordered frame), or is not a journal at all. The store refuses to open rather than drop
        /// acknowledged records; the message names the byte offset.
        public static let journalCorrupt = Code(.journalCorrupt)
        /// The journal was written in a format version this release does not read (a newer release wrote it);
        /// the message names the version.
        public static let journalVersionUnsupported = Code(.journalVersionUnsupported)
        /// A system call on the journal failed; the store accepts no further work.
        public static let journalIO = Code(.journalIO)
        /// The store was closed.
        public static let storeClosed = Code(.storeClosed)
        /// A shared store's backend (a database) could not be reached in time, lost the connection, or refused a
        /// statement; the message carries the backend's own message. An operation that lost its connection may
        /// or may not have taken effect: retry it, or answer 503.
        public static let storeIO = Code(.storeIO)
    }
}
