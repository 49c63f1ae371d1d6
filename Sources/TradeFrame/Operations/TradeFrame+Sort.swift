/// One key of a multi-key sort.
public struct SortKey: Sendable, Hashable {
    /// The column to sort by.
    public var column: String
    /// Whether larger values come first.
    public var descending: Bool
    /// Whether null rows come before all values (default: after, in either direction).
    public var nullsFirst: Bool

    /// Creates a sort key.
    ///
    /// - Parameters:
    ///   - column: The column to sort by.
    ///   - descending: Whether larger values come first.
    ///   - nullsFirst: Whether nulls come first; by default they come last.
    public init(_ column: String, descending: Bool = false, nullsFirst: Bool = false) {
        self.column = column
        self.descending = descending
        self.nullsFirst = nullsFirst
    }

    /// Ascending, nulls last.
    public static func ascending(_ column: String) -> SortKey { SortKey(column) }
    /// Descending, nulls last.
    public static func descending(_ column: String) -> SortKey { SortKey(column, descending: true) }
}

extension TradeFrame {
    /// The frame sorted stably by several keys (the first key is the most significant).
    ///
    /// Order: numbers numerically (NaN after +∞), `false` before `true`, timestamps by instant, decimals by value,
    /// strings and categoricals by UTF-8 byte order (a prefix first). Nulls go last unless the key says otherwise,
    /// whatever the direction. Equal keys keep their input order.
    ///
    /// - Parameter keys: The sort keys.
    /// - Returns: The sorted frame.
    /// - Throws: ``TradeFrameError`` when a key column is missing.
    /// - Complexity: LSD radix passes over 64-bit keys (passes whose byte never varies are skipped); strings longer
    ///   than 64 bytes fall back to a stable comparison sort.
    public func sorted(by keys: [SortKey]) throws(TradeFrameError) -> TradeFrame {
        gathering(try sortPermutation(by: keys))
    }

    /// The stable permutation that sorts the frame by `keys` (see ``sorted(by:)``).
    ///
    /// - Parameter keys: The sort keys.
    /// - Returns: Row indices in sorted order.
    /// - Throws: ``TradeFrameError`` when a key column is missing.
    public func sortPermutation(by keys: [SortKey]) throws(TradeFrameError) -> [Int] {
        var permutation = Array(0..<rowCount)
        for key in keys.reversed() {
            let column = try column(key.column)
            SortKeys.sort(&permutation, by: column, descending: key.descending)
            if column.nullCount > 0 {
                var valid: [Int] = []
                var nulls: [Int] = []
                valid.reserveCapacity(permutation.count)
                for row in permutation {
                    if column.isNull(row) { nulls.append(row) } else { valid.append(row) }
                }
                permutation = key.nullsFirst ? nulls + valid : valid + nulls
            }
        }
        return permutation
    }
}

enum SortKeys {
    /// Stable-sorts `permutation` by one column's values (nulls anywhere; the caller places them).
    static func sort(_ permutation: inout [Int], by column: any ColumnProtocol, descending: Bool) {
        let flip: UInt64 = descending ? ~0 : 0
        if let strings = column as? StringColumn {
            sortStrings(&permutation, strings, flip: flip)
            return
        }
        if let categorical = column as? CategoricalColumn {
            // Each row's rank read through its code as the sort asks (no array of words).
            let ranks = dictionaryRanks(categorical.dictionary)
            guard !ranks.isEmpty else { return }
            ranks.withUnsafeBufferPointer { ranks in
                RadixSort.sort(&permutation) { ranks[categorical.code(at: $0)] ^ flip }
            }
            return
        }
        guard var words = orderedWords(column) else { return }
        if flip != 0 {
            words.withUnsafeMutableBufferPointer { words in
                for row in 0..<words.count { words[row] ^= flip }
            }
        }
        words.withUnsafeBufferPointer { RadixSort.sort(&permutation, keys: $0) }
    }

    /// One word per row whose unsigned order is the column's ascending order (null rows hold their placeholder's
    /// word), or `nil` for a string column, which sorts by its bytes.
    static func orderedWords(_ column: any ColumnProtocol) -> [UInt64]? {
        var words = [UInt64](repeating: 0, count: column.count)
        func fill<T>(_ column: Column<T>, _ word: (T) -> UInt64) {
            column.withUnsafeValues { values in
                words.withUnsafeMutableBufferPointer { words in
                    for row in 0..<values.count { words[row] = word(values[row]) }
                }
            }
        }
        let sign: UInt64 = 1 << 63
        switch column {
        case let c as Column<Int64>: fill(c) { UInt64(bitPattern: $0) ^ sign }
        case let c as Column<Int32>: fill(c) { UInt64(bitPattern: Int64($0)) ^ sign }
        case let c as Column<Double>: fill(c) { orderedBits($0) }
        case let c as Column<Float>: fill(c) { orderedBits(Double($0)) }
        case let c as Column<Bool>: fill(c) { $0 ? 1 : 0 }
        case let c as TimestampColumn: fill(c.nanoseconds) { UInt64(bitPattern: $0) ^ sign }
        case let c as DecimalColumn: fill(c.significands) { UInt64(bitPattern: $0) ^ sign }
        case let c as CategoricalColumn:
            let ranks = dictionaryRanks(c.dictionary)
            ranks.withUnsafeBufferPointer { ranks in
                words.withUnsafeMutableBufferPointer { words in
                    c.withCodes(RankWords(ranks: ranks, words: words))
                }
            }
        default:
            return nil
        }
        return words
    }

    /// IEEE 754 bits mapped so that unsigned order is numeric order (`-0` equals `0`, NaN last).
    @inline(__always)
    static func orderedBits(_ value: Double) -> UInt64 {
        if value.isNaN { return ~0 }
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The rank of each dictionary entry in byte order.
    static func dictionaryRanks(_ dictionary: StringColumn) -> [UInt64] {
        let order = dictionary.withUTF8Buffers { bytes, offsets in
            (0..<dictionary.count).sorted { a, b in
                compareBytes(
                    UnsafeBufferPointer(rebasing: bytes[Int(offsets[a])..<Int(offsets[a + 1])]),
                    UnsafeBufferPointer(rebasing: bytes[Int(offsets[b])..<Int(offsets[b + 1])])) < 0
            }
        }
        var ranks = [UInt64](repeating: 0, count: dictionary.count)
        for (rank, code) in order.enumerated() { ranks[code] = UInt64(rank) }
        return ranks
    }

    /// One word per row whose unsigned order is the column's order and whose equality is its equality (null rows
    /// hold their placeholder's word), or `nil`: for floating-point columns (their zeros and NaNs), and for strings
    /// whose bytes differ at more than eight places.
    static func exactWords(_ column: any ColumnProtocol) -> [UInt64]? {
        if let strings = column as? StringColumn { return packedWords(strings) }
        if column is Column<Double> || column is Column<Float> { return nil }
        return orderedWords(column)
    }

    /// For strings of at most 64 bytes whose bytes differ from the first row's within spans of eight bytes in all
    /// (one span per 8-byte word, the length counting as a last word): each row's bytes in those spans, most
    /// significant first, in one word. Every other byte is the same in every row (zero past a string's end), so the
    /// words order the strings by bytes and are equal exactly when the strings are. Identifiers with a fixed prefix
    /// and a few varying characters pack this way; anything else gives `nil`.
    static func packedWords(_ strings: StringColumn) -> [UInt64]? {
        let count = strings.count
        guard count > 0 else { return [] }
        return strings.withUTF8Buffers { bytes, offsets -> [UInt64]? in
            var longest = 0
            for row in 0..<count { longest = max(longest, Int(offsets[row &+ 1] &- offsets[row])) }
            guard longest <= 64 else { return nil }
            let wordCount = (longest + 7) / 8
            // Word `index` of a row's bytes; `wordCount` is the length.
            @inline(__always) func word(_ row: Int, _ index: Int) -> UInt64 {
                let end = Int(offsets[row &+ 1])
                guard index < wordCount else { return UInt64(end &- Int(offsets[row])) }
                return bigEndianWord(bytes, from: Int(offsets[row]) &+ index &* 8, to: end)
            }
            // Each word's bits that differ from row 0's somewhere, all words in one pass over the rows (scratch on
            // the stack), then each word's span of bytes that differ, as the bits to keep after a shift.
            typealias Span = (index: Int, shift: UInt64, mask: UInt64, bytes: Int)
            let words = wordCount &+ 1
            let found = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 &* words) { scratch -> [Span]? in
                let first = UnsafeMutableBufferPointer(rebasing: scratch[0..<words])
                let differ = UnsafeMutableBufferPointer(rebasing: scratch[words...])
                for index in 0..<words {
                    first[index] = word(0, index)
                    differ[index] = 0
                }
                for row in 1..<count {
                    for index in 0..<words { differ[index] |= word(row, index) ^ first[index] }
                }
                var spans: [Span] = []
                var total = 0
                for index in 0..<words where differ[index] != 0 {
                    let low = differ[index].trailingZeroBitCount / 8
                    let width = 8 - differ[index].leadingZeroBitCount / 8 - low
                    total += width
                    guard total <= 8 else { return nil }
                    spans.append((index, UInt64(low * 8), width == 8 ? ~0 : (1 << UInt64(width * 8)) - 1, width))
                }
                return spans
            }
            guard let spans = found else { return nil }
            return [UInt64](unsafeUninitializedCapacity: count) { packed, initialized in
                spans.withUnsafeBufferPointer { spans in
                    for row in 0..<count {
                        var key: UInt64 = 0
                        for span in spans {
                            let part = (word(row, span.index) &>> span.shift) & span.mask
                            key = span.bytes == 8 ? part : key &<< UInt64(span.bytes &* 8) | part
                        }
                        packed[row] = key
                    }
                }
                initialized = count
            }
        }
    }

    /// The bytes from `start` up to `end` (at most eight of them) as a big-endian word, zero-padded: one 8-byte
    /// load, masked, unless it would read past `bytes`.
    @inline(__always)
    static func bigEndianWord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt64 {
        guard start < end else { return 0 }
        let length = end &- start
        if start &+ 8 <= bytes.count {
            let value = UInt64(bigEndian: UnsafeRawPointer(bytes.baseAddress! + start).loadUnaligned(as: UInt64.self))
            return length >= 8 ? value : value & ~(UInt64.max &>> UInt64(length &* 8))
        }
        var value: UInt64 = 0
        var shift: UInt64 = 56
        for position in start..<min(end, start &+ 8) {
            value |= UInt64(bytes[position]) &<< shift
            shift &-= 8
        }
        return value
    }

    /// Byte-order sort of strings: one radix sort of packed words where the strings allow it (see
    /// ``packedWords(_:)``), else LSD radix over 8-byte big-endian words, length as the least significant key,
    /// for strings up to 64 bytes; a stable comparison sort beyond.
    private static func sortStrings(_ permutation: inout [Int], _ strings: StringColumn, flip: UInt64) {
        if var packed = packedWords(strings) {
            if flip != 0 {
                packed.withUnsafeMutableBufferPointer { packed in
                    for row in packed.indices { packed[row] ^= flip }
                }
            }
            packed.withUnsafeBufferPointer { RadixSort.sort(&permutation, keys: $0) }
            return
        }
        var longest = 0
        for row in 0..<strings.count { longest = max(longest, strings.byteCount(at: row)) }
        guard longest <= 64 else {
            let positions = strings.withUTF8Buffers { bytes, offsets in
                permutation.indices.sorted { i, j in
                    let a = permutation[i]
                    let b = permutation[j]
                    var order = compareBytes(
                        UnsafeBufferPointer(rebasing: bytes[Int(offsets[a])..<Int(offsets[a + 1])]),
                        UnsafeBufferPointer(rebasing: bytes[Int(offsets[b])..<Int(offsets[b + 1])]))
                    if flip != 0 { order = -order }
                    return order != 0 ? order < 0 : i < j
                }
            }
            permutation = positions.map { permutation[$0] }
            return
        }
        // Each pass's keys are read from the bytes in row order into one array (reading them in sorted order, as
        // the sort visits rows, would miss the cache at every row).
        var words = [UInt64](repeating: 0, count: strings.count)
        for row in 0..<strings.count { words[row] = UInt64(strings.byteCount(at: row)) ^ flip }
        words.withUnsafeBufferPointer { RadixSort.sort(&permutation, keys: $0) }
        let wordCount = (longest + 7) / 8
        for word in stride(from: wordCount - 1, through: 0, by: -1) {
            strings.withUTF8Buffers { bytes, offsets in
                words.withUnsafeMutableBufferPointer { words in
                    for row in 0..<strings.count {
                        words[row] =
                            bigEndianWord(bytes, from: Int(offsets[row]) + word * 8, to: Int(offsets[row + 1]))
                            ^ flip
                    }
                }
            }
            words.withUnsafeBufferPointer { RadixSort.sort(&permutation, keys: $0) }
        }
    }
}

/// Sort words of categorical rows: each code's rank in byte order (null rows are placed by the caller).
private struct RankWords: CodeVisitor {
    let ranks: UnsafeBufferPointer<UInt64>
    let words: UnsafeMutableBufferPointer<UInt64>

    func visit<Code: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafeBufferPointer<Code>) {
        guard !ranks.isEmpty else { return }
        for row in 0..<codes.count { words[row] = ranks[Int(truncatingIfNeeded: codes[row])] }
    }
}
