import ETRMShared

/// A declared field of a record schema, used to read its value in the schema's build closure.
///
/// You get one from a ``RecordFields`` method while declaring a ``RecordSchema``; `Value` is the type the
/// field's value arrives as (`String`, ``ExactDecimal``, ``UTCTimestamp``, `Int`, or a ``ValidatedCode``).
public struct RecordField<Value>: Sendable {
    @usableFromInline let index: Int
    @usableFromInline let staticName: StaticString

    init(index: Int, staticName: StaticString) {
        self.index = index
        self.staticName = staticName
    }

    /// The wire key.
    public var name: String { staticName.description }

    /// An issue located at this field, for the build closure's own checks (`delivery_end` before
    /// `delivery_start`): the reader puts it under the record's JSON Pointer, as it does the fields' issues.
    ///
    /// - Parameters:
    ///   - issue: The issue, with a path relative to the field (usually `""`).
    ///   - value: The value to report if the issue carries none.
    /// - Returns: The issue, its path prefixed with `/<name>`.
    public func locate(_ issue: ValidationIssue, value: String? = nil) -> ValidationIssue {
        var located = issue.prefixed(by: "/" + JSONPointer.escape(name))
        if located.value == nil { located.value = value }
        return located
    }
}

/// The field table of a ``RecordSchema`` being declared: each method adds one field, with its wire key, its
/// rules and what the generated JSON Schema says about it, and returns the handle that reads its value.
///
/// Fields are best declared in the order the feed usually writes them: the reader tries the next declared
/// field first and only then looks the key up among all of them. A schema has at most 64 fields.
public struct RecordFields: Sendable {
    var rules: [FieldRule<SlotDraft>] = []
    var plan: [PlanField] = []

    init() {}

    private mutating func add<Value>(
        _ name: StaticString, kind: FieldKind, text: TextRule.Check? = nil, bounds: DecimalBounds.Values? = nil,
        range: ClosedRange<Int> = 0...0, rule: (Int) -> FieldRule<SlotDraft>
    ) -> RecordField<Value> {
        let index = rules.count
        precondition(index < 64, "a record schema supports at most 64 fields")
        precondition(
            !rules.contains { $0.key == name.description }, "the field \(name) is declared twice")
        rules.append(rule(index))
        plan.append(PlanField(kind: kind, name: name, text: text, bounds: bounds, range: range))
        return RecordField(index: index, staticName: name)
    }

    /// Declares a free-form identifier or name: a JSON string checked against a ``TextRule``; a value that
    /// breaks it is `invalid_identifier`.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether a record without the field (or with `null`) is rejected with `missing_field`.
    ///   - description: The field's description in the JSON Schema.
    ///   - rule: The allowed characters and length.
    /// - Returns: The field's handle; its value is a `String`.
    public mutating func text(
        _ name: StaticString, required: Bool = true, description: String, rule: TextRule
    ) -> RecordField<String> {
        add(name, kind: .text, text: rule.check) { index in
            .text(name, required: required, description: description, rule: rule) { $0.store($1, at: index) }
        }
    }

    /// Declares a plain string with no rule of its own: any JSON string (escapes resolved, any Unicode, up to
    /// the reader's string length limit, empty included) is valid; anything but a string is `wrong_type`.
    /// Use it for ids and names a feed compares as bytes and puts no rule on.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - description: The field's description in the JSON Schema.
    /// - Returns: The field's handle; its value is a `String`.
    public mutating func string(
        _ name: StaticString, required: Bool = true, description: String
    ) -> RecordField<String> {
        add(name, kind: .text) { index in
            .string(
                name, required: required, schema: FieldSchema(type: .string, description: description),
                parse: { (bytes) throws(ValidationIssue) -> String in String(decoding: bytes, as: UTF8.self) }
            ) { $0.store($1, at: index) }
        }
    }

    /// Declares an exact decimal: a JSON number (a string is `wrong_type`), parsed without binary floating
    /// point; a value outside the bounds is `out_of_range`.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - description: The field's description in the JSON Schema.
    ///   - minimum: The smallest valid value, inclusive, as decimal text (`"-1000000"`).
    ///   - exclusiveMinimum: A value every valid one is greater than, as decimal text (`"0"`).
    ///   - maximum: The largest valid value, inclusive, as decimal text.
    /// - Returns: The field's handle; its value is an ``ExactDecimal``.
    /// - Precondition: Each bound is a valid decimal literal.
    public mutating func decimal(
        _ name: StaticString, required: Bool = true, description: String, minimum: String? = nil,
        exclusiveMinimum: String? = nil, maximum: String? = nil
    ) -> RecordField<ExactDecimal> {
        let bounds = DecimalBounds(minimum: minimum, exclusiveMinimum: exclusiveMinimum, maximum: maximum)
        return add(name, kind: .decimal, bounds: bounds.values) { index in
            .decimal(name, required: required, description: description, bounds: bounds) { draft, value in
                draft.store(RecordSlot(first: value.significand, second: Int64(value.scale)), at: index)
            }
        }
    }

    /// Declares an instant: an RFC 3339 string with seconds and a zone (`2025-03-01T06:00:00+01:00`),
    /// normalised to UTC; anything else is `invalid_timestamp`.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - description: The field's description in the JSON Schema.
    /// - Returns: The field's handle; its value is a ``UTCTimestamp``.
    public mutating func timestamp(
        _ name: StaticString, required: Bool = true, description: String
    ) -> RecordField<UTCTimestamp> {
        add(name, kind: .timestamp) { index in
            .timestamp(name, required: required, description: description) { draft, value in
                draft.store(RecordSlot(first: value.nanosecondsSinceEpoch, second: 0), at: index)
            }
        }
    }

    /// Declares an integer: a JSON number without a fraction (`2.0` counts, `2.5` is `wrong_type`) within
    /// `range` (else `out_of_range`).
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - description: The field's description in the JSON Schema.
    ///   - range: The valid values.
    /// - Returns: The field's handle; its value is an `Int`.
    public mutating func integer(
        _ name: StaticString, required: Bool = true, description: String, range: ClosedRange<Int>
    ) -> RecordField<Int> {
        add(name, kind: .integer, range: range) { index in
            .integer(name, required: required, description: description, range: range) { draft, value in
                draft.store(RecordSlot(first: Int64(value), second: 0), at: index)
            }
        }
    }

    /// Declares a code or identifier of a ``ValidatedCode`` type (``Currency``, ``TradeStatus``, ``LEI``,
    /// ``EIC``, or one of your own): a JSON string checked by the type's ``ValidatedCode/validate(_:)``,
    /// whose issue code it reports. The JSON Schema lists an ``EnumeratedCode``'s spellings.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - type: The code type.
    ///   - required: Whether the field is required.
    ///   - description: The field's description in the JSON Schema.
    /// - Returns: The field's handle; its value is a `Code`.
    public mutating func code<Code: ValidatedCode>(
        _ name: StaticString, _ type: Code.Type, required: Bool = true, description: String
    ) -> RecordField<Code> {
        let schema = FieldSchema.code(Code.self, description)
        return add(name, kind: .code) { index in
            .string(
                name, required: required, schema: schema,
                parse: { (bytes) throws(ValidationIssue) -> String in
                    _ = try Code.validate(bytes).get()
                    return String(decoding: bytes, as: UTF8.self)
                }
            ) { $0.store($1, at: index) }
        }
    }
}

/// The values of a record read through the rule table, before its build closure runs.
struct SlotDraft {
    var slots: [RecordSlot]
    var texts: [String] = []
    var assigned: UInt64 = 0

    init(count: Int) { slots = Array(repeating: RecordSlot(first: 0, second: 0), count: max(count, 1)) }

    mutating func store(_ slot: RecordSlot, at index: Int) {
        slots[index] = slot
        assigned |= 1 << UInt64(index)
    }

    mutating func store(_ text: String, at index: Int) {
        store(RecordSlot(first: Int64(texts.count), second: 0), at: index)
        texts.append(text)
    }
}

/// Code types whose JSON Schema says more than "a string" (a pattern for an LEI or an EIC).
protocol SchemaDescribedCode {
    static func fieldSchema(_ description: String) -> FieldSchema
}

extension LEI: SchemaDescribedCode {
    static func fieldSchema(_ description: String) -> FieldSchema { .lei(description) }
}

extension EIC: SchemaDescribedCode {
    static func fieldSchema(_ description: String) -> FieldSchema { .eic(description) }
}

extension FieldSchema {
    /// What JSON Schema says about a field of a code type.
    static func code<Code: ValidatedCode>(_ type: Code.Type, _ description: String) -> FieldSchema {
        if let described = type as? any SchemaDescribedCode.Type { return described.fieldSchema(description) }
        if let enumerated = type as? any EnumeratedCode.Type { return enumeration(enumerated, description) }
        return FieldSchema(
            type: .string, description: description, beyondSchema: ["must be \(Code.noun) (\(Code.self))"])
    }
}
