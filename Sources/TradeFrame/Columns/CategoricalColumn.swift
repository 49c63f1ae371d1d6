/// Dictionary-encoded text: the distinct strings once, plus one small integer code per row.
///
/// The code width follows the dictionary's size: `UInt8` up to 256 distinct values, `UInt16` up to 65,536, else
/// `UInt32`. Nulls live in the validity bitmap, not in the dictionary. Group-by and sort on a categorical key
/// work on the codes directly.
public struct CategoricalColumn: ColumnProtocol {
    /// TradeFrame's column (see ``ColumnProtocol``).
    public static var _seal: _ColumnSeal { _ColumnSeal() }

    /// The distinct values, indexed by code. It has no nulls.
    public let dictionary: StringColumn
    let codes: CategoricalCodes
    let offset: Int
    /// The number of rows.
    public let count: Int
    /// The validity bitmap, or `nil` when no row is null.
    public let validity: ValidityBitmap?

    init(
        dictionary: StringColumn, codes: CategoricalCodes, offset: Int = 0, count: Int? = nil,
        validity: ValidityBitmap?
    ) {
        self.dictionary = dictionary
        self.codes = codes
        self.offset = offset
        self.count = count ?? codes.count
        self.validity = validity
    }

    /// Creates a column from dense codes, narrowing them to the smallest width the dictionary needs.
    init(dictionary: StringColumn, wideCodes: ContiguousArray<UInt32>, validity: ValidityBitmap?) {
        self.init(
            dictionary: dictionary, codes: CategoricalCodes(narrowing: wideCodes, cardinality: dictionary.count),
            validity: validity)
    }

    /// Creates a column from an existing dictionary and one code per row (`nil` is a null row), checking both.
    ///
    /// Codes index `dictionary`; they are stored at the smallest width the dictionary needs.
    ///
    /// - Parameters:
    ///   - dictionary: The distinct values, indexed by code: no null row and no value twice.
    ///   - codes: The code of each row, or `nil` for a null row.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` for a code outside `0..<dictionary.count` (naming
    ///   the row) or a dictionary with a null or a repeated value.
    public init(dictionary: StringColumn, codes: some Sequence<Int?>) throws(TradeFrameError) {
        guard dictionary.nullCount == 0 else {
            throw TradeFrameError(
                .invalidInput, "a categorical dictionary has no null rows; this one has \(dictionary.nullCount)")
        }
        var interner = StringInterner(expectedCount: dictionary.count)
        for code in 0..<dictionary.count {
            let id = dictionary.withUTF8(at: code) { interner.intern($0) }
            guard Int(id) == code else {
                throw TradeFrameError(
                    .invalidInput,
                    "the categorical dictionary holds \"\(dictionary[code] ?? "")\" twice (codes \(id) and \(code))")
            }
        }
        var wide = ContiguousArray<UInt32>()
        wide.reserveCapacity(codes.underestimatedCount)
        var validity: ValidityBuilder?
        for code in codes {
            guard let code else {
                if validity == nil { validity = ValidityBuilder(validRows: wide.count, capacity: wide.capacity) }
                validity?.append(false)
                wide.append(0)
                continue
            }
            guard (0..<dictionary.count).contains(code) else {
                throw TradeFrameError(
                    .invalidInput,
                    "row \(wide.count) has code \(code), outside the dictionary's 0..<\(dictionary.count)")
            }
            validity?.append(true)
            wide.append(UInt32(code))
        }
        self.init(dictionary: dictionary, wideCodes: wide, validity: validity?.finishOptional())
    }

    /// Creates a column from an existing dictionary and one code per row, checking both.
    ///
    /// - Parameters:
    ///   - dictionary: The distinct values, indexed by code: no null row and no value twice.
    ///   - codes: The code of each row.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` for a code outside `0..<dictionary.count` (naming
    ///   the row) or a dictionary with a null or a repeated value.
    public init(dictionary: StringColumn, codes: some Sequence<Int>) throws(TradeFrameError) {
        try self.init(dictionary: dictionary, codes: codes.lazy.map { Optional($0) })
    }

    /// Encodes a sequence of strings (`nil` is a null row).
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<String?>) {
        self = StringColumn(values).categorical()
    }

    /// Encodes a sequence of strings.
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<String>) {
        self = StringColumn(values).categorical()
    }

    public var kind: ColumnKind { .categorical }
    public var nullCount: Int { validity.nullCount }
    /// The number of distinct values in the dictionary.
    public var cardinality: Int { dictionary.count }
    /// The bytes per code: 1, 2 or 4.
    public var codeWidth: Int { codes.width }
    public var memoryFootprint: Int { count * codes.width + dictionary.memoryFootprint + validity.footprint }

    /// The code of row `index` (the placeholder 0 for a null row).
    @inline(__always)
    public func code(at index: Int) -> Int { codes[offset + index] }

    /// The text at `index`, or `nil` for a null row.
    public subscript(index: Int) -> String? {
        guard validity.valid(index) else { return nil }
        return dictionary[code(at: index)]
    }

    /// All rows as optionals.
    public var values: [String?] { (0..<count).map { self[$0] } }

    /// Runs a code kernel on this column's codes at their stored width.
    func withCodes<V: CodeVisitor>(_ visitor: V) -> V.Result {
        switch codes {
        case .u8(let array):
            array.withUnsafeBufferPointer { visitor.visit(UnsafeBufferPointer(rebasing: $0[offset..<offset + count])) }
        case .u16(let array):
            array.withUnsafeBufferPointer { visitor.visit(UnsafeBufferPointer(rebasing: $0[offset..<offset + count])) }
        case .u32(let array):
            array.withUnsafeBufferPointer { visitor.visit(UnsafeBufferPointer(rebasing: $0[offset..<offset + count])) }
        }
    }

    /// Decodes back to a string column.
    ///
    /// - Returns: A ``StringColumn`` with the same rows.
    public func decoded() -> StringColumn {
        dictionary.withUTF8Buffers { bytes, offsets in
            var total = 0
            for row in 0..<count where validity.valid(row) {
                let code = code(at: row)
                total += Int(offsets[code + 1] - offsets[code])
            }
            var builder = StringColumnBuilder(capacity: count, byteCapacity: total)
            for row in 0..<count {
                if validity.valid(row) {
                    let code = code(at: row)
                    builder.append(
                        utf8: UnsafeBufferPointer(rebasing: bytes[Int(offsets[code])..<Int(offsets[code + 1])]))
                } else {
                    builder.appendNull()
                }
            }
            return builder.finish()
        }
    }

    public func isNull(_ index: Int) -> Bool { !validity.valid(index) }

    public func slice(_ range: Range<Int>) -> CategoricalColumn {
        CategoricalColumn(
            dictionary: dictionary, codes: codes, offset: offset + range.lowerBound, count: range.count,
            validity: validity?.slice(range))
    }

    public func gathering(_ indices: UnsafeBufferPointer<Int>) -> CategoricalColumn {
        CategoricalColumn(
            dictionary: dictionary, codes: withCodes(GatherCodes(indices: indices)),
            validity: validity.gathering(indices))
    }

    public func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> CategoricalColumn {
        let parts = [self] + (try castAll(others, to: CategoricalColumn.self))
        var interner = StringInterner(expectedCount: cardinality)
        var codes = ContiguousArray<UInt32>()
        codes.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            let remap = part.dictionary.withUTF8Buffers { bytes, offsets in
                (0..<part.cardinality).map { code in
                    interner.intern(UnsafeBufferPointer(rebasing: bytes[Int(offsets[code])..<Int(offsets[code + 1])]))
                }
            }
            for row in 0..<part.count { codes.append(remap.isEmpty ? 0 : remap[part.code(at: row)]) }
        }
        let validity = Optional<ValidityBitmap>.concatenating(parts.map { ($0.validity, $0.count) })
        return CategoricalColumn(dictionary: interner.dictionary(), wideCodes: codes, validity: validity)
    }

    public func text(at index: Int) -> String? { self[index] }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        guard validity.valid(index) else {
            buffer.append(contentsOf: "null".utf8)
            return
        }
        dictionary.withUTF8(at: code(at: index)) { JSONText.writeString($0, into: &buffer) }
    }
}

extension CategoricalColumn: Equatable {
    /// Columns are equal when they decode to the same rows (dictionaries may differ in order).
    public static func == (lhs: CategoricalColumn, rhs: CategoricalColumn) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}

extension StringColumn {
    /// Dictionary-encodes the column: distinct values in first-seen order, codes narrowed to the smallest width.
    ///
    /// - Returns: A ``CategoricalColumn`` with the same rows.
    /// - Complexity: O(n) hash probes over the bytes.
    public func categorical() -> CategoricalColumn {
        var interner = StringInterner()
        var codes = ContiguousArray<UInt32>(repeating: 0, count: count)
        withUTF8Buffers { bytes, offsets in
            codes.withUnsafeMutableBufferPointer { codes in
                if validity == nil {
                    for row in 0..<count {
                        codes[row] = interner.intern(
                            UnsafeBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])]))
                    }
                } else {
                    for row in 0..<count where validity.valid(row) {
                        codes[row] = interner.intern(
                            UnsafeBufferPointer(rebasing: bytes[Int(offsets[row])..<Int(offsets[row + 1])]))
                    }
                }
            }
        }
        return CategoricalColumn(dictionary: interner.dictionary(), wideCodes: codes, validity: validity)
    }
}

/// Codes at the width the dictionary needs.
enum CategoricalCodes: Sendable {
    case u8(ContiguousArray<UInt8>)
    case u16(ContiguousArray<UInt16>)
    case u32(ContiguousArray<UInt32>)

    init(narrowing codes: ContiguousArray<UInt32>, cardinality: Int) {
        if cardinality <= 256 {
            self = .u8(Self.narrow(codes, to: UInt8.self))
        } else if cardinality <= 65_536 {
            self = .u16(Self.narrow(codes, to: UInt16.self))
        } else {
            self = .u32(codes)
        }
    }

    private static func narrow<Code: FixedWidthInteger>(
        _ codes: ContiguousArray<UInt32>, to type: Code.Type
    )
        -> ContiguousArray<Code>
    {
        ContiguousArray(filling: codes.count) { target, initialized in
            codes.withUnsafeBufferPointer { source in
                for row in 0..<source.count { target[row] = Code(truncatingIfNeeded: source[row]) }
            }
            initialized = codes.count
        }
    }

    var count: Int {
        switch self {
        case .u8(let a): a.count
        case .u16(let a): a.count
        case .u32(let a): a.count
        }
    }

    var width: Int {
        switch self {
        case .u8: 1
        case .u16: 2
        case .u32: 4
        }
    }

    @inline(__always)
    subscript(index: Int) -> Int {
        switch self {
        case .u8(let a): Int(a[index])
        case .u16(let a): Int(a[index])
        case .u32(let a): Int(a[index])
        }
    }
}

/// A kernel over a categorical column's codes, specialised for each code width.
protocol CodeVisitor {
    associatedtype Result
    func visit<Code: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafeBufferPointer<Code>) -> Result
}

private struct GatherCodes: CodeVisitor {
    let indices: UnsafeBufferPointer<Int>

    func visit<Code: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafeBufferPointer<Code>) -> CategoricalCodes {
        var result = ContiguousArray<Code>(repeating: 0, count: indices.count)
        result.withUnsafeMutableBufferPointer { target in
            for (position, index) in indices.enumerated() where index >= 0 { target[position] = codes[index] }
        }
        switch result {
        case let r as ContiguousArray<UInt8>: return .u8(r)
        case let r as ContiguousArray<UInt16>: return .u16(r)
        default: return .u32(ContiguousArray(result.lazy.map { UInt32(truncatingIfNeeded: $0) }))
        }
    }
}

/// Appends strings, encoding them on the fly, and finishes into an immutable ``CategoricalColumn`` whose codes
/// have the width the dictionary needs.
public struct CategoricalColumnBuilder: Sendable {
    var interner = StringInterner()
    var codes = ContiguousArray<UInt32>()
    var validity: ValidityBuilder?
    let capacity: Int

    /// Creates a builder.
    ///
    /// - Parameter capacity: Expected number of rows.
    public init(capacity: Int = 0) {
        self.capacity = capacity
        codes.reserveCapacity(capacity)
    }

    /// The number of rows appended so far.
    public var count: Int { codes.count }

    /// Appends a string, or a null row for `nil`.
    public mutating func append(_ value: String?) {
        guard var value else { return appendNull() }
        value.withUTF8 { append(utf8: $0) }
    }

    /// Appends a row from UTF-8 bytes.
    ///
    /// - Parameter utf8: The row's bytes (valid UTF-8).
    public mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        codes.append(interner.intern(utf8))
        validity?.append(true)
    }

    /// Appends a null row.
    public mutating func appendNull() {
        if validity == nil { validity = ValidityBuilder(validRows: codes.count, capacity: capacity) }
        codes.append(0)
        validity?.append(false)
    }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> CategoricalColumn {
        CategoricalColumn(dictionary: interner.dictionary(), wideCodes: codes, validity: validity?.finishOptional())
    }
}
