import ETRMContracts
import Foundation
import Testing

/// The behaviour every ``ValidatedCode`` shares through the protocol's default implementations, checked for
/// each conforming type against spellings written out here (not taken from the types).
@Suite struct ValidatedCodeTests {
    /// Every enumerated code type with its canonical spellings in order (REMIT Table 1 and the issue's lists).
    static let enumerated: [(any EnumeratedCode.Type, [String])] = [
        (
            Currency.self,
            "BGN CHF CZK DKK EUR EUX GBX GBP HRK HUF ISK NOK PCT PLN RON SEK USD OTH".split(separator: " ")
                .map(String.init)
        ),
        (
            EnergyUnit.self,
            ("KWh MWh GWh Therm KTherm MTherm cm mcm KW MW GW KWh/h MWh/h GWh/h KWh/d MWh/d GWh/d Therm/d KTherm/d "
                + "MTherm/d cm/d mcm/d").split(separator: " ").map(String.init)
        ),
        (Commodity.self, ["EL", "NG", "LG"]),
        (Side.self, ["BUY", "SELL"]),
        (ActionType.self, ["N", "M", "E", "C"]),
        (TradeStatus.self, ["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"]),
    ]

    /// Valid spellings of every identifier type: the issue's real LEIs and EICs, and the pattern types' edges.
    static let identifiers: [(any ValidatedCode.Type, [String])] = [
        (LEI.self, ["506700GE1G29325QX363", "7LTWFZYICNSX8D621K86", "HWUPKR0MPOU8FGXBT394"]),
        (EIC.self, ["10YNL----------L", "10YFR-RTE------C", "10Y1001A1001A82H", "37Y005053MH0000R"]),
        (ACERCode.self, ["C0643278W.EU", "A1b2_C3d4.DE"]),
        (SettlementRunID.self, ["SR2025030100000A", "ABCDEFGHIJKLMNOP"]),
        (ContractID.self, ["CTR-0001", "eex:DE:BASE_2025-M03", String(repeating: "Z", count: 32)]),
    ]

    /// Spellings one step from valid, with the issue each must produce.
    static let nearMisses: [(any ValidatedCode.Type, String, ValidationIssue.Code, String)] = [
        (
            Currency.self, "eur", .invalidValue,
            "not a currency: expected one of BGN, CHF, CZK, DKK, EUR, EUX, GBX, "
                + "GBP, HRK, HUF, ISK, NOK, PCT, PLN, RON, SEK, USD, OTH (case-sensitive)"
        ),
        (Currency.self, "EURO", .invalidValue, "not a currency: "),
        (Currency.self, "", .invalidValue, "not a currency: "),
        (EnergyUnit.self, "kWh", .invalidValue, "not an energy unit: expected one of KWh, MWh, "),
        (EnergyUnit.self, "MWh/", .invalidValue, "not an energy unit: "),
        (Commodity.self, "el", .invalidValue, "not a commodity: expected one of EL, NG, LG (case-sensitive)"),
        (Side.self, "b", .invalidValue, "not a side: expected one of BUY, SELL, B, S (case-sensitive)"),
        (Side.self, "BUYS", .invalidValue, "not a side: "),
        (ActionType.self, "n", .invalidValue, "not an action type: expected one of N, M, E, C (case-sensitive)"),
        (ActionType.self, "NEW", .invalidValue, "not an action type: "),
        (TradeStatus.self, "CANCELED", .invalidValue, "not a trade status: "),
        (TradeStatus.self, "CONFIRMEDCONFIRMED", .invalidValue, "not a trade status: "),  // beyond the 15-byte keys
        (LEI.self, "7LTWFZYICNSX8D621K87", .invalidLEI, "not an LEI: the ISO 7064 MOD 97-10 check digits do not match"),
        (LEI.self, "506700GE1G29325QX36", .invalidLEI, "not an LEI: an LEI has 20 characters"),
        (EIC.self, "10YNL----------M", .invalidEIC, "not an EIC: the check character does not match"),
        (EIC.self, "10ynl----------L", .invalidEIC, "not an EIC: expected characters 0-9, A-Z and -"),
        (ACERCode.self, "C0643278W.eu", .invalidIdentifier, "not an ACER code: expected 9 characters of "),
        (SettlementRunID.self, "SR2025030100000a", .invalidIdentifier, "not a settlement run id: expected exactly 16"),
        (ContractID.self, "CTR-001", .invalidIdentifier, "not a contract id: a contract id has 8 to 32 characters"),
        (ContractID.self, "CTR/0001", .invalidIdentifier, "not a contract id: expected only A-Z a-z 0-9 _ : -"),
    ]

    @Test(arguments: enumerated)
    func enumeratedTypeHasExactlyTheListedValues(type: any EnumeratedCode.Type, spellings: [String]) {
        #expect(type.all.map(\.rawValue) == spellings)
        #expect(Set(type.all.map(\.rawValue)).count == spellings.count)
        #expect(type.issueCode == .invalidValue)
    }

    @Test(arguments: enumerated)
    func everyEnumeratedValueRoundTrips(type: any EnumeratedCode.Type, spellings: [String]) throws {
        try Self.roundTrip(type, spellings)
        for value in type.all { #expect(value.description == value.rawValue) }
    }

    @Test(arguments: identifiers)
    func everyIdentifierRoundTrips(type: any ValidatedCode.Type, spellings: [String]) throws {
        try Self.roundTrip(type, spellings)
    }

    @Test(arguments: nearMisses)
    func nearMissesAreRejectedWithTheirCode(
        type: any ValidatedCode.Type, spelling: String, code: ValidationIssue.Code, message: String
    ) throws {
        try Self.expectRejection(type, spelling, code: code, message: message)
    }

    @Test func sideAcceptsREMITLettersAsAliases() throws {
        #expect(Side.table.spellings == ["BUY", "SELL", "B", "S"])
        #expect(try Side(bytes: Array("B".utf8)) == .buy)
        #expect(try Side("S").description == "SELL")
    }

    /// Creates every spelling from a `String`, contiguous bytes, non-contiguous bytes and JSON, and checks that
    /// each way gives the same value, which spells itself back and encodes as the same JSON string.
    private static func roundTrip<Code: ValidatedCode>(_ type: Code.Type, _ spellings: [String]) throws {
        for spelling in spellings {
            let value = try Code(spelling)
            #expect(value.description == spelling)
            #expect(try Code(bytes: Array(spelling.utf8)) == value)
            #expect(try Code(bytes: spelling.utf8.lazy.map { $0 }) == value)
            let json = Data("[\"\(spelling)\"]".utf8)
            #expect(try JSONDecoder().decode([Code].self, from: json) == [value])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            #expect(try encoder.encode([value]) == json)
        }
    }

    /// Expects `spelling` to be rejected the same way from a `String`, from bytes and from JSON.
    private static func expectRejection<Code: ValidatedCode>(
        _ type: Code.Type, _ spelling: String, code: ValidationIssue.Code, message: String
    ) throws {
        let issue = try #require(throws: ValidationIssue.self) { try Code(spelling) }
        #expect(issue.code == code)
        #expect(issue.message.hasPrefix(message), "\(issue.message)")
        #expect(issue.value == spelling)
        #expect(issue.path.isEmpty)
        #expect(throws: issue) { try Code(bytes: Array(spelling.utf8)) }
        #expect(throws: issue) { try Code(bytes: spelling.utf8.lazy.map { $0 }) }
        let error = try #require(throws: DecodingError.self) {
            try JSONDecoder().decode([Code].self, from: Data("[\"\(spelling)\"]".utf8))
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.underlyingError as? ValidationIssue == issue)
    }
}
