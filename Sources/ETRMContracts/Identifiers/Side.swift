/// The side of a trade or order: `BUY` or `SELL`.
///
/// REMIT's one-letter spellings `B` and `S` are accepted too and mean the same value (its ``rawValue`` is then
/// `BUY` or `SELL`); lower case is rejected.
public struct Side: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `a side`.
    public static let noun = "a side"
}

extension Side {
    /// Buy.
    public static let buy = Side(known: "BUY")
    /// Sell.
    public static let sell = Side(known: "SELL")

    /// Every accepted value.
    public static let all: [Side] = [.buy, .sell]
    /// The accepted spellings: `BUY` and `SELL`, and REMIT's `B` and `S`.
    public static let table = CodeTable(all, aliases: [("B", .buy), ("S", .sell)])
}
