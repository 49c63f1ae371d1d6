/// An error from building, reading or transforming a ``TradeFrame``.
///
/// Errors name the column they concern (when there is one), so that a message such as
/// `length_mismatch: column "price" has 9 rows, expected 10` points straight at the problem. Match on ``code``
/// with `==`; new codes may be added in minor releases, so a `switch` over codes needs a `default`.
///
/// Two errors are equal when their code, column and message are; the ``cause`` is not compared.
public struct TradeFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var code: Code
    /// The column the error concerns, if any.
    public var column: String?
    /// A human-readable explanation.
    public var message: String
    /// The error that caused this one (a file system error, an issue of an exact decimal), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - column: The column the error concerns, if any.
    ///   - message: A human-readable explanation.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, column: String? = nil, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.column = column
        self.message = message
        self.cause = cause
    }

    public var description: String {
        var text = "\(code): "
        if let column { text += "column \"\(column)\": " }
        text += message
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    public static func == (lhs: TradeFrameError, rhs: TradeFrameError) -> Bool {
        lhs.code == rhs.code && lhs.column == rhs.column && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(column)
        hasher.combine(message)
    }

    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name
    /// (its ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case lengthMismatch = "length_mismatch"
            case duplicateColumn = "duplicate_column"
            case unknownColumn = "unknown_column"
            case typeMismatch = "type_mismatch"
            case schemaMismatch = "schema_mismatch"
            case overflow
            case inexact
            case invalidInput = "invalid_input"
            case invalidArgument = "invalid_argument"
            case outOfRange = "out_of_range"
            case duplicateKey = "duplicate_key"
            case corruptFile = "corrupt_file"
            case unsupported
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name, as it appears in messages.
        public var description: String { value.rawValue }

        /// Columns of one frame have different lengths.
        public static let lengthMismatch = Code(.lengthMismatch)
        /// Two columns share one name, or a name is empty.
        public static let duplicateColumn = Code(.duplicateColumn)
        /// A column name that the frame does not have.
        public static let unknownColumn = Code(.unknownColumn)
        /// A column of another kind than the operation needs.
        public static let typeMismatch = Code(.typeMismatch)
        /// Frames whose columns differ in names or kinds.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// An arithmetic result that does not fit its type (an exact sum over Int64, a rescaled decimal).
        public static let overflow = Code(.overflow)
        /// A value that cannot be represented exactly (a decimal with more fraction digits than the column scale).
        public static let inexact = Code(.inexact)
        /// A malformed input (CSV syntax, a number that does not parse, a mask of the wrong length), or a file
        /// that cannot be opened or read.
        public static let invalidInput = Code(.invalidInput)
        /// An argument outside its allowed range (a negative tolerance, an unknown zone).
        public static let invalidArgument = Code(.invalidArgument)
        /// A well-formed value that its column type cannot hold (a CSV number that would overflow to infinity or
        /// underflow to zero, an integer beyond Int32, a decimal beyond a 64-bit significand).
        public static let outOfRange = Code(.outOfRange)
        /// A key that must be unique appears on more than one row (a trade id twice in a reconciliation).
        public static let duplicateKey = Code(.duplicateKey)
        /// A binary file (Arrow IPC, Parquet) whose structure is broken: a wrong magic number, an offset or length
        /// past the end of the file, a count that does not match its buffers, or a value its type cannot hold.
        public static let corruptFile = Code(.corruptFile)
        /// A well-formed file that uses a feature this reader does not implement (a codec, a type, a bit width).
        public static let unsupported = Code(.unsupported)
    }
}
