import ETRMShared

/// One field of a canonical model: its wire name, whether it is required, what JSON Schema says about it,
/// and the code that reads and checks its value into a draft. A model's table of rules drives the fast
/// reader, the `Codable` conformance and the generated JSON Schema alike.
package struct FieldRule<Draft>: Sendable {
    /// Reads the value at the scanner's position (it must consume it, whatever it is), checks it, and either
    /// stores it in the draft or records issues.
    package typealias Decode = @Sendable (inout Draft, inout JSONScanner, inout RecordIssues) throws(JSONError) -> Void

    /// The wire key, in snake_case.
    package let name: StaticString
    /// Whether a record without this field (or with `null`) is rejected with `missing_field`.
    package let required: Bool
    /// What the generated JSON Schema says about the field.
    package let schema: FieldSchema
    /// Reads the value.
    package let decode: Decode

    package init(name: StaticString, required: Bool, schema: FieldSchema, decode: @escaping Decode) {
        self.name = name
        self.required = required
        self.schema = schema
        self.decode = decode
    }

    /// The wire key as a `String`.
    package var key: String { name.description }
}

extension FieldRule {
    /// A field whose wire value is a JSON string, parsed from its decoded UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - schema: What JSON Schema says about it (its type must be `string`).
    ///   - parse: Checks and converts the bytes; throws the issue (with an empty path) if they are invalid.
    ///   - assign: Stores the value in the draft.
    package static func string<Value>(
        _ name: StaticString, required: Bool, schema: FieldSchema,
        parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>) throws(ValidationIssue) -> Value,
        assign: @escaping @Sendable (inout Draft, Value) -> Void
    ) -> FieldRule {
        FieldRule(name: name, required: required, schema: schema) { (draft, scanner, issues) throws(JSONError) in
            guard try scanner.peekKind() == .string else {
                try wrongType(name: name, expected: "a string", scanner: &scanner, issues: &issues)
                return
            }
            let string = try scanner.readString()
            do throws(ValidationIssue) {
                if string.hasEscapes {
                    var scratch: [UInt8] = []
                    scanner.unescapedBytes(string, into: &scratch)
                    try scratch.withUnsafeBufferPointer { (bytes) throws(ValidationIssue) in
                        assign(&draft, try parse(bytes))
                    }
                } else {
                    assign(&draft, try parse(scanner.bytes(string.start..<string.end)))
                }
            } catch {
                issues.add(error, field: name.description, fallbackValue: scanner.decodeString(string))
            }
        }
    }

    /// A field whose wire value is a JSON number, parsed exactly from its digits (never through `Double`).
    ///
    /// - Parameters:
    ///   - name: The wire key.
    ///   - required: Whether the field is required.
    ///   - schema: What JSON Schema says about it (its type must be `number` or `integer`).
    ///   - parse: Checks and converts the digits; throws the issue (with an empty path) if they are invalid.
    ///   - assign: Stores the value in the draft.
    package static func number<Value>(
        _ name: StaticString, required: Bool, schema: FieldSchema,
        parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>) throws(ValidationIssue) -> Value,
        assign: @escaping @Sendable (inout Draft, Value) -> Void
    ) -> FieldRule {
        FieldRule(name: name, required: required, schema: schema) { (draft, scanner, issues) throws(JSONError) in
            guard try scanner.peekKind() == .number else {
                try wrongType(name: name, expected: "a number", scanner: &scanner, issues: &issues)
                return
            }
            let digits = scanner.bytes(try scanner.readNumber())
            do throws(ValidationIssue) {
                assign(&draft, try parse(digits))
            } catch {
                issues.add(error, field: name.description, fallbackValue: String(decoding: digits, as: UTF8.self))
            }
        }
    }

    /// Skips a value of the wrong JSON type and records `wrong_type` with the value as it appeared.
    private static func wrongType(
        name: StaticString, expected: String, scanner: inout JSONScanner, issues: inout RecordIssues
    ) throws(JSONError) {
        let kind = try scanner.peekKind()
        let range = try scanner.skipValue()
        issues.add(
            field: name.description, code: .wrongType, message: "expected \(expected), found \(kind.name)",
            value: String(decoding: scanner.bytes(range), as: UTF8.self))
    }
}
