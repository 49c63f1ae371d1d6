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
    /// Whether the name is printable ASCII without `"` or `\\`, so that its JSON key is its bytes.
    var plainName: Bool {
        UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy {
            $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
    }
}

/// The compiled fast plan of a declared schema.
struct RecordPlan: Sendable {
    let fields: [PlanField]
    let requiredMask: UInt64
    /// One bit per field whose key can be compared in place (``PlanField/plainName``).
    let plainNames: UInt64

    init(fields: [PlanField], requiredMask: UInt64) {
        self.fields = fields
        self.requiredMask = requiredMask
        plainNames = fields.enumerated().reduce(0) { mask, field in
            field.element.plainName ? mask | 1 << UInt64(field.offset) : mask
        }
    }

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

    // The loop keeps the read position in a local (the scanner is synchronised around the rare calls into it),
    // so that storing a slot does not make the compiler reload the position from memory.
    @inline(__always)
    private func scan(
        _ scanner: inout JSONScanner, fields: UnsafeBufferPointer<PlanField>,
        into slots: UnsafeMutablePointer<RecordSlot>, rejectsUnknown: Bool
    ) throws(JSONError) -> UInt64? {
        try scanner.beginObject()
        let base = scanner.base
        let count = scanner.count
        var offset = scanner.offset
        var seen: UInt64 = 0
        var next = 0
        var unknown0: UnsafeBufferPointer<UInt8>?
        var unknown1 = false
        let limit = scanner.configuration.maximumStringLength
        var first = true
        while true {
            // The member loop of `JSONScanner.nextMember`, inlined and for keys without escapes only.
            Self.skipSpace(base, count, &offset)
            guard offset < count else { return nil }
            var byte = base[offset]
            if byte == UInt8(ascii: "}") {
                scanner.reposition(to: offset &+ 1, depth: scanner.depth - 1)
                break
            }
            if !first {
                guard byte == UInt8(ascii: ",") else { return nil }
                offset &+= 1
                Self.skipSpace(base, count, &offset)
                guard offset < count else { return nil }
                byte = base[offset]
            }
            first = false
            guard byte == UInt8(ascii: "\"") else { return nil }
            var index = -1
            var key = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            // The key expected next is compared in place, without scanning it as a string first.
            if next < fields.count, plainNames & (1 << UInt64(next)) != 0 {
                let name = fields[next].name
                let length = name.utf8CodeUnitCount
                let end = offset &+ 1 &+ length
                if length <= limit, end < count, base[end] == UInt8(ascii: "\""),
                    Self.matches(UnsafeBufferPointer(start: base + offset + 1, count: length), name)
                {
                    index = next
                    offset = end &+ 1
                }
            }
            if index < 0 {
                guard let scanned = Self.plainString(base, count, &offset, limit: limit) else { return nil }
                key = scanned
                for candidate in 0..<fields.count where Self.matches(key, fields[candidate].name) {
                    index = candidate
                    break
                }
            }
            Self.skipSpace(base, count, &offset)
            guard offset < count, base[offset] == UInt8(ascii: ":") else { return nil }
            offset &+= 1
            Self.skipSpace(base, count, &offset)
            guard index >= 0 else {
                // An unknown key: skipped under the ignore policy while it is one of at most two distinct ones.
                guard !rejectsUnknown, !unknown1 else { return nil }
                if let unknown0 {
                    guard !unknown0.elementsEqual(key) else { return nil }
                    unknown1 = true
                } else {
                    unknown0 = key
                }
                scanner.offset = offset
                try scanner.skipValue()
                offset = scanner.offset
                continue
            }
            let bit: UInt64 = 1 << UInt64(index)
            guard seen & bit == 0 else { return nil }
            seen |= bit
            next = index &+ 1
            let field = fields.baseAddress.unsafelyUnwrapped + index
            let slot = slots + index
            switch field.pointee.kind {
            case .text, .code:
                guard offset < count, base[offset] == UInt8(ascii: "\""),
                    let bytes = Self.plainString(base, count, &offset, limit: limit)
                else { return nil }
                if let check = field.pointee.text, !check.accepts(bytes) { return nil }
                slot.pointee = RecordSlot(
                    first: Int64(bytes.baseAddress.map { $0 - base } ?? 0), second: Int64(bytes.count))
            case .timestamp:
                guard offset < count, base[offset] == UInt8(ascii: "\""),
                    let bytes = Self.plainString(base, count, &offset, limit: limit)
                else { return nil }
                let result = RFC3339.parse(bytes)
                guard result.failure == .none else { return nil }
                slot.pointee = RecordSlot(first: result.nanoseconds, second: 0)
            case .decimal:
                let value: ExactDecimal
                if let plain = Self.plainDecimal(base, count, &offset) {
                    value = plain
                } else {
                    scanner.offset = offset
                    guard let digits = try Self.number(&scanner) else { return nil }
                    offset = scanner.offset
                    let result = DecimalParser.parse(digits)
                    guard result.failure == .none else { return nil }
                    value = ExactDecimal(unchecked: result.significand, scale: result.scale)
                }
                if let bounds = field.pointee.bounds, !bounds.contains(value) { return nil }
                slot.pointee = RecordSlot(first: value.significand, second: Int64(value.scale))
            case .integer:
                scanner.offset = offset
                guard let digits = try Self.number(&scanner),
                    let value = try? parseInteger(digits, range: field.pointee.range)
                else { return nil }
                offset = scanner.offset
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
    private static func skipSpace(_ base: UnsafePointer<UInt8>, _ count: Int, _ offset: inout Int) {
        while offset < count {
            let byte = base[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            offset &+= 1
        }
    }

    /// The content of the string at `offset` (its opening quote) if it is printable ASCII without escapes and
    /// at most `limit` bytes, with `offset` past its closing quote; `nil` for any other value (anything else is
    /// for the rule table to judge).
    @inline(__always)
    private static func plainString(
        _ base: UnsafePointer<UInt8>, _ count: Int, _ offset: inout Int, limit: Int
    ) -> UnsafeBufferPointer<UInt8>? {
        let start = offset &+ 1
        var end = start
        while end &+ 8 <= count, isPlain(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) { end &+= 8 }
        while end < count {
            let byte = base[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end &+= 1
        }
        guard end < count, end - start <= limit else { return nil }
        offset = end &+ 1
        return UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Whether none of the eight bytes of `word` is a quote, a backslash, a control character, DEL or
    /// non-ASCII. May say "no" wrongly (a borrow into a neighbouring byte), never "yes".
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        let hasDelete = word &+ ones
        return (hasQuote | hasBackslash | hasControl | hasDelete | word) & 0x8080_8080_8080_8080 == 0
    }

    /// A number written `-?(0|[1-9][0-9]*)(.[0-9]+)?` with at most 18 digits, which `DecimalParser` would
    /// read as all its digits at the written scale, read in one pass; `nil` (nothing consumed) for any other
    /// number, which the general parser reads.
    @inline(__always)
    private static func plainDecimal(_ base: UnsafePointer<UInt8>, _ count: Int, _ offset: inout Int) -> ExactDecimal? {
        var position = offset
        let negative = position < count && base[position] == UInt8(ascii: "-")
        if negative { position &+= 1 }
        let first = position
        var value: Int64 = 0
        while position < count, base[position] &- UInt8(ascii: "0") < 10 {
            value = value &* 10 &+ Int64(base[position] &- UInt8(ascii: "0"))
            position &+= 1
        }
        let integerDigits = position &- first
        guard integerDigits >= 1, integerDigits == 1 || base[first] != UInt8(ascii: "0") else { return nil }
        var fractionDigits = 0
        if position < count, base[position] == UInt8(ascii: ".") {
            position &+= 1
            let fractionStart = position
            while position < count, base[position] &- UInt8(ascii: "0") < 10 {
                value = value &* 10 &+ Int64(base[position] &- UInt8(ascii: "0"))
                position &+= 1
            }
            fractionDigits = position &- fractionStart
            guard fractionDigits >= 1 else { return nil }
        }
        guard integerDigits &+ fractionDigits <= 18 else { return nil }
        if position < count {
            let next = base[position]
            guard
                next == UInt8(ascii: ",") || next == UInt8(ascii: "}") || next == UInt8(ascii: "]") || next == 0x20
                    || next == 0x0A || next == 0x0D || next == 0x09
            else { return nil }
        }
        offset = position
        return ExactDecimal(unchecked: negative ? -value : value, scale: UInt8(fractionDigits))
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
