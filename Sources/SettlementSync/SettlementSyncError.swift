/// An error from the SettlementSync module: a stable ``code`` and a message for people.
///
/// The gateway itself never throws while handling a request (every failure becomes a response); this error
/// reports an invalid configuration and a malformed `X-Trader-Scope` when parsed directly.
public struct SettlementSyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code; an open set.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// A configuration value is out of range or inconsistent; the message names the field.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// An `X-Trader-Scope` value that does not follow the grammar of ``TraderScope``.
        public static let invalidScope = Code(rawValue: "invalid_scope")
    }

    /// The stable code.
    public var code: Code
    /// A human-readable explanation naming the offending value.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: An explanation.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
