/// A closed list of wire spellings behind a struct with static members: the shared lookup of ``Currency``,
/// ``EnergyUnit``, ``Commodity``, ``Side``, ``ActionType`` and ``TradeStatus``.
protocol EnumeratedCode: ValidatedIdentifier {
    var rawValue: String { get }
    init(known rawValue: String)
    /// Every accepted value, in the canonical spelling.
    static var known: [Self] { get }
    /// Other accepted spellings and the value each stands for.
    static var aliases: [(spelling: String, value: Self)] { get }
    /// The spellings packed into integers for a branch-light lookup.
    static var table: CodeTable<Self> { get }
}

/// Wire spellings of up to 15 bytes packed, with their length, into one `UInt128` each, so that looking up a
/// code from bytes compares integers instead of strings.
struct CodeTable<Value: Sendable>: Sendable {
    private let keys: [UInt128]
    private let values: [Value]

    init(_ known: [Value], aliases: [(spelling: String, value: Value)]) where Value: EnumeratedCode {
        var keys: [UInt128] = []
        var values: [Value] = []
        for value in known {
            keys.append(Array(value.rawValue.utf8).withUnsafeBufferPointer { Self.key($0) ?? 0 })
            values.append(value)
        }
        for alias in aliases {
            keys.append(Array(alias.spelling.utf8).withUnsafeBufferPointer { Self.key($0) ?? 0 })
            values.append(alias.value)
        }
        self.keys = keys
        self.values = values
    }

    /// The bytes and their count packed little-endian; `nil` for more than 15 bytes.
    @inline(__always)
    static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        guard bytes.count <= 15 else { return nil }
        var key = UInt128(bytes.count) << 120
        for (index, byte) in bytes.enumerated() { key |= UInt128(byte) << (index * 8) }
        return key
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard let key = Self.key(bytes) else { return nil }
        for index in keys.indices where keys[index] == key { return values[index] }
        return nil
    }
}

extension EnumeratedCode {
    static var aliases: [(spelling: String, value: Self)] { [] }
    static var issueCode: ValidationIssue.Code { .invalidValue }

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Self? { table.lookup(bytes) }

    static func make(validating bytes: UnsafeBufferPointer<UInt8>) -> Self? { table.lookup(bytes) }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard lookup(bytes) == nil else { return nil }
        let spellings = known.map(\.rawValue) + aliases.map(\.spelling)
        return "expected one of " + spellings.joined(separator: ", ") + " (case-sensitive)"
    }

    init(validated bytes: UnsafeBufferPointer<UInt8>) {
        self = Self.lookup(bytes) ?? Self(known: String(decoding: bytes, as: UTF8.self))
    }
}
