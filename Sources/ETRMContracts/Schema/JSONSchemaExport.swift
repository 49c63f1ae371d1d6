import ETRMShared

/// JSON Schema (draft 2020-12) for the canonical models, generated from the same field tables the
/// validators run, so that the published contract and the enforced one are the same contract.
///
/// JSON Schema cannot express everything the validators check. What it cannot (LEI and EIC check digits,
/// whether a date exists in the calendar, a delivery end after its start, exact-decimal range) is listed
/// in each property's `$comment` and in the schema's own `$comment`.
public enum JSONSchemaExport {
    /// The JSON Schema of a model, as pretty-printed JSON text ending in a newline.
    ///
    /// - Parameter record: The model type, such as `TradeRecord.self`.
    /// - Returns: The schema document.
    public static func schema<Record: ValidatedRecord>(for record: Record.Type) -> String {
        document(for: Record.recordSchema).text(pretty: true) + "\n"
    }

    /// The file name the schema of a model is published under (`trade_record.schema.json`).
    ///
    /// - Parameter record: The model type.
    /// - Returns: The file name.
    public static func fileName<Record: ValidatedRecord>(for record: Record.Type) -> String {
        snakeCase(Record.recordSchema.name) + ".schema.json"
    }

    static func document<Record>(for schema: RecordSchema<Record>) -> JSONOutput {
        var properties: [(String, JSONOutput)] = []
        var beyond: [String] = []
        for field in schema.fields {
            properties.append((field.name, property(field.schema, required: field.required)))
            beyond += field.schema.beyondSchema.map { "\(field.name): \($0)" }
        }
        beyond += schema.recordChecks
        var members: [(String, JSONOutput)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string(fileName(schema.name))),
            ("title", .string(schema.name)),
            ("description", .string(schema.summary)),
            ("type", .string("object")),
            ("properties", .object(properties)),
            ("required", .array(schema.fields.filter(\.required).map { .string($0.name) })),
        ]
        if !beyond.isEmpty {
            members.append(
                (
                    "$comment",
                    .string(
                        "Checked by the Swift validator but not expressible here: " + beyond.joined(separator: "; "))
                ))
        }
        return .object(members)
    }

    private static func property(_ field: FieldSchema, required: Bool) -> JSONOutput {
        var members: [(String, JSONOutput)] = []
        // `null` counts as absent, so an optional field may be null; a required one may not.
        members.append(
            ("type", required ? .string(field.type.rawValue) : .array([.string(field.type.rawValue), .string("null")])))
        members.append(("description", .string(field.description)))
        if let enumeration = field.enumeration {
            members.append(("enum", .array(enumeration.map(JSONOutput.string) + (required ? [] : [.null]))))
        }
        if let pattern = field.pattern {
            members.append(("pattern", .string(pattern)))
            // `$` matches before a final line terminator in Python's `re`, Java, PCRE and ICU, but only at the
            // end in ECMA-262, and JSON Schema has no `\z`. No pattern here admits a line terminator, so one
            // anywhere is refused outright: every validator then reads the field the same way.
            // (`type` inside `not`: a `null` of an optional field passes `pattern`, so `not` alone would refuse it.)
            members.append(("not", .object([("type", .string("string")), ("pattern", .string(lineTerminatorClass))])))
        }
        if let minLength = field.minLength { members.append(("minLength", .number(String(minLength)))) }
        if let maxLength = field.maxLength { members.append(("maxLength", .number(String(maxLength)))) }
        if let minimum = field.minimum { members.append(("minimum", .number(minimum))) }
        if let exclusiveMinimum = field.exclusiveMinimum {
            members.append(("exclusiveMinimum", .number(exclusiveMinimum)))
        }
        if let maximum = field.maximum { members.append(("maximum", .number(maximum))) }
        if let format = field.format { members.append(("format", .string(format))) }
        if !field.beyondSchema.isEmpty {
            members.append(("$comment", .string("Also checked: " + field.beyondSchema.joined(separator: "; "))))
        }
        return .object(members)
    }

    /// Every character some regex dialect's `$` treats as ending a line (ICU's list, a superset of the others).
    static let lineTerminatorClass = "[\n\u{0B}\u{0C}\r\u{85}\u{2028}\u{2029}]"

    private static func fileName(_ name: String) -> String { snakeCase(name) + ".schema.json" }

    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out += "_" }
            out += character.lowercased()
        }
        return out
    }
}
