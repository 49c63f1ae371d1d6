/// A small byte-level JSON walk that writes the canonical form described at ``Fingerprint/canonicalJSON(_:)``.
struct JSONCanonicaliser {
    static let maximumDepth = 512

    private let input: [UInt8]
    private var index = 0

    init(input: [UInt8]) { self.input = input }

    mutating func run() throws(IdempotencyError) -> [UInt8] {
        guard String(validating: input, as: UTF8.self) != nil else {
            throw IdempotencyError(code: .invalidJSON, message: "the body is not valid UTF-8")
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        skipWhitespace()
        try value(into: &out, depth: 0)
        skipWhitespace()
        guard index == input.count else { throw failure("unexpected bytes after the JSON value") }
        return out
    }

    private mutating func value(into out: inout [UInt8], depth: Int) throws(IdempotencyError) {
        guard index < input.count else { throw failure("unexpected end of input, a value was expected") }
        switch input[index] {
        case UInt8(ascii: "{"): try object(into: &out, depth: depth + 1)
        case UInt8(ascii: "["): try array(into: &out, depth: depth + 1)
        case UInt8(ascii: "\""): out.append(contentsOf: input[try string()])
        case UInt8(ascii: "t"): try literal("true", into: &out)
        case UInt8(ascii: "f"): try literal("false", into: &out)
        case UInt8(ascii: "n"): try literal("null", into: &out)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(into: &out)
        default: throw failure("unexpected byte, a value was expected")
        }
    }

    private mutating func object(into out: inout [UInt8], depth: Int) throws(IdempotencyError) {
        guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        var members: [(key: Range<Int>, value: [UInt8])] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw failure("an object key was expected") }
                let key = try string()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw failure("':' was expected after an object key") }
                index += 1
                skipWhitespace()
                var member: [UInt8] = []
                try value(into: &member, depth: depth)
                members.append((key, member))
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                } else if peek() == UInt8(ascii: "}") {
                    index += 1
                    break
                } else {
                    throw failure("',' or '}' was expected in an object")
                }
            }
        }
        let sorted = members.sorted { input[$0.key].lexicographicallyPrecedes(input[$1.key]) }
        out.append(UInt8(ascii: "{"))
        for (position, member) in sorted.enumerated() {
            if position > 0 {
                guard !input[sorted[position - 1].key].elementsEqual(input[member.key]) else {
                    let name = String(decoding: input[member.key], as: UTF8.self)
                    throw IdempotencyError(
                        code: .invalidJSON,
                        message: "an object names the key \(name) twice at offset \(member.key.lowerBound)")
                }
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: input[member.key])
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.value)
        }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func array(into out: inout [UInt8], depth: Int) throws(IdempotencyError) {
        guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        out.append(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
        } else {
            var first = true
            while true {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                skipWhitespace()
                try value(into: &out, depth: depth)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                } else if peek() == UInt8(ascii: "]") {
                    index += 1
                    break
                } else {
                    throw failure("',' or ']' was expected in an array")
                }
            }
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Scans a string starting at its opening quote; returns the range including both quotes.
    private mutating func string() throws(IdempotencyError) -> Range<Int> {
        let start = index
        index += 1
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return start..<index
            case UInt8(ascii: "\\"):
                guard index + 1 < input.count else { throw failure("unterminated escape in a string") }
                switch input[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= input.count, input[index + 2..<index + 6].allSatisfy(Self.isHexDigit) else {
                        throw failure("\\u must be followed by four hexadecimal digits")
                    }
                    index += 6
                default:
                    throw failure("invalid escape in a string")
                }
            case 0..<0x20:
                throw failure("a control character must be escaped in a string")
            default:
                index += 1
            }
        }
        index = start
        throw failure("unterminated string")
    }

    private mutating func number(into out: inout [UInt8]) throws(IdempotencyError) {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), Self.isDigit(first) else { throw failure("a digit was expected in a number") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), Self.isDigit(digit) else { throw failure("a digit was expected after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), Self.isDigit(digit) else { throw failure("a digit was expected in an exponent") }
            skipDigits()
        }
        out.append(contentsOf: input[start..<index])
    }

    private mutating func literal(_ word: StaticString, into out: inout [UInt8]) throws(IdempotencyError) {
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + bytes.count <= input.count, input[index..<index + bytes.count].elementsEqual(bytes) else {
            throw failure("invalid literal, \(word) was expected")
        }
        index += bytes.count
        out.append(contentsOf: bytes)
    }

    private mutating func skipDigits() {
        while let byte = peek(), Self.isDigit(byte) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func peek() -> UInt8? { index < input.count ? input[index] : nil }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    private func failure(_ message: String) -> IdempotencyError {
        IdempotencyError(code: .invalidJSON, message: "\(message) at offset \(index)")
    }
}
