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

/// An error from a dead-letter sink or file: an extensible code, a message and the `errno` if a system call
/// failed.
public struct DeadLetterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let rawValue: String

        /// Creates a code.
        ///
        /// - Parameter rawValue: The stable name.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// The stable name.
        public var description: String { rawValue }

        /// The file could not be opened or created.
        public static let openFailed = Code("open_failed")
        /// A write or sync failed (disk full, I/O error, closed sink).
        public static let writeFailed = Code("write_failed")
        /// The file could not be read.
        public static let readFailed = Code("read_failed")
        /// A line of a dead-letter file is not a valid record, or its bytes do not match its SHA-256.
        public static let corruptRecord = Code("corrupt_record")
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The `errno` of the failed system call, if any.
    public var errno: Int32?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - errno: The `errno` of the failed system call, if any.
    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// The code, the message and the `errno` if any.
    public var description: String {
        errno.map { "\(code): \(message) (errno \($0))" } ?? "\(code): \(message)"
    }
}
