/// A closed list of wire spellings behind a struct with static members: ``Currency``, ``EnergyUnit``,
/// ``Commodity``, ``Side``, ``ActionType`` and ``TradeStatus``.
///
/// A conforming type lists its values (``all``) and the spellings it accepts (``table``); the protocol provides
/// the validation against the table, the issue code `invalid_value` and ``description``, besides all that
/// ``ValidatedCode`` provides.
public protocol EnumeratedCode: ValidatedCode {
    /// The canonical wire spelling.
    var rawValue: String { get }

    /// Every value, each once, in its canonical spelling.
    static var all: [Self] { get }

    /// The spellings the type accepts: each value's ``rawValue`` and any other spelling of a value.
    static var table: CodeTable<Self> { get }
}

extension EnumeratedCode {
    /// ``ValidationIssue/Code/invalidValue``, the code for every enumerated code type.
    public static var issueCode: ValidationIssue.Code { .invalidValue }

    /// The canonical wire spelling, ``rawValue``.
    public var description: String { rawValue }

    /// Looks the spelling up in ``table``, comparing integers rather than strings.
    ///
    /// - Parameter bytes: The spelling's UTF-8 bytes.
    /// - Returns: The value, or an issue with code ``ValidationIssue/Code/invalidValue`` that lists every
    ///   accepted spelling.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Self, ValidationIssue> {
        if let value = table.lookup(bytes) { return .success(value) }
        let expected = "expected one of " + table.spellings.joined(separator: ", ") + " (case-sensitive)"
        return .failure(issue(expected, in: bytes))
    }
}

/// The spellings of an ``EnumeratedCode``, each of up to 15 bytes packed with its length into one `UInt128`, so
/// that looking a code up from bytes compares integers instead of strings.
public struct CodeTable<Code: EnumeratedCode>: Sendable {
    /// Every accepted spelling: the values' ``EnumeratedCode/rawValue`` in order, then the other spellings.
    public let spellings: [String]
    private let keys: [UInt128]
    private let values: [Code]

    /// Creates the table of a code type's values.
    ///
    /// - Parameters:
    ///   - values: Every value, accepted in its ``EnumeratedCode/rawValue``.
    ///   - aliases: Other accepted spellings and the value each stands for.
    /// - Precondition: Every spelling has at most 15 bytes.
    public init(_ values: [Code], aliases: [(spelling: String, value: Code)] = []) {
        let entries = values.map { ($0.rawValue, $0) } + aliases.map { ($0.spelling, $0.value) }
        spellings = entries.map(\.0)
        keys = entries.map { entry in
            Array(entry.0.utf8).withUnsafeBufferPointer { bytes in
                guard let key = Self.key(bytes) else { preconditionFailure("a code has at most 15 bytes") }
                return key
            }
        }
        self.values = entries.map(\.1)
    }

    /// The bytes and their count packed little-endian; `nil` for more than 15 bytes.
    @inline(__always)
    private static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        guard bytes.count <= 15 else { return nil }
        var key = UInt128(bytes.count) << 120
        for (index, byte) in bytes.enumerated() { key |= UInt128(byte) << (index * 8) }
        return key
    }

    /// The value `bytes` spell.
    ///
    /// - Parameter bytes: A spelling's UTF-8 bytes.
    /// - Returns: The value, or `nil` if the table has no such spelling.
    public func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Code? {
        guard let key = Self.key(bytes) else { return nil }
        for index in keys.indices where keys[index] == key { return values[index] }
        return nil
    }
}
