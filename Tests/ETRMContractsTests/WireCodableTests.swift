import Foundation
import Testing

@testable import ETRMContracts

/// `Codable` through the package's own coders keeps every number as written, exactly as the wire reader does,
/// and applies the reader's bounds.
@Suite struct WireCodableTests {
    /// The value and scale ``RecordReader`` gives for `text` as a trade's volume.
    static func readerVolume(_ text: String) throws -> ExactDecimal {
        let result = try readBatch(TradeRecord.self, [tradeJSON(["volume_mwh": text])])
        return try #require(result.accepted.first?.1.volumeMWh)
    }

    static func issueCode(_ error: any Error) -> String? {
        switch error as? DecodingError {
        case .dataCorrupted(let context), .typeMismatch(_, let context):
            (context.underlyingError as? ValidationIssue)?.code.rawValue
        default: nil
        }
    }

    @Test(arguments: ["42.50", "0.10", "100e-2", "0.050", "12.500", "1e3", "7"])
    func decodingKeepsTheScaleTheWireReaderGives(text: String) throws {
        let expected = try Self.readerVolume(text)
        let decoded = try WireJSONDecoder().decode(ExactDecimal.self, from: Array(text.utf8))
        #expect(decoded.significand == expected.significand)
        #expect(decoded.scale == expected.scale)
        let record = try WireJSONDecoder().decode(TradeRecord.self, from: Array(tradeJSON(["volume_mwh": text]).utf8))
        #expect(record.volumeMWh.significand == expected.significand)
        #expect(record.volumeMWh.scale == expected.scale)
    }

    @Test func theWrittenScaleOfTwoDigitsSurvives() throws {
        for text in ["42.50", "0.10", "100e-2"] {
            #expect(try WireJSONDecoder().decode(ExactDecimal.self, from: Array(text.utf8)).scale == 2)
        }
    }

    @Test(arguments: [(4250, 2), (-50, 2), (10, 2), (500, 0), (1, 9)] as [(Int64, UInt8)])
    func encodingWritesTheScale(significand: Int64, scale: UInt8) throws {
        let value = ExactDecimal(significand: significand, scale: scale)
        let text = String(decoding: try WireJSONEncoder().encode(value), as: UTF8.self)
        #expect(text == value.description)
        let back = try WireJSONDecoder().decode(ExactDecimal.self, from: Array(text.utf8))
        #expect(back.significand == significand && back.scale == scale)
    }

    /// Foundation's coders keep today's behaviour: the value is exact, the trailing zeros are gone.
    @Test func foundationCodersKeepTheValueButNotTheScale() throws {
        let decoded = try JSONDecoder().decode([ExactDecimal].self, from: Data("[42.50]".utf8))
        #expect(decoded == [try ExactDecimal("42.50")])
        #expect(decoded.first?.scale == 1)
        let encoded = String(decoding: try JSONEncoder().encode([try ExactDecimal("42.50")]), as: UTF8.self)
        #expect(encoded == "[42.5]")
    }

    @Test(arguments: [#""42.50""#, "true", "null", "[1]", #"{"a": 1}"#])
    func aValueThatIsNotANumberIsWrongType(text: String) throws {
        #expect {
            _ = try WireJSONDecoder().decode(ExactDecimal.self, from: Array(text.utf8))
        } throws: { Self.issueCode($0) == "wrong_type" }
    }

    static let settlement =
        #"{"settlement_run_id": "SR2025060100000A", "contract_id": "DE-BASE:2025-06", "position_mwh": -2500.100, "settlement_price": 87.30, "timestamp_utc": "2025-06-01T14:00:00+02:00"}"#
    static let order =
        #"{"order_id": "O-778812", "participant_lei": "506700GE1G29325QX363", "side": "BUY", "product": "DE-15-0800", "market_area": "10Y1001A1001A82H", "delivery_start": "2025-10-01T08:00:00+02:00", "delivery_end": "2025-10-01T08:15:00+02:00", "quantity_mwh": 2.50, "limit_price": 110.250, "submitted_at": "2025-09-30T11:59:58.5Z", "version": 3}"#

    /// Decoding, encoding and decoding again gives the reader's record, and the second encoding is byte for
    /// byte the first: no digit, scale or field changes on the way.
    func roundTrip<Record: ValidatedRecord & Codable & Equatable>(_ type: Record.Type, _ json: String) throws {
        let fromReader = try #require(try readBatch(type, [json]).accepted.first?.1)
        let decoded = try WireJSONDecoder().decode(type, from: Array(json.utf8))
        #expect(decoded == fromReader)
        let encoded = try WireJSONEncoder().encode(decoded)
        let again = try WireJSONDecoder().decode(type, from: encoded)
        #expect(again == fromReader)
        #expect(try WireJSONEncoder().encode(again) == encoded)
        #expect(
            try #require(try readBatch(type, [String(decoding: encoded, as: UTF8.self)]).accepted.first?.1) == again)
    }

    @Test func canonicalModelsRoundTripWithEveryScale() throws {
        try roundTrip(TradeRecord.self, tradeJSON())
        try roundTrip(SettlementInstruction.self, Self.settlement)
        try roundTrip(Order.self, Self.order)
        let trade = String(
            decoding: try WireJSONEncoder().encode(
                try WireJSONDecoder().decode(TradeRecord.self, from: Array(tradeJSON().utf8))), as: UTF8.self)
        #expect(trade.contains(#""volume_mwh":12.500"#))
        let settlement = String(
            decoding: try WireJSONEncoder().encode(
                try WireJSONDecoder().decode(SettlementInstruction.self, from: Array(Self.settlement.utf8))),
            as: UTF8.self)
        #expect(settlement.contains(#""position_mwh":-2500.100"#) && settlement.contains(#""settlement_price":87.30"#))
        let order = String(
            decoding: try WireJSONEncoder().encode(
                try WireJSONDecoder().decode(Order.self, from: Array(Self.order.utf8))), as: UTF8.self)
        #expect(order.contains(#""quantity_mwh":2.50"#) && order.contains(#""limit_price":110.250"#))
    }

    @Test func aModelRefusesWhatTheReaderRefusesWithTheSameIssues() throws {
        let bad = tradeJSON(["volume_mwh": #""12.5""#, "status": #""LOST""#])
        let rejected = try #require(try readBatch(TradeRecord.self, [bad]).rejected.first)
        #expect {
            _ = try WireJSONDecoder().decode(TradeRecord.self, from: Array(bad.utf8))
        } throws: { error in
            (error as? ValidationFailure)?.issues.map { "\($0.code) \($0.path)" }
                == rejected.issues.map { "\($0.code) \($0.path.replacingOccurrences(of: "/trades/0", with: ""))" }
        }
    }

    // A plain Codable model, to exercise every container kind.
    struct Leg: Codable, Equatable {
        var name: String
        var count: Int
        var weight: Double
        var active: Bool
        var note: String?
        var prices: [ExactDecimal]
        var tags: [String: UInt8]
        var matrix: [[Int16]]
    }

    @Test func anyCodableModelRoundTrips() throws {
        let legs = [
            Leg(
                name: "a\"\\\n\u{1}é", count: -3, weight: 0.25, active: true, note: nil,
                prices: [try ExactDecimal("1.10"), try ExactDecimal("-0.000")], tags: ["x": 255],
                matrix: [[1, -2], []]),
            Leg(name: "", count: 0, weight: -1e-5, active: false, note: "n", prices: [], tags: [:], matrix: []),
        ]
        let encoded = try WireJSONEncoder().encode(legs)
        let decoded = try WireJSONDecoder().decode([Leg].self, from: encoded)
        #expect(decoded == legs)
        #expect(decoded[0].prices.map(\.description) == legs[0].prices.map(\.description))
        #expect(try WireJSONEncoder().encode(decoded) == encoded)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.components(separatedBy: #""note""#).count == 2, "a nil optional is omitted, a value is written")
    }

    struct CamelCased: Codable, Equatable {
        var tradeID: String
        var volumeMWh: ExactDecimal
        var deliveryStart: String
        var url: String
    }

    @Test func theSnakeCaseStyleWritesAndReadsWireKeys() throws {
        let value = CamelCased(
            tradeID: "T-1", volumeMWh: try ExactDecimal("1.50"), deliveryStart: "2025-01-01T00:00:00Z", url: "u")
        let encoded = try WireJSONEncoder(keyStyle: .snakeCase).encode(value)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoded)) as? [String: Any])
        #expect(Set(object.keys) == ["trade_id", "volume_m_wh", "delivery_start", "url"])
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""volume_m_wh":1.50"#))
        let decoded = try WireJSONDecoder(keyStyle: .snakeCase).decode(CamelCased.self, from: encoded)
        #expect(decoded == value)
        #expect(decoded.volumeMWh.scale == 2)
        #expect(throws: DecodingError.self) { try WireJSONDecoder().decode(CamelCased.self, from: encoded) }
        let trade = try WireJSONDecoder(keyStyle: .snakeCase).decode(TradeRecord.self, from: Array(tradeJSON().utf8))
        #expect(trade.volumeMWh.description == "12.500")
    }

    @Test func errorsCarryTheCodingPath() throws {
        let text =
            #"[{"name": "a", "count": 1, "weight": 1, "active": true, "prices": [], "tags": {}, "matrix": []}, {"name": "b", "count": 1.5, "weight": 1, "active": true, "prices": [], "tags": {}, "matrix": []}]"#
        let corrupted = #expect(throws: DecodingError.self) {
            try WireJSONDecoder().decode([Leg].self, from: Array(text.utf8))
        }
        guard case .dataCorrupted(let context) = corrupted else {
            Issue.record("expected dataCorrupted, got \(String(describing: corrupted))")
            return
        }
        #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["1", "count"])
        let missing = #expect(throws: DecodingError.self) {
            try WireJSONDecoder().decode([Leg].self, from: Array(#"[{"name": "a"}]"#.utf8))
        }
        guard case .keyNotFound(let key, let keyContext) = missing else {
            Issue.record("expected keyNotFound, got \(String(describing: missing))")
            return
        }
        #expect(key.stringValue == "count")
        #expect(keyContext.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["0"])
        let mismatch = #expect(throws: DecodingError.self) {
            try WireJSONDecoder().decode([[Int16]].self, from: Array("[[1], [2, \"3\"]]".utf8))
        }
        guard case .typeMismatch(_, let mismatchContext) = mismatch else {
            Issue.record("expected typeMismatch, got \(String(describing: mismatch))")
            return
        }
        #expect(mismatchContext.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["1", "1"])
    }

    @Test(arguments: [
        ("[[[1]]]", RecordReaderConfiguration(maximumDepth: 2), "limit_exceeded"),
        (#"["abcdef"]"#, RecordReaderConfiguration(maximumStringLength: 5), "limit_exceeded"),
        ("[1, 2, 3]", RecordReaderConfiguration(maximumDocumentSize: 8), "limit_exceeded"),
        (#"{"a": 1, "a": 2}"#, RecordReaderConfiguration(), "duplicate_key"),
        ("[1] x", RecordReaderConfiguration(), "invalid_json"),
        ("[01]", RecordReaderConfiguration(), "invalid_json"),
        ("\u{FEFF}[1]", RecordReaderConfiguration(byteOrderMark: .reject), "invalid_json"),
    ])
    func theReadersBoundsApply(text: String, configuration: RecordReaderConfiguration, code: String) throws {
        #expect {
            _ = try WireJSONDecoder(configuration: configuration).decode([String: Int].self, from: Array(text.utf8))
        } throws: { Self.issueCode($0) == code }
        #expect {
            _ = try WireJSONDecoder(configuration: configuration).decode([[[Int]]].self, from: Array(text.utf8))
        } throws: { Self.issueCode($0) == code }
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes: [UInt8] = Array(#"[""#.utf8) + [0xC3, 0x28] + Array(#""]"#.utf8)
        #expect {
            _ = try WireJSONDecoder().decode([String].self, from: bytes)
        } throws: { Self.issueCode($0) == "invalid_utf8" }
    }

    @Test func aNonFiniteDoubleCannotBeEncoded() throws {
        #expect(throws: EncodingError.self) { try WireJSONEncoder().encode([Double.infinity]) }
        #expect(throws: EncodingError.self) { try WireJSONEncoder().encode(["x": Float.nan]) }
    }
}
