import ETRMShared

/// The checked field values of one record, as a ``RecordSchema``'s build closure receives them.
///
/// Every field has passed its own rules by the time the closure runs; reading a field gives its typed value.
/// Reading a field that is absent (an optional field not sent, or `null`) through the subscript throws
/// `missing_field`; read optional fields with ``subscript(ifPresent:)-(RecordField<String>)`` instead.
///
/// The values borrow the reader's input: use them inside the build closure only.
// The accessors are `@inlinable` so that a build closure in another module reads its values without a generic
// call or a metadata lookup per field.
public struct RecordValues {
    @usableFromInline let slots: UnsafePointer<RecordSlot>
    @usableFromInline let present: UInt64
    /// The input the fast plan read from, whose offsets the text slots hold; `nil` for the rule table's draft.
    @usableFromInline let input: UnsafePointer<UInt8>?
    /// The rule table's decoded strings, which its text slots index (borrowed, so that the values are a
    /// trivial type that the fast plan passes without reference counting).
    @usableFromInline let texts: UnsafeBufferPointer<String>

    init(
        slots: UnsafePointer<RecordSlot>, present: UInt64, input: UnsafePointer<UInt8>?,
        texts: UnsafeBufferPointer<String> = UnsafeBufferPointer(start: nil, count: 0)
    ) {
        self.slots = slots
        self.present = present
        self.input = input
        self.texts = texts
    }

    /// The message of the issue reading an absent field throws (the rule table's own for a missing field).
    static let absentMessage = "a required field is missing or null"

    /// The issue reading an absent field throws.
    @usableFromInline
    static func absent(_ name: StaticString) -> ValidationIssue {
        ValidationIssue(
            path: "/" + JSONPointer.escape(name.description), code: .missingField, message: absentMessage)
    }

    @inlinable @inline(__always)
    func slot<Value>(_ field: RecordField<Value>) throws(ValidationIssue) -> RecordSlot {
        guard present & (1 << UInt64(field.index)) != 0 else { throw Self.absent(field.staticName) }
        return slots[field.index]
    }

    @inlinable @inline(__always)
    func isPresent<Value>(_ field: RecordField<Value>) -> Bool {
        present & (1 << UInt64(field.index)) != 0
    }

    @inlinable @inline(__always)
    func withBytes<Result>(
        _ slot: RecordSlot, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let input { return body(UnsafeBufferPointer(start: input + Int(slot.first), count: Int(slot.second))) }
        var text = texts[Int(slot.first)]
        return text.withUTF8(body)
    }

    @inlinable @inline(__always)
    func code<Code: ValidatedCode>(_ slot: RecordSlot) throws(ValidationIssue) -> Code {
        try withBytes(slot) { Code.validate($0) }.get()
    }

    /// A text field's value.
    ///
    /// - Throws: `missing_field` when the field is absent.
    @inlinable @inline(__always)
    public subscript(field: RecordField<String>) -> String {
        get throws(ValidationIssue) {
            withBytes(try slot(field)) { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// A decimal field's value.
    ///
    /// - Throws: `missing_field` when the field is absent.
    @inlinable @inline(__always)
    public subscript(field: RecordField<ExactDecimal>) -> ExactDecimal {
        get throws(ValidationIssue) {
            let slot = try slot(field)
            return ExactDecimal(unchecked: slot.first, scale: UInt8(truncatingIfNeeded: slot.second))
        }
    }

    /// A timestamp field's value.
    ///
    /// - Throws: `missing_field` when the field is absent.
    @inlinable @inline(__always)
    public subscript(field: RecordField<UTCTimestamp>) -> UTCTimestamp {
        get throws(ValidationIssue) { UTCTimestamp(nanosecondsSinceEpoch: try slot(field).first) }
    }

    /// An integer field's value.
    ///
    /// - Throws: `missing_field` when the field is absent.
    @inlinable @inline(__always)
    public subscript(field: RecordField<Int>) -> Int {
        get throws(ValidationIssue) { Int(try slot(field).first) }
    }

    /// A code field's value.
    ///
    /// - Throws: `missing_field` when the field is absent.
    @inlinable @inline(__always)
    public subscript<Code: ValidatedCode>(field: RecordField<Code>) -> Code {
        get throws(ValidationIssue) { try code(try slot(field)) }
    }

    /// An optional text field's value, or `nil` when it is absent.
    @inlinable @inline(__always)
    public subscript(ifPresent field: RecordField<String>) -> String? {
        isPresent(field) ? try? self[field] : nil
    }

    /// An optional decimal field's value, or `nil` when it is absent.
    @inlinable @inline(__always)
    public subscript(ifPresent field: RecordField<ExactDecimal>) -> ExactDecimal? {
        isPresent(field) ? try? self[field] : nil
    }

    /// An optional timestamp field's value, or `nil` when it is absent.
    @inlinable @inline(__always)
    public subscript(ifPresent field: RecordField<UTCTimestamp>) -> UTCTimestamp? {
        isPresent(field) ? try? self[field] : nil
    }

    /// An optional integer field's value, or `nil` when it is absent.
    @inlinable @inline(__always)
    public subscript(ifPresent field: RecordField<Int>) -> Int? {
        isPresent(field) ? try? self[field] : nil
    }

    /// An optional code field's value, or `nil` when it is absent.
    ///
    /// - Throws: The code type's issue, should the value not validate (the reader then reads the record
    ///   again through the rule table, which reports it).
    @inlinable @inline(__always)
    public subscript<Code: ValidatedCode>(ifPresent field: RecordField<Code>) -> Code? {
        get throws(ValidationIssue) { isPresent(field) ? try self[field] : nil }
    }
}
