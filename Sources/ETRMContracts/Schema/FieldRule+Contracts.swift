import ETRMShared

/// An inclusive or exclusive bound on a decimal field, kept as the decimal text both the validator and the
/// JSON Schema use.
package struct DecimalBounds: Sendable {
    package var minimum: String?
    package var exclusiveMinimum: String?
    package var maximum: String?
    let minimumValue: ExactDecimal?
    let exclusiveMinimumValue: ExactDecimal?
    let maximumValue: ExactDecimal?

    package init(minimum: String? = nil, exclusiveMinimum: String? = nil, maximum: String? = nil) {
        self.minimum = minimum
        self.exclusiveMinimum = exclusiveMinimum
        self.maximum = maximum
        // The bounds are literals of this module; a bad one is a programming error caught by the tests.
        minimumValue = minimum.map { try! ExactDecimal($0) }
        exclusiveMinimumValue = exclusiveMinimum.map { try! ExactDecimal($0) }
        maximumValue = maximum.map { try! ExactDecimal($0) }
    }

    /// The bounds as values only: no strings, so that copying them retains nothing (the fast path's check).
    struct Values {
        let minimum: ExactDecimal?
        let exclusiveMinimum: ExactDecimal?
        let maximum: ExactDecimal?

        /// Whether `value` is within the bounds: ``DecimalBounds/check(_:)`` without building an issue.
        @inline(__always)
        func contains(_ value: ExactDecimal) -> Bool {
            if let minimum, DecimalBounds.compare(value, minimum) < 0 { return false }
            if let exclusiveMinimum, DecimalBounds.compare(value, exclusiveMinimum) <= 0 { return false }
            if let maximum, DecimalBounds.compare(value, maximum) > 0 { return false }
            return true
        }
    }

    /// The bounds as ``Values``.
    var values: Values {
        Values(minimum: minimumValue, exclusiveMinimum: exclusiveMinimumValue, maximum: maximumValue)
    }

    /// The order of two decimals (-1, 0, 1), rescaling in 64 bits when that cannot overflow (a bound such as
    /// `1000000` at a value's scale of 3) and through the exact `Int128` comparison otherwise.
    @inline(__always)
    fileprivate static func compare(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        var left = lhs.significand
        var right = rhs.significand
        if lhs.scale != rhs.scale {
            let difference = Int(lhs.scale > rhs.scale ? lhs.scale - rhs.scale : rhs.scale - lhs.scale)
            let power = Int64(DecimalPowers.uint64(difference))
            let (scaled, overflow) =
                lhs.scale > rhs.scale
                ? right.multipliedReportingOverflow(by: power) : left.multipliedReportingOverflow(by: power)
            if overflow { return lhs < rhs ? -1 : (lhs == rhs ? 0 : 1) }
            if lhs.scale > rhs.scale { right = scaled } else { left = scaled }
        }
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// Checks `value` against the bounds.
    ///
    /// - Throws: ``ValidationIssue/Code/outOfRange`` naming the bound.
    @inline(__always)
    package func check(_ value: ExactDecimal) throws(ValidationIssue) {
        if let minimumValue, value < minimumValue, let minimum {
            throw ValidationIssue(code: .outOfRange, message: "must be at least \(minimum)", value: value.description)
        }
        if let exclusiveMinimumValue, value <= exclusiveMinimumValue, let exclusiveMinimum {
            throw ValidationIssue(
                code: .outOfRange, message: "must be greater than \(exclusiveMinimum)", value: value.description)
        }
        if let maximumValue, value > maximumValue, let maximum {
            throw ValidationIssue(code: .outOfRange, message: "must be at most \(maximum)", value: value.description)
        }
    }
}

extension FieldRule {
    /// A decimal field: a JSON number (a string is `wrong_type`), parsed exactly, within `bounds`.
    package static func decimal(
        _ name: StaticString, required: Bool, description: String, bounds: DecimalBounds,
        assign: @escaping @Sendable (inout Draft, ExactDecimal) -> Void
    ) -> FieldRule {
        .number(
            name, required: required,
            schema: FieldSchema(
                type: .number, description: description, minimum: bounds.minimum, maximum: bounds.maximum,
                exclusiveMinimum: bounds.exclusiveMinimum,
                beyondSchema: ["exact decimal: " + ExactDecimal.limitsSummary]),
            parse: { (digits) throws(ValidationIssue) -> ExactDecimal in
                let value = try ExactDecimal(parsing: digits)
                try bounds.check(value)
                return value
            }, assign: assign)
    }

    /// An integer field: a JSON number with no fraction or exponent, within `range`.
    package static func integer(
        _ name: StaticString, required: Bool, description: String, range: ClosedRange<Int>,
        assign: @escaping @Sendable (inout Draft, Int) -> Void
    ) -> FieldRule {
        .number(
            name, required: required,
            schema: FieldSchema(
                type: .integer, description: description, minimum: String(range.lowerBound),
                maximum: String(range.upperBound)),
            parse: { (digits) throws(ValidationIssue) -> Int in try parseInteger(digits, range: range) },
            assign: assign)
    }

    /// A free-form identifier checked against a ``TextRule``; failures are `invalid_identifier`.
    package static func text(
        _ name: StaticString, required: Bool, description: String, rule: TextRule,
        assign: @escaping @Sendable (inout Draft, String) -> Void
    ) -> FieldRule {
        .string(
            name, required: required,
            schema: FieldSchema(
                type: .string, description: description, pattern: rule.pattern, minLength: 1, maxLength: rule.maxLength),
            parse: { (bytes) throws(ValidationIssue) -> String in
                guard rule.accepts(bytes) else {
                    throw ValidationIssue(
                        code: .invalidIdentifier, message: "must be \(rule.summary)",
                        value: String(decoding: bytes, as: UTF8.self))
                }
                return String(decoding: bytes, as: UTF8.self)
            }, assign: assign)
    }
}

/// Parses a JSON integer within `range`. As in JSON Schema, a number with a zero fraction (`2.0`, `2e0`) is
/// an integer; `2.5` is `wrong_type`.
package func parseInteger(
    _ digits: UnsafeBufferPointer<UInt8>, range: ClosedRange<Int>
) throws(ValidationIssue)
    -> Int
{
    let value = try ExactDecimal(parsing: digits).normalized
    guard value.scale == 0 else {
        throw ValidationIssue(
            code: .wrongType, message: "expected an integer", value: String(decoding: digits, as: UTF8.self))
    }
    guard let integer = Int(exactly: value.significand), range.contains(integer) else {
        throw ValidationIssue(
            code: .outOfRange, message: "must be between \(range.lowerBound) and \(range.upperBound)",
            value: String(decoding: digits, as: UTF8.self))
    }
    return integer
}

extension FieldRule {
    /// The JSON Schema pattern of the timestamps ``UTCTimestamp/init(rfc3339:)-(Collection<UInt8>)`` accepts:
    /// RFC 3339 with seconds, an optional 1–9 digit fraction and a required zone.
    package static var timestampPattern: String {
        "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
            + "(\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    }

    /// A UTC timestamp field: an RFC 3339 string with a zone, normalised to UTC.
    package static func timestamp(
        _ name: StaticString, required: Bool, description: String,
        assign: @escaping @Sendable (inout Draft, UTCTimestamp) -> Void
    ) -> FieldRule {
        .string(
            name, required: required,
            schema: FieldSchema(
                type: .string, description: description, pattern: timestampPattern, format: "date-time",
                beyondSchema: ["the date exists (no 30 February)", "the instant lies in 1677-09-21...2262-04-11 UTC"]),
            parse: { (bytes) throws(ValidationIssue) -> UTCTimestamp in try UTCTimestamp(rfc3339: bytes) },
            assign: assign)
    }

    /// A field holding a code or identifier type whose only way in is its validating initialiser.
    package static func code<Value>(
        _ name: StaticString, required: Bool, schema: FieldSchema,
        make: @escaping @Sendable (String) throws(ValidationIssue) -> Value,
        assign: @escaping @Sendable (inout Draft, Value) -> Void
    ) -> FieldRule {
        .string(
            name, required: required, schema: schema,
            parse: { (bytes) throws(ValidationIssue) -> Value in try make(String(decoding: bytes, as: UTF8.self)) },
            assign: assign)
    }
}
