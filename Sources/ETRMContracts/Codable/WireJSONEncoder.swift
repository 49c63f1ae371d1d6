import ETRMShared

/// Encodes `Encodable` values as compact JSON, writing every ``ExactDecimal`` with its exact digits and
/// scale (`42.50` stays `42.50`).
///
/// Foundation's `JSONEncoder` can write a number only from a `Decimal` or a binary floating point value,
/// which drops trailing zeros; this encoder writes an ``ExactDecimal`` from its ``ExactDecimal/description``.
/// Objects keep their keys in the order they were encoded (the canonical models write their wire fields in
/// schema order, snake_case; ``WireJSONKeyStyle/snakeCase`` converts other types' camelCase keys); encoding
/// a key twice keeps the last value. A non-finite `Double` or `Float` is
/// `EncodingError.invalidValue`, since JSON has no text for it.
///
/// ```swift
/// let bytes = try WireJSONEncoder().encode(record)   // …"volume_mwh":42.50…
/// ```
public struct WireJSONEncoder: Sendable {
    /// How `CodingKey`s are spelled in the JSON. Default ``WireJSONKeyStyle/asWritten``.
    public var keyStyle: WireJSONKeyStyle
    /// Values handed to `Encodable` types as `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates an encoder.
    ///
    /// - Parameters:
    ///   - keyStyle: How `CodingKey`s are spelled in the JSON.
    ///   - userInfo: Values handed to `Encodable` types.
    public init(keyStyle: WireJSONKeyStyle = .asWritten, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.keyStyle = keyStyle
        self.userInfo = userInfo
    }

    /// Encodes `value` as UTF-8 JSON text.
    ///
    /// - Parameter value: The value.
    /// - Returns: The JSON text, compact, without a trailing newline.
    /// - Throws: `EncodingError.invalidValue` (with the coding path) for a value JSON cannot hold or one that
    ///   encodes nothing; whatever the value's `encode(to:)` throws.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        let node = WireEncodedNode()
        try value.encode(to: WireEncoding(node, codingPath: [], userInfo: userInfo, keyStyle: keyStyle))
        guard let output = node.output else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "\(type(of: value)) encoded no value"))
        }
        return Array(output.text().utf8)
    }
}

/// One value being encoded; containers hold their children by reference so that nested containers can
/// fill them later.
final class WireEncodedNode {
    enum Content {
        case empty
        case scalar(JSONOutput)
        case object(keys: [String], members: [String: WireEncodedNode])
        case array([WireEncodedNode])
    }

    var content = Content.empty

    /// The encoded value; `nil` if nothing was encoded (an object member or element that stayed empty is
    /// written as an empty object, as `JSONEncoder` does).
    var output: JSONOutput? {
        switch content {
        case .empty: nil
        case .scalar(let value): value
        case .object(let keys, let members): .object(keys.map { ($0, members[$0]!.output ?? .object([])) })
        case .array(let elements): .array(elements.map { $0.output ?? .object([]) })
        }
    }

    /// The member node for `key`, created (at the end of the key order) when it is new.
    func member(_ key: String) -> WireEncodedNode {
        guard case .object(var keys, var members) = content else {
            content = .object(keys: [], members: [:])  // a keyed container replaces what was there
            return member(key)
        }
        if let existing = members[key] { return existing }
        let node = WireEncodedNode()
        keys.append(key)
        members[key] = node
        content = .object(keys: keys, members: members)
        return node
    }

    /// A new element node at the end of the array.
    func append() -> WireEncodedNode {
        guard case .array(var elements) = content else {
            content = .array([])  // an unkeyed container replaces what was there
            return append()
        }
        let node = WireEncodedNode()
        elements.append(node)
        content = .array(elements)
        return node
    }
}

/// The `Encoder` behind ``WireJSONEncoder``, at one node.
final class WireEncoding: Encoder {
    let node: WireEncodedNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    let keyStyle: WireJSONKeyStyle

    init(
        _ node: WireEncodedNode, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any],
        keyStyle: WireJSONKeyStyle
    ) {
        self.node = node
        self.codingPath = codingPath
        self.userInfo = userInfo
        self.keyStyle = keyStyle
    }

    func child(_ node: WireEncodedNode, key: any CodingKey) -> WireEncoding {
        WireEncoding(node, codingPath: codingPath + [key], userInfo: userInfo, keyStyle: keyStyle)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = node.content { node.content = .object(keys: [], members: [:]) }
        return KeyedEncodingContainer(WireKeyedEncoding<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = node.content { node.content = .array([]) }
        return WireUnkeyedEncoding(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// Writes a number from its exact decimal text (how ``ExactDecimal`` keeps its scale).
    func encodeNumber(text: String) { node.content = .scalar(.number(text)) }
}

extension WireEncoding: SingleValueEncodingContainer {
    func encodeNil() { node.content = .scalar(.null) }
    func encode(_ value: Bool) { node.content = .scalar(.bool(value)) }
    func encode(_ value: String) { node.content = .scalar(.string(value)) }

    private func floatingPoint<T: FloatingPoint & CustomStringConvertible>(_ value: T) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) has no JSON number"))
        }
        encodeNumber(text: value.description)
    }

    func encode(_ value: Double) throws { try floatingPoint(value) }
    func encode(_ value: Float) throws { try floatingPoint(value) }
    func encode(_ value: Int) { encodeNumber(text: String(value)) }
    func encode(_ value: Int8) { encodeNumber(text: String(value)) }
    func encode(_ value: Int16) { encodeNumber(text: String(value)) }
    func encode(_ value: Int32) { encodeNumber(text: String(value)) }
    func encode(_ value: Int64) { encodeNumber(text: String(value)) }
    func encode(_ value: UInt) { encodeNumber(text: String(value)) }
    func encode(_ value: UInt8) { encodeNumber(text: String(value)) }
    func encode(_ value: UInt16) { encodeNumber(text: String(value)) }
    func encode(_ value: UInt32) { encodeNumber(text: String(value)) }
    func encode(_ value: UInt64) { encodeNumber(text: String(value)) }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: self) }
}

struct WireKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: WireEncoding
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func child(_ key: Key) -> WireEncoding {
        encoder.child(encoder.node.member(encoder.keyStyle.json(key.stringValue)), key: key)
    }

    mutating func encodeNil(forKey key: Key) { child(key).encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: String, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try child(key).encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try child(key).encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) { child(key).encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try value.encode(to: child(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> { child(key).container(keyedBy: keyType) }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.child(encoder.node.member("super"), key: WireIndexKey(stringValue: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

struct WireUnkeyedEncoding: UnkeyedEncodingContainer {
    let encoder: WireEncoding
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int {
        if case .array(let elements) = encoder.node.content { return elements.count }
        return 0
    }

    private func next() -> WireEncoding {
        let key = WireIndexKey(intValue: count)
        return encoder.child(encoder.node.append(), key: key)
    }

    mutating func encodeNil() { next().encodeNil() }
    mutating func encode(_ value: Bool) { next().encode(value) }
    mutating func encode(_ value: String) { next().encode(value) }
    mutating func encode(_ value: Double) throws { try next().encode(value) }
    mutating func encode(_ value: Float) throws { try next().encode(value) }
    mutating func encode(_ value: Int) { next().encode(value) }
    mutating func encode(_ value: Int8) { next().encode(value) }
    mutating func encode(_ value: Int16) { next().encode(value) }
    mutating func encode(_ value: Int32) { next().encode(value) }
    mutating func encode(_ value: Int64) { next().encode(value) }
    mutating func encode(_ value: UInt) { next().encode(value) }
    mutating func encode(_ value: UInt8) { next().encode(value) }
    mutating func encode(_ value: UInt16) { next().encode(value) }
    mutating func encode(_ value: UInt32) { next().encode(value) }
    mutating func encode(_ value: UInt64) { next().encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> { next().container(keyedBy: keyType) }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { next() }
}
