/// Parquet compression codecs this package writes and reads.
public struct ParquetCodec: Hashable, Sendable {
    let id: Int32
    /// No compression.
    public static let uncompressed = ParquetCodec(id: 0)
    /// Snappy, as pyarrow writes by default.
    public static let snappy = ParquetCodec(id: 1)
}

/// Parquet writing (flat schemas): one OPTIONAL leaf per column, PLAIN values, definition levels in the
/// RLE/bit-packed hybrid, categoricals dictionary-encoded, min/max/null-count statistics per column chunk.
extension TradeFrame {
    /// The frame as a Parquet file.
    ///
    /// - Parameters:
    ///   - rowsPerGroup: The most rows in one row group.
    ///   - codec: The page compression.
    /// - Returns: The file's bytes.
    /// - Throws: ``TradeFrameError`` with code `unsupported` for a column type Parquet output does not know, or
    ///   `invalidArgument` for a row-group size below 1.
    public func parquet(rowsPerGroup: Int = 1 << 20, codec: ParquetCodec = .snappy) throws(TradeFrameError) -> [UInt8] {
        try parquet(rowsPerGroup: rowsPerGroup, codec: codec, wideDecimals: nil)
    }

    /// The decimal columns that need 19 digits (a FIXED_LEN_BYTE_ARRAY rather than INT64).
    func wideDecimalColumns() -> Set<String> {
        Set(
            zip(columnNames, columns).filter { ($0.1 as? DecimalColumn).map(ParquetChunkWriter.isWide) ?? false }.map(
                \.0))
    }

    /// `wideDecimals` fixes the decimal layout across files of one dataset; `nil` decides from this frame's rows.
    func parquet(
        rowsPerGroup: Int, codec: ParquetCodec, wideDecimals: Set<String>?
    ) throws(TradeFrameError)
        -> [UInt8]
    {
        let wideDecimals = wideDecimals ?? wideDecimalColumns()
        guard rowsPerGroup > 0 else {
            throw TradeFrameError(.invalidArgument, "rowsPerGroup must be positive, not \(rowsPerGroup)")
        }
        var out = Array("PAR1".utf8)
        var groups: [Thrift] = []
        var start = 0
        repeat {
            let range = start..<min(rowCount, start + rowsPerGroup)
            var chunks: [Thrift] = []
            var groupBytes: Int64 = 0
            for (name, column) in zip(columnNames, columns) {
                let wide = wideDecimals.contains(name)
                let chunk = try ParquetChunkWriter(name: name, column: column.slice(range), codec: codec, wide: wide)
                    .write(into: &out)
                chunks.append(chunk.0)
                groupBytes += chunk.1
            }
            groups.append(
                .structure([1: .list(Thrift.structType, chunks), 2: .i64(groupBytes), 3: .i64(Int64(range.count))]))
            start = range.upperBound
        } while start < rowCount
        var schema: [Thrift] = [.structure([4: .string("schema"), 5: .i32(Int32(columnCount))])]
        for (name, column) in zip(columnNames, columns) {
            let wide = wideDecimals.contains(name)
            schema.append(try ParquetChunkWriter.schemaElement(name, column, wide: wide))
        }
        let categoricals = zip(columnNames, columns).filter { $0.1 is CategoricalColumn }.map(\.0)
        let metadata = Thrift.structure([
            1: .i32(1), 2: .list(Thrift.structType, schema), 3: .i64(Int64(rowCount)),
            4: .list(Thrift.structType, groups),
            5: .list(
                Thrift.structType,
                [
                    .structure([
                        1: .string(ParquetFormat.categoricalKey), 2: .string(categoricals.joined(separator: "\n")),
                    ])
                ]),
            6: .string("swift-etrm-primitives TradeFrame"),
            // Each column's statistics follow its type's order (TypeDefinedOrder), so readers trust min and max.
            7: .list(Thrift.structType, columns.map { _ in .structure([1: .structure([:])]) }),
        ])
        var footer: [UInt8] = []
        metadata.write(into: &footer)
        out += footer + le(UInt32(footer.count)) + Array("PAR1".utf8)
        return out
    }
}

enum ParquetFormat {
    /// Key-value metadata naming the columns that were categorical (Parquet has no categorical type).
    static let categoricalKey = "tradeframe.categorical"
    // Physical types
    static let boolean: Int32 = 0
    static let int32: Int32 = 1
    static let int64: Int32 = 2
    static let float: Int32 = 4
    static let double: Int32 = 5
    static let byteArray: Int32 = 6
    static let fixedLenByteArray: Int32 = 7
    // Encodings
    static let plain: Int32 = 0
    static let plainDictionary: Int32 = 2
    static let rle: Int32 = 3
    static let rleDictionary: Int32 = 8
}

/// Writes one column chunk: an optional dictionary page, then one data page.
private struct ParquetChunkWriter {
    let name: String
    let column: any ColumnProtocol
    let codec: ParquetCodec
    /// Whether a decimal column (as a whole, not just this row group) needs 19 digits.
    let wide: Bool

    static func schemaElement(
        _ name: String, _ column: any ColumnProtocol, wide: Bool
    ) throws(TradeFrameError)
        -> Thrift
    {
        var fields: [Int16: Thrift] = [3: .i32(1), 4: .string(name)]
        switch column {
        case is Column<Bool>: fields[1] = .i32(ParquetFormat.boolean)
        case is Column<Int32>: fields[1] = .i32(ParquetFormat.int32)
        case is Column<Int64>: fields[1] = .i32(ParquetFormat.int64)
        case is Column<Float>: fields[1] = .i32(ParquetFormat.float)
        case is Column<Double>: fields[1] = .i32(ParquetFormat.double)
        case is StringColumn, is CategoricalColumn:
            fields[1] = .i32(ParquetFormat.byteArray)
            fields[6] = .i32(0)
            fields[10] = .structure([1: .structure([:])])
        case is TimestampColumn:
            fields[1] = .i32(ParquetFormat.int64)
            fields[10] = .structure([8: .structure([1: .bool(true), 2: .structure([3: .structure([:])])])])
        case let decimals as DecimalColumn:
            // INT64 holds 18 digits; a 19-digit significand needs a 16-byte big-endian FIXED_LEN_BYTE_ARRAY.
            let precision = wide ? 19 : 18
            fields[1] = .i32(precision == 18 ? ParquetFormat.int64 : ParquetFormat.fixedLenByteArray)
            if precision == 19 { fields[2] = .i32(16) }
            fields[6] = .i32(5)
            fields[7] = .i32(Int32(decimals.scale))
            fields[8] = .i32(Int32(precision))
            fields[10] = .structure([5: .structure([1: .i32(Int32(decimals.scale)), 2: .i32(Int32(precision))])])
        default:
            throw TradeFrameError(.unsupported, column: name, "Parquet output has no type for a \(column.kind) column")
        }
        return .structure(fields)
    }

    static func isWide(_ decimals: DecimalColumn) -> Bool {
        decimals.significands.withUnsafeValues { $0.contains { $0.magnitude >= UInt64(pow10[18]) } }
    }

    /// The definition levels: the RLE/bit-packed hybrid at bit width 1, with its 4-byte length.
    func definitionLevels() -> [UInt8] {
        var hybrid: [UInt8] = []
        let count = column.count
        if let validity = column.validity {
            Thrift.varint(UInt64((count + 7) / 8) << 1 | 1, into: &hybrid)
            var bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
            for row in 0..<count where validity.isValid(row) { bytes[row >> 3] |= 1 << UInt8(row & 7) }
            hybrid += bytes
        } else {
            Thrift.varint(UInt64(count) << 1, into: &hybrid)
            hybrid.append(1)
        }
        return le(UInt32(hybrid.count)) + hybrid
    }

    /// PLAIN values of the valid rows, and their min and max as PLAIN bytes.
    func plainValues() -> (values: [UInt8], min: [UInt8]?, max: [UInt8]?) {
        let valid = (0..<column.count).filter { !column.isNull($0) }
        func fixed<T: FixedWidthInteger>(_ value: (Int) -> T) -> ([UInt8], [UInt8]?, [UInt8]?) {
            let values = valid.map(value)
            return (values.flatMap(le), values.min().map(le), values.max().map(le))
        }
        func floating<T: BinaryFloatingPoint & BitwiseCopyable>(_ value: (Int) -> T) -> ([UInt8], [UInt8]?, [UInt8]?) {
            let values = valid.map(value)
            let bytes = values.withUnsafeBytes { Array($0) }
            let finite = values.filter { !$0.isNaN }
            func raw(_ x: T?) -> [UInt8]? { x.map { withUnsafeBytes(of: $0) { Array($0) } } }
            return (bytes, raw(finite.min()), raw(finite.max()))
        }
        switch column {
        case let c as Column<Int32>: return fixed { c.value(at: $0) }
        case let c as Column<Int64>: return fixed { c.value(at: $0) }
        case let c as TimestampColumn: return fixed { c.nanoseconds.value(at: $0) }
        case let c as DecimalColumn where wide:
            let values = valid.map { c.significands.value(at: $0) }
            return (values.flatMap { le(($0 < 0 ? Int64(-1) : 0).bigEndian) + le($0.bigEndian) }, nil, nil)
        case let c as DecimalColumn: return fixed { c.significands.value(at: $0) }
        case let c as Column<Float>: return floating { c.value(at: $0) }
        case let c as Column<Double>: return floating { c.value(at: $0) }
        case let c as Column<Bool>:
            var bytes = [UInt8](repeating: 0, count: (valid.count + 7) / 8)
            for (index, row) in valid.enumerated() where c.value(at: row) { bytes[index >> 3] |= 1 << UInt8(index & 7) }
            let flags = valid.map { c.value(at: $0) }
            return (
                bytes, flags.isEmpty ? nil : [flags.contains(false) ? 0 : 1],
                flags.isEmpty ? nil : [flags.contains(true) ? 1 : 0]
            )
        case let c as StringColumn:
            var bytes: [UInt8] = []
            var low: [UInt8]?
            var high: [UInt8]?
            for row in valid {
                let text = c.withUTF8(at: row) { Array($0) }
                bytes += le(UInt32(text.count)) + text
                if low.map({ text.lexicographicallyPrecedes($0) }) ?? true { low = text }
                if high.map({ $0.lexicographicallyPrecedes(text) }) ?? true { high = text }
            }
            return (bytes, low, high)
        default: return ([], nil, nil)
        }
    }

    func page(type: Int32, header: (Int16, Thrift), body: [UInt8], into out: inout [UInt8]) -> Int64 {
        let compressed = codec == .snappy ? body.withUnsafeBytes { Snappy.compress($0) } : body
        var bytes: [UInt8] = []
        Thrift.structure([
            1: .i32(type), 2: .i32(Int32(body.count)), 3: .i32(Int32(compressed.count)), header.0: header.1,
        ]).write(into: &bytes)
        out += bytes + compressed
        return Int64(bytes.count + body.count)
    }

    /// Writes the pages and returns the ColumnChunk and the uncompressed bytes.
    func write(into out: inout [UInt8]) throws(TradeFrameError) -> (Thrift, Int64) {
        let element = try Self.schemaElement(name, column, wide: wide)
        let physical = element[1]?.int.map(Int32.init) ?? 0
        let start = Int64(out.count)
        var uncompressed: Int64 = 0
        var dictionaryOffset: Int64?
        var encodings: [Thrift] = [.i32(ParquetFormat.plain), .i32(ParquetFormat.rle)]
        var body = definitionLevels()
        var statistics: [Int16: Thrift] = [3: .i64(Int64(column.nullCount))]
        let count = Thrift.i32(Int32(column.count))
        if let categorical = column as? CategoricalColumn {
            let dictionary = ParquetChunkWriter(name: name, column: categorical.dictionary, codec: codec, wide: false)
            dictionaryOffset = start
            uncompressed += page(
                type: 2,
                header: (7, .structure([1: .i32(Int32(categorical.cardinality)), 2: .i32(ParquetFormat.plain)])),
                body: dictionary.plainValues().values, into: &out)
            let width = max(1, Int.bitWidth - max(0, categorical.cardinality - 1).leadingZeroBitCount)
            body.append(UInt8(width))
            let codes = (0..<categorical.count).filter { !categorical.isNull($0) }.map { categorical.code(at: $0) }
            body += bitPackedHybrid(codes, width: width)
            encodings.append(.i32(ParquetFormat.rleDictionary))
            var used = [Bool](repeating: false, count: categorical.cardinality)
            for code in codes { used[code] = true }
            let texts = (0..<categorical.cardinality).filter { used[$0] }.map {
                categorical.dictionary.withUTF8(at: $0) { Array($0) }
            }
            if let low = texts.min(by: { $0.lexicographicallyPrecedes($1) }) { statistics[6] = .binary(low) }
            if let high = texts.max(by: { $0.lexicographicallyPrecedes($1) }) { statistics[5] = .binary(high) }
        } else {
            let (values, low, high) = plainValues()
            body += values
            if let low { statistics[6] = .binary(low) }
            if let high { statistics[5] = .binary(high) }
        }
        let dataOffset = Int64(out.count)
        let encoding = column is CategoricalColumn ? ParquetFormat.rleDictionary : ParquetFormat.plain
        uncompressed += page(
            type: 0,
            header: (
                5,
                .structure([
                    1: count, 2: .i32(encoding), 3: .i32(ParquetFormat.rle), 4: .i32(ParquetFormat.rle),
                ])
            ), body: body, into: &out)
        var metadata: [Int16: Thrift] = [
            1: .i32(physical), 2: .list(Thrift.i32Type, encodings), 3: .list(Thrift.binaryType, [.string(name)]),
            4: .i32(codec.id), 5: .i64(Int64(column.count)), 6: .i64(uncompressed),
            7: .i64(Int64(out.count) - start), 9: .i64(dataOffset), 12: .structure(statistics),
        ]
        if let dictionaryOffset { metadata[11] = .i64(dictionaryOffset) }
        return (.structure([2: .i64(start), 3: .structure(metadata)]), uncompressed)
    }
}

/// Values in the RLE/bit-packed hybrid as one bit-packed run (groups of 8, least significant bit first).
func bitPackedHybrid(_ values: [Int], width: Int) -> [UInt8] {
    var out: [UInt8] = []
    let groups = (values.count + 7) / 8
    Thrift.varint(UInt64(groups) << 1 | 1, into: &out)
    var packed = [UInt8](repeating: 0, count: groups * width)
    var bit = 0
    for value in values {
        for shift in 0..<width where value >> shift & 1 == 1 {
            packed[(bit + shift) >> 3] |= 1 << UInt8((bit + shift) & 7)
        }
        bit += width
    }
    return out + packed
}
