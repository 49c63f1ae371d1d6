import ETRMShared

/// Writes the canonical form described at ``Fingerprint/canonicalJSON(_:)``, driven by the shared
/// `JSONScanner`: the scanner checks the grammar, UTF-8 and escapes and hands back byte ranges. Strings are
/// written in RFC 8785's escaping (a string without escapes is already in that form and is copied as it is);
/// numbers are copied exactly as written.
struct JSONCanonicaliser {
    static let maximumDepth = 512

    static let configuration: JSONScanner.Configuration = {
        var configuration = JSONScanner.Configuration()
        configuration.maximumDepth = maximumDepth
        configuration.maximumStringLength = Int.max
        configuration.maximumDocumentSize = Int.max
        configuration.byteOrderMark = .reject
        return configuration
    }()

    static func canonicalise(_ input: [UInt8]) throws(IdempotencyError) -> [UInt8] {
        let result = input.withUnsafeBytes { buffer -> Result<[UInt8], JSONError> in
            do throws(JSONError) {
                var scanner = try JSONScanner(buffer, configuration: configuration)
                var out: [UInt8] = []
                out.reserveCapacity(input.count)
                try value(&scanner, into: &out)
                try scanner.finish()
                return .success(out)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let canonical): return canonical
        case .failure(let error):
            throw IdempotencyError(
                code: .invalidJSON, message: "\(error.message) at offset \(error.offset)", cause: error)
        }
    }

    private static func value(_ scanner: inout JSONScanner, into out: inout [UInt8]) throws(JSONError) {
        switch try scanner.peekKind() {
        case .object: try object(&scanner, into: &out)
        case .array:
            try scanner.beginArray()
            out.append(UInt8(ascii: "["))
            var first = true
            var separator = false
            while try scanner.nextElement(isFirst: &first) {
                if separator { out.append(UInt8(ascii: ",")) }
                separator = true
                try value(&scanner, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string:
            let string = try scanner.readString()
            if string.hasEscapes {
                var unescaped: [UInt8] = []
                scanner.unescapedBytes(string, into: &unescaped)
                unescaped.withUnsafeBufferPointer { writeString($0, into: &out) }
            } else {
                out.append(contentsOf: scanner.bytes((string.start - 1)..<(string.end + 1)))
            }
        case .number:
            out.append(contentsOf: scanner.bytes(try scanner.readNumber()))
        case .bool:
            if try scanner.readBool() {
                out.append(contentsOf: "true".utf8)
            } else {
                out.append(contentsOf: "false".utf8)
            }
        case .null:
            try scanner.readNull()
            out.append(contentsOf: "null".utf8)
        }
    }

    /// One member of an object: its key's value (escapes decoded, as UTF-8) and its value's canonical bytes.
    private struct Member {
        /// The key's content range in the input, used as it is when the key has no escapes.
        var key: JSONString
        /// The decoded key when it has escapes.
        var unescaped: [UInt8]?
        var value: [UInt8]
    }

    /// Members sorted by their keys' UTF-16 code units after unescaping (RFC 8785 §3.2.3); two keys with the
    /// same value, however they are spelt, are an error.
    private static func object(_ scanner: inout JSONScanner, into out: inout [UInt8]) throws(JSONError) {
        try scanner.beginObject()
        var members: [Member] = []
        var first = true
        while let key = try scanner.nextMember(isFirst: &first) {
            var member = Member(key: key, unescaped: nil, value: [])
            if key.hasEscapes {
                var unescaped: [UInt8] = []
                scanner.unescapedBytes(key, into: &unescaped)
                member.unescaped = unescaped
            }
            try value(&scanner, into: &member.value)
            members.append(member)
        }
        let base = scanner.base
        func withKey<R>(_ member: Member, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            if let unescaped = member.unescaped { return unescaped.withUnsafeBufferPointer(body) }
            return body(UnsafeBufferPointer(start: base + member.key.start, count: member.key.rawCount))
        }
        members.sort { lhs, rhs in
            withKey(lhs) { left in withKey(rhs) { right in utf16Precedes(left, right) } }
        }
        out.append(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 {
                let previous = members[position - 1]
                let same = withKey(previous) { left in withKey(member) { right in left.elementsEqual(right) } }
                guard !same else {
                    var name: [UInt8] = []
                    withKey(member) { writeString($0, into: &name) }
                    let later = max(previous.key.start, member.key.start) - 1
                    throw JSONError(
                        .duplicateKey, at: later,
                        "an object names the key \(String(decoding: name, as: UTF8.self)) twice (compared after unescaping)"
                    )
                }
                out.append(UInt8(ascii: ","))
            }
            withKey(member) { writeString($0, into: &out) }
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.value)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Whether well-formed UTF-8 `lhs` sorts before `rhs` when both are compared as UTF-16 code units.
    ///
    /// UTF-8 byte order is code point order, which is UTF-16 order except between a supplementary character
    /// (U+10000 and above, UTF-16 surrogates D800–DFFF, UTF-8 lead byte F0–F4) and one in U+E000–U+FFFF (lead
    /// byte EE or EF): UTF-16 puts the supplementary one first. The first differing byte of two strings with a
    /// common prefix is either inside one character (same lead byte, same order either way) or the lead bytes.
    static func utf16Precedes(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(lhs.count, rhs.count)
        var index = 0
        while index < common {
            let left = lhs[index]
            let right = rhs[index]
            if left != right {
                if left >= 0xF0 && (right == 0xEE || right == 0xEF) { return true }
                if right >= 0xF0 && (left == 0xEE || left == 0xEF) { return false }
                return left < right
            }
            index += 1
        }
        return lhs.count < rhs.count
    }

    /// Writes a string value (UTF-8, escapes decoded) in RFC 8785's form (ECMAScript's `JSON.stringify`): `"`
    /// and `\` escaped, U+0008, U+0009, U+000A, U+000C and U+000D as `\b \t \n \f \r`, the other characters below
    /// U+0020 as `\u00xx` in lower-case hex, everything else (`/`, DEL, non-ASCII) as its UTF-8 bytes.
    static func writeString(_ value: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped = byte
            case 0x08: escaped = UInt8(ascii: "b")
            case 0x09: escaped = UInt8(ascii: "t")
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0C: escaped = UInt8(ascii: "f")
            case 0x0D: escaped = UInt8(ascii: "r")
            case 0..<0x20: escaped = UInt8(ascii: "u")
            default:
                out.append(byte)
                continue
            }
            out.append(UInt8(ascii: "\\"))
            out.append(escaped)
            if escaped == UInt8(ascii: "u") {
                out.append(contentsOf: "00".utf8)
                out.append(contentsOf: Hex.encode(CollectionOfOne(byte)).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
