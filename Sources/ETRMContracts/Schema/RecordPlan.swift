import ETRMShared

// A record schema's fast plan: the declared fields compiled once into a flat table of plain values (no closure,
// no string, nothing retained per field), which one concrete loop reads straight from the input bytes into
// typed slots. Keys are matched first against the field expected next, then by length and bytes. Like the
// package's earlier hand-written fast path it only ever *accepts*: anything it is unsure of (an escape, a
// `null`, a duplicate or more than two unknown keys, a wrong type, a value that fails a rule, bad JSON) makes
// it give up, and the reader reads the same bytes again through the rule table compiled from the same
// declaration, which reports every issue. So it changes how quickly a valid record is read, never a verdict.

/// One typed value of a record being read: a decimal (significand, scale), an instant (nanoseconds), an
/// integer, or a string (its offset and length in the input for the fast plan, its index among the draft's
/// strings for the rule table).
@usableFromInline
struct RecordSlot {
    @usableFromInline var first: Int64
    @usableFromInline var second: Int64

    init(first: Int64, second: Int64) {
        self.first = first
        self.second = second
    }
}

/// What kind of value a declared field holds, and so how both paths read it.
enum FieldKind: UInt8, Sendable {
    case text, decimal, timestamp, integer, code
}

/// One field of the plan, as plain values.
struct PlanField: Sendable {
    var kind: FieldKind
    var name: StaticString
    var text: TextRule.Check?
    var bounds: DecimalBounds.Values?
    var range: ClosedRange<Int>
}

/// The compiled fast plan of a declared schema.
struct RecordPlan: Sendable {
    let fields: [PlanField]
    let requiredMask: UInt64

    /// Reads the record object at the scanner's position into `slots` if it is well-formed, of the common
    /// shape and every field passes its own rule.
    ///
    /// - Returns: The mask of the fields read (one bit per field index), with the scanner just past the
    ///   record's `}`; or `nil`, with the scanner anywhere inside the record.
    func scan(
        _ scanner: inout JSONScanner, into slots: UnsafeMutablePointer<RecordSlot>, rejectsUnknown: Bool
    ) -> UInt64? {
        fields.withUnsafeBufferPointer { fields in
            do throws(JSONError) {
                return try scan(&scanner, fields: fields, into: slots, rejectsUnknown: rejectsUnknown)
            } catch {
                return nil
            }
        }
    }

    @inline(__always)
    private func scan(
        _ scanner: inout JSONScanner, fields: UnsafeBufferPointer<PlanField>,
        into slots: UnsafeMutablePointer<RecordSlot>, rejectsUnknown: Bool
    ) throws(JSONError) -> UInt64? {
        try scanner.beginObject()
        var seen: UInt64 = 0
        var next = 0
        var unknown0: UnsafeBufferPointer<UInt8>?
        var unknown1 = false
        let limit = scanner.configuration.maximumStringLength
        var first = true
        while true {
            // The member loop of `JSONScanner.nextMember`, inlined and for keys without escapes only.
            Self.skipSpace(&scanner)
            guard scanner.offset < scanner.count else { return nil }
            var byte = scanner.base[scanner.offset]
            if byte == UInt8(ascii: "}") {
                scanner.reposition(to: scanner.offset + 1, depth: scanner.depth - 1)
                break
            }
            if !first {
                guard byte == UInt8(ascii: ",") else { return nil }
                scanner.offset += 1
                Self.skipSpace(&scanner)
                guard scanner.offset < scanner.count else { return nil }
                byte = scanner.base[scanner.offset]
            }
            first = false
            guard byte == UInt8(ascii: "\""), let key = Self.plainString(&scanner, limit: limit) else { return nil }
            Self.skipSpace(&scanner)
            guard scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: ":") else { return nil }
            scanner.offset += 1
            Self.skipSpace(&scanner)
            var index = -1
            if next < fields.count, Self.matches(key, fields[next].name) {
                index = next
            } else {
                for candidate in 0..<fields.count where Self.matches(key, fields[candidate].name) {
                    index = candidate
                    break
                }
            }
            guard index >= 0 else {
                // An unknown key: skipped under the ignore policy while it is one of at most two distinct ones.
                guard !rejectsUnknown, !unknown1 else { return nil }
                if let unknown0 {
                    guard !unknown0.elementsEqual(key) else { return nil }
                    unknown1 = true
                } else {
                    unknown0 = key
                }
                try scanner.skipValue()
                continue
            }
            let bit: UInt64 = 1 << UInt64(index)
            guard seen & bit == 0 else { return nil }
            seen |= bit
            next = index + 1
            let field = fields[index]
            let slot = slots + index
            switch field.kind {
            case .text, .code:
                guard let bytes = Self.plainString(&scanner, limit: limit) else { return nil }
                if let check = field.text, !check.accepts(bytes) { return nil }
                slot.pointee = RecordSlot(
                    first: Int64(bytes.baseAddress.map { $0 - scanner.base } ?? 0), second: Int64(bytes.count))
            case .timestamp:
                guard let bytes = Self.plainString(&scanner, limit: limit) else { return nil }
                let result = RFC3339.parse(bytes)
                guard result.failure == .none else { return nil }
                slot.pointee = RecordSlot(first: result.nanoseconds, second: 0)
            case .decimal:
                guard let digits = try Self.number(&scanner) else { return nil }
                let result = DecimalParser.parse(digits)
                guard result.failure == .none else { return nil }
                let value = ExactDecimal(unchecked: result.significand, scale: result.scale)
                if let bounds = field.bounds, !bounds.contains(value) { return nil }
                slot.pointee = RecordSlot(first: value.significand, second: Int64(value.scale))
            case .integer:
                guard let digits = try Self.number(&scanner),
                    let value = try? parseInteger(digits, range: field.range)
                else { return nil }
                slot.pointee = RecordSlot(first: Int64(value), second: 0)
            }
        }
        guard seen & requiredMask == requiredMask else { return nil }
        return seen
    }

    /// Whether `key` spells `name`: the lengths first, then eight bytes at a time.
    @inline(__always)
    private static func matches(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        let count = key.count
        guard count == name.utf8CodeUnitCount, let base = key.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let literal = UnsafeRawPointer(name.utf8Start)
        var index = 0
        while index &+ 8 <= count {
            guard
                raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    == literal.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            else { return false }
            index &+= 8
        }
        while index < count {
            guard base[index] == name.utf8Start[index] else { return false }
            index &+= 1
        }
        return true
    }

    /// Advances past JSON whitespace.
    @inline(__always)
    private static func skipSpace(_ scanner: inout JSONScanner) {
        var offset = scanner.offset
        while offset < scanner.count {
            let byte = scanner.base[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            offset &+= 1
        }
        scanner.offset = offset
    }

    /// The content of a string of printable ASCII without escapes, at most `limit` bytes, and the scanner past
    /// its closing quote; `nil` for any other value (anything else is for the rule table to judge).
    @inline(__always)
    private static func plainString(_ scanner: inout JSONScanner, limit: Int) -> UnsafeBufferPointer<UInt8>? {
        let base = scanner.base
        let count = scanner.count
        guard scanner.offset < count, base[scanner.offset] == UInt8(ascii: "\"") else { return nil }
        let start = scanner.offset &+ 1
        var end = start
        while end &+ 8 <= count, isPlain(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) { end &+= 8 }
        while end < count {
            let byte = base[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end &+= 1
        }
        guard end < count, end - start <= limit else { return nil }
        scanner.offset = end &+ 1
        return UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Whether none of the eight bytes of `word` is a quote, a backslash, a control character, DEL or
    /// non-ASCII: the scanner's plain-ASCII test plus DEL. May say "no" wrongly, never "yes".
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let hasDelete = (word &+ 0x0101_0101_0101_0101) & 0x8080_8080_8080_8080
        return hasDelete == 0 && JSONScanner.isPlainASCII(word)
    }

    /// The digits of a number value; `nil` (nothing consumed) for any other value.
    @inline(__always)
    private static func number(_ scanner: inout JSONScanner) throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        guard scanner.offset < scanner.count else { return nil }
        let byte = scanner.base[scanner.offset]
        guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return nil }
        return scanner.bytes(try scanner.readNumber())
    }
}
