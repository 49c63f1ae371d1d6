/// One bit per row: set for a valid (non-null) row, clear for a null row.
///
/// Bits are packed little-endian into 64-bit words, as in Apache Arrow. A slice shares its words and keeps a bit
/// offset. Columns carry `nil` instead of a bitmap when no row is null, so that kernels can take a fast path.
public struct ValidityBitmap: Sendable, Equatable {
    @usableFromInline var words: ContiguousArray<UInt64>
    @usableFromInline var bitOffset: Int
    /// The number of rows the bitmap covers.
    public let count: Int
    /// The number of null rows.
    public let nullCount: Int

    init(words: ContiguousArray<UInt64>, bitOffset: Int, count: Int) {
        self.words = words
        self.bitOffset = bitOffset
        self.count = count
        self.nullCount = count - Self.countSetBits(words, from: bitOffset, count: count)
        _checkInvariants()
    }

    /// Creates a bitmap from one flag per row.
    ///
    /// - Parameter valid: `true` for each valid row.
    public init(_ valid: some Sequence<Bool>) {
        var builder = ValidityBuilder(capacity: 0)
        for flag in valid { builder.append(flag) }
        let built = builder.finish()
        self.words = built.words
        self.bitOffset = 0
        self.count = built.count
        self.nullCount = built.nullCount
        _checkInvariants()
    }

    /// Whether row `index` is valid (not null).
    ///
    /// - Parameter index: A row in `0..<count`.
    /// - Returns: `true` for a valid row.
    @inlinable @inline(__always)
    public func isValid(_ index: Int) -> Bool {
        let bit = bitOffset &+ index
        return words[bit &>> 6] & (1 &<< UInt64(bit & 63)) != 0
    }

    /// A view of some rows; `nil` when none of them is null.
    func slice(_ range: Range<Int>) -> ValidityBitmap? {
        let sliced = ValidityBitmap(words: words, bitOffset: bitOffset + range.lowerBound, count: range.count)
        return sliced.nullCount == 0 ? nil : sliced
    }

    /// Traps when the bitmap is inconsistent: its bits lie within its words and ``nullCount`` is the number of
    /// clear bits among them. Checked on construction in debug builds (O(n)), and by the tests; a no-op in release.
    func _checkInvariants() {
        #if DEBUG
            precondition(bitOffset >= 0 && count >= 0, "ValidityBitmap offset \(bitOffset) or count \(count) negative")
            precondition(bitOffset + count <= words.count * 64, "ValidityBitmap bits run past its \(words.count) words")
            let clear = count - Self.countSetBits(words, from: bitOffset, count: count)
            precondition(nullCount == clear, "ValidityBitmap nullCount \(nullCount), but \(clear) bits are clear")
        #endif
    }

    static func countSetBits(_ words: ContiguousArray<UInt64>, from start: Int, count: Int) -> Int {
        guard count > 0 else { return 0 }
        var total = 0
        var bit = start
        let end = start + count
        while bit < end {
            let word = bit >> 6
            let low = bit & 63
            let take = min(64 - low, end - bit)
            var value = words[word] >> UInt64(low)
            if take < 64 { value &= (1 << UInt64(take)) - 1 }
            total += value.nonzeroBitCount
            bit += take
        }
        return total
    }
}

/// Appends validity bits one row at a time.
@usableFromInline
struct ValidityBuilder: Sendable {
    @usableFromInline var words: ContiguousArray<UInt64> = []
    @usableFromInline var count = 0
    @usableFromInline var nullCount = 0

    init(capacity: Int) { words.reserveCapacity((capacity + 63) / 64) }

    /// A builder holding `count` valid rows.
    @usableFromInline
    init(validRows count: Int, capacity: Int) {
        words.reserveCapacity((max(capacity, count) + 63) / 64)
        words.append(contentsOf: repeatElement(UInt64.max, count: (count + 63) / 64))
        if count & 63 != 0 { words[words.count - 1] = (1 << UInt64(count & 63)) - 1 }
        self.count = count
    }

    @inlinable @inline(__always)
    mutating func append(_ valid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if valid {
            words[count >> 6] |= 1 << UInt64(count & 63)
        } else {
            nullCount += 1
        }
        count += 1
    }

    /// Appends `rows` valid rows, a word at a time.
    @inlinable
    mutating func appendValid(_ rows: Int) {
        var remaining = rows
        while remaining > 0 {
            if count & 63 == 0 { words.append(0) }
            let bit = count & 63
            let take = Swift.min(64 &- bit, remaining)
            let ones: UInt64 = take == 64 ? ~0 : (1 &<< UInt64(take)) &- 1
            words[count &>> 6] |= ones &<< UInt64(bit)
            count &+= take
            remaining &-= take
        }
    }

    /// Appends the validity of `count` rows: `bitmap`'s bits, or all valid for `nil`.
    mutating func append(contentsOf bitmap: ValidityBitmap?, count rows: Int) {
        guard let bitmap else {
            appendValid(rows)
            return
        }
        for row in 0..<rows { append(bitmap.isValid(row)) }
    }

    func finish() -> ValidityBitmap {
        #if DEBUG
            // Bits past `count` in the last word stay clear, so that a bitmap built from it counts only its rows.
            if count & 63 != 0 { precondition(words[count >> 6] >> UInt64(count & 63) == 0, "stray validity bits") }
            precondition(
                words.count == (count + 63) / 64, "ValidityBuilder holds \(words.count) words for \(count) bits")
        #endif
        return ValidityBitmap(words: words, bitOffset: 0, count: count)
    }

    /// The bitmap, or `nil` when no row is null.
    func finishOptional() -> ValidityBitmap? { nullCount == 0 ? nil : finish() }
}

extension Optional where Wrapped == ValidityBitmap {
    /// Whether row `index` is valid; always `true` without a bitmap.
    @inline(__always)
    func valid(_ index: Int) -> Bool {
        switch self {
        case .none: true
        case .some(let bitmap): bitmap.isValid(index)
        }
    }

    var nullCount: Int { self?.nullCount ?? 0 }

    var footprint: Int { self.map { ($0.count + 7) / 8 } ?? 0 }

    /// The validity of gathered rows (`-1` is null); `nil` when every gathered row is valid.
    func gathering(_ indices: UnsafeBufferPointer<Int>) -> ValidityBitmap? {
        var anyNull = false
        for index in indices where index < 0 || !valid(index) {
            anyNull = true
            break
        }
        guard anyNull else { return nil }
        var builder = ValidityBuilder(capacity: indices.count)
        for index in indices { builder.append(index >= 0 && valid(index)) }
        return builder.finishOptional()
    }

    /// The validity of several columns' rows one after another.
    static func concatenating(_ parts: [(validity: ValidityBitmap?, count: Int)]) -> ValidityBitmap? {
        guard parts.contains(where: { $0.validity != nil }) else { return nil }
        let total = parts.reduce(0) { $0 + $1.count }
        var builder = ValidityBuilder(capacity: total)
        for part in parts {
            for row in 0..<part.count { builder.append(part.validity.valid(row)) }
        }
        return builder.finishOptional()
    }
}
