/// Compares rows by key columns in the order ``TradeFrame/sortPermutation(by:)`` sorts them ascending: numbers
/// numerically (`-0` equals `0`, NaN after +∞ and equal to NaN), timestamps by instant, decimals by value, text
/// (string or categorical) by UTF-8 bytes, and a null after every value and equal to another null.
///
/// The two sides may be the same columns (runs of equal keys in one frame) or the key columns of two frames
/// whose families match (a join's merge), so a string key compares with a categorical one.
enum KeyOrder {
    /// A comparison of row `i` of the left keys with row `j` of the right keys: negative, zero or positive.
    typealias Compare = (Int, Int) -> Int

    /// Calls `body` with the comparator of `left` against `right` (same count, matching families). The
    /// comparator reads the columns' buffers and is valid only during the call.
    static func withComparator<R>(
        _ left: [any ColumnProtocol], _ right: [any ColumnProtocol], _ body: (Compare) throws -> R
    ) rethrows -> R {
        try nest(ArraySlice(zip(left, right)), built: [], body)
    }

    private static func nest<R>(
        _ pairs: ArraySlice<(any ColumnProtocol, any ColumnProtocol)>, built: [Compare], _ body: (Compare) throws -> R
    ) rethrows -> R {
        guard let (a, b) = pairs.first else {
            if built.count == 1 { return try body(built[0]) }
            return try body { i, j in
                for compare in built {
                    let order = compare(i, j)
                    if order != 0 { return order }
                }
                return 0
            }
        }
        let rest = pairs.dropFirst()
        if let x = text(a), let y = text(b) {
            return try x.dictionary.withUTF8Buffers { xBytes, xOffsets in
                try y.dictionary.withUTF8Buffers { yBytes, yOffsets in
                    let compare: Compare
                    switch (x.codes, y.codes) {
                    case (nil, nil):
                        compare = { i, j in
                            compareBytes(
                                ByteKeyTable.slice(xBytes, xOffsets, i), ByteKeyTable.slice(yBytes, yOffsets, j))
                        }
                    default:
                        // A categorical side compares its code's dictionary entry.
                        compare = { i, j in
                            compareBytes(
                                ByteKeyTable.slice(xBytes, xOffsets, x.codes?.code(at: i) ?? i),
                                ByteKeyTable.slice(yBytes, yOffsets, y.codes?.code(at: j) ?? j))
                        }
                    }
                    return try nest(rest, built: built + [nullsLast(compare, a.validity, b.validity)], body)
                }
            }
        }
        let xWords = SortKeys.orderedWords(a) ?? []
        let yWords = SortKeys.orderedWords(b) ?? []
        let compare: Compare = { i, j in
            let (x, y) = (xWords[i], yWords[j])
            return x == y ? 0 : (x < y ? -1 : 1)
        }
        return try nest(rest, built: built + [nullsLast(compare, a.validity, b.validity)], body)
    }

    /// `compare` where both rows are valid; a null after any value.
    private static func nullsLast(_ compare: @escaping Compare, _ a: ValidityBitmap?, _ b: ValidityBitmap?) -> Compare {
        if a == nil && b == nil { return compare }
        return { i, j in
            let (x, y) = (a.valid(i), b.valid(j))
            if x && y { return compare(i, j) }
            return x == y ? 0 : (x ? -1 : 1)
        }
    }

    /// A text key's bytes: a string column's own rows, or a categorical column's dictionary and codes.
    private static func text(_ column: any ColumnProtocol) -> (dictionary: StringColumn, codes: CategoricalColumn?)? {
        if let strings = column as? StringColumn { return (strings, nil) }
        if let categorical = column as? CategoricalColumn { return (categorical.dictionary, categorical) }
        return nil
    }
}
