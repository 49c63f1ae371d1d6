/// An error from the SettlementSync module: a ``code``, a message for people and the underlying ``cause`` where
/// there is one.
///
/// The gateway itself never throws while handling a request (every failure becomes a response); this error
/// reports an invalid configuration and a malformed `X-Trader-Scope` when parsed directly. Two errors are equal
/// when their code and message are; the ``cause`` is not compared.
public struct SettlementSyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case invalidScope = "invalid_scope"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// A configuration value is out of range or inconsistent; the message names the field.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An `X-Trader-Scope` value that does not follow the grammar of ``TraderScope``.
        public static let invalidScope = Code(.invalidScope)
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation naming the offending value.
    public var message: String
    /// The error that caused this one (a Resilience strategy's rejected configuration), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: An explanation.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return "\(code): \(message)" }
        return "\(code): \(message) (cause: \(cause))"
    }

    public static func == (lhs: SettlementSyncError, rhs: SettlementSyncError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
