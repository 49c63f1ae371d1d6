import ETRMShared

/// Writes the canonical form described at ``Fingerprint/canonicalJSON(_:)``, driven by the shared
/// `JSONScanner`: the scanner checks the grammar, UTF-8 and escapes and hands back byte ranges, and this copies
/// strings and numbers from those ranges exactly as written (nothing is decoded).
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
            throw IdempotencyError(code: .invalidJSON, message: "\(error.message) at offset \(error.offset)")
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
            out.append(contentsOf: scanner.bytes(quoted(string)))
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

    /// Members sorted by their keys' bytes as written, quotes included (the order the first release used, so
    /// stored fingerprints stay valid); a key named twice is an error.
    private static func object(_ scanner: inout JSONScanner, into out: inout [UInt8]) throws(JSONError) {
        try scanner.beginObject()
        var members: [(key: Range<Int>, value: [UInt8])] = []
        var first = true
        while let key = try scanner.nextMember(isFirst: &first) {
            var member: [UInt8] = []
            try value(&scanner, into: &member)
            members.append((quoted(key), member))
        }
        let base = scanner.base
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
        }
        members.sort { bytes($0.key).lexicographicallyPrecedes(bytes($1.key)) }
        out.append(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 {
                guard !bytes(members[position - 1].key).elementsEqual(bytes(member.key)) else {
                    let name = String(decoding: bytes(member.key), as: UTF8.self)
                    throw JSONError(.duplicateKey, at: member.key.lowerBound, "an object names the key \(name) twice")
                }
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: bytes(member.key))
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.value)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The string's range with its quotes.
    private static func quoted(_ string: JSONString) -> Range<Int> { (string.start - 1)..<(string.end + 1) }
}
