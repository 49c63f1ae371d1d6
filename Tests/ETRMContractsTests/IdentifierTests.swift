import ETRMContracts
import Foundation
import Testing

@Suite struct IdentifierTests {
    static let validLEIs = ["506700GE1G29325QX363", "7LTWFZYICNSX8D621K86", "HWUPKR0MPOU8FGXBT394"]
    static let invalidLEIs = [
        "7LTWFZYICNSX8D621K87",  // check digits off by one
        "506700GE1G29325QX364",  // last digit changed
        "506700GE1G29325QY363",  // one letter changed
        "506700ge1g29325qx363",  // lower case
        "506700GE1G29325QX36",  // 19 characters
        "506700GE1G29325QX3633",  // 21 characters
        "506700GE1G29325QX3A3",  // letter in the check digits
        "506700GE1G29325-X363",  // punctuation
        "",
        " 506700GE1G29325QX36",
    ]

    static let validEICs = [
        "10YNL----------L", "10YFR-RTE------C", "10Y1001A1001A82H", "37Y005053MH0000R", "10YCB-GERMANY--8",
        "17Y0000009369493", "11Y0-0000-0265-K", "10YDE-VE-------2",
    ]
    static let invalidEICs = [
        "10YCB-EUROPEU--8",  // ENTSO-E's own TRUM example: the check computes Q
        "10YNL----------M",  // check character changed
        "10YFR-RTE------D",
        "10Y1001A1001A83H",  // one body character changed
        "10ynl----------L",  // lower case
        "10YNL---------L",  // 15 characters
        "10YNL-----------L",  // 17 characters
        "10YNL_---------L",  // character outside the alphabet
        "",
    ]

    @Test(arguments: validLEIs)
    func acceptsRealLEIs(code: String) throws {
        let lei = try LEI(code)
        #expect(lei.description == code)
        #expect(try LEI(bytes: Array(code.utf8)) == lei)
    }

    @Test(arguments: invalidLEIs)
    func rejectsLEINearMisses(code: String) {
        #expect { try LEI(code) } throws: { ($0 as? ValidationIssue)?.code == .invalidLEI }
        #expect { try LEI(bytes: Array(code.utf8)) } throws: { ($0 as? ValidationIssue)?.code == .invalidLEI }
    }

    @Test(arguments: validEICs)
    func acceptsRealEICs(code: String) throws {
        #expect(try EIC(code).description == code)
        #expect(try EIC(bytes: code.utf8) == EIC(code))
    }

    @Test(arguments: invalidEICs)
    func rejectsEICNearMisses(code: String) {
        #expect { try EIC(code) } throws: { ($0 as? ValidationIssue)?.code == .invalidEIC }
    }

    @Test func everySameClassSubstitutionInAnLEIIsCaught() throws {
        // MOD 97-10 detects every digit-for-digit and letter-for-letter substitution (the change is
        // d × 10^k with 0 < |d| < 97). A digit-for-letter change alters the length of the expanded number and
        // can pass, e.g. 5Z6700GE1G29325QX363 (checked with Python): the check is a check, not a registry.
        let digits = Array("0123456789")
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var tried = 0
        for code in Self.validLEIs {
            var characters = Array(code)
            for index in characters.indices {
                let original = characters[index]
                for replacement in (original.isNumber ? digits : letters) where replacement != original {
                    characters[index] = replacement
                    tried += 1
                    #expect(throws: ValidationIssue.self) { try LEI(String(characters)) }
                }
                characters[index] = original
            }
        }
        #expect(tried > 600)
        #expect(throws: Never.self) { try LEI("5Z6700GE1G29325QX363") }
    }

    @Test func eicWhoseCheckWouldBeADashHasNoValidForm() {
        // Body with S ≡ 0 (mod 37): 36 − ((0 − 1) mod 37) = 36, i.e. '-', which is not allowed; every last
        // character is then rejected. "000000000000000" has S = 0.
        for last in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-" {
            #expect(throws: ValidationIssue.self) { try EIC("000000000000000" + String(last)) }
        }
    }

    @Test(arguments: [
        ("C0643278W.EU", true), ("A1b2_C3d4.DE", true), ("C0643278.EU", false),
        ("C0643278WX.EU", false), ("C0643278W.eu", false), ("C0643278W-EU", false), ("C0643-78W.EU", false),
    ])
    func acerCodes(code: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try ACERCode(code) }
        } else {
            #expect { try ACERCode(code) } throws: { ($0 as? ValidationIssue)?.code == .invalidIdentifier }
        }
    }

    @Test(arguments: [
        ("SR2025030100000A", true), ("ABCDEFGHIJKLMNOP", true), ("SR2025030100000a", false),
        ("SR2025030100000", false), ("SR2025030100000AB", false), ("SR-2025030100000", false),
    ])
    func settlementRunIDs(id: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try SettlementRunID(id) }
        } else {
            #expect { try SettlementRunID(id) } throws: { ($0 as? ValidationIssue)?.code == .invalidIdentifier }
        }
    }

    @Test(arguments: [
        ("CTR-0001", true), ("eex:DE:BASE_2025-M03", true), (String(repeating: "a", count: 32), true),
        ("CTR-001", false), (String(repeating: "a", count: 33), false), ("CTR 0001", false), ("CTR/0001", false),
        ("CTRé00001", false),
    ])
    func contractIDs(id: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try ContractID(id) }
        } else {
            #expect { try ContractID(id) } throws: { ($0 as? ValidationIssue)?.code == .invalidIdentifier }
        }
    }

    @Test func identifiersAreCodableAsValidatedStrings() throws {
        struct Row: Codable, Equatable { var lei: LEI; var eic: EIC }
        let json = #"{"lei":"506700GE1G29325QX363","eic":"10YNL----------L"}"#
        let row = try JSONDecoder().decode(Row.self, from: Data(json.utf8))
        #expect(row.lei.description == "506700GE1G29325QX363")
        let encoded = try JSONEncoder().encode(row)
        #expect(try JSONDecoder().decode(Row.self, from: encoded) == row)
        let bad = #"{"lei":"7LTWFZYICNSX8D621K87","eic":"10YNL----------L"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Row.self, from: Data(bad.utf8)) }
    }

    @Test func equalIdentifiersHashAlike() throws {
        let set: Set<LEI> = [try LEI("506700GE1G29325QX363"), try LEI(bytes: "506700GE1G29325QX363".utf8)]
        #expect(set.count == 1)
    }
}

@Suite struct IdentifierCodeSetTests {
    static let currencies = "BGN CHF CZK DKK EUR EUX GBX GBP HRK HUF ISK NOK PCT PLN RON SEK USD OTH"
        .split(separator: " ").map(String.init)

    @Test(arguments: currencies)
    func acceptsEveryREMITCurrency(code: String) throws {
        let currency = try Currency(code)
        #expect(currency.rawValue == code)
        #expect(currency.isMinorUnit == (code == "GBX" || code == "EUX"))
        #expect(try Currency(bytes: Array(code.utf8)) == currency)
    }

    @Test(arguments: ["eur", "EURO", "JPY", "", "EU", "GBp"])
    func rejectsOtherCurrencies(code: String) {
        #expect { try Currency(code) } throws: { ($0 as? ValidationIssue)?.code == .invalidValue }
    }

    @Test func codeSetsHaveTheirListedMembers() throws {
        #expect(Currency.all.count == 18)
        #expect(try Commodity("EL") == .electricity && Commodity("NG") == .naturalGas && Commodity("LG") == .lng)
        #expect(throws: ValidationIssue.self) { try Commodity("OIL") }
        #expect(try ActionType("N") == .new && ActionType("M") == .modify)
        #expect(try ActionType("E") == .error && ActionType("C") == .cancel)
        #expect(throws: ValidationIssue.self) { try ActionType("X") }
        #expect(try TradeStatus("CONFIRMED") == .confirmed && TradeStatus("AMENDED") == .amended)
        #expect(try TradeStatus("PENDING") == .pending && TradeStatus("CANCELLED") == .cancelled)
        #expect(throws: ValidationIssue.self) { try TradeStatus("confirmed") }
        #expect(throws: ValidationIssue.self) { try TradeStatus("CANCELED") }
    }

    @Test(arguments: [("BUY", "BUY"), ("SELL", "SELL"), ("B", "BUY"), ("S", "SELL")])
    func sideAcceptsWordsAndREMITLetters(input: String, canonical: String) throws {
        #expect(try Side(input).rawValue == canonical)
    }

    @Test(arguments: ["buy", "Sell", "BUYER", "", "X"])
    func sideRejectsOtherSpellings(input: String) {
        #expect { try Side(input) } throws: { ($0 as? ValidationIssue)?.code == .invalidValue }
    }

    @Test(arguments: [
        ("MWh", true), ("KWh", true), ("GWh/d", true), ("Therm", true), ("mcm/d", true),
        ("MW", true), ("kWh", false), ("mwh", false), ("MMBtu", false), ("GJ", false), ("", false),
    ])
    func energyUnits(unit: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try EnergyUnit(unit) }
        } else {
            #expect { try EnergyUnit(unit) } throws: { ($0 as? ValidationIssue)?.code == .invalidValue }
        }
    }

    @Test func codesDecodeAndEncodeAsStrings() throws {
        struct Row: Codable, Equatable { var currency: Currency; var side: Side; var unit: EnergyUnit }
        let row = try JSONDecoder().decode(
            Row.self, from: Data(#"{"currency":"GBX","side":"S","unit":"MWh"}"#.utf8))
        #expect(row == Row(currency: .GBX, side: .sell, unit: .MWh))
        #expect(String(decoding: try JSONEncoder().encode(row), as: UTF8.self).contains(#""side":"SELL""#))
    }
}
