import ETRMShared

/// A record that failed validation, kept with everything needed to find, explain and replay it: the exact raw
/// bytes, their SHA-256, where it was in its batch, every issue found, and when it was set aside.
public struct DeadLetter: Hashable, Sendable {
    /// The record's bytes exactly as received (not re-serialised, not necessarily valid UTF-8).
    public let rawBytes: [UInt8]
    /// The SHA-256 of ``rawBytes``, 64 lower-case hexadecimal characters.
    public let sha256: String
    /// The record's zero-based position in its batch or document.
    public let recordIndex: Int
    /// Every issue found in the record.
    public let issues: [ValidationIssue]
    /// The system or feed the record came from, such as `etrm-vendor-a`.
    public let sourceName: String
    /// The batch (page, file, request) the record arrived in.
    public let batchID: String
    /// When the record was quarantined.
    public let quarantinedAt: UTCTimestamp

    /// Creates a dead letter, hashing the raw bytes.
    ///
    /// - Parameters:
    ///   - rawBytes: The record's bytes exactly as received.
    ///   - recordIndex: The record's zero-based position in its batch.
    ///   - issues: Every issue found in the record.
    ///   - sourceName: The system or feed the record came from.
    ///   - batchID: The batch the record arrived in.
    ///   - quarantinedAt: When the record was quarantined.
    public init(
        rawBytes: some Collection<UInt8>,
        recordIndex: Int,
        issues: [ValidationIssue],
        sourceName: String,
        batchID: String,
        quarantinedAt: UTCTimestamp
    ) {
        let bytes = Array(rawBytes)
        self.rawBytes = bytes
        self.sha256 = SHA256.hash(bytes).hex
        self.recordIndex = recordIndex
        self.issues = issues
        self.sourceName = sourceName
        self.batchID = batchID
        self.quarantinedAt = quarantinedAt
    }
}

/// Where quarantined records go.
///
/// `quarantine(_:)` is synchronous so that a reader can call it inline for each bad record; it returns once
/// the letter is stored as durably as the sink promises (see each sink). Conforming types must be safe to call
/// from several threads at once (the protocol requires `Sendable`); the package's sinks serialise writers
/// with a `Mutex`.
public protocol DeadLetterSink: Sendable {
    /// Stores a dead letter.
    ///
    /// - Parameter letter: The quarantined record.
    /// - Throws: An error when the letter could not be stored; the caller must then not count the record as
    ///   quarantined.
    func quarantine(_ letter: DeadLetter) throws
}

/// An error from a dead-letter sink or file: a ``code``, a message, the `errno` if a system call failed and the
/// underlying ``cause`` where there is one.
///
/// Two errors are equal when their code, message and `errno` are; the cause is not compared.
public struct DeadLetterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case openFailed = "open_failed"
            case writeFailed = "write_failed"
            case readFailed = "read_failed"
            case corruptRecord = "corrupt_record"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// The file could not be opened or created.
        public static let openFailed = Code(.openFailed)
        /// A write or sync failed (disk full, I/O error, closed sink).
        public static let writeFailed = Code(.writeFailed)
        /// The file could not be read.
        public static let readFailed = Code(.readFailed)
        /// A line of a dead-letter file is not a valid record, or its bytes do not match its SHA-256.
        public static let corruptRecord = Code(.corruptRecord)
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The `errno` of the failed system call, if any.
    public var errno: Int32?
    /// The error that caused this one (an encoder's, a file read's, a line's validation failure), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - errno: The `errno` of the failed system call, if any.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, errno: Int32? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.cause = cause
    }

    /// The code, the message, the `errno` and the cause, where there are.
    public var description: String {
        var text = "\(code): \(message)"
        if let errno { text += " (errno \(errno))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    public static func == (lhs: DeadLetterError, rhs: DeadLetterError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.errno == rhs.errno
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(errno)
    }
}
