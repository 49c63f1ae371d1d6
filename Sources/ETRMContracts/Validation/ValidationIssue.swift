/// One problem found in an input record: where it is, a stable machine-readable code, a message for people,
/// and the offending value (truncated).
///
/// Parsers in this module throw a `ValidationIssue` with an empty ``path``; the record validators fill the path
/// in (`/trades/12/volume_mwh`) and collect every issue of a record instead of stopping at the first.
public struct ValidationIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is, as a JSON Pointer (RFC 6901); empty for the whole input.
    public var path: String
    /// A stable, machine-readable code such as `invalid_lei`.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The offending value as it appeared in the input, truncated to ``maximumValueLength`` characters.
    public var value: String?

    /// The longest offending value an issue keeps; longer values are cut and end in `…`.
    public static let maximumValueLength = 64

    /// Creates an issue.
    ///
    /// - Parameters:
    ///   - path: A JSON Pointer to the offending value; empty for the whole input.
    ///   - code: The stable code.
    ///   - message: A human-readable explanation.
    ///   - value: The offending value; truncated to ``maximumValueLength`` characters.
    public init(path: String = "", code: Code, message: String, value: String? = nil) {
        self.path = path
        self.code = code
        self.message = message
        self.value = value.map(Self.truncate)
    }

    /// The same issue, located under `prefix` (a JSON Pointer such as `/trades/12`).
    public func prefixed(by prefix: String) -> ValidationIssue {
        var copy = self
        copy.path = prefix + path
        return copy
    }

    public var description: String {
        let location = path.isEmpty ? "/" : path
        if let value {
            return "\(location): \(code.rawValue): \(message) (value: \(value))"
        }
        return "\(location): \(code.rawValue): \(message)"
    }

    private static func truncate(_ value: String) -> String {
        guard value.count > maximumValueLength else { return value }
        return String(value.prefix(maximumValueLength - 1)) + "…"
    }
}

extension ValidationIssue {
    /// A stable, machine-readable issue code.
    ///
    /// Codes are the one open set of the package: its codes are static members, and a service may add its own
    /// with ``init(_:)``, declared once as a static member in an extension (never spelled inline where an issue
    /// is made), without a new release of this package breaking its `switch` statements.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as it appears on the wire, in `snake_case`.
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// Creates a code from its wire form.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        // MARK: Structure
        /// A required field is absent or `null`.
        public static let missingField = Code("missing_field")
        /// A field holds a JSON value of the wrong kind (a string where a number belongs, …).
        public static let wrongType = Code("wrong_type")
        /// A field the model does not define, under the reject-unknown-fields policy.
        public static let unknownField = Code("unknown_field")
        /// An object names the same key twice.
        public static let duplicateKey = Code("duplicate_key")
        /// A record that is not a JSON object at all.
        public static let notAnObject = Code("not_an_object")
        /// Bytes that are not well-formed JSON.
        public static let invalidJSON = Code("invalid_json")
        /// Bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code("invalid_utf8")
        /// A document, string or nesting depth over the reader's configured limit.
        public static let limitExceeded = Code("limit_exceeded")
        /// The reader's own accounting did not balance (`accepted + quarantined != received`): a defect of the
        /// reader, never of the input. The host gets this error instead of a crash.
        public static let accountingMismatch = Code("accounting_mismatch")

        // MARK: Values
        /// A value that is not an exact decimal number (`NaN`, `1,5`, `12.3.4`, …).
        public static let notADecimal = Code("not_a_decimal")
        /// A number outside the range the field allows, or more digits than the type can hold exactly.
        public static let outOfRange = Code("out_of_range")
        /// A timestamp that is not RFC 3339, or names an impossible date or time.
        public static let invalidTimestamp = Code("invalid_timestamp")
        /// A timestamp with no zone designator: it could be UTC or local time, so it is rejected.
        public static let ambiguousTimezone = Code("ambiguous_timezone")
        /// A period whose end is not after its start.
        public static let endBeforeStart = Code("end_before_start")
        /// A value outside an enumerated set (status, currency, side, …).
        public static let invalidValue = Code("invalid_value")

        // MARK: Identifiers
        /// A Legal Entity Identifier with the wrong shape or check digits (ISO 17442).
        public static let invalidLEI = Code("invalid_lei")
        /// An Energy Identification Code with the wrong shape or check character.
        public static let invalidEIC = Code("invalid_eic")
        /// An identifier (ACER code, settlement run id, contract id, trade id) with the wrong shape.
        public static let invalidIdentifier = Code("invalid_identifier")
    }
}

/// Every issue found in one record or document.
public struct ValidationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The issues, in the order they were found.
    public var issues: [ValidationIssue]

    /// Creates a failure from its issues.
    public init(issues: [ValidationIssue]) { self.issues = issues }

    public var description: String {
        "\(issues.count) validation issue(s):\n" + issues.map { "  " + $0.description }.joined(separator: "\n")
    }
}
