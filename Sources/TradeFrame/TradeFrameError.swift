/// An error from building, reading or transforming a ``TradeFrame``.
///
/// Errors name the column they concern (when there is one), so that a message such as
/// `length_mismatch: column "price" has 9 rows, expected 10` points straight at the problem.
public struct TradeFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public var code: Code
    /// The column the error concerns, if any.
    public var column: String?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code.
    ///   - column: The column the error concerns, if any.
    ///   - message: A human-readable explanation.
    public init(_ code: Code, column: String? = nil, _ message: String) {
        self.code = code
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column {
            return "\(code.rawValue): column \"\(column)\": \(message)"
        }
        return "\(code.rawValue): \(message)"
    }

    /// A stable error code. Codes are an open set: new codes can be added without breaking a `switch`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code in `snake_case`.
        public let rawValue: String
        /// Creates a code from its raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a code from its raw value.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Columns of one frame have different lengths.
        public static let lengthMismatch = Code("length_mismatch")
        /// Two columns share one name, or a name is empty.
        public static let duplicateColumn = Code("duplicate_column")
        /// A column name that the frame does not have.
        public static let unknownColumn = Code("unknown_column")
        /// A column of another kind than the operation needs.
        public static let typeMismatch = Code("type_mismatch")
        /// Frames whose columns differ in names or kinds.
        public static let schemaMismatch = Code("schema_mismatch")
        /// An arithmetic result that does not fit its type (an exact sum over Int64, a rescaled decimal).
        public static let overflow = Code("overflow")
        /// A value that cannot be represented exactly (a decimal with more fraction digits than the column scale).
        public static let inexact = Code("inexact")
        /// A malformed input (CSV syntax, a number that does not parse, a mask of the wrong length).
        public static let invalidInput = Code("invalid_input")
        /// An argument outside its allowed range (a negative tolerance, an unknown zone).
        public static let invalidArgument = Code("invalid_argument")
        /// A well-formed value that its column type cannot hold (a CSV number that would overflow to infinity or
        /// underflow to zero, an integer beyond Int32, a decimal beyond a 64-bit significand).
        public static let outOfRange = Code("out_of_range")
        /// A key that must be unique appears on more than one row (a trade id twice in a reconciliation).
        public static let duplicateKey = Code("duplicate_key")
        /// A binary file (Arrow IPC, Parquet) whose structure is broken: a wrong magic number, an offset or length
        /// past the end of the file, a count that does not match its buffers, or a value its type cannot hold.
        public static let corruptFile = Code("corrupt_file")
        /// A well-formed file that uses a feature this reader does not implement (a codec, a type, a bit width).
        public static let unsupported = Code("unsupported")
    }
}
