/// The REMIT action type of a report: `N` (new), `M` (modify), `E` (error: the report was wrong and is
/// withdrawn) or `C` (cancel: the trade was cancelled).
public struct ActionType: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `an action type`.
    public static let noun = "an action type"
}

extension ActionType {
    /// A new report.
    public static let new = ActionType(known: "N")
    /// A modification of an earlier report.
    public static let modify = ActionType(known: "M")
    /// An earlier report was sent in error.
    public static let error = ActionType(known: "E")
    /// The trade was cancelled.
    public static let cancel = ActionType(known: "C")

    /// Every accepted value.
    public static let all: [ActionType] = [.new, .modify, .error, .cancel]
    /// The accepted spellings: each value's ``rawValue``.
    public static let table = CodeTable(all)
}
