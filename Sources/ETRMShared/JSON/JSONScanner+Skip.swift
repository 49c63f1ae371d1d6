extension JSONScanner {
    /// Skips the value at the read position, checking it fully (grammar, UTF-8, limits) and, in every
    /// object inside it, that no key appears twice.
    ///
    /// - Returns: The byte range of the skipped value.
    /// - Throws: ``JSONError`` for the first problem inside the value.
    @discardableResult
    package mutating func skipValue() throws(JSONError) -> Range<Int> {
        let kind = try peekKind()
        let start = offset
        switch kind {
        case .string: _ = try readString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        case .array:
            try beginArray()
            var first = true
            while try nextElement(isFirst: &first) { try skipValue() }
        case .object:
            try beginObject()
            let frame = keyStack.count
            defer { keyStack.removeSubrange(frame...) }
            var first = true
            while let key = try nextMember(isFirst: &first) {
                for index in frame..<keyStack.count where valuesEqual(keyStack[index], key) {
                    throw JSONError(
                        .duplicateKey, at: key.start - 1, "duplicate key \"\(decodeString(key))\" in an object")
                }
                keyStack.append(key)
                try skipValue()
            }
        }
        return start..<offset
    }

    /// Finds where the value starting at `start` ends without checking its grammar: brackets and braces are
    /// counted outside strings, and the value ends where the bracket that opened it closes, at the first
    /// `,` or `]` at its own level, or before a `{` or `[` that follows junk at its own level. This is how a
    /// reader resynchronises after a malformed array element, so that its neighbours are not lost.
    ///
    /// - Parameter start: The offset of the element's first byte.
    /// - Returns: The offset just past the element's last non-whitespace byte, or `nil` if the element never
    ///   ends before the enclosing array does not close (a truncated or unbalanced document).
    package func lenientEndOfElement(from start: Int) -> Int? {
        var index = start
        var level = 0
        var lastSignificant = start
        while index < count {
            let byte = base[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < count, base[index] != UInt8(ascii: "\"") {
                    index += base[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                lastSignificant = index + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                // Junk at the element's own level that runs into a bracket (`oops {B}`, no comma): the junk ends
                // here and the bracket starts the next element, so that B is read on its own.
                if level == 0, index > start { return lastSignificant }
                level += 1
                lastSignificant = index + 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if level == 0 {
                    // A stray `}` that is the whole element is junk of one byte; later, it closes the document.
                    if index == start { return index + 1 }
                    return byte == UInt8(ascii: "]") ? lastSignificant : nil
                }
                level -= 1
                lastSignificant = index + 1
                if level == 0 { return lastSignificant }
            case UInt8(ascii: ","):
                if level == 0 { return lastSignificant }
                lastSignificant = index + 1
            case 0x20, 0x0A, 0x0D, 0x09:
                break
            default:
                lastSignificant = index + 1
            }
            index += 1
        }
        return nil
    }

    /// Moves the read position to `offset` (after a resynchronisation), restoring the nesting depth the
    /// caller was at.
    ///
    /// - Parameters:
    ///   - offset: The new read position.
    ///   - depth: The depth of the enclosing array.
    package mutating func reposition(to offset: Int, depth: Int) {
        self.offset = min(offset, count)
        self.depth = depth
    }
}
