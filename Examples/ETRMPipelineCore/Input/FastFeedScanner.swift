import ETRMContracts
import TradeFrame

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// A fast path for the common shape of `trades.json` (nine fields in wire order, no escapes, plain numbers),
// checked by the same `FeedRules`; anything else goes to `RecordReader` (figures: BENCHMARKS.md, issue 19 notes).

/// Scans `{"<key>": [ element, ... ]}` (whitespace allowed) and hands each element to a fast parser, or, when
/// the fast parser declines, its exact byte range to a fallback.
struct FastArrayScan {
    let base: UnsafePointer<UInt8>
    let count: Int

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let address = bytes.baseAddress, bytes.count > 0 else { return nil }
        base = address.assumingMemoryBound(to: UInt8.self)
        count = bytes.count
    }

    @inline(__always)
    func skipSpace(_ position: inout Int) {
        while position < count {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    @inline(__always)
    func expect(_ byte: UInt8, _ position: inout Int) -> Bool {
        skipSpace(&position)
        guard position < count, base[position] == byte else { return false }
        position += 1
        return true
    }

    /// Runs the scan. Returns the number of elements, or `nil` when the document is not of the simple shape
    /// (nothing has then been decided: the caller reads the document with `RecordReader`).
    func run(
        key: StaticString, element: (Int, inout Int) -> Bool, fallback: (Int, Range<Int>) throws -> Void
    ) rethrows -> Int? {
        guard let first = arrayStart(key: key) else { return nil }
        let (received, end) = try elements(from: first, until: nil, element: element, fallback: fallback)
        guard case .arrayEnd(let after) = end, documentEnds(after) else { return nil }
        return received
    }

    /// Reads `{"<key>": [` and returns the position of the first element, or of the `]` of an empty array;
    /// `nil` when the document does not start that way.
    func arrayStart(key: StaticString) -> Int? {
        var position = 0
        guard expect(UInt8(ascii: "{"), &position), expect(UInt8(ascii: "\""), &position) else { return nil }
        let keyLength = key.utf8CodeUnitCount
        guard position + keyLength < count, memcmp(base + position, key.utf8Start, keyLength) == 0,
            base[position + keyLength] == UInt8(ascii: "\"")
        else { return nil }
        position += keyLength + 1
        guard expect(UInt8(ascii: ":"), &position), expect(UInt8(ascii: "["), &position) else { return nil }
        skipSpace(&position)
        return position
    }

    /// Where ``elements(from:until:firstIndex:element:fallback:)`` stopped.
    enum ElementsEnd: Equatable {
        /// At an element start exactly at the limit: the elements from there on are not read.
        case limit
        /// At an element start beyond the limit, at this position: the limit was not an element start.
        case pastLimit(Int)
        /// After the array's closing `]`, at this position.
        case arrayEnd(Int)
        /// The array is not of the simple shape (bad JSON, a truncated array).
        case malformed
    }

    /// Reads the array's elements from `start` (an element's first byte, or the `]` of an empty array) until
    /// the array ends or, when `limit` is given, until the next element would start at or after `limit`.
    ///
    /// Every element is offered to `element` (with its index, counted from `firstIndex`), and when that
    /// declines, its exact byte range to `fallback`.
    ///
    /// - Returns: The number of elements read and where it stopped.
    func elements(
        from start: Int, until limit: Int?, firstIndex: Int = 0, element: (Int, inout Int) -> Bool,
        fallback: (Int, Range<Int>) throws -> Void
    ) rethrows -> (count: Int, end: ElementsEnd) {
        var position = start
        var index = firstIndex
        if index == 0, position < count, base[position] == UInt8(ascii: "]") { return (0, .arrayEnd(position + 1)) }
        while true {
            if let limit, position >= limit {
                return (index - firstIndex, position == limit ? .limit : .pastLimit(position))
            }
            let elementStart = position
            if !element(index, &position) {
                guard let end = elementEnd(from: elementStart) else { return (index - firstIndex, .malformed) }
                try fallback(index, elementStart..<end)
                position = end
            }
            index += 1
            skipSpace(&position)
            guard position < count else { return (index - firstIndex, .malformed) }
            let byte = base[position]
            position += 1
            if byte == UInt8(ascii: "]") { return (index - firstIndex, .arrayEnd(position)) }
            guard byte == UInt8(ascii: ",") else { return (index - firstIndex, .malformed) }
            skipSpace(&position)
        }
    }

    /// Whether only `}` and whitespace follow `position`.
    func documentEnds(_ position: Int) -> Bool {
        var position = position
        guard expect(UInt8(ascii: "}"), &position) else { return false }
        skipSpace(&position)
        return position == count
    }

    /// A plausible element start at or after `guess`: the `{` of the first `}` `,` `{` (whitespace allowed
    /// around the comma) whose `}` lies in `guess..<guess + window`. A guess only: it may be inside a string.
    func plausibleElementStart(after guess: Int, window: Int = 1 << 20) -> Int? {
        var position = max(0, guess)
        let stop = min(count, position + window)
        while position < stop {
            guard let found = memchr(base + position, Int32(UInt8(ascii: "}")), stop - position) else { return nil }
            var cursor = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base + 1
            position = cursor
            guard expect(UInt8(ascii: ","), &cursor), expect(UInt8(ascii: "{"), &cursor) else { continue }
            return cursor - 1
        }
        return nil
    }

    /// The end of the well-formed JSON value at `start`, by the reader's own scanner; `nil` if it is not
    /// well-formed (the whole-document read will then report it).
    private func elementEnd(from start: Int) -> Int? {
        RecordReaderConfiguration(maximumDocumentSize: Int.max, maximumDepth: 512, maximumStringLength: 1 << 20)
            .endOfValue(in: UnsafeRawBufferPointer(start: base, count: count), at: start, depth: 2)
    }

    // MARK: Values

    /// Reads `"key"` then `:` at `position`; the key must match exactly.
    @inline(__always)
    func key(_ name: StaticString, _ position: inout Int) -> Bool {
        skipSpace(&position)
        let length = name.utf8CodeUnitCount
        guard position + length + 2 <= count, base[position] == UInt8(ascii: "\""),
            memcmp(base + position + 1, name.utf8Start, length) == 0,
            base[position + length + 1] == UInt8(ascii: "\"")
        else { return false }
        position += length + 2
        return expect(UInt8(ascii: ":"), &position)
    }

    /// Reads a string of printable ASCII without escapes; returns its contents.
    @inline(__always)
    func plainString(_ position: inout Int) -> UnsafeBufferPointer<UInt8>? {
        skipSpace(&position)
        guard position < count, base[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var end = start
        while end < count {
            let byte = base[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        guard end < count else { return nil }
        position = end + 1
        return UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Reads `-?(0|[1-9][0-9]*)(.[0-9]+)?` with at most 9 integer digits and at most `decimals` fraction digits,
    /// as an integer count of `10^-decimals`. Anything else (an exponent, more digits) declines.
    @inline(__always)
    func plainNumber(_ position: inout Int, decimals: Int) -> Int64? {
        skipSpace(&position)
        var cursor = position
        var negative = false
        if cursor < count, base[cursor] == UInt8(ascii: "-") {
            negative = true
            cursor += 1
        }
        let integerStart = cursor
        var value: Int64 = 0
        while cursor < count, base[cursor] &- 0x30 < 10 {
            value = value &* 10 &+ Int64(base[cursor] &- 0x30)
            cursor += 1
        }
        let integerDigits = cursor - integerStart
        guard integerDigits >= 1, integerDigits <= 9, integerDigits == 1 || base[integerStart] != 0x30 else {
            return nil
        }
        var fractionDigits = 0
        if cursor < count, base[cursor] == UInt8(ascii: ".") {
            cursor += 1
            while cursor < count, base[cursor] &- 0x30 < 10 {
                value = value &* 10 &+ Int64(base[cursor] &- 0x30)
                cursor += 1
                fractionDigits += 1
            }
            guard fractionDigits >= 1, fractionDigits <= decimals else { return nil }
        }
        if cursor < count {
            let next = base[cursor]
            guard
                next == UInt8(ascii: ",") || next == UInt8(ascii: "}") || next == 0x20 || next == 0x0A
                    || next == 0x0D || next == 0x09
            else { return nil }
        }
        for _ in fractionDigits..<decimals { value &*= 10 }
        position = cursor
        return negative ? -value : value
    }
}

/// The fast reader of `trades.json` (see the note at the top of this file).
struct FastTradeParser {
    let scan: FastArrayScan
    /// LEIs already checked, by their 20 bytes.
    private var knownLEIs: Set<LEIKey> = []

    init(scan: FastArrayScan) { self.scan = scan }

    struct LEIKey: Hashable {
        var head: UInt64
        var middle: UInt64
        var tail: UInt32
    }

    /// Parses the element at `position` into `columns` if it has the common shape and passes every check.
    @inline(__always)
    mutating func parse(_ position: inout Int, index: Int, into columns: inout FeedColumns) -> Bool {
        var cursor = position
        guard scan.expect(UInt8(ascii: "{"), &cursor),
            scan.key("trade_id", &cursor), let tradeID = scan.plainString(&cursor),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("counterparty_lei", &cursor), let lei = scan.plainString(&cursor), checkLEI(lei),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("product_code", &cursor), let product = scan.plainString(&cursor),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("delivery_start", &cursor), let startText = scan.plainString(&cursor),
            let start = try? FeedRules.timestamp(startText),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("delivery_end", &cursor), let endText = scan.plainString(&cursor),
            let end = try? FeedRules.timestamp(endText), end > start,
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("volume_mwh", &cursor), let volume = scan.plainNumber(&cursor, decimals: 3), volume > 0,
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("price_usd", &cursor), let price = scan.plainNumber(&cursor, decimals: 2),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("status", &cursor), let statusText = scan.plainString(&cursor),
            let status = try? FeedRules.status(statusText),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("event_time", &cursor), let eventText = scan.plainString(&cursor),
            let event = try? FeedRules.timestamp(eventText),
            scan.expect(UInt8(ascii: "}"), &cursor)
        else { return false }
        columns.append(
            index: index, tradeID: tradeID, product: product, start: start, end: end, event: event, volume: volume,
            price: price, status: status)
        position = cursor
        return true
    }

    @inline(__always)
    private mutating func checkLEI(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 20, let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let key = LEIKey(
            head: raw.loadUnaligned(as: UInt64.self), middle: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            tail: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        if knownLEIs.contains(key) { return true }
        guard (try? LEI(bytes: bytes)) != nil else { return false }
        knownLEIs.insert(key)
        return true
    }
}

/// The fast reader of `broker.json`: `{"trade_id": "...", "broker_volume_mwh": n}`.
struct FastBrokerParser {
    let scan: FastArrayScan

    @inline(__always)
    func parse(
        _ position: inout Int, ids: inout StringColumnBuilder, volumes: inout ContiguousArray<Int64>
    ) -> Bool {
        var cursor = position
        guard scan.expect(UInt8(ascii: "{"), &cursor),
            scan.key("trade_id", &cursor), let tradeID = scan.plainString(&cursor),
            scan.expect(UInt8(ascii: ","), &cursor),
            scan.key("broker_volume_mwh", &cursor), let volume = scan.plainNumber(&cursor, decimals: 3), volume >= 0,
            scan.expect(UInt8(ascii: "}"), &cursor)
        else { return false }
        ids.append(utf8: tradeID)
        volumes.append(volume)
        position = cursor
        return true
    }
}
