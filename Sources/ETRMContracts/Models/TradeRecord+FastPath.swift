import ETRMShared

// The reader's fast path for trade records: one concrete function, no closure per field, no retained table, keys
// matched by length and bytes, values parsed straight from the input bytes. It only ever *accepts*: a record it
// is not sure of (an escape, a `null`, a duplicate or unknown key beyond two, a wrong type, a value that fails a
// rule, bad JSON) makes it give up, and the reader reads the same bytes again through the rule table, which
// reports every issue. So the issues, their pointers and codes come from one place, and the fast path can only
// change how quickly a valid record is read, never a verdict. A property test compares both on mutated records.

extension TradeRecord {
    /// The wire fields, one bit each in the masks of ``fastDecode(_:unknownFields:)``.
    private enum FastField: UInt16 {
        case tradeID = 0, counterpartyLEI, productCode, deliveryStart, deliveryEnd, volumeMWh, priceUSD, status
        case eventTime, buySell, deliveryPoint, currency, unit, actionType, schemaVersion

        /// The fields a valid record must have.
        static let requiredMask: UInt16 = 0b1_1111_1111

        var bit: UInt16 { 1 << rawValue }

        /// The field named by the (unescaped) key bytes, matched by length first, or `nil`.
        @inline(__always)
        init?(_ scanner: JSONScanner, _ key: JSONString) {
            switch key.rawCount {
            case 4:
                guard scanner.equals(key, "unit") else { return nil }
                self = .unit
            case 6:
                guard scanner.equals(key, "status") else { return nil }
                self = .status
            case 8:
                if scanner.equals(key, "trade_id") {
                    self = .tradeID
                } else if scanner.equals(key, "buy_sell") {
                    self = .buySell
                } else if scanner.equals(key, "currency") {
                    self = .currency
                } else {
                    return nil
                }
            case 9:
                guard scanner.equals(key, "price_usd") else { return nil }
                self = .priceUSD
            case 10:
                if scanner.equals(key, "volume_mwh") {
                    self = .volumeMWh
                } else if scanner.equals(key, "event_time") {
                    self = .eventTime
                } else {
                    return nil
                }
            case 11:
                guard scanner.equals(key, "action_type") else { return nil }
                self = .actionType
            case 12:
                if scanner.equals(key, "product_code") {
                    self = .productCode
                } else if scanner.equals(key, "delivery_end") {
                    self = .deliveryEnd
                } else {
                    return nil
                }
            case 14:
                if scanner.equals(key, "delivery_start") {
                    self = .deliveryStart
                } else if scanner.equals(key, "delivery_point") {
                    self = .deliveryPoint
                } else if scanner.equals(key, "schema_version") {
                    self = .schemaVersion
                } else {
                    return nil
                }
            case 16:
                guard scanner.equals(key, "counterparty_lei") else { return nil }
                self = .counterpartyLEI
            default:
                return nil
            }
        }
    }

    /// Reads the record object at the scanner's position if it is valid and of the common shape.
    ///
    /// - Returns: The record, with the scanner just past its `}`; or `nil`, with the scanner anywhere inside
    ///   the record: the caller then repositions it at the record's start and reads it with the rule table.
    static func fastDecode(_ scanner: inout JSONScanner, unknownFields: UnknownFieldPolicy) -> TradeRecord? {
        do throws(JSONError) {
            return try fastDecodeThrowing(&scanner, rejectsUnknown: unknownFields.rejects)
        } catch {
            return nil
        }
    }

    @inline(__always)
    private static func fastDecodeThrowing(
        _ scanner: inout JSONScanner, rejectsUnknown: Bool
    ) throws(JSONError) -> TradeRecord? {
        try scanner.beginObject()
        var seen: UInt16 = 0
        var tradeID = ""
        var productCode = ""
        var lei: LEI?
        var start: UTCTimestamp?
        var end: UTCTimestamp?
        var eventTime: UTCTimestamp?
        var volume: ExactDecimal?
        var price: ExactDecimal?
        var status: TradeStatus?
        var buySell: Side?
        var deliveryPoint: EIC?
        var currency: Currency?
        var unit: EnergyUnit?
        var actionType: ActionType?
        var schemaVersion: Int?
        var unknown0: JSONString?
        var unknown1: JSONString?
        var first = true
        while let key = try scanner.nextMember(isFirst: &first) {
            guard !key.hasEscapes else { return nil }
            guard let field = FastField(scanner, key) else {
                // An unknown key: skipped under the ignore policy while it is one of at most two distinct ones.
                guard !rejectsUnknown, unknown1 == nil else { return nil }
                if let unknown0 {
                    guard !scanner.valuesEqual(unknown0, key) else { return nil }
                    unknown1 = key
                } else {
                    unknown0 = key
                }
                try scanner.skipValue()
                continue
            }
            guard seen & field.bit == 0 else { return nil }
            seen |= field.bit
            switch field {
            case .tradeID:
                guard let bytes = try plainString(&scanner), TextRule.recordID.accepts(bytes) else { return nil }
                tradeID = String(decoding: bytes, as: UTF8.self)
            case .productCode:
                guard let bytes = try plainString(&scanner), TextRule.productCode.accepts(bytes) else { return nil }
                productCode = String(decoding: bytes, as: UTF8.self)
            case .counterpartyLEI:
                guard let bytes = try plainString(&scanner), case .success(let value) = LEI.parse(bytes) else {
                    return nil
                }
                lei = value
            case .deliveryStart:
                guard let value = try timestamp(&scanner) else { return nil }
                start = value
            case .deliveryEnd:
                guard let value = try timestamp(&scanner) else { return nil }
                end = value
            case .eventTime:
                guard let value = try timestamp(&scanner) else { return nil }
                eventTime = value
            case .volumeMWh:
                guard let value = try decimal(&scanner, Rules.volume) else { return nil }
                volume = value
            case .priceUSD:
                guard let value = try decimal(&scanner, Rules.price) else { return nil }
                price = value
            case .status:
                guard let bytes = try plainString(&scanner), case .success(let value) = TradeStatus.parse(bytes) else {
                    return nil
                }
                status = value
            case .buySell:
                guard let bytes = try plainString(&scanner), let value = try? Side(bytes: bytes) else { return nil }
                buySell = value
            case .deliveryPoint:
                guard let bytes = try plainString(&scanner), let value = try? EIC(bytes: bytes) else { return nil }
                deliveryPoint = value
            case .currency:
                guard let bytes = try plainString(&scanner), let value = try? Currency(bytes: bytes) else { return nil }
                currency = value
            case .unit:
                guard let bytes = try plainString(&scanner), let value = try? EnergyUnit(bytes: bytes) else {
                    return nil
                }
                unit = value
            case .actionType:
                guard let bytes = try plainString(&scanner), let value = try? ActionType(bytes: bytes) else {
                    return nil
                }
                actionType = value
            case .schemaVersion:
                guard let digits = try number(&scanner),
                    let value = try? parseInteger(digits, range: Rules.schemaVersions)
                else { return nil }
                schemaVersion = value
            }
        }
        guard seen & FastField.requiredMask == FastField.requiredMask, let lei, let start, let end,
            let volume, let price, let status, let eventTime,
            let delivery = try? DeliveryPeriod(start: start, end: end)
        else { return nil }
        return TradeRecord(
            unchecked: tradeID, counterpartyLEI: lei, productCode: productCode, delivery: delivery,
            volumeMWh: volume, priceUSD: price, status: status, eventTime: eventTime, buySell: buySell,
            deliveryPoint: deliveryPoint, currency: currency, unit: unit, actionType: actionType,
            schemaVersion: schemaVersion)
    }

    /// The bytes of a string value without escapes; `nil` (nothing consumed) for any other value.
    @inline(__always)
    private static func plainString(_ scanner: inout JSONScanner) throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        guard scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: "\"") else { return nil }
        let string = try scanner.readString()
        guard !string.hasEscapes else { return nil }
        return scanner.bytes(string.start..<string.end)
    }

    /// The digits of a number value; `nil` (nothing consumed) for any other value.
    @inline(__always)
    private static func number(_ scanner: inout JSONScanner) throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        guard scanner.offset < scanner.count else { return nil }
        let byte = scanner.base[scanner.offset]
        guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return nil }
        return scanner.bytes(try scanner.readNumber())
    }

    @inline(__always)
    private static func timestamp(_ scanner: inout JSONScanner) throws(JSONError) -> UTCTimestamp? {
        guard let bytes = try plainString(&scanner) else { return nil }
        let result = RFC3339.parse(bytes)
        guard result.failure == .none else { return nil }
        return UTCTimestamp(nanosecondsSinceEpoch: result.nanoseconds)
    }

    @inline(__always)
    private static func decimal(
        _ scanner: inout JSONScanner, _ bounds: DecimalBounds
    ) throws(JSONError)
        -> ExactDecimal?
    {
        guard let digits = try number(&scanner) else { return nil }
        let result = DecimalParser.parse(digits)
        guard result.failure == .none else { return nil }
        let value = ExactDecimal(unchecked: result.significand, scale: result.scale)
        guard bounds.contains(value) else { return nil }
        return value
    }
}
