extension JSONScanner {
    /// Reads a string at the read position and returns its content range, checking as it goes that the
    /// content is well-formed UTF-8, holds no raw control character (U+0000…U+001F) and uses only valid
    /// escapes (a `\u` + 4 hex digits high surrogate must be followed by a low one; a lone surrogate is rejected).
    ///
    /// - Returns: The content range; unescape it with ``decodeString(_:)`` or ``unescapedBytes(_:into:)``
    ///   when ``JSONString/hasEscapes`` is true.
    /// - Throws: ``JSONError/Kind/invalidJSON``, ``JSONError/Kind/invalidUTF8`` or
    ///   ``JSONError/Kind/limitExceeded`` (over ``Configuration/maximumStringLength`` raw bytes).
    @inline(__always)
    package mutating func readString() throws(JSONError) -> JSONString {
        skipWhitespace()
        guard offset < count, base[offset] == UInt8(ascii: "\"") else { throw unexpected("a string") }
        let opening = offset
        offset += 1
        let start = offset
        var hasEscapes = false
        while true {
            // Eight plain ASCII bytes at a time: no quote, backslash, control character or high bit.
            while offset &+ 8 <= count {
                let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
                if Self.isPlainASCII(word) { offset &+= 8 } else { break }
            }
            guard offset < count else { throw JSONError(.invalidJSON, at: opening, "unterminated string") }
            let byte = base[offset]
            if byte == UInt8(ascii: "\"") {
                break
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw JSONError(
                    .invalidJSON, at: offset, "raw control character 0x\(Hex.encode([byte])) in a string")
            } else if byte >= 0x80 {
                try scanUTF8Sequence(lead: byte)
            } else {
                offset &+= 1
            }
        }
        let end = offset
        offset += 1
        guard end - start <= configuration.maximumStringLength else {
            throw JSONError(
                .limitExceeded, at: opening,
                "string of \(end - start) bytes is over the limit of \(configuration.maximumStringLength) bytes")
        }
        return JSONString(start: start, end: end, hasEscapes: hasEscapes)
    }

    /// Whether none of the eight bytes of `word` is a quote, a backslash, a control character or non-ASCII.
    /// May report a false "no" (a borrow into a neighbouring byte), never a false "yes".
    @inlinable @inline(__always)
    package static func isPlainASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highs == 0
    }

    /// Checks one escape at the read position (the backslash) and moves past it.
    private mutating func scanEscape() throws(JSONError) {
        let escapeStart = offset
        guard offset + 1 < count else { throw JSONError(.invalidJSON, at: escapeStart, "unterminated escape") }
        switch base[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
        case UInt8(ascii: "u"):
            guard let unit = hexQuad(at: offset + 2) else {
                throw JSONError(.invalidJSON, at: escapeStart, "\\u must be followed by four hex digits")
            }
            offset += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard offset + 1 < count, base[offset] == UInt8(ascii: "\\"), base[offset + 1] == UInt8(ascii: "u"),
                    let low = hexQuad(at: offset + 2), low >= 0xDC00 && low <= 0xDFFF
                else {
                    throw JSONError(.invalidJSON, at: escapeStart, "high surrogate not followed by a low surrogate")
                }
                offset += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw JSONError(.invalidJSON, at: escapeStart, "low surrogate without a high surrogate")
            }
        default:
            throw JSONError(.invalidJSON, at: escapeStart, "invalid escape")
        }
    }

    /// The value of four hex digits at `position`, or `nil`.
    private func hexQuad(at position: Int) -> UInt32? {
        guard position + 4 <= count else { return nil }
        var value: UInt32 = 0
        for index in position..<(position + 4) {
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Checks one multi-byte UTF-8 sequence at the read position (Unicode Table 3-7: no overlong forms,
    /// no surrogates, nothing above U+10FFFF) and moves past it.
    private mutating func scanUTF8Sequence(lead: UInt8) throws(JSONError) {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw JSONError(.invalidUTF8, at: offset, "byte 0x\(Hex.encode([lead])) cannot start a UTF-8 sequence")
        }
        guard offset + length <= count else {
            throw JSONError(.invalidUTF8, at: offset, "truncated UTF-8 sequence")
        }
        let second = base[offset + 1]
        guard second >= low && second <= high else {
            throw JSONError(.invalidUTF8, at: offset, "invalid UTF-8 sequence")
        }
        for index in 2..<length where base[offset + index] & 0xC0 != 0x80 {
            throw JSONError(.invalidUTF8, at: offset, "invalid UTF-8 sequence")
        }
        offset += length
    }

    // MARK: Reading string content

    /// Whether the string's value equals `literal` (an ASCII or UTF-8 literal), comparing raw bytes when the
    /// string has no escapes.
    ///
    /// - Parameters:
    ///   - string: A string from ``readString()`` of this scanner.
    ///   - literal: The expected value.
    /// - Returns: Whether they are equal.
    @inline(__always)
    package func equals(_ string: JSONString, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        if string.hasEscapes {
            var scratch: [UInt8] = []
            unescapedBytes(string, into: &scratch)
            return scratch.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: length))
        }
        guard string.rawCount == length else { return false }
        return memcmpEqual(base + string.start, literal.utf8Start, length)
    }

    /// Whether the string's value equals `expected` (UTF-8 bytes).
    ///
    /// - Parameters:
    ///   - string: A string from ``readString()`` of this scanner.
    ///   - expected: The expected value as UTF-8.
    /// - Returns: Whether they are equal.
    @inline(__always)
    package func equals(_ string: JSONString, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        if string.hasEscapes {
            var scratch: [UInt8] = []
            unescapedBytes(string, into: &scratch)
            return scratch.elementsEqual(expected)
        }
        guard string.rawCount == expected.count else { return false }
        guard let other = expected.baseAddress else { return true }
        return memcmpEqual(base + string.start, other, expected.count)
    }

    /// Whether two strings of this scanner have the same value (escapes decoded).
    ///
    /// - Returns: Whether the decoded values are equal.
    package func valuesEqual(_ lhs: JSONString, _ rhs: JSONString) -> Bool {
        if !lhs.hasEscapes && !rhs.hasEscapes {
            return lhs.rawCount == rhs.rawCount && memcmpEqual(base + lhs.start, base + rhs.start, lhs.rawCount)
        }
        var left: [UInt8] = []
        var right: [UInt8] = []
        unescapedBytes(lhs, into: &left)
        unescapedBytes(rhs, into: &right)
        return left == right
    }

    @inline(__always)
    private func memcmpEqual(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var index = 0
        while index &+ 8 <= length {
            let left = UnsafeRawPointer(lhs + index).loadUnaligned(as: UInt64.self)
            let right = UnsafeRawPointer(rhs + index).loadUnaligned(as: UInt64.self)
            if left != right { return false }
            index &+= 8
        }
        while index < length {
            if lhs[index] != rhs[index] { return false }
            index &+= 1
        }
        return true
    }

    /// The string's value as a Swift `String` (escapes decoded). Allocates; use on cold paths.
    ///
    /// - Parameter string: A string from ``readString()`` of this scanner.
    /// - Returns: The decoded value.
    package func decodeString(_ string: JSONString) -> String {
        if !string.hasEscapes {
            return String(decoding: bytes(string.start..<string.end), as: UTF8.self)
        }
        var scratch: [UInt8] = []
        unescapedBytes(string, into: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Appends the string's value as UTF-8 (escapes decoded) to `output`. The string was checked when it
    /// was read, so this cannot fail.
    ///
    /// - Parameters:
    ///   - string: A string from ``readString()`` of this scanner.
    ///   - output: Where the bytes go.
    package func unescapedBytes(_ string: JSONString, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + string.rawCount)
        var index = string.start
        while index < string.end {
            let byte = base[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = base[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(at: index) ?? 0xFFFD
                index += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF, let low = hexQuad(at: index + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                appendUTF8(scalar, to: &output)
            default: output.append(escaped)  // \" \\ \/
            }
        }
    }

    private func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
