import ETRMShared

/// Decodes `Decodable` values from JSON with the wire rules of ``RecordReader``, keeping every number's
/// written digits.
///
/// Foundation's `JSONDecoder` hands numbers to `Codable` types as `Decimal` or binary floating point, which
/// drop the written scale (`42.50` arrives as `42.5`). This decoder keeps each number's text, so
/// ``ExactDecimal`` decodes `42.50` with scale 2, exactly as ``RecordReader`` does, and the canonical models
/// (``TradeRecord``, ``SettlementInstruction``, ``Order``) decode to the same values as the reader gives.
/// It applies the reader's bounds (``RecordReaderConfiguration``: document size, nesting depth, string length,
/// byte order mark) and refuses a duplicated key and invalid UTF-8. Keys are matched as the `CodingKey`s spell
/// them (the canonical models spell their wire keys in snake_case), or in snake_case with
/// ``WireJSONKeyStyle/snakeCase``.
///
/// ```swift
/// let record = try WireJSONDecoder().decode(TradeRecord.self, from: bytes)
/// ```
public struct WireJSONDecoder: Sendable {
    /// The limits and policies: the same as the reader's (`unknownFields` is passed to the canonical models).
    public var configuration: RecordReaderConfiguration
    /// How `CodingKey`s are spelled in the JSON. Default ``WireJSONKeyStyle/asWritten``.
    public var keyStyle: WireJSONKeyStyle
    /// Values handed to `Decodable` types as `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - configuration: The limits and policies.
    ///   - keyStyle: How `CodingKey`s are spelled in the JSON.
    ///   - userInfo: Values handed to `Decodable` types.
    public init(
        configuration: RecordReaderConfiguration = .init(), keyStyle: WireJSONKeyStyle = .asWritten,
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) {
        self.configuration = configuration
        self.keyStyle = keyStyle
        self.userInfo = userInfo
    }

    /// Decodes a value of `type` from the JSON text in `bytes`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - bytes: UTF-8 JSON text holding one value.
    /// - Returns: The value.
    /// - Throws: `DecodingError.dataCorrupted` whose underlying error is a ``ValidationIssue`` (`invalid_json`,
    ///   `invalid_utf8`, `limit_exceeded`, `duplicate_key`) for text that breaks the wire rules; otherwise what
    ///   the type's `init(from:)` throws (a `DecodingError` with its coding path, or a ``ValidationFailure``
    ///   from the canonical models).
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let read = Array(bytes).withUnsafeBytes { raw -> Result<WireJSONValue, JSONError> in
            do throws(JSONError) {
                var scanner = try JSONScanner(raw, configuration: configuration.scanner)
                let value = try WireJSONValue.read(&scanner)
                try scanner.finish()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch read {
        case .success(let value):
            var info: [CodingUserInfoKey: Any] = userInfo
            if info[.etrmUnknownFieldPolicy] == nil { info[.etrmUnknownFieldPolicy] = configuration.unknownFields }
            return try T(from: WireDecoding(value, codingPath: [], userInfo: info, keyStyle: keyStyle))
        case .failure(let error):
            let issue = ValidationIssue(error)
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: issue.description, underlyingError: issue))
        }
    }
}

/// The `Decoder` behind ``WireJSONDecoder``, at one value of the tree.
final class WireDecoding: Decoder {
    let value: WireJSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    let keyStyle: WireJSONKeyStyle

    init(
        _ value: WireJSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any],
        keyStyle: WireJSONKeyStyle
    ) {
        self.value = value
        self.codingPath = codingPath
        self.userInfo = userInfo
        self.keyStyle = keyStyle
    }

    func child(_ value: WireJSONValue, key: any CodingKey) -> WireDecoding {
        WireDecoding(value, codingPath: codingPath + [key], userInfo: userInfo, keyStyle: keyStyle)
    }

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        .typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.kindName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let keys, let members) = value else {
            throw mismatch([String: Any].self, expected: "an object")
        }
        return KeyedDecodingContainer(WireKeyedDecoding<Key>(decoder: self, keys: keys, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, expected: "an array") }
        return WireUnkeyedDecoding(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension WireDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type, expected: "a boolean") }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type, expected: "a string") }
        return string
    }

    /// The number's text, parsed by `parse`; a number the type cannot hold exactly is `dataCorrupted`.
    private func number<T>(_ type: T.Type, _ parse: (String) -> T?) throws -> T {
        guard case .number(let text) = value else { throw mismatch(type, expected: "a number") }
        guard let parsed = parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "the number \(text) does not fit \(type)"))
        }
        return parsed
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T { try number(type) { T($0) } }

    private func floatingPoint<T: LosslessStringConvertible & FloatingPoint>(_ type: T.Type) throws -> T {
        try number(type) { T($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

struct WireKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: WireDecoding
    let keys: [String]
    let members: [String: WireJSONValue]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { keys.compactMap { Key(stringValue: decoder.keyStyle.swift($0)) } }

    func contains(_ key: Key) -> Bool { members[decoder.keyStyle.json(key.stringValue)] != nil }

    private func child(_ key: Key) throws -> WireDecoding {
        guard let value = members[decoder.keyStyle.json(key.stringValue)] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for the key \"\(key.stringValue)\""))
        }
        return decoder.child(value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key)) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> { try child(key).container(keyedBy: type) }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(members["super"] ?? .null, key: WireIndexKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(members[key.stringValue] ?? .null, key: key)
    }
}

struct WireUnkeyedDecoding: UnkeyedDecodingContainer {
    let decoder: WireDecoding
    let elements: [WireJSONValue]
    private(set) var currentIndex = 0

    init(decoder: WireDecoding, elements: [WireJSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The decoder of the next element; the index advances only once the element decoded.
    private func next(_ type: Any.Type) throws -> WireDecoding {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: codingPath + [WireIndexKey(intValue: currentIndex)],
                    debugDescription: "the array has only \(elements.count) elements"))
        }
        return decoder.child(elements[currentIndex], key: WireIndexKey(intValue: currentIndex))
    }

    private mutating func advance<T>(_ type: T.Type, _ body: (WireDecoding) throws -> T) throws -> T {
        let value = try body(next(type))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(Any?.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try advance(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try advance(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try advance(type) { try T(from: $0) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try advance(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try advance((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try advance((any Decoder).self) { $0 } }
}
