/// Snappy (the raw block format Parquet uses): a varint of the uncompressed length, then literals and
/// back-references. The compressor is a greedy single-pass matcher over a hash table of 4-byte sequences; the
/// decompressor checks every length and offset, so a hostile block is an error, never an out-of-bounds access.
enum Snappy {
    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2 + 16)
        var length = input.count
        while length >= 0x80 {
            output.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        output.append(UInt8(length))
        let count = input.count
        guard count > 0 else { return output }
        var table = [Int](repeating: -1, count: 1 << 14)
        var literalStart = 0
        var position = 0
        func load(_ at: Int) -> UInt32 { input.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
        while position + 4 <= count {
            let word = load(position)
            let hash = Int((word &* 0x1E35_A7BD) >> 18)
            let candidate = table[hash]
            table[hash] = position
            guard candidate >= 0, position - candidate <= 0xFFFF, load(candidate) == word else {
                position += 1
                continue
            }
            var end = position + 4
            while end < count, input[end] == input[end - position + candidate] { end += 1 }
            emitLiteral(input, literalStart..<position, into: &output)
            var remaining = end - position
            let offset = position - candidate
            while remaining > 0 {
                let chunk = min(remaining, 64)
                output.append(UInt8((chunk - 1) << 2) | 0b10)
                output.append(UInt8(offset & 0xFF))
                output.append(UInt8(offset >> 8))
                remaining -= chunk
            }
            position = end
            literalStart = end
        }
        emitLiteral(input, literalStart..<count, into: &output)
        return output
    }

    private static func emitLiteral(_ input: UnsafeRawBufferPointer, _ range: Range<Int>, into output: inout [UInt8]) {
        guard !range.isEmpty else { return }
        let n = range.count - 1
        if n < 60 {
            output.append(UInt8(n << 2))
        } else {
            let bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4
            output.append(UInt8((59 + bytes) << 2))
            for shift in 0..<bytes { output.append(UInt8((n >> (8 * shift)) & 0xFF)) }
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[range]))
    }

    /// Decompresses a block whose uncompressed size must be `expected` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, expected: Int) throws(TradeFrameError) -> [UInt8] {
        func corrupt(_ message: String) -> TradeFrameError { TradeFrameError(.corruptFile, "Snappy: \(message)") }
        var position = 0
        var length = 0
        var shift = 0
        while true {
            guard position < input.count, shift <= 28 else { throw corrupt("a truncated length") }
            let byte = input[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            shift += 7
            if byte < 0x80 { break }
        }
        guard length == expected else { throw corrupt("the block holds \(length) bytes, the page says \(expected)") }
        var output: [UInt8] = []
        output.reserveCapacity(length)
        while position < input.count {
            let tag = input[position]
            position += 1
            switch tag & 3 {
            case 0:
                var n = Int(tag >> 2)
                if n >= 60 {
                    let bytes = n - 59
                    guard position + bytes <= input.count else { throw corrupt("a truncated literal length") }
                    n = 0
                    for index in 0..<bytes { n |= Int(input[position + index]) << (8 * index) }
                    position += bytes
                }
                n += 1
                guard n <= input.count - position, n <= length - output.count else {
                    throw corrupt("a literal of \(n) bytes overruns the block")
                }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[position..<position + n]))
                position += n
            default:
                let extra = [0, 1, 2, 4][Int(tag & 3)]
                guard position + extra <= input.count else { throw corrupt("a truncated copy") }
                var n: Int
                var offset: Int
                if tag & 3 == 1 {
                    n = 4 + Int((tag >> 2) & 7)
                    offset = Int(tag >> 5) << 8 | Int(input[position])
                } else {
                    n = Int(tag >> 2) + 1
                    offset = 0
                    for index in 0..<extra { offset |= Int(input[position + index]) << (8 * index) }
                }
                position += extra
                guard offset > 0, offset <= output.count, n <= length - output.count else {
                    throw corrupt("a copy of \(n) bytes from \(offset) back is out of range")
                }
                let start = output.count - offset
                for index in 0..<n { output.append(output[start + index]) }
            }
        }
        guard output.count == length else { throw corrupt("the block ends after \(output.count) of \(length) bytes") }
        return output
    }
}
