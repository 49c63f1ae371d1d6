/// The life-cycle status of a trade: `CONFIRMED`, `PENDING`, `CANCELLED` or `AMENDED`.
public struct TradeStatus: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `a trade status`.
    public static let noun = "a trade status"
}

extension TradeStatus {
    /// Confirmed by both parties.
    public static let confirmed = TradeStatus(known: "CONFIRMED")
    /// Awaiting confirmation.
    public static let pending = TradeStatus(known: "PENDING")
    /// Cancelled.
    public static let cancelled = TradeStatus(known: "CANCELLED")
    /// Amended after confirmation.
    public static let amended = TradeStatus(known: "AMENDED")

    /// Every accepted value.
    public static let all: [TradeStatus] = [.confirmed, .pending, .cancelled, .amended]
    /// The accepted spellings: each value's ``rawValue``.
    public static let table = CodeTable(all)
}
