/// A currency of the REMIT Table 1 list: BGN CHF CZK DKK EUR EUX GBX GBP HRK HUF ISK NOK PCT PLN RON SEK USD OTH.
///
/// `GBX` (pence) and `EUX` (euro cents) are minor units (see ``isMinorUnit``); `PCT` is a percentage and `OTH`
/// any other currency. Spellings are upper case, exactly as in the list.
public struct Currency: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `a currency`.
    public static let noun = "a currency"
}

extension Currency {
    /// Bulgarian lev.
    public static let BGN = Currency(known: "BGN")
    /// Swiss franc.
    public static let CHF = Currency(known: "CHF")
    /// Czech koruna.
    public static let CZK = Currency(known: "CZK")
    /// Danish krone.
    public static let DKK = Currency(known: "DKK")
    /// Euro.
    public static let EUR = Currency(known: "EUR")
    /// Euro cent (minor unit).
    public static let EUX = Currency(known: "EUX")
    /// Penny sterling (minor unit).
    public static let GBX = Currency(known: "GBX")
    /// Pound sterling.
    public static let GBP = Currency(known: "GBP")
    /// Croatian kuna.
    public static let HRK = Currency(known: "HRK")
    /// Hungarian forint.
    public static let HUF = Currency(known: "HUF")
    /// Icelandic króna.
    public static let ISK = Currency(known: "ISK")
    /// Norwegian krone.
    public static let NOK = Currency(known: "NOK")
    /// Percentage (a price quoted as a percentage).
    public static let PCT = Currency(known: "PCT")
    /// Polish złoty.
    public static let PLN = Currency(known: "PLN")
    /// Romanian leu.
    public static let RON = Currency(known: "RON")
    /// Swedish krona.
    public static let SEK = Currency(known: "SEK")
    /// US dollar.
    public static let USD = Currency(known: "USD")
    /// Any other currency.
    public static let OTH = Currency(known: "OTH")

    /// Every accepted value.
    public static let all: [Currency] = [
        .BGN, .CHF, .CZK, .DKK, .EUR, .EUX, .GBX, .GBP, .HRK, .HUF, .ISK, .NOK, .PCT, .PLN, .RON, .SEK, .USD, .OTH,
    ]
    /// The accepted spellings: each value's ``rawValue``.
    public static let table = CodeTable(all)

    /// Whether the code is a minor unit (GBX, EUX): one hundredth of GBP or EUR.
    public var isMinorUnit: Bool { self == .GBX || self == .EUX }
}
