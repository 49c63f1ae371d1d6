/// A closed list of wire spellings behind a struct with static members: the shared lookup of ``Currency``,
/// ``EnergyUnit``, ``Commodity``, ``Side``, ``ActionType`` and ``TradeStatus``.
protocol EnumeratedCode: ValidatedIdentifier {
    var rawValue: String { get }
    init(known rawValue: String)
    /// Every accepted value, in the canonical spelling.
    static var known: [Self] { get }
    /// Other accepted spellings and the value each stands for.
    static var aliases: [(spelling: String, value: Self)] { get }
}

extension EnumeratedCode {
    static var aliases: [(spelling: String, value: Self)] { [] }
    static var issueCode: ValidationIssue.Code { .invalidValue }

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Self? {
        for value in known where value.rawValue.utf8.elementsEqual(bytes) { return value }
        for alias in aliases where alias.spelling.utf8.elementsEqual(bytes) { return alias.value }
        return nil
    }

    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard lookup(bytes) == nil else { return nil }
        let spellings = known.map(\.rawValue) + aliases.map(\.spelling)
        return "expected one of " + spellings.joined(separator: ", ") + " (case-sensitive)"
    }

    init(validated bytes: UnsafeBufferPointer<UInt8>) {
        self = Self.lookup(bytes) ?? Self(known: String(decoding: bytes, as: UTF8.self))
    }
}
