import Foundation

/// Arrow IPC reading. Every offset and length in the file is checked against the bytes before it is used, so a
/// truncated, corrupt or hostile file is a `corrupt_file` (or `unsupported`) ``TradeFrameError``, never a crash.
///
/// ``readArrow(contentsOf:)`` maps the file and reads fixed-width values (integers, floats, nanosecond
/// timestamps) and string bytes in place: those columns keep the mapping alive instead of copying it. Buffers whose layout differs from TradeFrame's (bit-packed booleans, `utf8`'s 32-bit offsets,
/// Decimal128, dictionary indices, validity bitmaps), and everything read from bytes in memory, are copied.
extension TradeFrame {
    /// Reads an Arrow IPC file (Feather v2) through its footer.
    ///
    /// - Parameter bytes: The file's bytes.
    /// - Returns: The frame, with all record batches concatenated.
    /// - Throws: ``TradeFrameError`` with code `corruptFile` or `unsupported`.
    public static func readArrowFile(_ bytes: some ContiguousBytes) throws(TradeFrameError) -> TradeFrame {
        try withRawBytes(bytes) { (raw) throws(TradeFrameError) in
            try ArrowReader(bytes: CheckedBytes(bytes: raw), owner: nil).readFile()
        }
    }

    /// Reads an Arrow IPC stream.
    ///
    /// - Parameter bytes: The stream's bytes.
    /// - Returns: The frame, with all record batches concatenated.
    /// - Throws: ``TradeFrameError`` with code `corruptFile` or `unsupported`.
    public static func readArrowStream(_ bytes: some ContiguousBytes) throws(TradeFrameError) -> TradeFrame {
        try withRawBytes(bytes) { (raw) throws(TradeFrameError) in
            try ArrowReader(bytes: CheckedBytes(bytes: raw), owner: nil).readStream()
        }
    }

    /// Reads an Arrow IPC file or stream from disk (chosen by the `ARROW1` magic) through a read-only memory
    /// map, without copying the buffers whose layout TradeFrame shares: integer, float and nanosecond
    /// timestamp values and string bytes stay in the mapping, which lives as long as a column reads from it.
    ///
    /// Every offset and length is checked against the file before any value is read, as by
    /// ``readArrowFile(_:)``. The file must not be truncated by another process while columns read from it.
    ///
    /// - Parameter url: The file.
    /// - Returns: The frame.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` when the file cannot be opened or mapped, else as
    ///   ``readArrowFile(_:)``.
    public static func readArrow(contentsOf url: URL) throws(TradeFrameError) -> TradeFrame {
        try readArrow(mapped: MappedRegion(path: url.path))
    }

    /// Reads an Arrow IPC file or stream held in `region`, in place where the layout allows.
    static func readArrow(mapped region: MappedRegion) throws(TradeFrameError) -> TradeFrame {
        let reader = ArrowReader(bytes: CheckedBytes(bytes: region.bytes), owner: region)
        if region.bytes.count >= 6, region.bytes.prefix(6).elementsEqual(ArrowFormat.magic) {
            return try reader.readFile()
        }
        return try reader.readStream()
    }
}

func withRawBytes<R>(
    _ bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(TradeFrameError) -> R
) throws(TradeFrameError) -> R {
    let result: Result<R, TradeFrameError> = bytes.withUnsafeBytes { raw in
        do throws(TradeFrameError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// An Arrow field as the schema declares it.
private struct ArrowField {
    let name: String
    let type: UInt8
    let typeTable: FlatTable?
    /// The dictionary id and index type (bit width, signedness) of a dictionary-encoded field.
    let dictionary: (id: Int64, bits: Int32, signed: Bool)?
}

private struct ArrowReader {
    let bytes: CheckedBytes
    /// The mapping `bytes` lie in, when columns may keep values in place.
    let owner: MappedRegion?

    func corrupt(_ message: String) -> TradeFrameError { TradeFrameError(.corruptFile, message) }

    /// One message: its header table, header type and body bytes.
    struct Message {
        let header: FlatTable
        let type: UInt8
        let body: CheckedBytes
        let end: Int
    }

    /// The message at `position`, or `nil` for the end-of-stream marker (or the end of the bytes).
    func message(at position: Int) throws(TradeFrameError) -> Message? {
        if position == bytes.bytes.count { return nil }
        var length = Int(try bytes.load(Int32.self, at: position))
        var start = position + 4
        if UInt32(bitPattern: Int32(length)) == ArrowFormat.continuation {
            length = Int(try bytes.load(Int32.self, at: position + 4))
            start += 4
        }
        if length == 0 { return nil }
        guard length > 0 else { throw corrupt("a message at \(position) declares \(length) bytes of metadata") }
        try bytes.check(start, length, "the metadata of the message at \(position)")
        let metadata = CheckedBytes(bytes: UnsafeRawBufferPointer(rebasing: bytes.bytes[start..<start + length]))
        let root = try FlatTable.root(metadata)
        let version = try root.scalar(0, default: Int16(0))
        guard version >= 3 else {
            throw TradeFrameError(.unsupported, "Arrow metadata version \(version) predates V4")
        }
        let type = try root.scalar(1, default: UInt8(0))
        guard let header = try root.table(2) else { throw corrupt("a message at \(position) has no header") }
        let bodyLength = Int(try root.scalar(3, default: Int64(0)))
        try bytes.check(start + length, bodyLength, "the body of the message at \(position)")
        let body = CheckedBytes(
            bytes: UnsafeRawBufferPointer(rebasing: bytes.bytes[start + length..<start + length + bodyLength]))
        return Message(header: header, type: type, body: body, end: start + length + bodyLength)
    }

    func readStream() throws(TradeFrameError) -> TradeFrame {
        guard let first = try message(at: 0), first.type == ArrowFormat.schemaHeader else {
            throw corrupt("an Arrow stream starts with a schema message")
        }
        var state = try State(fields: fields(first.header), owner: owner)
        var position = first.end
        while let next = try message(at: position) {
            try state.consume(next)
            position = next.end
        }
        return try state.frame()
    }

    func readFile() throws(TradeFrameError) -> TradeFrame {
        let count = bytes.bytes.count
        guard count >= 18, bytes.bytes.prefix(6).elementsEqual(ArrowFormat.magic),
            bytes.bytes.suffix(6).elementsEqual(ArrowFormat.magic)
        else { throw corrupt("an Arrow file begins and ends with ARROW1 and holds at least a footer length") }
        let footerLength = Int(try bytes.load(Int32.self, at: count - 10))
        guard footerLength > 0, footerLength <= count - 18 else {
            throw corrupt("the footer length \(footerLength) does not fit a \(count)-byte file")
        }
        let footerBuffer = CheckedBytes(
            bytes: UnsafeRawBufferPointer(rebasing: bytes.bytes[count - 10 - footerLength..<count - 10]))
        let footer = try FlatTable.root(footerBuffer)
        guard let schema = try footer.table(1) else { throw corrupt("the footer has no schema") }
        var state = try State(fields: fields(schema), owner: owner)
        for field in [2, 3] {
            let (start, blocks) = try footer.vector(field, stride: 24)
            for block in 0..<blocks {
                let offset = try footerBuffer.load(Int64.self, at: start + 24 * block)
                guard offset >= 8, offset < count else { throw corrupt("a footer block points to \(offset)") }
                guard let next = try message(at: Int(offset)) else {
                    throw corrupt("a footer block points to no message")
                }
                try state.consume(next)
            }
        }
        return try state.frame()
    }

    func fields(_ schema: FlatTable) throws(TradeFrameError) -> [ArrowField] {
        var fields: [ArrowField] = []
        for field in try schema.tables(1) {
            let name = try field.string(0) ?? ""
            let type = try field.scalar(2, default: UInt8(0))
            guard try field.vector(5, stride: 4).count == 0 else {
                throw TradeFrameError(.unsupported, column: name, "nested Arrow types are not read")
            }
            var dictionary: (Int64, Int32, Bool)?
            if let encoding = try field.table(4) {
                let index = try encoding.table(1)
                dictionary = (
                    try encoding.scalar(0, default: Int64(0)), try index?.scalar(0, default: Int32(32)) ?? 32,
                    try index?.scalar(1, default: UInt8(0)) ?? 1 != 0
                )
            }
            fields.append(ArrowField(name: name, type: type, typeTable: try field.table(3), dictionary: dictionary))
        }
        return fields
    }
}

/// The schema, the dictionaries seen so far and the columns of each record batch.
private struct State {
    let fields: [ArrowField]
    var dictionaries: [Int64: StringColumn] = [:]
    var batches: [[any ColumnProtocol]] = []
    let owner: MappedRegion?

    init(fields: [ArrowField], owner: MappedRegion?) throws(TradeFrameError) {
        self.fields = fields
        self.owner = owner
    }

    mutating func consume(_ message: ArrowReader.Message) throws(TradeFrameError) {
        switch message.type {
        case ArrowFormat.recordBatchHeader:
            var batch = try Batch(table: message.header, body: message.body, owner: owner)
            var columns: [any ColumnProtocol] = []
            for field in fields { columns.append(try batch.column(field, dictionaries: dictionaries)) }
            batches.append(columns)
        case ArrowFormat.dictionaryBatchHeader:
            let id = try message.header.scalar(0, default: Int64(0))
            guard try message.header.scalar(2, default: UInt8(0)) == 0 else {
                throw TradeFrameError(.unsupported, "delta dictionary batches are not read")
            }
            guard let field = fields.first(where: { $0.dictionary?.id == id }) else {
                throw TradeFrameError(.corruptFile, "a dictionary batch has id \(id), which no field uses")
            }
            guard let data = try message.header.table(1) else {
                throw TradeFrameError(.corruptFile, "dictionary batch \(id) has no data")
            }
            var batch = try Batch(table: data, body: message.body, owner: nil)
            let valueField = ArrowField(name: field.name, type: field.type, typeTable: field.typeTable, dictionary: nil)
            guard let values = try batch.column(valueField, dictionaries: [:]) as? StringColumn else {
                throw TradeFrameError(.unsupported, column: field.name, "only string dictionaries are read")
            }
            dictionaries[id] = values
        case ArrowFormat.schemaHeader:
            throw TradeFrameError(.corruptFile, "a second schema message")
        default:
            throw TradeFrameError(.unsupported, "Arrow message type \(message.type) is not read")
        }
    }

    func frame() throws(TradeFrameError) -> TradeFrame {
        var columns: [(String, any ColumnProtocol)] = []
        for (position, field) in fields.enumerated() {
            if let first = batches.first?[position] {
                // One batch (the usual file) is the column as read; more are concatenated once.
                let rest = batches.dropFirst().map { $0[position] }
                columns.append((field.name, rest.isEmpty ? first : try first.appending(contentsOf: rest)))
            } else {
                var empty = try Batch.empty()
                columns.append(
                    (
                        field.name,
                        try empty.column(field, dictionaries: [field.dictionary?.id ?? 0: StringColumn([String]())])
                    ))
            }
        }
        return try TradeFrame(columns)
    }
}

/// A record batch's nodes and buffers, consumed field by field.
private struct Batch {
    let length: Int
    let body: CheckedBytes
    let nodes: (start: Int, count: Int)
    let buffers: (start: Int, count: Int)
    let metadata: CheckedBytes
    /// The mapping `body` lies in, when columns may keep values in place.
    var owner: MappedRegion?
    /// The data-buffer count of each Utf8View field, in field order.
    var variadic: (start: Int, count: Int) = (0, 0)
    var nextNode = 0
    var nextBuffer = 0
    var nextVariadic = 0

    static func empty() throws(TradeFrameError) -> Batch {
        try Batch(length: 0, body: CheckedBytes(bytes: UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    private init(length: Int, body: CheckedBytes) throws(TradeFrameError) {
        self.length = length
        self.body = body
        nodes = (0, -1)
        buffers = (0, -1)
        metadata = body
    }

    init(table: FlatTable, body: CheckedBytes, owner: MappedRegion?) throws(TradeFrameError) {
        length = Int(try table.scalar(0, default: Int64(0)))
        guard length >= 0 else { throw TradeFrameError(.corruptFile, "a record batch has \(length) rows") }
        guard try table.table(3) == nil else {
            throw TradeFrameError(.unsupported, "compressed Arrow record batches (LZ4, ZSTD) are not read")
        }
        nodes = try table.vector(1, stride: 16)
        buffers = try table.vector(2, stride: 16)
        variadic = try table.vector(4, stride: 8)
        metadata = table.buffer
        self.body = body
        self.owner = owner
    }

    var isEmpty: Bool { nodes.count < 0 }

    mutating func node(_ name: String) throws(TradeFrameError) -> (length: Int, nullCount: Int) {
        if isEmpty { return (0, 0) }
        guard nextNode < nodes.count else {
            throw TradeFrameError(.corruptFile, column: name, "the record batch has too few field nodes")
        }
        let at = nodes.start + 16 * nextNode
        nextNode += 1
        let length = Int(try metadata.load(Int64.self, at: at))
        let nullCount = Int(try metadata.load(Int64.self, at: at + 8))
        guard length == self.length, (0...length).contains(nullCount) else {
            throw TradeFrameError(
                .corruptFile, column: name,
                "a field node of \(length) rows with \(nullCount) nulls in a batch of \(self.length) rows")
        }
        return (length, nullCount)
    }

    /// The next buffer, checked to lie in the body and to hold at least `minimum` bytes.
    mutating func buffer(_ name: String, minimum: Int) throws(TradeFrameError) -> UnsafeRawBufferPointer {
        if isEmpty { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard nextBuffer < buffers.count else {
            throw TradeFrameError(.corruptFile, column: name, "the record batch has too few buffers")
        }
        let at = buffers.start + 16 * nextBuffer
        nextBuffer += 1
        let offset = try metadata.load(Int64.self, at: at)
        let length = try metadata.load(Int64.self, at: at + 8)
        guard offset >= 0, length >= 0, offset <= Int64(body.bytes.count), length <= Int64(body.bytes.count) - offset
        else {
            throw TradeFrameError(
                .corruptFile, column: name,
                "a buffer of \(length) bytes at \(offset) lies outside the \(body.bytes.count)-byte body")
        }
        guard length >= minimum else {
            throw TradeFrameError(
                .corruptFile, column: name, "a buffer of \(length) bytes where the rows need \(minimum)")
        }
        return UnsafeRawBufferPointer(rebasing: body.bytes[Int(offset)..<Int(offset + length)])
    }

    func size(_ rows: Int, _ width: Int, _ name: String) throws(TradeFrameError) -> Int {
        let (bytes, overflow) = rows.multipliedReportingOverflow(by: width)
        guard !overflow else {
            throw TradeFrameError(.corruptFile, column: name, "\(rows) rows overflow a buffer size")
        }
        return bytes
    }

    mutating func validity(_ name: String, rows: Int, nullCount: Int) throws(TradeFrameError) -> ValidityBitmap? {
        let bits = try buffer(name, minimum: nullCount > 0 ? (rows + 7) / 8 : 0)
        guard nullCount > 0 else { return nil }
        var words = ContiguousArray<UInt64>(repeating: 0, count: (rows + 63) / 64)
        words.withUnsafeMutableBytes { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bits[0..<(rows + 7) / 8]))
        }
        let bitmap = ValidityBitmap(words: words, bitOffset: 0, count: rows)
        guard bitmap.nullCount == nullCount else {
            throw TradeFrameError(
                .corruptFile, column: name, "the node declares \(nullCount) nulls, the bitmap has \(bitmap.nullCount)")
        }
        return bitmap
    }

    mutating func values<T: BitwiseCopyable>(
        _ type: T.Type, _ name: String, rows: Int
    ) throws(TradeFrameError)
        -> ContiguousArray<T>
    {
        Self.copy(T.self, try buffer(name, minimum: size(rows, MemoryLayout<T>.stride, name)), rows: rows)
    }

    /// The next buffer's first `rows` values: in place when the batch lies in a mapping and the buffer is
    /// aligned for `T` (the Arrow format aligns buffers to 8 bytes; a misaligned one is copied), else copied.
    mutating func storage<T: BitwiseCopyable>(
        _ type: T.Type, _ name: String, rows: Int
    ) throws(TradeFrameError) -> ColumnStorage<T> {
        guard let owner else { return ColumnStorage(try values(type, name, rows: rows)) }
        let raw = try buffer(name, minimum: size(rows, MemoryLayout<T>.stride, name))
        guard rows > 0, let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 else {
            return ColumnStorage(Self.copy(T.self, raw, rows: rows))
        }
        return ColumnStorage(
            values: UnsafeRawBufferPointer(start: base, count: rows * MemoryLayout<T>.stride).bindMemory(to: T.self),
            in: owner)
    }

    static func copy<T: BitwiseCopyable>(_ type: T.Type, _ raw: UnsafeRawBufferPointer, rows: Int) -> ContiguousArray<T>
    {
        ContiguousArray(filling: rows) { target, initialized in
            if rows > 0 {
                UnsafeMutableRawBufferPointer(target).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[0..<rows * MemoryLayout<T>.stride]))
            }
            initialized = rows
        }
    }

    mutating func column(
        _ field: ArrowField, dictionaries: [Int64: StringColumn]
    ) throws(TradeFrameError)
        -> any ColumnProtocol
    {
        let name = field.name
        let (rows, nullCount) = try node(name)
        let validity = try self.validity(name, rows: rows, nullCount: nullCount)
        if let encoding = field.dictionary {
            guard let dictionary = dictionaries[encoding.id] else {
                throw TradeFrameError(
                    .corruptFile, column: name, "no dictionary batch with id \(encoding.id) came first")
            }
            let codes = try indices(name, rows: rows, bits: encoding.bits, signed: encoding.signed)
            do {
                // The dictionary is checked once (no null, no value twice); then every valid row's code.
                _ = try CategoricalColumn(dictionary: dictionary, codes: [Int?]())
            } catch {
                throw TradeFrameError(.corruptFile, column: name, error.message, cause: error)
            }
            var wide = ContiguousArray<UInt32>(repeating: 0, count: rows)
            for row in 0..<rows where validity.valid(row) {
                guard (0..<dictionary.count).contains(codes[row]) else {
                    throw TradeFrameError(
                        .corruptFile, column: name,
                        "row \(row) has code \(codes[row]), outside the dictionary's 0..<\(dictionary.count)")
                }
                wide[row] = UInt32(codes[row])
            }
            return CategoricalColumn(dictionary: dictionary, wideCodes: wide, validity: validity)
        }
        let type = field.typeTable
        switch field.type {
        case ArrowFormat.intType:
            let bits = try type?.scalar(0, default: Int32(0)) ?? 0
            let signed = try type?.scalar(1, default: UInt8(0)) ?? 0 != 0
            switch (bits, signed) {
            case (64, true): return Column(storage: try storage(Int64.self, name, rows: rows), validity: validity)
            case (32, true): return Column(storage: try storage(Int32.self, name, rows: rows), validity: validity)
            default:
                throw TradeFrameError(.unsupported, column: name, "Arrow \(signed ? "" : "u")int\(bits) is not read")
            }
        case ArrowFormat.floatType:
            switch try type?.scalar(0, default: Int16(0)) ?? 0 {
            case 1: return Column(storage: try storage(Float.self, name, rows: rows), validity: validity)
            case 2: return Column(storage: try storage(Double.self, name, rows: rows), validity: validity)
            default: throw TradeFrameError(.unsupported, column: name, "half-precision floats are not read")
            }
        case ArrowFormat.boolType:
            let bits = try buffer(name, minimum: (rows + 7) / 8)
            let storage = ContiguousArray((0..<rows).map { bits[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 })
            return Column(storage: storage, validity: validity)
        case ArrowFormat.utf8Type, ArrowFormat.largeUtf8Type:
            return try strings(name, rows: rows, large: field.type == ArrowFormat.largeUtf8Type, validity: validity)
        case ArrowFormat.utf8ViewType:
            return try stringViews(name, rows: rows, validity: validity)
        case ArrowFormat.timestampType:
            let unit = try type?.scalar(0, default: Int16(0)) ?? 0
            guard (0...3).contains(unit) else {
                throw TradeFrameError(.corruptFile, column: name, "timestamp unit \(unit)")
            }
            if unit == 3 {  // nanoseconds: TradeFrame's own unit, read in place
                let storage = try storage(Int64.self, name, rows: rows)
                return TimestampColumn(nanoseconds: Column(storage: storage, validity: validity))
            }
            var storage = try values(Int64.self, name, rows: rows)
            let factor = pow10[9 - 3 * Int(unit)]
            for row in 0..<rows where validity.valid(row) {
                let (scaled, overflow) = storage[row].multipliedReportingOverflow(by: factor)
                guard !overflow else {
                    throw TradeFrameError(.outOfRange, column: name, "row \(row) lies outside the nanosecond range")
                }
                storage[row] = scaled
            }
            return TimestampColumn(nanoseconds: Column(storage: storage, validity: validity))
        case ArrowFormat.decimalType:
            return try decimals(name, type: type, rows: rows, validity: validity)
        default:
            throw TradeFrameError(.unsupported, column: name, "Arrow type \(field.type) is not read")
        }
    }

    mutating func indices(_ name: String, rows: Int, bits: Int32, signed: Bool) throws(TradeFrameError) -> [Int] {
        switch (bits, signed) {
        case (8, true): return try values(Int8.self, name, rows: rows).map(Int.init)
        case (8, false): return try values(UInt8.self, name, rows: rows).map(Int.init)
        case (16, true): return try values(Int16.self, name, rows: rows).map(Int.init)
        case (16, false): return try values(UInt16.self, name, rows: rows).map(Int.init)
        case (32, true):  // pyarrow's, polars' and TradeFrame's own, read in place from a mapping
            return try storage(Int32.self, name, rows: rows).withUnsafeBufferPointer { $0.map(Int.init) }
        case (32, false): return try values(UInt32.self, name, rows: rows).map(Int.init)
        case (64, true): return try values(Int64.self, name, rows: rows).map(Int.init)
        default: throw TradeFrameError(.unsupported, column: name, "dictionary indices of \(bits) bits")
        }
    }

    mutating func strings(
        _ name: String, rows: Int, large: Bool, validity: ValidityBitmap?
    ) throws(TradeFrameError)
        -> StringColumn
    {
        if isEmpty { return StringColumn([String]()) }
        let offsets: ColumnStorage<Int64> =
            large
            ? try storage(Int64.self, name, rows: rows + 1)
            : ColumnStorage(ContiguousArray(try values(Int32.self, name, rows: rows + 1).map(Int64.init)))
        let data = try buffer(name, minimum: 0)
        // Every offset is checked (non-decreasing, inside the data buffer) before a byte is read through it.
        let checked: Result<(Int64, Int64), TradeFrameError> = offsets.withUnsafeBufferPointer { offsets in
            let base = offsets[0]
            guard base >= 0 else {
                return .failure(TradeFrameError(.corruptFile, column: name, "string offsets start at \(base)"))
            }
            var previous = base
            for offset in offsets {
                guard offset >= previous, offset <= Int64(data.count) else {
                    return .failure(
                        TradeFrameError(
                            .corruptFile, column: name,
                            "string offset \(offset) after \(previous) in \(data.count) bytes"))
                }
                previous = offset
            }
            return .success((base, previous))
        }
        let (base, end) = try checked.get()
        let text = UnsafeRawBufferPointer(rebasing: data[Int(base)..<Int(end)])
        guard Self.isUTF8(text) else {
            throw TradeFrameError(.corruptFile, column: name, "the string data is not valid UTF-8")
        }
        let bytes: ColumnStorage<UInt8> =
            if let owner { ColumnStorage(values: text.bindMemory(to: UInt8.self), in: owner) } else {
                ColumnStorage(ContiguousArray(text))
            }
        guard base != 0 else { return StringColumn(bytes: bytes, offsets: offsets, validity: validity) }
        let rebased = offsets.withUnsafeBufferPointer { ContiguousArray($0.lazy.map { $0 - base }) }
        return StringColumn(bytes: bytes, offsets: ColumnStorage(rebased), validity: validity)
    }

    /// Whether `bytes` are valid UTF-8: eight bytes at a time while they are ASCII (the usual case for trade
    /// data), then the standard library's validation from the first non-ASCII word on.
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        while position + 8 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
            position += 8
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[position...]).bindMemory(to: UInt8.self)
        return String(validating: rest, as: UTF8.self) != nil
    }

    /// Utf8View: 16 bytes per row, either the length and up to 12 bytes inline, or the length, a 4-byte
    /// prefix, a data-buffer index and an offset into that buffer.
    mutating func stringViews(
        _ name: String, rows: Int, validity: ValidityBitmap?
    ) throws(TradeFrameError)
        -> StringColumn
    {
        if isEmpty { return StringColumn([String]()) }
        guard nextVariadic < variadic.count else {
            throw TradeFrameError(.corruptFile, column: name, "a Utf8View field has no variadic buffer count")
        }
        let dataCount = try metadata.load(Int64.self, at: variadic.start + 8 * nextVariadic)
        nextVariadic += 1
        guard dataCount >= 0, dataCount <= Int64(buffers.count - nextBuffer) else {
            throw TradeFrameError(.corruptFile, column: name, "\(dataCount) Utf8View data buffers")
        }
        let views = try buffer(name, minimum: size(rows, 16, name))
        var data: [CheckedBytes] = []
        for _ in 0..<dataCount { data.append(CheckedBytes(bytes: try buffer(name, minimum: 0))) }
        let viewBytes = CheckedBytes(bytes: views)
        var builder = StringColumnBuilder(capacity: rows)
        for row in 0..<rows {
            guard validity.valid(row) else {
                builder.appendNull()
                continue
            }
            let length = Int(try viewBytes.load(Int32.self, at: 16 * row))
            guard length >= 0 else {
                throw TradeFrameError(.corruptFile, column: name, "row \(row) has length \(length)")
            }
            let bytes: UnsafeRawBufferPointer
            if length <= 12 {
                bytes = UnsafeRawBufferPointer(rebasing: views[16 * row + 4..<16 * row + 4 + length])
            } else {
                let index = Int(try viewBytes.load(Int32.self, at: 16 * row + 8))
                let offset = Int(try viewBytes.load(Int32.self, at: 16 * row + 12))
                guard (0..<data.count).contains(index) else {
                    throw TradeFrameError(.corruptFile, column: name, "row \(row) points to data buffer \(index)")
                }
                try data[index].check(offset, length, "the text of row \(row)")
                bytes = UnsafeRawBufferPointer(rebasing: data[index].bytes[offset..<offset + length])
            }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw TradeFrameError(.corruptFile, column: name, "row \(row) is not valid UTF-8")
            }
            builder.append(utf8: bytes.assumingMemoryBound(to: UInt8.self))
        }
        return builder.finish()
    }

    mutating func decimals(
        _ name: String, type: FlatTable?, rows: Int, validity: ValidityBitmap?
    )
        throws(TradeFrameError) -> DecimalColumn
    {
        let scale = Int(try type?.scalar(1, default: Int32(0)) ?? 0)
        let width = Int(try type?.scalar(2, default: Int32(128)) ?? 128)
        guard width == 128, (0...18).contains(scale) else {
            throw TradeFrameError(
                .unsupported, column: name, "Decimal\(width) of scale \(scale) (read: Decimal128, 0...18)")
        }
        // Read in place from a mapping (each value is narrowed, so the column has storage of its own anyway).
        let words = try storage(UInt64.self, name, rows: 2 * rows)
        var storage = ContiguousArray<Int64>(repeating: 0, count: rows)
        let misfit: Int? = words.withUnsafeBufferPointer { words in
            storage.withUnsafeMutableBufferPointer { storage in
                for row in 0..<rows where validity.valid(row) {
                    let low = Int64(bitPattern: words[2 * row])
                    guard words[2 * row + 1] == (low < 0 ? UInt64.max : 0), low != .min else { return row }
                    storage[row] = low
                }
                return nil
            }
        }
        if let misfit {
            throw TradeFrameError(.outOfRange, column: name, "row \(misfit) does not fit a 64-bit significand")
        }
        return DecimalColumn(unchecked: Column(storage: storage, validity: validity), scale: scale)
    }
}
