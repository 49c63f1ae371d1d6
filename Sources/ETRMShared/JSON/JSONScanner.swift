// A byte-level, pull-style JSON scanner. It never builds a tree and never creates a `String` unless asked:
// strings and numbers come back as byte ranges of the input, which callers compare, parse or unescape
// themselves. Grammar is RFC 8259; strings are checked for well-formed UTF-8 and raw control characters as
// they are scanned, escapes (including `\u` + 4 hex digits surrogate pairs) are checked too, so unescaping later
// cannot fail.

/// The kind of the next JSON value, decided by its first byte.
package enum JSONValueKind: Sendable, Hashable {
    case object, array, string, number, bool, null

    /// The kind's name as JSON Schema spells it (`object`, `array`, `string`, `number`, `boolean`, `null`).
    package var name: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}

/// A string's content in the scanned buffer: the bytes between the quotes, still escaped if
/// ``hasEscapes`` is true.
package struct JSONString: Sendable, Hashable {
    /// Offset of the first content byte (just after the opening quote).
    package var start: Int
    /// Offset just past the last content byte (the closing quote).
    package var end: Int
    /// Whether the content contains a backslash escape, so that its bytes are not its value.
    package var hasEscapes: Bool

    package init(start: Int, end: Int, hasEscapes: Bool) {
        self.start = start
        self.end = end
        self.hasEscapes = hasEscapes
    }

    /// The number of raw content bytes.
    package var rawCount: Int { end - start }
}

/// A pull scanner over UTF-8 JSON bytes.
///
/// The scanner borrows the buffer: use it inside `withUnsafeBytes` and do not let it escape. Reading an
/// object looks like this:
///
/// ```swift
/// try scanner.beginObject()
/// var first = true
/// while let key = try scanner.nextMember(isFirst: &first) {
///     if scanner.equals(key, "volume_mwh") { let digits = try scanner.readNumber() } else { try scanner.skipValue() }
/// }
/// ```
///
/// Every method that can fail throws a ``JSONError`` with the byte offset of the problem.
package struct JSONScanner {
    /// The first byte of the buffer.
    package let base: UnsafePointer<UInt8>
    /// The number of bytes in the buffer.
    package let count: Int
    /// The read position: the offset of the next unread byte.
    package var offset: Int
    /// How many objects and arrays are open.
    package internal(set) var depth: Int = 0
    /// The limits and policies in force.
    package let configuration: Configuration
    let maximumDepth: Int
    /// Key ranges of the objects being skipped, for duplicate detection (a stack, one frame per object).
    var keyStack: [JSONString] = []

    nonisolated(unsafe) private static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// Starts a scan of `bytes`, checking the document size and the byte order mark policy.
    ///
    /// - Parameters:
    ///   - bytes: The JSON text; it must outlive the scanner.
    ///   - configuration: Limits and policies.
    /// - Throws: ``JSONError/Kind/limitExceeded`` for an oversized buffer, ``JSONError/Kind/invalidJSON`` for
    ///   a byte order mark under the reject policy.
    package init(_ bytes: UnsafeRawBufferPointer, configuration: Configuration = .init()) throws(JSONError) {
        if let address = bytes.baseAddress, bytes.count > 0 {
            base = address.assumingMemoryBound(to: UInt8.self)
        } else {
            base = UnsafePointer(Self.emptyByte)
        }
        count = bytes.count
        offset = 0
        self.configuration = configuration
        maximumDepth = configuration.effectiveMaximumDepth
        guard count <= configuration.maximumDocumentSize else {
            throw JSONError(
                .limitExceeded, at: 0,
                "document of \(count) bytes is over the limit of \(configuration.maximumDocumentSize) bytes")
        }
        if count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
            switch configuration.byteOrderMark {
            case .skip: offset = 3
            case .reject: throw JSONError(.invalidJSON, at: 0, "byte order mark before the JSON text")
            }
        }
    }

    // MARK: Positioning

    /// Whether only whitespace remains.
    package mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return offset >= count
    }

    /// Advances past JSON whitespace (space, tab, line feed, carriage return).
    @inline(__always)
    package mutating func skipWhitespace() {
        while offset < count {
            let byte = base[offset]
            guard byte <= 0x20, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    /// The kind of the value at the read position, after whitespace; does not consume it.
    ///
    /// - Returns: The value's kind.
    /// - Throws: ``JSONError/Kind/invalidJSON`` at the end of the input or at a byte no value starts with.
    @inline(__always)
    package mutating func peekKind() throws(JSONError) -> JSONValueKind {
        skipWhitespace()
        guard offset < count else { throw JSONError(.invalidJSON, at: offset, "unexpected end of input") }
        switch base[offset] {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw unexpected("a value")
        }
    }

    /// Checks that only whitespace remains after the top-level value.
    ///
    /// - Throws: ``JSONError/Kind/invalidJSON`` naming the first trailing byte.
    package mutating func finish() throws(JSONError) {
        skipWhitespace()
        guard offset >= count else { throw unexpected("the end of the input") }
    }

    // MARK: Objects and arrays

    /// Consumes the `{` that opens an object.
    ///
    /// - Throws: ``JSONError/Kind/invalidJSON`` if the next value is not an object,
    ///   ``JSONError/Kind/limitExceeded`` past the nesting limit.
    @inline(__always)
    package mutating func beginObject() throws(JSONError) {
        skipWhitespace()
        guard offset < count, base[offset] == UInt8(ascii: "{") else { throw unexpected("'{'") }
        try enter()
        offset += 1
    }

    /// Moves to the next member of the object being read and returns its key, positioned at the value;
    /// returns `nil` (and consumes the `}`) when the object ends.
    ///
    /// - Parameter isFirst: `true` before the first member; the scanner clears it.
    /// - Returns: The member's key, or `nil` at the end of the object.
    /// - Throws: ``JSONError`` for a missing comma or colon, a trailing comma, or a bad key.
    @inline(__always)
    package mutating func nextMember(isFirst: inout Bool) throws(JSONError) -> JSONString? {
        skipWhitespace()
        guard offset < count else { throw JSONError(.invalidJSON, at: offset, "unterminated object") }
        if base[offset] == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return nil
        }
        if !isFirst {
            guard base[offset] == UInt8(ascii: ",") else { throw unexpected("',' or '}'") }
            offset += 1
            skipWhitespace()
            guard offset < count else { throw JSONError(.invalidJSON, at: offset, "unterminated object") }
        }
        isFirst = false
        guard base[offset] == UInt8(ascii: "\"") else { throw unexpected("a string key") }
        let key = try readString()
        skipWhitespace()
        guard offset < count, base[offset] == UInt8(ascii: ":") else { throw unexpected("':'") }
        offset += 1
        skipWhitespace()
        return key
    }

    /// Consumes the `[` that opens an array.
    ///
    /// - Throws: ``JSONError/Kind/invalidJSON`` if the next value is not an array,
    ///   ``JSONError/Kind/limitExceeded`` past the nesting limit.
    @inline(__always)
    package mutating func beginArray() throws(JSONError) {
        skipWhitespace()
        guard offset < count, base[offset] == UInt8(ascii: "[") else { throw unexpected("'['") }
        try enter()
        offset += 1
    }

    /// Moves to the next element of the array being read: returns `true` positioned at the element's first
    /// byte, or `false` (having consumed the `]`) when the array ends.
    ///
    /// - Parameter isFirst: `true` before the first element; the scanner clears it.
    /// - Returns: Whether an element follows.
    /// - Throws: ``JSONError`` for a missing comma, a trailing comma or the end of the input.
    @inline(__always)
    package mutating func nextElement(isFirst: inout Bool) throws(JSONError) -> Bool {
        skipWhitespace()
        guard offset < count else { throw JSONError(.invalidJSON, at: offset, "unterminated array") }
        if base[offset] == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return false
        }
        if !isFirst {
            guard base[offset] == UInt8(ascii: ",") else { throw unexpected("',' or ']'") }
            offset += 1
            skipWhitespace()
            guard offset < count else { throw JSONError(.invalidJSON, at: offset, "unterminated array") }
            if base[offset] == UInt8(ascii: "]") {
                throw JSONError(.invalidJSON, at: offset, "trailing comma before ']'")
            }
        }
        isFirst = false
        return true
    }

    /// Leaves an array whose elements the caller abandoned (after resynchronising past them): consumes `]`.
    package mutating func endArray() throws(JSONError) {
        skipWhitespace()
        guard offset < count, base[offset] == UInt8(ascii: "]") else { throw unexpected("']'") }
        offset += 1
        depth -= 1
    }

    // MARK: Literals

    /// Reads `true` or `false`.
    ///
    /// - Returns: The boolean.
    /// - Throws: ``JSONError/Kind/invalidJSON`` if the next value is not a boolean literal.
    package mutating func readBool() throws(JSONError) -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw unexpected("true or false")
    }

    /// Reads `null`.
    ///
    /// - Throws: ``JSONError/Kind/invalidJSON`` if the next value is not `null`.
    package mutating func readNull() throws(JSONError) {
        skipWhitespace()
        guard matchLiteral("null") else { throw unexpected("null") }
    }

    @inline(__always)
    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard count - offset >= length else { return false }
        let pointer = literal.utf8Start
        for index in 0..<length where base[offset + index] != pointer[index] { return false }
        offset += length
        return true
    }

    // MARK: Helpers

    @inline(__always)
    mutating func enter() throws(JSONError) {
        guard depth < maximumDepth else {
            throw JSONError(.limitExceeded, at: offset, "nesting deeper than \(maximumDepth) levels")
        }
        depth += 1
    }

    /// An "unexpected byte" error at the read position.
    package func unexpected(_ expected: String) -> JSONError {
        guard offset < count else {
            return JSONError(.invalidJSON, at: offset, "unexpected end of input, expected \(expected)")
        }
        let byte = base[offset]
        let shown =
            byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(Hex.encode([byte]))"
        return JSONError(.invalidJSON, at: offset, "unexpected \(shown), expected \(expected)")
    }

    /// The bytes in `range` of the buffer.
    @inline(__always)
    package func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}
