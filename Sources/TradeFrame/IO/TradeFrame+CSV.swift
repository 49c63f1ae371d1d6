import ETRMContracts

/// The expected name and kind of one CSV column.
public struct CSVColumn: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The kind to parse into.
    public var kind: ColumnKind
    /// For decimals, the column scale.
    public var scale: Int

    /// Creates a column description.
    ///
    /// - Parameters:
    ///   - name: The header name.
    ///   - kind: The kind to parse into (any of the ``ColumnKind`` constants).
    ///   - scale: For ``ColumnKind/decimal``, the digits after the point.
    public init(_ name: String, _ kind: ColumnKind, scale: Int = 0) {
        self.name = name
        self.kind = kind
        self.scale = scale
    }
}

extension TradeFrame {
    /// The frame as CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma, a quote
    /// or a line break (quotes doubled). A null is an empty field; an empty string is `""`.
    ///
    /// Every CSV this writes, ``readCSV(_:schema:)`` reads back, with two documented exceptions to the text of a
    /// value: a non-finite float (NaN, ±infinity) is written as null, as ``jsonLines()`` writes it, because the
    /// reader's number grammar has no `inf` or `nan`; and in a one-column frame a null row is written as `""`
    /// (an empty line would be a blank line, which readers skip), which reads back as null in any column but a
    /// text one, where it is the empty string.
    ///
    /// - Returns: The UTF-8 bytes.
    public func csv() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rowCount * columnCount * 8)
        for (index, name) in columnNames.enumerated() {
            if index > 0 { out.append(44) }
            Self.writeCSVField(name, into: &out)
        }
        out.append(contentsOf: [13, 10])
        let isFloat = columns.map { $0.kind == .float64 || $0.kind == .float32 }
        for row in 0..<rowCount {
            for (index, column) in columns.enumerated() {
                if index > 0 { out.append(44) }
                if let text = column.text(at: row), !isFloat[index] || Self.isFinite(column, row) {
                    Self.writeCSVField(text, into: &out)
                } else if columns.count == 1 {
                    out.append(contentsOf: [34, 34])
                }
            }
            out.append(contentsOf: [13, 10])
        }
        return out
    }

    private static func isFinite(_ column: any ColumnProtocol, _ row: Int) -> Bool {
        switch column {
        case let c as Column<Double>: c.value(at: row).isFinite
        case let c as Column<Float>: c.value(at: row).isFinite
        default: true
        }
    }

    private static func writeCSVField(_ text: String, into out: inout [UInt8]) {
        let utf8 = text.utf8
        let needsQuotes = utf8.isEmpty || utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(34)
        for byte in utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
    }

    /// Reads CSV (RFC 4180, as written by ``csv()``) with a header row into typed columns.
    ///
    /// The header must name every schema column (in any order; other columns are ignored) and no name twice.
    /// A UTF-8 byte order mark before the header is skipped (Excel writes one), and so are blank lines, as pandas
    /// and polars do. An empty unquoted field is null; `""` is an empty string in a string or categorical column
    /// and null in any other (where an empty string cannot be a value).
    ///
    /// Fields are read strictly, never rounded to something else:
    /// - Float64 and Float32: RFC 8259's `number` grammar, as `ExactDecimal` and the JSON reader (`-1.5`, `2e-3`),
    ///   rounded to the nearest value of the column's type. `+1`, `.5`, `01`, hex floats, `inf`, `nan`, `1_0`
    ///   and white space are `invalidInput`. A literal that would round to infinity (`1e400`, or `1e39` in a Float32
    ///   column), or a non-zero one that would round to zero (`1e-400`), is `outOfRange`; a subnormal result is kept
    ///   as the nearest value.
    /// - Int64 and Int32: `-?(0|[1-9][0-9]*)`; a value beyond the type is `outOfRange`.
    /// - Decimal: `ExactDecimal`'s parser, then the column's scale (`inexact` for more fraction digits).
    /// - Timestamp: strict RFC 3339 with a zone (`UTCTimestamp(rfc3339:)`); an instant outside 1677–2262 is
    ///   `outOfRange`.
    /// - Bool: `true`, `True`, `TRUE`, `1`, `false`, `False`, `FALSE`, `0`.
    /// - Text: well-formed UTF-8.
    ///
    /// An error about a field names the column and says `row R (line L)`: `R` is the 0-based row of the frame
    /// (counted over the whole input when reading in chunks), `L` the 1-based line of the file where the record
    /// starts.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 CSV.
    ///   - schema: The columns to read and their kinds.
    /// - Returns: The frame, columns in schema order.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` for a field that does not parse, invalid UTF-8, an
    ///   unterminated quote or a row with the wrong number of fields; `outOfRange` for a number its column
    ///   cannot hold; `unknownColumn` for a schema column missing from the header; `duplicateColumn` for a name
    ///   the header has twice.
    public static func readCSV(_ bytes: [UInt8], schema: [CSVColumn]) throws(TradeFrameError) -> TradeFrame {
        var result: [TradeFrame] = []
        try readCSVChunks(bytes, schema: schema, chunkRows: Int.max) { (chunk) throws(TradeFrameError) -> Bool in
            result.append(chunk)
            return true
        }
        if let frame = result.first { return frame }
        return try emptyFrame(schema)
    }

    /// Reads CSV in chunks of at most `chunkRows` rows, handing each chunk to `body`, so that an aggregate over a
    /// large file needs memory for one chunk only.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 CSV.
    ///   - schema: The columns to read and their kinds.
    ///   - chunkRows: The largest chunk.
    ///   - body: Called with each chunk in order.
    /// - Throws: What ``readCSV(_:schema:)`` throws, or what `body` throws.
    public static func readCSV(
        _ bytes: [UInt8], schema: [CSVColumn], chunkRows: Int, _ body: (TradeFrame) throws -> Void
    ) throws {
        var failure: (any Error)?
        try readCSVChunks(bytes, schema: schema, chunkRows: chunkRows) { (chunk) throws(TradeFrameError) -> Bool in
            do {
                try body(chunk)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
    }

    private static func readCSVChunks(
        _ bytes: [UInt8], schema: [CSVColumn], chunkRows: Int, _ body: (TradeFrame) throws(TradeFrameError) -> Bool
    ) throws(TradeFrameError) {
        guard chunkRows > 0 else { throw TradeFrameError(.invalidArgument, "chunkRows must be positive") }
        var reader = CSVRecordReader(bytes: bytes)
        guard let header = try reader.next() else { throw TradeFrameError(.invalidInput, "the CSV has no header") }
        var positions: [String: Int] = [:]
        for (position, field) in header.enumerated() {
            if let earlier = positions.updateValue(position, forKey: field.text) {
                throw TradeFrameError(
                    .duplicateColumn, column: field.text,
                    "the CSV header names it twice (fields \(earlier + 1) and \(position + 1))")
            }
        }
        var sources: [Int] = []
        for column in schema {
            guard let position = positions[column.name] else {
                throw TradeFrameError(.unknownColumn, column: column.name, "is not in the CSV header")
            }
            sources.append(position)
        }
        var builders = try schema.map { (column) throws(TradeFrameError) in try AnyColumnBuilder(column) }
        var rows = 0
        var row = 0
        while let record = try reader.next() {
            guard record.count == header.count else {
                throw TradeFrameError(
                    .invalidInput,
                    "row \(row) (line \(reader.recordLine)) has \(record.count) fields, the header \(header.count)")
            }
            for (index, source) in sources.enumerated() {
                do {
                    try builders[index].append(record[source])
                } catch {
                    throw TradeFrameError(
                        error.code, column: schema[index].name,
                        "row \(row) (line \(reader.recordLine)): \(error.message)", cause: error.cause)
                }
            }
            row += 1
            rows += 1
            if rows == chunkRows {
                guard try body(try TradeFrame(zip(schema, builders).map { ($0.name, $1.finish()) })) else { return }
                builders = try schema.map { (column) throws(TradeFrameError) in try AnyColumnBuilder(column) }
                rows = 0
            }
        }
        if rows > 0 || chunkRows == Int.max {
            _ = try body(try TradeFrame(zip(schema, builders).map { ($0.name, $1.finish()) }))
        }
    }

    private static func emptyFrame(_ schema: [CSVColumn]) throws(TradeFrameError) -> TradeFrame {
        try TradeFrame(
            schema.map { (column) throws(TradeFrameError) in (column.name, try AnyColumnBuilder(column).finish()) })
    }

    /// The frame as JSON Lines: one object per row, keys in column order; numbers and Booleans as JSON values,
    /// decimals as exact JSON numbers, timestamps as RFC 3339 strings, nulls (and non-finite floats) as `null`.
    ///
    /// - Returns: The UTF-8 bytes, each line ending in `\n`.
    public func jsonLines() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rowCount * columnCount * 16)
        var keys: [[UInt8]] = []
        for name in columnNames {
            var key: [UInt8] = []
            JSONText.writeString(name, into: &key)
            key.append(58)
            keys.append(key)
        }
        for row in 0..<rowCount {
            out.append(123)
            for (index, column) in columns.enumerated() {
                if index > 0 { out.append(44) }
                out.append(contentsOf: keys[index])
                column.writeJSON(at: row, into: &out)
            }
            out.append(contentsOf: [125, 10])
        }
        return out
    }
}

/// One CSV field: its text and whether it was quoted.
struct CSVField {
    var text: String
    var quoted: Bool
}

/// Splits RFC 4180 CSV into records. A leading UTF-8 byte order mark and blank lines are skipped; fields must be
/// well-formed UTF-8.
struct CSVRecordReader {
    let bytes: [UInt8]
    var position = 0
    /// The line of the next unread byte (1-based).
    var line = 1
    /// The line where the last record returned starts.
    var recordLine = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func next() throws(TradeFrameError) -> [CSVField]? {
        while position < bytes.count, bytes[position] == 10 || bytes[position] == 13 {
            if bytes[position] == 13, position + 1 < bytes.count, bytes[position + 1] == 10 { position += 1 }
            position += 1
            line += 1
        }
        guard position < bytes.count else { return nil }
        recordLine = line
        var fields: [CSVField] = []
        var field: [UInt8] = []
        var quoted = false
        while true {
            if position >= bytes.count {
                fields.append(try Self.field(field, quoted: quoted, line: line))
                line += 1
                return fields
            }
            let byte = bytes[position]
            if byte == 34 && field.isEmpty && !quoted {
                quoted = true
                position += 1
                var closed = false
                while position < bytes.count {
                    let inner = bytes[position]
                    position += 1
                    if inner == 34 {
                        if position < bytes.count && bytes[position] == 34 {
                            field.append(34)
                            position += 1
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        if inner == 10 { line += 1 }
                        field.append(inner)
                    }
                }
                guard closed else { throw TradeFrameError(.invalidInput, "line \(line): unterminated quoted field") }
                if position < bytes.count, bytes[position] != 44, bytes[position] != 10, bytes[position] != 13 {
                    throw TradeFrameError(.invalidInput, "line \(line): text after a closing quote")
                }
                continue
            }
            position += 1
            switch byte {
            case 44:
                fields.append(try Self.field(field, quoted: quoted, line: line))
                field.removeAll(keepingCapacity: true)
                quoted = false
            case 13, 10:
                if byte == 13, position < bytes.count, bytes[position] == 10 { position += 1 }
                fields.append(try Self.field(field, quoted: quoted, line: line))
                line += 1
                return fields
            default:
                field.append(byte)
            }
        }
    }

    private static func field(_ bytes: [UInt8], quoted: Bool, line: Int) throws(TradeFrameError) -> CSVField {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TradeFrameError(.invalidInput, "line \(line): a field is not valid UTF-8")
        }
        return CSVField(text: text, quoted: quoted)
    }
}

/// A builder for one CSV column of any kind.
struct AnyColumnBuilder {
    private enum Storage {
        case float64(ColumnBuilder<Double>)
        case float32(ColumnBuilder<Float>)
        case int64(ColumnBuilder<Int64>)
        case int32(ColumnBuilder<Int32>)
        case bool(ColumnBuilder<Bool>)
        case string(StringColumnBuilder, categorical: Bool)
        case timestamp(TimestampColumnBuilder)
        case decimal(DecimalColumnBuilder)
    }

    private var storage: Storage

    init(_ column: CSVColumn) throws(TradeFrameError) {
        switch column.kind {
        case .float64: storage = .float64(ColumnBuilder())
        case .float32: storage = .float32(ColumnBuilder())
        case .int64: storage = .int64(ColumnBuilder())
        case .int32: storage = .int32(ColumnBuilder())
        case .bool: storage = .bool(ColumnBuilder())
        case .string: storage = .string(StringColumnBuilder(), categorical: false)
        case .categorical: storage = .string(StringColumnBuilder(), categorical: true)
        case .timestamp: storage = .timestamp(TimestampColumnBuilder())
        case .decimal:
            do {
                storage = .decimal(try DecimalColumnBuilder(scale: column.scale))
            } catch {
                throw TradeFrameError(error.code, column: column.name, error.message, cause: error.cause)
            }
        default:
            throw TradeFrameError(.invalidArgument, column: column.name, "cannot read \(column.kind) from CSV")
        }
    }

    mutating func append(_ field: CSVField) throws(TradeFrameError) {
        // `""` is the empty string in a text column; elsewhere an empty string is no value, so it is null too.
        let isNull: Bool
        if case .string = storage { isNull = field.text.isEmpty && !field.quoted } else { isNull = field.text.isEmpty }
        let text = Substring(field.text)
        func parsed<T: TextParsable>(_ type: T.Type) throws(TradeFrameError) -> T? {
            if isNull { return nil }
            switch T.parse(text) {
            case .value(let value): return value
            case .malformed(let reason):
                throw TradeFrameError(.invalidInput, "\"\(text.prefix(40))\" \(reason) (\(T.columnKind))")
            case .outOfRange(let reason):
                throw TradeFrameError(.outOfRange, "\"\(text.prefix(40))\" \(reason)")
            }
        }
        switch storage {
        case .float64(var b):
            b.append(try parsed(Double.self))
            storage = .float64(b)
        case .float32(var b):
            b.append(try parsed(Float.self))
            storage = .float32(b)
        case .int64(var b):
            b.append(try parsed(Int64.self))
            storage = .int64(b)
        case .int32(var b):
            b.append(try parsed(Int32.self))
            storage = .int32(b)
        case .bool(var b):
            b.append(try parsed(Bool.self))
            storage = .bool(b)
        case .string(var b, let categorical):
            if isNull { b.appendNull() } else { b.append(field.text) }
            storage = .string(b, categorical: categorical)
        case .timestamp(var b):
            if isNull {
                b.appendNull()
            } else {
                do {
                    b.append(try UTCTimestamp(rfc3339: text.utf8))
                } catch {
                    throw TradeFrameError(
                        error.code == .outOfRange ? .outOfRange : .invalidInput,
                        "\"\(text.prefix(40))\": \(error.message)", cause: error)
                }
            }
            storage = .timestamp(b)
        case .decimal(var b):
            if isNull { b.appendNull() } else { try b.append(parsing: text) }
            storage = .decimal(b)
        }
    }

    func finish() -> any ColumnProtocol {
        switch storage {
        case .float64(let b): b.finish()
        case .float32(let b): b.finish()
        case .int64(let b): b.finish()
        case .int32(let b): b.finish()
        case .bool(let b): b.finish()
        case .string(let b, let categorical): categorical ? b.finish().categorical() : b.finish()
        case .timestamp(let b): b.finish()
        case .decimal(let b): b.finish()
        }
    }
}
