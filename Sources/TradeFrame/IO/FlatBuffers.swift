/// A minimal FlatBuffers builder and bounds-checked reader, enough for Arrow's IPC metadata (Schema,
/// RecordBatch, DictionaryBatch, Footer). Written here so the package keeps no dependencies.
///
/// The builder works back to front, as FlatBuffers requires (an offset always points to a higher address): it
/// prepends each object to a tail buffer and measures positions from the end of that buffer.
struct FlatBufferBuilder {
    /// The finished tail of the buffer; position `p` (from the end) is byte `tail.count - p`.
    private var tail: [UInt8] = []

    /// A table field: a little-endian scalar, or an offset to an object already built.
    enum Field {
        case scalar([UInt8])
        case offset(Int)
    }

    private mutating func prepend(_ bytes: [UInt8], align: Int) -> Int {
        let pad = (align - (tail.count + bytes.count) % align) % align
        tail.insert(contentsOf: repeatElement(0, count: pad), at: 0)
        tail.insert(contentsOf: bytes, at: 0)
        return tail.count
    }

    static func scalar<T: FixedWidthInteger>(_ value: T) -> Field {
        .scalar(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    /// A string: length, UTF-8 bytes, a terminating zero.
    mutating func string(_ text: String) -> Int {
        let utf8 = Array(text.utf8)
        var bytes = le(UInt32(utf8.count))
        bytes += utf8
        bytes.append(0)
        return prepend(bytes, align: 4)
    }

    /// A vector of structs, each `element` bytes already laid out (little-endian, 8-byte aligned).
    mutating func structVector(_ elements: [[UInt8]]) -> Int {
        _ = prepend(elements.flatMap { $0 }, align: 8)
        return prepend(le(UInt32(elements.count)), align: 4)
    }

    /// A vector of offsets to tables built earlier.
    mutating func offsetVector(_ targets: [Int]) -> Int {
        let start = tail.count + (4 - (tail.count + 4 * (targets.count + 1)) % 4) % 4 + 4 * (targets.count + 1)
        var bytes = le(UInt32(targets.count))
        for (index, target) in targets.enumerated() {
            bytes += le(UInt32(start - 4 - 4 * index - target))
        }
        return prepend(bytes, align: 4)
    }

    /// A table of fields indexed by their schema position (`nil` for an absent field).
    mutating func table(_ fields: [Field?]) -> Int {
        // Lay the fields out after the 4-byte vtable offset, each aligned to its size.
        var layout: [(index: Int, at: Int, field: Field)] = []
        var size = 4
        var maxAlign = 4
        for (index, field) in fields.enumerated() {
            guard let field else { continue }
            let width =
                switch field {
                case .scalar(let bytes): bytes.count
                case .offset: 4
                }
            size = (size + width - 1) / width * width
            layout.append((index, size, field))
            size += width
            maxAlign = max(maxAlign, width)
        }
        size = (size + maxAlign - 1) / maxAlign * maxAlign
        let start = tail.count + (maxAlign - (tail.count + size) % maxAlign) % maxAlign + size
        var vtable = le(UInt16(4 + 2 * fields.count)) + le(UInt16(size))
        var slots = [UInt16](repeating: 0, count: fields.count)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.replaceSubrange(0..<4, with: le(Int32(4 + 2 * fields.count + (fields.count % 2 == 1 ? 2 : 0))))
        for entry in layout {
            slots[entry.index] = UInt16(entry.at)
            let value: [UInt8] =
                switch entry.field {
                case .scalar(let scalar): scalar
                case .offset(let target): le(UInt32(start - entry.at - target))
                }
            bytes.replaceSubrange(entry.at..<entry.at + value.count, with: value)
        }
        for slot in slots { vtable += le(slot) }
        if fields.count % 2 == 1 { vtable += [0, 0] }
        let table = prepend(bytes, align: maxAlign)
        precondition(table == start, "FlatBufferBuilder table layout")
        _ = prepend(vtable, align: 2)
        return table
    }

    /// The finished buffer with `root` as its root table, padded to a multiple of 8 bytes.
    mutating func finish(root: Int) -> [UInt8] {
        let start = tail.count + (8 - (tail.count + 4) % 8) % 8 + 4
        _ = prepend(le(UInt32(start - root)), align: 8)
        return tail
    }
}

/// Little-endian bytes of an integer.
func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Bounds-checked little-endian loads from a byte buffer; every failure is a `corruptFile` error.
struct CheckedBytes {
    let bytes: UnsafeRawBufferPointer

    func corrupt(_ message: String) -> TradeFrameError { TradeFrameError(.corruptFile, message) }

    /// Checks that `start ..< start + length` lies inside the buffer.
    func check(_ start: Int, _ length: Int, _ what: @autoclosure () -> String) throws(TradeFrameError) {
        guard start >= 0, length >= 0, start <= bytes.count, length <= bytes.count - start else {
            throw corrupt("\(what()) (\(length) bytes at \(start)) lies outside the \(bytes.count)-byte buffer")
        }
    }

    func load<T: FixedWidthInteger>(_ type: T.Type, at position: Int) throws(TradeFrameError) -> T {
        try check(position, MemoryLayout<T>.size, "a \(T.self)")
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}

/// A table inside a FlatBuffer, with its vtable checked against the buffer.
struct FlatTable {
    let buffer: CheckedBytes
    let position: Int
    private let vtable: Int
    private let vtableSize: Int
    private let tableSize: Int

    /// The root table of a FlatBuffer occupying all of `buffer`.
    static func root(_ buffer: CheckedBytes) throws(TradeFrameError) -> FlatTable {
        let offset = try buffer.load(UInt32.self, at: 0)
        return try FlatTable(buffer, at: Int(offset))
    }

    init(_ buffer: CheckedBytes, at position: Int) throws(TradeFrameError) {
        self.buffer = buffer
        self.position = position
        let back = Int(try buffer.load(Int32.self, at: position))
        vtable = position - back
        vtableSize = Int(try buffer.load(UInt16.self, at: vtable))
        tableSize = Int(try buffer.load(UInt16.self, at: vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0, tableSize >= 4 else {
            throw buffer.corrupt("a FlatBuffers vtable has size \(vtableSize) for a table of \(tableSize) bytes")
        }
        try buffer.check(vtable, vtableSize, "a FlatBuffers vtable")
        try buffer.check(position, tableSize, "a FlatBuffers table")
    }

    /// The position of field `index`, checked to hold `width` bytes inside the table, or `nil` when absent.
    private func field(_ index: Int, width: Int) throws(TradeFrameError) -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let at = Int(try buffer.load(UInt16.self, at: vtable + slot))
        guard at != 0 else { return nil }
        guard at + width <= tableSize else {
            throw buffer.corrupt("FlatBuffers field \(index) at \(at) overruns its \(tableSize)-byte table")
        }
        return position + at
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws(TradeFrameError) -> T {
        guard let at = try field(index, width: MemoryLayout<T>.size) else { return value }
        return try buffer.load(T.self, at: at)
    }

    /// The target of the offset field `index`, or `nil` when absent.
    private func target(_ index: Int) throws(TradeFrameError) -> Int? {
        guard let at = try field(index, width: 4) else { return nil }
        let target = at + Int(try buffer.load(UInt32.self, at: at))
        try buffer.check(target, 4, "the target of FlatBuffers field \(index)")
        return target
    }

    func table(_ index: Int) throws(TradeFrameError) -> FlatTable? {
        guard let target = try target(index) else { return nil }
        return try FlatTable(buffer, at: target)
    }

    func string(_ index: Int) throws(TradeFrameError) -> String? {
        guard let target = try target(index) else { return nil }
        let length = Int(try buffer.load(UInt32.self, at: target))
        try buffer.check(target + 4, length, "a FlatBuffers string")
        return String(
            decoding: UnsafeRawBufferPointer(rebasing: buffer.bytes[target + 4..<target + 4 + length]), as: UTF8.self)
    }

    /// The start and count of a vector field whose elements are `stride` bytes, checked against the buffer.
    func vector(_ index: Int, stride: Int) throws(TradeFrameError) -> (start: Int, count: Int) {
        guard let target = try target(index) else { return (0, 0) }
        let count = Int(try buffer.load(UInt32.self, at: target))
        let (length, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow else { throw buffer.corrupt("a FlatBuffers vector of \(count) elements") }
        try buffer.check(target + 4, length, "a FlatBuffers vector of \(count) elements")
        return (target + 4, count)
    }

    func tables(_ index: Int) throws(TradeFrameError) -> [FlatTable] {
        let (start, count) = try vector(index, stride: 4)
        var result: [FlatTable] = []
        for element in 0..<count {
            let at = start + 4 * element
            result.append(try FlatTable(buffer, at: at + Int(try buffer.load(UInt32.self, at: at))))
        }
        return result
    }
}
