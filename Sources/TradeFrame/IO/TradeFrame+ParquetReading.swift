import Foundation

/// Parquet reading (flat schemas; data pages V1 and V2; PLAIN and dictionary encodings; uncompressed or Snappy).
/// Every offset, length and count is checked against the file: a corrupt or hostile file is a `corrupt_file`
/// (or, for a codec or type not implemented, `unsupported`) ``TradeFrameError``.
extension TradeFrame {
    /// Reads a Parquet file.
    ///
    /// BYTE_ARRAY columns read as ``StringColumn``, or as ``CategoricalColumn`` when the file says they were
    /// categorical; INT64 with a TIMESTAMP annotation as ``TimestampColumn``; DECIMAL of up to 18 digits as
    /// ``DecimalColumn``.
    ///
    /// - Parameter bytes: The file's bytes.
    /// - Returns: The frame, with all row groups concatenated.
    /// - Throws: ``TradeFrameError`` with code `corruptFile`, `unsupported` or `outOfRange`.
    public static func readParquet(_ bytes: some ContiguousBytes) throws(TradeFrameError) -> TradeFrame {
        try withRawBytes(bytes) { (raw) throws(TradeFrameError) in try ParquetReader(bytes: raw).read() }
    }
}

/// A leaf column as the schema declares it.
private struct ParquetLeaf {
    let name: String
    let physical: Int32
    let typeLength: Int
    let optional: Bool
    let element: Thrift
}

/// Decoded values of one column chunk (only the valid rows).
private enum ParquetValues {
    case ints32([Int32])
    case ints64([Int64])
    case floats([Float])
    case doubles([Double])
    case bools([Bool])
    case bytes([[UInt8]])

    var count: Int {
        switch self {
        case .ints32(let v): v.count
        case .ints64(let v): v.count
        case .floats(let v): v.count
        case .doubles(let v): v.count
        case .bools(let v): v.count
        case .bytes(let v): v.count
        }
    }

    func gathering(_ indices: [Int]) -> ParquetValues {
        switch self {
        case .ints32(let v): .ints32(indices.map { v[$0] })
        case .ints64(let v): .ints64(indices.map { v[$0] })
        case .floats(let v): .floats(indices.map { v[$0] })
        case .doubles(let v): .doubles(indices.map { v[$0] })
        case .bools(let v): .bools(indices.map { v[$0] })
        case .bytes(let v): .bytes(indices.map { v[$0] })
        }
    }

    mutating func append(_ other: ParquetValues) throws(TradeFrameError) {
        switch (self, other) {
        case (.ints32(let a), .ints32(let b)): self = .ints32(a + b)
        case (.ints64(let a), .ints64(let b)): self = .ints64(a + b)
        case (.floats(let a), .floats(let b)): self = .floats(a + b)
        case (.doubles(let a), .doubles(let b)): self = .doubles(a + b)
        case (.bools(let a), .bools(let b)): self = .bools(a + b)
        case (.bytes(let a), .bytes(let b)): self = .bytes(a + b)
        default: throw TradeFrameError(.corruptFile, "pages of one column decode to different types")
        }
    }
}

private struct ParquetReader {
    let bytes: UnsafeRawBufferPointer

    func corrupt(_ message: String, column: String? = nil) -> TradeFrameError {
        TradeFrameError(.corruptFile, column: column, message)
    }

    func read() throws(TradeFrameError) -> TradeFrame {
        let count = bytes.count
        let magic = Array("PAR1".utf8)
        guard count >= 12, bytes.prefix(4).elementsEqual(magic), bytes.suffix(4).elementsEqual(magic) else {
            throw corrupt("a Parquet file begins and ends with PAR1 and holds a footer length")
        }
        let footerLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt32.self)))
        guard footerLength <= count - 12 else {
            throw corrupt("the footer length \(footerLength) does not fit a \(count)-byte file")
        }
        let footer = UnsafeRawBufferPointer(rebasing: bytes[count - 8 - footerLength..<count - 8])
        let (metadata, _) = try Thrift.readStruct(footer, at: 0)
        let schema = metadata[2]?.elements ?? []
        guard let root = schema.first else { throw corrupt("the footer has no schema") }
        guard root[5]?.int == Int64(schema.count - 1) else {
            throw TradeFrameError(.unsupported, "nested Parquet schemas are not read (flat schemas only)")
        }
        var leaves: [ParquetLeaf] = []
        for element in schema.dropFirst() {
            let name = String(decoding: element[4]?.bytes ?? [], as: UTF8.self)
            guard element[5] == nil || element[5]?.int == 0, let physical = element[1]?.int else {
                throw TradeFrameError(.unsupported, column: name, "nested Parquet columns are not read")
            }
            guard element[3]?.int != 2 else {
                throw TradeFrameError(.unsupported, column: name, "repeated Parquet columns are not read")
            }
            leaves.append(
                ParquetLeaf(
                    name: name, physical: Int32(truncatingIfNeeded: physical),
                    typeLength: Int(element[2]?.int ?? 0), optional: element[3]?.int == 1, element: element))
        }
        var categoricals: Set<String> = []
        for pair in metadata[5]?.elements ?? []
        where pair[1]?.bytes == Array(ParquetFormat.categoricalKey.utf8) {
            let names = String(decoding: pair[2]?.bytes ?? [], as: UTF8.self).split(separator: "\n")
            categoricals.formUnion(names.map(String.init))
        }
        var values: [ParquetValues?] = Array(repeating: nil, count: leaves.count)
        var validity = [[Bool]](repeating: [], count: leaves.count)
        let rows = metadata[3]?.int ?? 0
        for group in metadata[4]?.elements ?? [] {
            let chunks = group[1]?.elements ?? []
            guard chunks.count == leaves.count else { throw corrupt("a row group has \(chunks.count) column chunks") }
            for (position, leaf) in leaves.enumerated() {
                let (chunkValues, chunkValidity) = try readChunk(chunks[position], leaf)
                if values[position] == nil {
                    values[position] = chunkValues
                } else {
                    try values[position]!.append(chunkValues)
                }
                validity[position] += chunkValidity
            }
        }
        var columns: [(String, any ColumnProtocol)] = []
        for (position, leaf) in leaves.enumerated() {
            guard Int64(validity[position].count) == rows else {
                throw corrupt(
                    "the column has \(validity[position].count) values, the file \(rows) rows", column: leaf.name)
            }
            columns.append(
                (
                    leaf.name,
                    try column(
                        leaf, values[position] ?? emptyValues(leaf), validity: validity[position],
                        categorical: categoricals.contains(leaf.name))
                ))
        }
        return try TradeFrame(columns)
    }

    func emptyValues(_ leaf: ParquetLeaf) -> ParquetValues {
        switch leaf.physical {
        case ParquetFormat.int32: .ints32([])
        case ParquetFormat.int64: .ints64([])
        case ParquetFormat.float: .floats([])
        case ParquetFormat.double: .doubles([])
        case ParquetFormat.boolean: .bools([])
        default: .bytes([])
        }
    }

    /// Reads a column chunk's pages: its values (valid rows only) and one validity flag per row.
    func readChunk(_ chunk: Thrift, _ leaf: ParquetLeaf) throws(TradeFrameError) -> (ParquetValues, [Bool]) {
        let name = leaf.name
        guard let meta = chunk[3] else { throw corrupt("a column chunk has no metadata", column: name) }
        let codec = meta[4]?.int ?? 0
        guard codec == 0 || codec == 1 else {
            let names = [2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"]
            throw TradeFrameError(
                .unsupported, column: name,
                "the \(names[Int(codec)] ?? "codec \(codec)") codec is not read (uncompressed and Snappy are)")
        }
        let total = meta[5]?.int ?? 0
        var position = Int(min(meta[11]?.int ?? Int64.max, meta[9]?.int ?? Int64.max))
        guard position >= 4, position < bytes.count, total >= 0 else {
            throw corrupt("a column chunk starts at \(position)", column: name)
        }
        var dictionary: ParquetValues?
        var values = emptyValues(leaf)
        var validity: [Bool] = []
        while Int64(validity.count) < total {
            let (header, bodyStart) = try Thrift.readStruct(bytes, at: position)
            let type = header[1]?.int ?? -1
            let uncompressedSize = Int(header[2]?.int ?? -1)
            let compressedSize = Int(header[3]?.int ?? -1)
            guard uncompressedSize >= 0, compressedSize >= 0, compressedSize <= bytes.count - bodyStart else {
                throw corrupt("a page of \(compressedSize) bytes at \(bodyStart)", column: name)
            }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<bodyStart + compressedSize])
            position = bodyStart + compressedSize
            switch type {
            case 2:
                let body = try decompress(raw, codec: codec, size: uncompressedSize)
                let count = Int(header[7]?[1]?.int ?? -1)
                guard count >= 0 else { throw corrupt("a dictionary page of \(count) values", column: name) }
                dictionary = try withRawBytes(body) { (body) throws(TradeFrameError) in
                    var cursor = Cursor(bytes: body, name: name)
                    return try cursor.plain(leaf, count: count)
                }
            case 0, 3:
                let v2 = type == 3
                guard let pageHeader = header[v2 ? 8 : 5] else {
                    throw corrupt("a data page has no header", column: name)
                }
                let count = Int(pageHeader[1]?.int ?? -1)
                guard count >= 0, Int64(count) <= total - Int64(validity.count) else {
                    throw corrupt("a data page of \(count) values", column: name)
                }
                let body: [UInt8]
                var levels: [UInt8] = []
                if v2 {
                    let levelLength = Int(pageHeader[5]?.int ?? -1)
                    guard levelLength >= 0, levelLength <= raw.count, (pageHeader[6]?.int ?? 0) == 0 else {
                        throw corrupt("definition levels of \(levelLength) bytes", column: name)
                    }
                    levels = Array(UnsafeRawBufferPointer(rebasing: raw[0..<levelLength]))
                    let rest = UnsafeRawBufferPointer(rebasing: raw[levelLength...])
                    let compressed = pageHeader[7].map { if case .bool(let flag) = $0 { flag } else { true } } ?? true
                    body = try decompress(rest, codec: compressed ? codec : 0, size: uncompressedSize - levelLength)
                } else {
                    body = try decompress(raw, codec: codec, size: uncompressedSize)
                }
                let encoding = Int32(truncatingIfNeeded: pageHeader[v2 ? 4 : 2]?.int ?? -1)
                let (pageValues, pageValidity) = try withRawBytes(body) { (body) throws(TradeFrameError) in
                    var cursor = Cursor(bytes: body, name: name)
                    var flags = [Bool](repeating: true, count: count)
                    if leaf.optional {
                        if v2 {
                            try withRawBytes(levels) { (levels) throws(TradeFrameError) in
                                var levelCursor = Cursor(bytes: levels, name: name)
                                flags = try levelCursor.hybrid(count: count, width: 1).map { $0 == 1 }
                            }
                        } else {
                            let length = Int(try cursor.u32())
                            var levelCursor = try cursor.slice(length)
                            flags = try levelCursor.hybrid(count: count, width: 1).map { $0 == 1 }
                        }
                    }
                    let present = flags.reduce(0) { $0 + ($1 ? 1 : 0) }
                    switch encoding {
                    case ParquetFormat.plain:
                        return (try cursor.plain(leaf, count: present), flags)
                    case ParquetFormat.rle where leaf.physical == ParquetFormat.boolean:
                        // Booleans in the hybrid at width 1, after a 4-byte length (pyarrow's V2 pages).
                        var run = try cursor.slice(Int(try cursor.u32()))
                        return (.bools(try run.hybrid(count: present, width: 1).map { $0 == 1 }), flags)
                    case ParquetFormat.plainDictionary, ParquetFormat.rleDictionary:
                        guard let dictionary else {
                            throw corrupt("a dictionary-encoded page before its dictionary", column: name)
                        }
                        let width = Int(try cursor.byte())
                        guard width <= 32 else { throw corrupt("dictionary indices of \(width) bits", column: name) }
                        let indices = try cursor.hybrid(count: present, width: width)
                        guard indices.allSatisfy({ $0 < dictionary.count }) else {
                            throw corrupt(
                                "a dictionary index beyond the dictionary's \(dictionary.count) values", column: name)
                        }
                        return (dictionary.gathering(indices), flags)
                    default:
                        throw TradeFrameError(.unsupported, column: name, "Parquet encoding \(encoding) is not read")
                    }
                }
                try values.append(pageValues)
                validity += pageValidity
            default:
                continue
            }
        }
        return (values, validity)
    }

    func decompress(_ raw: UnsafeRawBufferPointer, codec: Int64, size: Int) throws(TradeFrameError) -> [UInt8] {
        guard size >= 0 else { throw corrupt("a page of \(size) bytes") }
        if codec == 1 { return try Snappy.decompress(raw, expected: size) }
        guard raw.count == size else { throw corrupt("an uncompressed page of \(raw.count) bytes declares \(size)") }
        return Array(raw)
    }

    func column(
        _ leaf: ParquetLeaf, _ values: ParquetValues, validity flags: [Bool], categorical: Bool
    )
        throws(TradeFrameError) -> any ColumnProtocol
    {
        let name = leaf.name
        let logical = leaf.element[10]
        let converted = leaf.element[6]?.int
        let bitmap = ValidityBitmap(flags)
        let validity: ValidityBitmap? = bitmap.nullCount == 0 ? nil : bitmap
        func spread<T: ColumnElement>(_ present: [T]) -> Column<T> {
            var storage = ContiguousArray<T>(repeating: T.nullPlaceholder, count: flags.count)
            var next = 0
            for row in 0..<flags.count where flags[row] {
                storage[row] = present[next]
                next += 1
            }
            return Column(storage: storage, validity: validity)
        }
        if logical?[5] != nil || converted == 5 {
            let scale = Int(logical?[5]?[1]?.int ?? leaf.element[7]?.int ?? 0)
            guard (0...18).contains(scale) else {
                throw TradeFrameError(.unsupported, column: name, "decimal scale \(scale) (read: 0...18)")
            }
            let significands: [Int64]
            switch values {
            case .ints32(let v): significands = v.map(Int64.init)
            case .ints64(let v): significands = v
            case .bytes(let v):
                var result: [Int64] = []
                for big in v {
                    guard !big.isEmpty, big.count <= 16 else {
                        throw corrupt("a decimal of \(big.count) bytes", column: name)
                    }
                    var wide: Int128 = big[0] >= 0x80 ? -1 : 0
                    for byte in big { wide = wide << 8 | Int128(byte) }
                    guard let narrow = Int64(exactly: wide), narrow != .min else {
                        throw TradeFrameError(.outOfRange, column: name, "a decimal does not fit a 64-bit significand")
                    }
                    result.append(narrow)
                }
                significands = result
            default: throw corrupt("a decimal stored as another type", column: name)
            }
            return DecimalColumn(unchecked: spread(significands), scale: scale)
        }
        switch values {
        case .ints64(let v):
            if let timestamp = logical?[8] {
                let unit = timestamp[2]
                let factor: Int64 = unit?[1] != nil ? 1_000_000 : unit?[2] != nil ? 1_000 : 1
                var scaled: [Int64] = []
                scaled.reserveCapacity(v.count)
                for value in v {
                    let (result, overflow) = value.multipliedReportingOverflow(by: factor)
                    guard !overflow else { throw TradeFrameError(.outOfRange, column: name, "a timestamp beyond 2262") }
                    scaled.append(result)
                }
                return TimestampColumn(nanoseconds: spread(scaled))
            }
            return spread(v)
        case .ints32(let v): return spread(v)
        case .floats(let v): return spread(v)
        case .doubles(let v): return spread(v)
        case .bools(let v): return spread(v)
        case .bytes(let v):
            var builder = StringColumnBuilder(capacity: flags.count)
            var next = 0
            for row in 0..<flags.count {
                guard flags[row] else {
                    builder.appendNull()
                    continue
                }
                guard String(validating: v[next], as: UTF8.self) != nil else {
                    throw corrupt("row \(row) is not valid UTF-8", column: name)
                }
                v[next].withUnsafeBufferPointer { builder.append(utf8: $0) }
                next += 1
            }
            let strings = builder.finish()
            return categorical ? strings.categorical() : strings
        }
    }
}

/// A bounds-checked reader over one page.
private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    let name: String
    var position = 0

    func corrupt(_ message: String) -> TradeFrameError { TradeFrameError(.corruptFile, column: name, message) }

    mutating func byte() throws(TradeFrameError) -> UInt8 {
        guard position < bytes.count else { throw corrupt("a page ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func take(_ count: Int) throws(TradeFrameError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - position else {
            throw corrupt("\(count) bytes at \(position) overrun a \(bytes.count)-byte page")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    mutating func u32() throws(TradeFrameError) -> UInt32 {
        UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))
    }

    mutating func slice(_ count: Int) throws(TradeFrameError) -> Cursor {
        Cursor(bytes: try take(count), name: name)
    }

    /// A ULEB128 varint, decoded by the Thrift reader (one decoder for both).
    mutating func varint() throws(TradeFrameError) -> UInt64 {
        var reader = Thrift.Reader(bytes: bytes, position: position)
        defer { position = reader.position }
        do {
            return try reader.varint()
        } catch {
            throw corrupt("a bad varint at byte \(position) of the page")
        }
    }

    /// `count` values of `width` bits in the RLE/bit-packed hybrid.
    mutating func hybrid(count: Int, width: Int) throws(TradeFrameError) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        while result.count < count {
            let header = try varint()
            if header & 1 == 0 {
                let run = header >> 1
                guard run <= UInt64(count - result.count) else { throw corrupt("an RLE run of \(run) values") }
                let raw = try take((width + 7) / 8)
                let value = raw.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
                result.append(contentsOf: repeatElement(value, count: Int(run)))
            } else {
                let groups = header >> 1
                guard groups <= UInt64(bytes.count) else { throw corrupt("\(groups) bit-packed groups") }
                let packed = try take(Int(groups) * width)
                let available = Int(groups) * 8
                for index in 0..<min(available, count - result.count) {
                    var value = 0
                    for bit in 0..<width {
                        let at = index * width + bit
                        if packed[at >> 3] >> UInt8(at & 7) & 1 == 1 { value |= 1 << bit }
                    }
                    result.append(value)
                }
            }
        }
        return result
    }

    mutating func plain(_ leaf: ParquetLeaf, count: Int) throws(TradeFrameError) -> ParquetValues {
        func fixed<T: FixedWidthInteger>(_ type: T.Type) throws(TradeFrameError) -> [T] {
            let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
            guard !overflow else { throw corrupt("\(count) values") }
            let raw = try take(size)
            return (0..<count).map {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
            }
        }
        switch leaf.physical {
        case ParquetFormat.int32: return .ints32(try fixed(Int32.self))
        case ParquetFormat.int64: return .ints64(try fixed(Int64.self))
        case ParquetFormat.float: return .floats(try fixed(UInt32.self).map(Float.init(bitPattern:)))
        case ParquetFormat.double: return .doubles(try fixed(UInt64.self).map(Double.init(bitPattern:)))
        case ParquetFormat.boolean:
            let raw = try take((count + 7) / 8)
            return .bools((0..<count).map { raw[$0 >> 3] >> UInt8($0 & 7) & 1 == 1 })
        case ParquetFormat.byteArray:
            var result: [[UInt8]] = []
            for _ in 0..<count { result.append(Array(try take(Int(try u32())))) }
            return .bytes(result)
        case ParquetFormat.fixedLenByteArray:
            guard leaf.typeLength > 0 else { throw corrupt("a FIXED_LEN_BYTE_ARRAY of length \(leaf.typeLength)") }
            var result: [[UInt8]] = []
            for _ in 0..<count { result.append(Array(try take(leaf.typeLength))) }
            return .bytes(result)
        default:
            throw TradeFrameError(.unsupported, column: name, "Parquet physical type \(leaf.physical) is not read")
        }
    }
}
