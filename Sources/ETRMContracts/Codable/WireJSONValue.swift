import ETRMShared

/// A JSON value read by ``WireJSONDecoder``: numbers keep the text they were written with, so that
/// ``ExactDecimal`` can take its exact digits and scale from it.
indirect enum WireJSONValue {
    case object(keys: [String], members: [String: WireJSONValue])
    case array([WireJSONValue])
    case string(String)
    /// A number's exact text, checked against the JSON grammar by the scanner.
    case number(String)
    case bool(Bool)
    case null

    /// Reads the value at the scanner's read position, refusing an object that names a key twice.
    static func read(_ scanner: inout JSONScanner) throws(JSONError) -> WireJSONValue {
        switch try scanner.peekKind() {
        case .object:
            try scanner.beginObject()
            var keys: [String] = []
            var members: [String: WireJSONValue] = [:]
            var first = true
            while let key = try scanner.nextMember(isFirst: &first) {
                let name = scanner.decodeString(key)
                guard members[name] == nil else {
                    throw JSONError(.duplicateKey, at: key.start - 1, "duplicate key \"\(name)\" in an object")
                }
                keys.append(name)
                members[name] = try read(&scanner)
            }
            return .object(keys: keys, members: members)
        case .array:
            try scanner.beginArray()
            var elements: [WireJSONValue] = []
            var first = true
            while try scanner.nextElement(isFirst: &first) { elements.append(try read(&scanner)) }
            return .array(elements)
        case .string: return .string(scanner.decodeString(try scanner.readString()))
        case .number: return .number(String(decoding: scanner.bytes(try scanner.readNumber()), as: UTF8.self))
        case .bool: return .bool(try scanner.readBool())
        case .null:
            try scanner.readNull()
            return .null
        }
    }

    /// The value as a ``JSONOutput``, numbers written with their original text.
    var output: JSONOutput {
        switch self {
        case .object(let keys, let members): .object(keys.map { ($0, members[$0]!.output) })
        case .array(let elements): .array(elements.map(\.output))
        case .string(let value): .string(value)
        case .number(let text): .number(text)
        case .bool(let value): .bool(value)
        case .null: .null
        }
    }

    /// The value's kind as JSON Schema names it, for error messages.
    var kindName: String {
        let kind: JSONValueKind =
            switch self {
            case .object: .object
            case .array: .array
            case .string: .string
            case .number: .number
            case .bool: .bool
            case .null: .null
            }
        return kind.name
    }
}

/// A `CodingKey` for an array index or a `super` key.
struct WireIndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
