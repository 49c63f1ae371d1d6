/// Thrift's compact protocol, as Parquet's metadata (FileMetaData, PageHeader) uses it: a value tree that is
/// written as is and read with every length checked and the nesting depth bounded.
indirect enum Thrift {
    case bool(Bool)
    case i32(Int32)
    case i64(Int64)
    case binary([UInt8])
    case list(UInt8, [Thrift])
    case structure([Int16: Thrift])

    // Compact type ids.
    static let trueType: UInt8 = 1
    static let falseType: UInt8 = 2
    static let i32Type: UInt8 = 5
    static let i64Type: UInt8 = 6
    static let binaryType: UInt8 = 8
    static let listType: UInt8 = 9
    static let structType: UInt8 = 12

    var type: UInt8 {
        switch self {
        case .bool(let value): value ? Self.trueType : Self.falseType
        case .i32: Self.i32Type
        case .i64: Self.i64Type
        case .binary: Self.binaryType
        case .list: Self.listType
        case .structure: Self.structType
        }
    }

    static func string(_ text: String) -> Thrift { .binary(Array(text.utf8)) }

    // MARK: Writing

    func write(into out: inout [UInt8]) {
        switch self {
        case .bool: break  // a struct field's bool lives in its type; Parquet has no bool lists
        case .i32(let value): Self.varint(UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63), into: &out)
        case .i64(let value): Self.varint(UInt64(bitPattern: value << 1 ^ value >> 63), into: &out)
        case .binary(let bytes):
            Self.varint(UInt64(bytes.count), into: &out)
            out += bytes
        case .list(let type, let elements):
            if elements.count < 15 {
                out.append(UInt8(elements.count) << 4 | type)
            } else {
                out.append(0xF0 | type)
                Self.varint(UInt64(elements.count), into: &out)
            }
            for element in elements { element.write(into: &out) }
        case .structure(let fields):
            var last: Int16 = 0
            for id in fields.keys.sorted() {
                let value = fields[id]!
                if id > last, id - last <= 15 {
                    out.append(UInt8(id - last) << 4 | value.type)
                } else {
                    out.append(value.type)
                    Self.varint(UInt64(bitPattern: Int64(id) << 1 ^ Int64(id) >> 63), into: &out)
                }
                value.write(into: &out)
                last = id
            }
            out.append(0)
        }
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    // MARK: Reading

    /// Reads one struct starting at `position`; returns it and the position after it.
    static func readStruct(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(TradeFrameError) -> (Thrift, Int) {
        var reader = Reader(bytes: bytes, position: position)
        let value = try reader.value(type: structType, depth: 0)
        return (value, reader.position)
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position: Int

        func corrupt(_ message: String) -> TradeFrameError {
            TradeFrameError(.corruptFile, "Thrift metadata at byte \(position): \(message)")
        }

        mutating func byte() throws(TradeFrameError) -> UInt8 {
            guard position < bytes.count else { throw corrupt("truncated") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func varint() throws(TradeFrameError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                guard shift < 64 else { throw corrupt("a varint longer than 64 bits") }
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }

        mutating func zigzag() throws(TradeFrameError) -> Int64 {
            let raw = try varint()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        mutating func value(type: UInt8, depth: Int) throws(TradeFrameError) -> Thrift {
            guard depth < 32 else { throw corrupt("nested more than 32 deep") }
            switch type {
            case Thrift.trueType: return .bool(true)
            case Thrift.falseType: return .bool(false)
            case 3: return .i32(Int32(Int8(bitPattern: try byte())))
            case 4, Thrift.i32Type:
                let value = try zigzag()
                guard let narrow = Int32(exactly: value) else { throw corrupt("\(value) does not fit 32 bits") }
                return .i32(narrow)
            case Thrift.i64Type: return .i64(try zigzag())
            case 7:
                guard position + 8 <= bytes.count else { throw corrupt("a truncated double") }
                position += 8
                return .i64(0)
            case Thrift.binaryType:
                let length = try varint()
                guard length <= UInt64(bytes.count - position) else { throw corrupt("a binary of \(length) bytes") }
                defer { position += Int(length) }
                return .binary(Array(UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)])))
            case Thrift.listType, 10:
                let header = try byte()
                var count = UInt64(header >> 4)
                if count == 15 { count = try varint() }
                guard count <= UInt64(bytes.count - position) else { throw corrupt("a list of \(count) elements") }
                let elementType = header & 0x0F
                var elements: [Thrift] = []
                for _ in 0..<count {
                    if elementType == Thrift.trueType || elementType == Thrift.falseType {
                        elements.append(.bool(try byte() == 1))
                    } else {
                        elements.append(try value(type: elementType, depth: depth + 1))
                    }
                }
                return .list(elementType, elements)
            case Thrift.structType:
                var fields: [Int16: Thrift] = [:]
                var last: Int16 = 0
                while true {
                    let header = try byte()
                    if header == 0 { return .structure(fields) }
                    let delta = Int16(header >> 4)
                    var id = last &+ delta
                    if delta == 0 {
                        let wide = try zigzag()
                        guard let narrow = Int16(exactly: wide) else { throw corrupt("field id \(wide)") }
                        id = narrow
                    }
                    fields[id] = try value(type: header & 0x0F, depth: depth + 1)
                    last = id
                }
            default:
                throw corrupt("unknown compact type \(type)")
            }
        }
    }

    // MARK: Access

    subscript(_ id: Int16) -> Thrift? {
        guard case .structure(let fields) = self else { return nil }
        return fields[id]
    }

    var int: Int64? {
        switch self {
        case .i32(let value): Int64(value)
        case .i64(let value): value
        default: nil
        }
    }

    var bytes: [UInt8]? {
        guard case .binary(let bytes) = self else { return nil }
        return bytes
    }

    var elements: [Thrift] {
        guard case .list(_, let elements) = self else { return [] }
        return elements
    }
}
