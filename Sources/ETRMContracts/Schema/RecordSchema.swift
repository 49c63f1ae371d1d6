import ETRMShared

/// What a reader does with a field the model does not define.
public struct UnknownFieldPolicy: Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable { case ignore, reject }
    private let kind: Kind

    /// Skip unknown fields (after checking that they are well-formed JSON). The default: feeds add fields
    /// over time, and a reader that rejected them would break on every vendor upgrade.
    public static let ignore = UnknownFieldPolicy(kind: .ignore)
    /// Reject the record with one `unknown_field` issue per unknown field. Use it for contracts that must be
    /// exact, such as order submissions.
    public static let reject = UnknownFieldPolicy(kind: .reject)

    /// Whether unknown fields are rejected.
    public var rejects: Bool { kind == .reject }

    public var description: String { rejects ? "reject" : "ignore" }
}

/// The rules of one canonical model: the field table, how a draft starts, and the cross-field checks that
/// turn a finished draft into the model.
package struct RecordRules<Record: Sendable, Draft>: Sendable {
    /// The fields, in the order the wire usually has them (the reader tries the next one first).
    package let fields: [FieldRule<Draft>]
    /// An empty draft.
    package let makeDraft: @Sendable () -> Draft
    /// Cross-field checks on a draft whose fields were read (required ones are present when `issues` is
    /// empty); returns the model, or `nil` having recorded why not.
    package let finish: @Sendable (Draft, inout RecordIssues) -> Record?

    package init(
        fields: [FieldRule<Draft>], makeDraft: @escaping @Sendable () -> Draft,
        finish: @escaping @Sendable (Draft, inout RecordIssues) -> Record?
    ) {
        precondition(fields.count <= 64, "a record schema supports at most 64 fields")
        self.fields = fields
        self.makeDraft = makeDraft
        self.finish = finish
        names = fields.map(\.name)
        decoders = fields.map(\.decode)
        var mask: UInt64 = 0
        for (index, field) in fields.enumerated() where field.required { mask |= 1 << UInt64(index) }
        requiredMask = mask
    }

    // The hot path reads these flat copies of the table, so that looking a field up copies no strings or
    // schema facts (and retains nothing but the one decoder it calls).
    private let names: [StaticString]
    private let decoders: [FieldRule<Draft>.Decode]
    private let requiredMask: UInt64

    /// Reads one record object at the scanner's position and validates it, collecting every issue.
    ///
    /// `null` counts as absent. A key named twice is `duplicate_key` (the first value stands). An unknown key
    /// is skipped, or recorded as `unknown_field` under ``UnknownFieldPolicy/reject``.
    ///
    /// - Returns: The model, or `nil` when `issues` holds at least one issue.
    /// - Throws: ``JSONError`` when the bytes of the record are not well-formed JSON.
    @inline(__always)
    package func decode(
        _ scanner: inout JSONScanner, issues: inout RecordIssues, unknownFields: UnknownFieldPolicy
    ) throws(JSONError) -> Record? {
        // The tables are borrowed through buffer pointers once per record, so that looking up a key or calling
        // a decoder retains nothing per field.
        try names.withUnsafeBufferPointer { (names) throws(JSONError) -> Record? in
            try decoders.withUnsafeBufferPointer { (decoders) throws(JSONError) -> Record? in
                try scanner.beginObject()
                var draft = makeDraft()
                var seen: UInt64 = 0
                var present: UInt64 = 0
                var next = 0
                var unknown: [JSONString] = []
                var first = true
                while let key = try scanner.nextMember(isFirst: &first) {
                    var index = -1
                    if next < names.count, scanner.equals(key, names[next]) {
                        index = next
                    } else {
                        for candidate in 0..<names.count where scanner.equals(key, names[candidate]) {
                            index = candidate
                            break
                        }
                    }
                    guard index >= 0 else {
                        if unknown.contains(where: { scanner.valuesEqual($0, key) }) {
                            issues.add(
                                field: scanner.decodeString(key), code: .duplicateKey, message: "the key appears twice")
                        } else if unknownFields.rejects {
                            issues.add(
                                field: scanner.decodeString(key), code: .unknownField,
                                message: "the model defines no such field")
                        }
                        unknown.append(key)
                        try scanner.skipValue()
                        continue
                    }
                    let bit: UInt64 = 1 << UInt64(index)
                    next = index + 1
                    if seen & bit != 0 {
                        issues.add(field: fields[index].key, code: .duplicateKey, message: "the key appears twice")
                        try scanner.skipValue()
                        continue
                    }
                    seen |= bit
                    if scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: "n") {
                        try scanner.readNull()
                        continue
                    }
                    present |= bit
                    try decoders[index](&draft, &scanner, &issues)
                }
                let missing = requiredMask & ~present
                if missing != 0 {
                    for index in fields.indices where missing & (1 << UInt64(index)) != 0 {
                        issues.add(
                            field: fields[index].key, code: .missingField,
                            message: "a required field is missing or null")
                    }
                }
                return finish(draft, &issues)
            }
        }
    }
}

/// The rules of one record type, for readers: a ``RecordReader`` is generic over the record type and takes
/// its schema from ``ValidatedRecord/recordSchema``; ``JSONSchemaExport`` publishes it.
///
/// Declare a schema for a record type of your own with ``init(name:containerKey:summary:recordChecks:fields:)``:
/// its fields, their types and rules, and a build closure that makes the record (or normalises into another
/// model) from the checked values. The declaration is compiled once into a fast plan that reads valid records
/// straight from the input into typed slots, and into a rule table that reports every issue of the others,
/// so both always agree. See <doc:DeclaringARecordType>.
public struct RecordSchema<Record: Sendable>: Sendable {
    /// The model's name (`TradeRecord`).
    package let name: String
    /// The key of the array that holds the records in a batch document (`trades`).
    package let containerKey: String
    /// One sentence on what the model is (the schema's `description`).
    package let summary: String
    /// Cross-field checks the validator makes beyond the fields' own rules (`delivery_end after delivery_start`).
    package let recordChecks: [String]
    /// The field table, as the schema generator sees it.
    package let fields: [(name: String, required: Bool, schema: FieldSchema)]
    let decodeRecord: @Sendable (inout JSONScanner, inout RecordIssues, UnknownFieldPolicy) throws(JSONError) -> Record?
    /// A model's fast path, if it has one: reads a *valid* record of the common shape without the rule table
    /// and returns `nil` for anything else (having consumed any part of it), so that the reader repositions
    /// and reads the same bytes with ``decodeRecord``, which reports the issues. It never decides a rejection.
    let fastDecode: (@Sendable (inout JSONScanner, UnknownFieldPolicy) -> Record?)?
    /// A declared schema's fast plan, which a batch read runs into one slot buffer for all its records.
    let plan: RecordPlan?
    /// A declared schema's build closure. A batch read calls it from `@inlinable` code, specialised in the
    /// caller's module for the record type, so that no generic metadata is looked up per record.
    @usableFromInline let build: (@Sendable (RecordValues) throws -> Record)?

    package init<Draft>(
        name: String, containerKey: String, summary: String, recordChecks: [String],
        rules: RecordRules<Record, Draft>,
        fastPath: (@Sendable (inout JSONScanner, UnknownFieldPolicy) -> Record?)? = nil
    ) {
        self.init(
            name: name, containerKey: containerKey, summary: summary, recordChecks: recordChecks, rules: rules,
            fastPath: fastPath, plan: nil, build: nil)
    }

    private init<Draft>(
        name: String, containerKey: String, summary: String, recordChecks: [String],
        rules: RecordRules<Record, Draft>,
        fastPath: (@Sendable (inout JSONScanner, UnknownFieldPolicy) -> Record?)?, plan: RecordPlan?,
        build: (@Sendable (RecordValues) throws -> Record)?
    ) {
        self.name = name
        self.summary = summary
        self.recordChecks = recordChecks
        self.containerKey = containerKey
        fastDecode = fastPath
        self.plan = plan
        self.build = build
        fields = rules.fields.map { ($0.key, $0.required, $0.schema) }
        decodeRecord = { (scanner, issues, policy) throws(JSONError) in
            try rules.decode(&scanner, issues: &issues, unknownFields: policy)
        }
    }

    /// Declares the schema of a record type: its fields and rules, and how the record is made from them.
    ///
    /// `fields` runs once: it declares each field on the ``RecordFields`` it is given and returns the build
    /// closure, which the reader calls with each record's checked ``RecordValues``. The closure makes the
    /// record, and may check what spans fields (throw a ``ValidationIssue`` located with
    /// ``RecordField/locate(_:value:)``) or normalise units and codes into another model.
    ///
    /// ```swift
    /// static let recordSchema = RecordSchema<Fill>(
    ///     name: "Fill", containerKey: "fills", summary: "An exchange fill."
    /// ) { fields in
    ///     let id = fields.text("fill_id", description: "The fill's id.", rule: .recordID)
    ///     let price = fields.decimal("price", description: "EUR/MWh.", minimum: "-500", maximum: "4000")
    ///     let side = fields.code("side", Side.self, required: false, description: "Buy or sell.")
    ///     return { values in Fill(id: try values[id], price: try values[price], side: try values[ifPresent: side]) }
    /// }
    /// ```
    ///
    /// A record is rejected, with one issue each, for a missing required field (`missing_field`), a value of
    /// the wrong JSON type (`wrong_type`), a value that breaks its field's rule, a key named twice
    /// (`duplicate_key`), an unknown key under ``UnknownFieldPolicy/reject``, and whatever the build closure
    /// throws (a ``ValidationIssue`` or ``ValidationFailure``; any other error becomes one `invalid_value`
    /// issue on the record). `null` counts as absent.
    ///
    /// - Parameters:
    ///   - name: The type's name (`Fill`): the JSON Schema's title and, in snake case, its file name.
    ///   - containerKey: The key of the record array in a batch document (`fills`).
    ///   - summary: One sentence on what a record is (the JSON Schema's `description`).
    ///   - recordChecks: The build closure's checks that span fields, in words, for the JSON Schema's
    ///     `$comment` (JSON Schema cannot express them).
    ///   - declare: Declares the fields and returns the build closure.
    /// - Precondition: At most 64 fields, each key declared once.
    public init(
        name: String, containerKey: String, summary: String, recordChecks: [String] = [],
        fields declare: (inout RecordFields) -> @Sendable (RecordValues) throws -> Record
    ) {
        var declared = RecordFields()
        let build = declare(&declared)
        let count = declared.plan.count
        let rules = RecordRules<Record, SlotDraft>(
            fields: declared.rules, makeDraft: { SlotDraft(count: count) },
            finish: { draft, issues in Self.finish(draft, build: build, issues: &issues) })
        let plan = RecordPlan(
            fields: declared.plan,
            requiredMask: declared.rules.enumerated().reduce(0) { mask, field in
                field.element.required ? mask | 1 << UInt64(field.offset) : mask
            })
        self.init(
            name: name, containerKey: containerKey, summary: summary, recordChecks: recordChecks, rules: rules,
            fastPath: { scanner, policy in
                withUnsafeTemporaryAllocation(of: RecordSlot.self, capacity: max(count, 1)) { buffer in
                    guard let slots = buffer.baseAddress,
                        let present = plan.scan(&scanner, into: slots, rejectsUnknown: policy.rejects)
                    else { return nil }
                    return try? build(RecordValues(slots: slots, present: present, input: scanner.base))
                }
            }, plan: plan, build: build)
    }

    /// Runs the build closure on the rule table's draft, recording what it throws. Reading a field that
    /// already has an issue (so is absent from the draft) is not reported twice.
    private static func finish(
        _ draft: SlotDraft, build: (RecordValues) throws -> Record, issues: inout RecordIssues
    ) -> Record? {
        draft.slots.withUnsafeBufferPointer { slots -> Record? in
            guard let base = slots.baseAddress else { return nil }
            do {
                let record = try draft.texts.withUnsafeBufferPointer { texts in
                    try build(RecordValues(slots: base, present: draft.assigned, input: nil, texts: texts))
                }
                return issues.isEmpty ? record : nil
            } catch let issue as ValidationIssue {
                let repeated =
                    !issues.isEmpty && issue.code == .missingField && issue.message == RecordValues.absentMessage
                if !repeated { issues.add(issue, field: nil, fallbackValue: nil) }
            } catch let failure as ValidationFailure where !failure.issues.isEmpty {
                for issue in failure.issues { issues.add(issue, field: nil, fallbackValue: nil) }
            } catch {
                issues.add(field: nil, code: .invalidValue, message: "the record could not be built: \(error)")
            }
            return nil
        }
    }
}

/// A canonical model that the readers can produce: it has a field table shared by the fast reader, the
/// `Codable` conformance and the generated JSON Schema.
public protocol ValidatedRecord: Sendable {
    /// The model's rules.
    static var recordSchema: RecordSchema<Self> { get }
}
