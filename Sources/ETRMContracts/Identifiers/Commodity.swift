/// The commodity of a contract, as REMIT spells it: `EL` (electricity), `NG` (natural gas), `LG` (LNG, added in
/// REMIT Table 1 version 3).
public struct Commodity: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `a commodity`.
    public static let noun = "a commodity"
}

extension Commodity {
    /// Electricity.
    public static let electricity = Commodity(known: "EL")
    /// Natural gas.
    public static let naturalGas = Commodity(known: "NG")
    /// Liquefied natural gas.
    public static let lng = Commodity(known: "LG")

    /// Every accepted value.
    public static let all: [Commodity] = [.electricity, .naturalGas, .lng]
    /// The accepted spellings: each value's ``rawValue``.
    public static let table = CodeTable(all)
}
