extension JSONScanner {
    /// Reads a number at the read position and returns its bytes, checked against the RFC 8259 grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`). The value is never converted here: callers parse
    /// the digits exactly (no `Double` on the way).
    ///
    /// - Returns: The byte range of the number.
    /// - Throws: ``JSONError/Kind/invalidJSON`` for anything the grammar does not allow (`01`, `1.`, `.5`,
    ///   `+1`, `1e`, `NaN`, …).
    @inline(__always)
    package mutating func readNumber() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        if offset < count, base[offset] == UInt8(ascii: "-") { offset &+= 1 }
        guard offset < count, isDigit(base[offset]) else { throw numberError(start) }
        if base[offset] == UInt8(ascii: "0") {
            offset &+= 1
        } else {
            skipDigits()
        }
        if offset < count, base[offset] == UInt8(ascii: ".") {
            offset &+= 1
            guard offset < count, isDigit(base[offset]) else { throw numberError(start) }
            skipDigits()
        }
        if offset < count, base[offset] | 0x20 == UInt8(ascii: "e") {
            offset &+= 1
            if offset < count, base[offset] == UInt8(ascii: "+") || base[offset] == UInt8(ascii: "-") {
                offset &+= 1
            }
            guard offset < count, isDigit(base[offset]) else { throw numberError(start) }
            skipDigits()
        }
        // A number must end at a delimiter: `01`, `1.5.2`, `12x` are one bad token, not two good ones.
        if offset < count {
            let next = base[offset]
            let letter = next | 0x20
            if isDigit(next) || next == UInt8(ascii: ".") || next == UInt8(ascii: "+") || next == UInt8(ascii: "-")
                || (letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z"))
            {
                throw numberError(start)
            }
        }
        return start..<offset
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    private mutating func skipDigits() {
        while offset < count, isDigit(base[offset]) { offset &+= 1 }
    }

    private mutating func numberError(_ start: Int) -> JSONError {
        var end = offset
        while end < count, end - start < 32 {
            let byte = base[end]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte <= 0x20 {
                break
            }
            end += 1
        }
        let text = String(decoding: bytes(start..<end), as: UTF8.self)
        return JSONError(.invalidJSON, at: start, "'\(text)' is not a JSON number")
    }
}
