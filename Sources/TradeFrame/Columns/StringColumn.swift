/// A column of UTF-8 text: one contiguous bytes buffer plus `count + 1` Int64 offsets into it (Arrow's
/// large-string layout), with an optional validity bitmap. No row is a separate allocation.
public struct StringColumn: ColumnProtocol {
    /// TradeFrame's column (see ``ColumnProtocol``).
    public static var _seal: _ColumnSeal { _ColumnSeal() }

    let bytes: ColumnStorage<UInt8>
    /// Offsets into `bytes`; row `i` spans `offsets[offset + i] ..< offsets[offset + i + 1]`.
    let offsets: ColumnStorage<Int64>
    let offset: Int
    /// The number of rows.
    public let count: Int
    /// The validity bitmap, or `nil` when no row is null.
    public let validity: ValidityBitmap?

    init(
        bytes: ContiguousArray<UInt8>, offsets: ContiguousArray<Int64>, offset: Int = 0, count: Int? = nil,
        validity: ValidityBitmap? = nil
    ) {
        self.init(
            bytes: ColumnStorage(bytes), offsets: ColumnStorage(offsets), offset: offset, count: count,
            validity: validity)
    }

    init(
        bytes: ColumnStorage<UInt8>, offsets: ColumnStorage<Int64>, offset: Int = 0, count: Int? = nil,
        validity: ValidityBitmap? = nil
    ) {
        self.bytes = bytes
        self.offsets = offsets
        self.offset = offset
        self.count = count ?? offsets.count - 1
        self.validity = validity
    }

    /// Creates a column with no nulls.
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<String>) {
        var builder = StringColumnBuilder(capacity: values.underestimatedCount)
        for value in values { builder.append(value) }
        self = builder.finish()
    }

    /// Creates a column where `nil` is a null row.
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<String?>) {
        var builder = StringColumnBuilder(capacity: values.underestimatedCount)
        for value in values { builder.append(value) }
        self = builder.finish()
    }

    public var kind: ColumnKind { .string }
    public var nullCount: Int { validity.nullCount }
    public var memoryFootprint: Int {
        Int(offsets[offset + count] - offsets[offset]) + (count + 1) * 8 + validity.footprint
    }

    /// The text at `index`, or `nil` for a null row.
    public subscript(index: Int) -> String? {
        guard validity.valid(index) else { return nil }
        return withUTF8(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// All rows as optionals.
    public var values: [String?] { (0..<count).map { self[$0] } }

    /// The number of UTF-8 bytes of row `index` (0 for a null row).
    public func byteCount(at index: Int) -> Int {
        Int(offsets[offset + index + 1] - offsets[offset + index])
    }

    /// Calls `body` with the UTF-8 bytes of row `index` (empty for a null row).
    ///
    /// - Parameters:
    ///   - index: A row in `0..<count`.
    ///   - body: A closure over the bytes, valid only during the call.
    /// - Returns: What `body` returns.
    @inline(__always)
    public func withUTF8<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = Int(offsets[offset + index])
        let end = Int(offsets[offset + index + 1])
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Calls `body` with the column's UTF-8 bytes and its `count + 1` offsets into them: row `i` is
    /// `bytes[Int(offsets[i])..<Int(offsets[i + 1])]` (empty for a null row), the Arrow layout.
    ///
    /// Use it to read every row without a call per row:
    ///
    /// ```swift
    /// let total = ids.withUTF8Buffers { bytes, offsets in
    ///     (0..<ids.count).reduce(0) { $0 + Int(offsets[$1 + 1] - offsets[$1]) }
    /// }
    /// ```
    ///
    /// - Parameter body: A closure over the bytes and the offsets, valid only during the call.
    /// - Returns: What `body` returns.
    public func withUTF8Buffers<R>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int64>) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeBufferPointer { bytes in
            try offsets.withUnsafeBufferPointer { offsets in
                try body(bytes, UnsafeBufferPointer(rebasing: offsets[offset...(offset + count)]))
            }
        }
    }

    public func isNull(_ index: Int) -> Bool { !validity.valid(index) }

    public func slice(_ range: Range<Int>) -> StringColumn {
        StringColumn(
            bytes: bytes, offsets: offsets, offset: offset + range.lowerBound, count: range.count,
            validity: validity?.slice(range))
    }

    public func gathering(_ indices: UnsafeBufferPointer<Int>) -> StringColumn {
        withUTF8Buffers { bytes, offsets in
            // The offsets first (they give the total), then the bytes copied row by row into raw buffers: no
            // per-row growth checks or generic appends.
            let newOffsets = ContiguousArray<Int64>(filling: indices.count + 1) { target, count in
                var total: Int64 = 0
                target[0] = 0
                for position in indices.indices {
                    let index = indices[position]
                    if index >= 0 { total &+= offsets[index &+ 1] &- offsets[index] }
                    target[position &+ 1] = total
                }
                count = indices.count + 1
            }
            let total = Int(newOffsets[indices.count])
            let newBytes = ContiguousArray<UInt8>(filling: total) { target, count in
                FreshMemory.prepare(target.baseAddress, byteCount: total)
                guard let base = target.baseAddress, let source = bytes.baseAddress else {
                    count = 0
                    return
                }
                newOffsets.withUnsafeBufferPointer { newOffsets in
                    for position in indices.indices {
                        let index = indices[position]
                        guard index >= 0 else { continue }
                        let start = Int(offsets[index])
                        (base + Int(newOffsets[position])).initialize(
                            from: source + start, count: Int(offsets[index &+ 1]) &- start)
                    }
                }
                count = total
            }
            return StringColumn(bytes: newBytes, offsets: newOffsets, validity: validity.gathering(indices))
        }
    }

    public func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> StringColumn {
        let parts = [self] + (try castAll(others, to: StringColumn.self))
        var builder = StringColumnBuilder(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts {
            for row in 0..<part.count {
                if part.isNull(row) {
                    builder.appendNull()
                } else {
                    part.withUTF8(at: row) { builder.append(utf8: $0) }
                }
            }
        }
        return builder.finish()
    }

    public func text(at index: Int) -> String? { self[index] }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        guard validity.valid(index) else {
            buffer.append(contentsOf: "null".utf8)
            return
        }
        withUTF8(at: index) { JSONText.writeString($0, into: &buffer) }
    }
}

extension StringColumn: Equatable {
    /// Columns are equal when they have the same rows and nulls.
    public static func == (lhs: StringColumn, rhs: StringColumn) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}

/// Appends UTF-8 text into one bytes buffer and finishes into an immutable ``StringColumn``.
public struct StringColumnBuilder: Sendable {
    var bytes = ContiguousArray<UInt8>()
    var offsets = ContiguousArray<Int64>()
    var validity: ValidityBuilder?
    let capacity: Int

    /// Creates a builder.
    ///
    /// - Parameters:
    ///   - capacity: Expected number of rows.
    ///   - byteCapacity: Expected total UTF-8 bytes.
    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        self.capacity = capacity
        offsets.reserveCapacity(capacity + 1)
        offsets.append(0)
        bytes.reserveCapacity(byteCapacity)
    }

    /// The number of rows appended so far.
    public var count: Int { offsets.count - 1 }

    /// Appends a string.
    public mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { append(utf8: $0) }
    }

    /// Appends a string, or a null row for `nil`.
    public mutating func append(_ value: String?) {
        if let value { append(value) } else { appendNull() }
    }

    /// Appends a row from UTF-8 bytes (not validated; pass valid UTF-8).
    ///
    /// - Parameter utf8: The bytes of the row.
    @inline(__always)
    public mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        offsets.append(Int64(bytes.count))
        validity?.append(true)
    }

    /// Appends a null row.
    public mutating func appendNull() {
        if validity == nil { validity = ValidityBuilder(validRows: count, capacity: capacity) }
        offsets.append(Int64(bytes.count))
        validity?.append(false)
    }

    /// The number of UTF-8 bytes appended so far.
    public var byteCount: Int { bytes.count }

    /// Makes room for `rows` rows and `bytes` UTF-8 bytes in all.
    ///
    /// - Parameters:
    ///   - rows: Expected total number of rows.
    ///   - byteCapacity: Expected total UTF-8 bytes.
    public mutating func reserveCapacity(rows: Int, bytes byteCapacity: Int) {
        offsets.reserveCapacity(rows + 1)
        bytes.reserveCapacity(byteCapacity)
    }

    /// Appends every row of `column`, its text and its nulls, copying its bytes buffer at once and shifting
    /// its offsets.
    ///
    /// - Parameter column: The rows to append.
    public mutating func append(contentsOf column: StringColumn) {
        if column.validity != nil && validity == nil {
            validity = ValidityBuilder(validRows: count, capacity: Swift.max(capacity, count))
        }
        column.withUTF8Buffers { source, sourceOffsets in
            let first = Int(sourceOffsets[0])
            let shift = Int64(bytes.count) - Int64(first)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[first..<Int(sourceOffsets[column.count])]))
            offsets.reserveCapacity(offsets.count + column.count)
            for offset in sourceOffsets.dropFirst() { offsets.append(offset + shift) }
        }
        validity?.append(contentsOf: column.validity, count: column.count)
    }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> StringColumn {
        StringColumn(bytes: bytes, offsets: offsets, validity: validity?.finishOptional())
    }
}

/// JSON text helpers shared by the JSON Lines writer and the columns.
enum JSONText {
    static func writeString(_ utf8: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        buffer.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
            case 0x0A: buffer.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: buffer.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: buffer.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                buffer.append(contentsOf: Array("\\u00".utf8))
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 15)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    static func writeString(_ text: String, into buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeString($0, into: &buffer) }
    }
}
