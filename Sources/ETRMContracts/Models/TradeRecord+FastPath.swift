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

        /// The field named by the key bytes (a key without escapes), matched by length first, or `nil`.
        @inline(__always)
        init?(_ key: UnsafeBufferPointer<UInt8>) {
            switch key.count {
            case 4:
                guard Self.matches(key, "unit") else { return nil }
                self = .unit
            case 6:
                guard Self.matches(key, "status") else { return nil }
                self = .status
            case 8:
                if Self.matches(key, "trade_id") {
                    self = .tradeID
                } else if Self.matches(key, "buy_sell") {
                    self = .buySell
                } else if Self.matches(key, "currency") {
                    self = .currency
                } else {
                    return nil
                }
            case 9:
                guard Self.matches(key, "price_usd") else { return nil }
                self = .priceUSD
            case 10:
                if Self.matches(key, "volume_mwh") {
                    self = .volumeMWh
                } else if Self.matches(key, "event_time") {
                    self = .eventTime
                } else {
                    return nil
                }
            case 11:
                guard Self.matches(key, "action_type") else { return nil }
                self = .actionType
            case 12:
                if Self.matches(key, "product_code") {
                    self = .productCode
                } else if Self.matches(key, "delivery_end") {
                    self = .deliveryEnd
                } else {
                    return nil
                }
            case 14:
                if Self.matches(key, "delivery_start") {
                    self = .deliveryStart
                } else if Self.matches(key, "delivery_point") {
                    self = .deliveryPoint
                } else if Self.matches(key, "schema_version") {
                    self = .schemaVersion
                } else {
                    return nil
                }
            case 16:
                guard Self.matches(key, "counterparty_lei") else { return nil }
                self = .counterpartyLEI
            default:
                return nil
            }
        }

        /// Whether `key` spells `name`; the caller has checked that the lengths are equal.
        @inline(__always)
        private static func matches(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
            guard let base = key.baseAddress else { return false }
            let raw = UnsafeRawPointer(base)
            let literal = UnsafeRawPointer(name.utf8Start)
            let count = key.count
            var index = 0
            while index &+ 8 <= count {
                guard
                    raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        == literal.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                else { return false }
                index &+= 8
            }
            while index < count {
                guard base[index] == name.utf8Start[index] else { return false }
                index &+= 1
            }
            return true
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
        let volumeBounds = Rules.volume.values
        let priceBounds = Rules.price.values
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
        var unknown0: UnsafeBufferPointer<UInt8>?
        var unknown1 = false
        let limit = scanner.configuration.maximumStringLength
        var first = true
        while true {
            // The member loop of `JSONScanner.nextMember`, inlined and for keys without escapes only.
            skipSpace(&scanner)
            guard scanner.offset < scanner.count else { return nil }
            var byte = scanner.base[scanner.offset]
            if byte == UInt8(ascii: "}") {
                scanner.reposition(to: scanner.offset + 1, depth: scanner.depth - 1)
                break
            }
            if !first {
                guard byte == UInt8(ascii: ",") else { return nil }
                scanner.offset += 1
                skipSpace(&scanner)
                guard scanner.offset < scanner.count else { return nil }
                byte = scanner.base[scanner.offset]
            }
            first = false
            guard byte == UInt8(ascii: "\""), let key = plainString(&scanner, limit: limit) else { return nil }
            skipSpace(&scanner)
            guard scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: ":") else { return nil }
            scanner.offset += 1
            skipSpace(&scanner)
            guard let field = FastField(key) else {
                // An unknown key: skipped under the ignore policy while it is one of at most two distinct ones.
                guard !rejectsUnknown, !unknown1 else { return nil }
                if let unknown0 {
                    guard !unknown0.elementsEqual(key) else { return nil }
                    unknown1 = true
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
                guard let bytes = plainString(&scanner, limit: limit), TextRule.recordID.accepts(bytes) else {
                    return nil
                }
                tradeID = String(decoding: bytes, as: UTF8.self)
            case .productCode:
                guard let bytes = plainString(&scanner, limit: limit), TextRule.productCode.accepts(bytes) else {
                    return nil
                }
                productCode = String(decoding: bytes, as: UTF8.self)
            case .counterpartyLEI:
                guard let bytes = plainString(&scanner, limit: limit), case .success(let value) = LEI.validate(bytes)
                else {
                    return nil
                }
                lei = value
            case .deliveryStart:
                guard let value = timestamp(&scanner, limit: limit) else { return nil }
                start = value
            case .deliveryEnd:
                guard let value = timestamp(&scanner, limit: limit) else { return nil }
                end = value
            case .eventTime:
                guard let value = timestamp(&scanner, limit: limit) else { return nil }
                eventTime = value
            case .volumeMWh:
                guard let value = try decimal(&scanner, volumeBounds) else { return nil }
                volume = value
            case .priceUSD:
                guard let value = try decimal(&scanner, priceBounds) else { return nil }
                price = value
            case .status:
                guard let bytes = plainString(&scanner, limit: limit),
                    case .success(let value) = TradeStatus.validate(bytes)
                else {
                    return nil
                }
                status = value
            case .buySell:
                guard let bytes = plainString(&scanner, limit: limit), let value = try? Side(bytes: bytes) else {
                    return nil
                }
                buySell = value
            case .deliveryPoint:
                guard let bytes = plainString(&scanner, limit: limit), let value = try? EIC(bytes: bytes) else {
                    return nil
                }
                deliveryPoint = value
            case .currency:
                guard let bytes = plainString(&scanner, limit: limit), let value = try? Currency(bytes: bytes) else {
                    return nil
                }
                currency = value
            case .unit:
                guard let bytes = plainString(&scanner, limit: limit), let value = try? EnergyUnit(bytes: bytes) else {
                    return nil
                }
                unit = value
            case .actionType:
                guard let bytes = plainString(&scanner, limit: limit), let value = try? ActionType(bytes: bytes) else {
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

    /// Advances past JSON whitespace.
    @inline(__always)
    private static func skipSpace(_ scanner: inout JSONScanner) {
        var offset = scanner.offset
        while offset < scanner.count {
            let byte = scanner.base[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            offset &+= 1
        }
        scanner.offset = offset
    }

    /// The content of a string of printable ASCII without escapes, at most `limit` bytes, and the scanner past
    /// its closing quote; `nil` for any other value (anything else is for the rule table to judge).
    @inline(__always)
    private static func plainString(_ scanner: inout JSONScanner, limit: Int) -> UnsafeBufferPointer<UInt8>? {
        let base = scanner.base
        let count = scanner.count
        guard scanner.offset < count, base[scanner.offset] == UInt8(ascii: "\"") else { return nil }
        let start = scanner.offset &+ 1
        var end = start
        while end &+ 8 <= count, isPlain(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) { end &+= 8 }
        while end < count {
            let byte = base[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end &+= 1
        }
        guard end < count, end - start <= limit else { return nil }
        scanner.offset = end &+ 1
        return UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Whether none of the eight bytes of `word` is a quote, a backslash, a control character, DEL or
    /// non-ASCII: the scanner's plain-ASCII test plus DEL. May say "no" wrongly, never "yes".
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let hasDelete = (word &+ 0x0101_0101_0101_0101) & 0x8080_8080_8080_8080
        return hasDelete == 0 && JSONScanner.isPlainASCII(word)
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
    private static func timestamp(_ scanner: inout JSONScanner, limit: Int) -> UTCTimestamp? {
        guard let bytes = plainString(&scanner, limit: limit) else { return nil }
        let result = RFC3339.parse(bytes)
        guard result.failure == .none else { return nil }
        return UTCTimestamp(nanosecondsSinceEpoch: result.nanoseconds)
    }

    @inline(__always)
    private static func decimal(
        _ scanner: inout JSONScanner, _ bounds: DecimalBounds.Values
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
