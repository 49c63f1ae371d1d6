import Foundation

/// Arrow IPC writing: the file format ("Feather v2", `ARROW1` magic and a footer) and the streaming format.
///
/// Types written: Int64, Int32, Float32, Float64, Bool (bit-packed), Utf8 (LargeUtf8 beyond 2 GiB of text),
/// categoricals as Utf8 dictionaries with Int32 indices, timestamps as `Timestamp(NANOSECOND, "UTC")`, and
/// decimals as `Decimal128(precision, scale)`. Every column is nullable; a column without nulls has an empty
/// validity buffer, as Arrow allows.
extension TradeFrame {
    /// The frame as an Arrow IPC file (Feather v2).
    ///
    /// - Parameter rowsPerBatch: The most rows in one record batch.
    /// - Returns: The file's bytes.
    /// - Throws: ``TradeFrameError`` with code `unsupported` for a column type that Arrow output does not know.
    public func arrowFile(rowsPerBatch: Int = 1 << 20) throws(TradeFrameError) -> [UInt8] {
        try ArrowWriter(frame: self, rowsPerBatch: rowsPerBatch).write(file: true)
    }

    /// The frame as an Arrow IPC stream (schema, dictionaries, record batches, end-of-stream marker).
    ///
    /// - Parameter rowsPerBatch: The most rows in one record batch.
    /// - Returns: The stream's bytes.
    /// - Throws: ``TradeFrameError`` with code `unsupported` for a column type that Arrow output does not know.
    public func arrowStream(rowsPerBatch: Int = 1 << 20) throws(TradeFrameError) -> [UInt8] {
        try ArrowWriter(frame: self, rowsPerBatch: rowsPerBatch).write(file: false)
    }
}

/// Arrow's metadata enumerations, as numbered in `Schema.fbs` and `Message.fbs`.
enum ArrowFormat {
    static let magic: [UInt8] = Array("ARROW1".utf8)
    static let continuation: UInt32 = 0xFFFF_FFFF
    static let metadataVersion: Int16 = 4  // V5
    // MessageHeader
    static let schemaHeader: UInt8 = 1
    static let dictionaryBatchHeader: UInt8 = 2
    static let recordBatchHeader: UInt8 = 3
    // Type
    static let intType: UInt8 = 2
    static let floatType: UInt8 = 3
    static let utf8Type: UInt8 = 5
    static let boolType: UInt8 = 6
    static let decimalType: UInt8 = 7
    static let timestampType: UInt8 = 10
    static let largeUtf8Type: UInt8 = 20
    static let utf8ViewType: UInt8 = 24
}

private struct ArrowWriter {
    let frame: TradeFrame
    let rowsPerBatch: Int

    /// One message's metadata and body, with the sizes a footer block records.
    struct Message {
        var bytes: [UInt8]
        var metadataLength: Int
        var bodyLength: Int
    }

    /// A record batch body under construction.
    struct Body {
        var bytes: [UInt8] = []
        var nodes: [[UInt8]] = []
        var buffers: [[UInt8]] = []

        mutating func node(length: Int, nullCount: Int) {
            nodes.append(le(Int64(length)) + le(Int64(nullCount)))
        }

        mutating func buffer(_ data: UnsafeRawBufferPointer) {
            buffers.append(le(Int64(bytes.count)) + le(Int64(data.count)))
            bytes.append(contentsOf: data)
            bytes.append(contentsOf: repeatElement(0, count: (8 - bytes.count % 8) % 8))
        }

        mutating func buffer(_ data: [UInt8]) { data.withUnsafeBytes { buffer($0) } }

        mutating func validity(_ bitmap: ValidityBitmap?, count: Int) {
            guard let bitmap, bitmap.nullCount > 0 else { return buffer([]) }
            buffer(packBits(count: count) { bitmap.isValid($0) })
        }

        mutating func strings(_ column: StringColumn) {
            node(length: column.count, nullCount: column.nullCount)
            validity(column.validity, count: column.count)
            column.withUTF8Buffers { bytes, offsets in
                let base = offsets[0]
                if ArrowWriter.isLarge(column) {
                    buffer(offsets.map { le($0 - base) }.flatMap { $0 })
                } else {
                    var narrow = [Int32](repeating: 0, count: offsets.count)
                    for index in 0..<offsets.count { narrow[index] = Int32(truncatingIfNeeded: offsets[index] - base) }
                    narrow.withUnsafeBytes { buffer($0) }
                }
                buffer(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[Int(base)..<Int(offsets.last!)])))
            }
        }
    }

    static func isLarge(_ column: StringColumn) -> Bool {
        column.withUTF8Buffers { _, offsets in offsets.last! - offsets[0] > Int64(Int32.max) }
    }

    /// The Arrow type of a column: its `Type` union tag and a builder of the type table.
    func type(
        of column: any ColumnProtocol, name: String
    ) throws(TradeFrameError) -> (UInt8, [FlatBufferBuilder.Field?]) {
        typealias B = FlatBufferBuilder
        switch column {
        case is Column<Int64>: return (ArrowFormat.intType, [B.scalar(Int32(64)), B.scalar(UInt8(1))])
        case is Column<Int32>: return (ArrowFormat.intType, [B.scalar(Int32(32)), B.scalar(UInt8(1))])
        case is Column<Float>: return (ArrowFormat.floatType, [B.scalar(Int16(1))])
        case is Column<Double>: return (ArrowFormat.floatType, [B.scalar(Int16(2))])
        case is Column<Bool>: return (ArrowFormat.boolType, [])
        case let strings as StringColumn:
            return (Self.isLarge(strings) ? ArrowFormat.largeUtf8Type : ArrowFormat.utf8Type, [])
        case let categorical as CategoricalColumn:
            return (Self.isLarge(categorical.dictionary) ? ArrowFormat.largeUtf8Type : ArrowFormat.utf8Type, [])
        case let decimals as DecimalColumn:
            return (
                ArrowFormat.decimalType,
                [B.scalar(Int32(Self.precision(of: decimals))), B.scalar(Int32(decimals.scale)), B.scalar(Int32(128))]
            )
        case is TimestampColumn: return (ArrowFormat.timestampType, [B.scalar(Int16(3)), nil])
        default:
            throw TradeFrameError(.unsupported, column: name, "Arrow output has no type for a \(column.kind) column")
        }
    }

    /// 18 digits hold every significand below 10^18; larger ones need 19.
    static func precision(of column: DecimalColumn) -> Int {
        let large = column.significands.withUnsafeValues { values in
            values.contains { $0.magnitude >= UInt64(pow10[18]) }
        }
        return large ? 19 : 18
    }

    /// The Schema table, built into `builder`.
    func schema(_ builder: inout FlatBufferBuilder) throws(TradeFrameError) -> Int {
        var fields: [Int] = []
        for (position, (name, column)) in zip(frame.columnNames, frame.columns).enumerated() {
            let (tag, declared) = try type(of: column, name: name)
            var typeFields = declared
            if tag == ArrowFormat.timestampType {
                typeFields[1] = FlatBufferBuilder.Field.offset(builder.string("UTC"))
            }
            let typeTable = builder.table(typeFields)
            var dictionary: Int?
            if column is CategoricalColumn {
                let indexType = builder.table([FlatBufferBuilder.scalar(Int32(32)), FlatBufferBuilder.scalar(UInt8(1))])
                dictionary = builder.table([FlatBufferBuilder.scalar(Int64(position)), .offset(indexType)])
            }
            let nameOffset = builder.string(name)
            let children = builder.offsetVector([])
            fields.append(
                builder.table([
                    .offset(nameOffset), FlatBufferBuilder.scalar(UInt8(1)), FlatBufferBuilder.scalar(tag),
                    .offset(typeTable), dictionary.map { .offset($0) }, .offset(children),
                ]))
        }
        let vector = builder.offsetVector(fields)
        return builder.table([FlatBufferBuilder.scalar(Int16(0)), .offset(vector)])
    }

    /// An encapsulated message: continuation marker, metadata length, the Message FlatBuffer, the body.
    func message(
        header: UInt8, body: [UInt8], build: (inout FlatBufferBuilder) throws(TradeFrameError) -> Int
    )
        throws(TradeFrameError) -> Message
    {
        var builder = FlatBufferBuilder()
        let headerTable = try build(&builder)
        let root = builder.table([
            FlatBufferBuilder.scalar(ArrowFormat.metadataVersion), FlatBufferBuilder.scalar(header),
            .offset(headerTable), FlatBufferBuilder.scalar(Int64(body.count)),
        ])
        let metadata = builder.finish(root: root)
        var bytes = le(ArrowFormat.continuation) + le(Int32(metadata.count)) + metadata
        bytes += body
        return Message(bytes: bytes, metadataLength: 8 + metadata.count, bodyLength: body.count)
    }

    func recordBatch(_ builder: inout FlatBufferBuilder, rows: Int, body: Body) -> Int {
        let nodes = builder.structVector(body.nodes)
        let buffers = builder.structVector(body.buffers)
        return builder.table([FlatBufferBuilder.scalar(Int64(rows)), .offset(nodes), .offset(buffers)])
    }

    func batchBody(of column: any ColumnProtocol) -> Body {
        var body = Body()
        body.node(length: column.count, nullCount: column.nullCount)
        switch column {
        case let strings as StringColumn:
            body = Body()
            body.strings(strings)
        case let values as Column<Bool>:
            body.validity(values.validity, count: values.count)
            body.buffer(packBits(count: values.count) { values.value(at: $0) })
        case let categorical as CategoricalColumn:
            body.validity(categorical.validity, count: categorical.count)
            let codes = (0..<categorical.count).map { Int32(truncatingIfNeeded: categorical.code(at: $0)) }
            codes.withUnsafeBytes { body.buffer($0) }
        case let decimals as DecimalColumn:
            body.validity(decimals.validity, count: decimals.count)
            // Decimal128: each significand sign-extended to 16 little-endian bytes.
            var wide = [UInt8](repeating: 0, count: 16 * decimals.count)
            decimals.significands.withUnsafeValues { values in
                wide.withUnsafeMutableBytes { target in
                    for (row, value) in values.enumerated() {
                        target.storeBytes(of: value.littleEndian, toByteOffset: 16 * row, as: Int64.self)
                        target.storeBytes(
                            of: (value < 0 ? Int64(-1) : 0).littleEndian, toByteOffset: 16 * row + 8, as: Int64.self)
                    }
                }
            }
            body.buffer(wide)
        case let timestamps as TimestampColumn:
            body.validity(timestamps.validity, count: timestamps.count)
            timestamps.nanoseconds.withUnsafeValues { body.buffer(UnsafeRawBufferPointer($0)) }
        default:
            body.validity(column.validity, count: column.count)
            fixedWidthValues(column, into: &body)
        }
        return body
    }

    func fixedWidthValues(_ column: any ColumnProtocol, into body: inout Body) {
        switch column {
        case let values as Column<Int64>: values.withUnsafeValues { body.buffer(UnsafeRawBufferPointer($0)) }
        case let values as Column<Int32>: values.withUnsafeValues { body.buffer(UnsafeRawBufferPointer($0)) }
        case let values as Column<Float>: values.withUnsafeValues { body.buffer(UnsafeRawBufferPointer($0)) }
        case let values as Column<Double>: values.withUnsafeValues { body.buffer(UnsafeRawBufferPointer($0)) }
        default: body.buffer([])
        }
    }

    func write(file: Bool) throws(TradeFrameError) -> [UInt8] {
        guard rowsPerBatch > 0 else {
            throw TradeFrameError(.invalidArgument, "rowsPerBatch must be positive, not \(rowsPerBatch)")
        }
        var messages: [Message] = []
        messages.append(
            try message(header: ArrowFormat.schemaHeader, body: []) { (builder) throws(TradeFrameError) in
                try self.schema(&builder)
            })
        let dictionaryCount = messages.count
        for (position, column) in frame.columns.enumerated() {
            guard let categorical = column as? CategoricalColumn else { continue }
            let body = batchBody(of: categorical.dictionary)
            messages.append(
                try message(header: ArrowFormat.dictionaryBatchHeader, body: body.bytes) { builder in
                    let data = recordBatch(&builder, rows: categorical.cardinality, body: body)
                    return builder.table([FlatBufferBuilder.scalar(Int64(position)), .offset(data)])
                })
        }
        let firstBatch = messages.count
        var start = 0
        repeat {
            let range = start..<min(frame.rowCount, start + rowsPerBatch)
            var body = Body()
            for column in frame.columns {
                let part = batchBody(of: column.slice(range))
                let shift = Int64(body.bytes.count)
                body.nodes += part.nodes
                body.buffers += part.buffers.map { le(Int64(littleEndianBytes: $0) + shift) + Array($0[8...]) }
                body.bytes += part.bytes
            }
            messages.append(
                try message(header: ArrowFormat.recordBatchHeader, body: body.bytes) { builder in
                    recordBatch(&builder, rows: range.count, body: body)
                })
            start = range.upperBound
        } while start < frame.rowCount

        var output = file ? ArrowFormat.magic + [0, 0] : []
        var blocks: [[UInt8]] = []
        for message in messages {
            blocks.append(
                le(Int64(output.count)) + le(Int32(message.metadataLength)) + [0, 0, 0, 0]
                    + le(Int64(message.bodyLength)))
            output += message.bytes
        }
        output += le(ArrowFormat.continuation) + le(Int32(0))
        guard file else { return output }
        var builder = FlatBufferBuilder()
        let schema = try schema(&builder)
        let dictionaries = builder.structVector(Array(blocks[dictionaryCount..<firstBatch]))
        let batches = builder.structVector(Array(blocks[firstBatch...]))
        let footer = builder.finish(
            root: builder.table([
                FlatBufferBuilder.scalar(ArrowFormat.metadataVersion), .offset(schema), .offset(dictionaries),
                .offset(batches),
            ]))
        output += footer + le(Int32(footer.count)) + ArrowFormat.magic
        return output
    }
}

/// Packs one flag per row into Arrow's little-endian bitmap bytes.
private func packBits(count: Int, _ bit: (Int) -> Bool) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
    for row in 0..<count where bit(row) { bytes[row >> 3] |= 1 << UInt8(row & 7) }
    return bytes
}

extension Int64 {
    /// The value of the first eight little-endian bytes.
    init(littleEndianBytes bytes: [UInt8]) {
        self = bytes.prefix(8).enumerated().reduce(0) { $0 | Int64($1.element) << (8 * $1.offset) }
    }
}
