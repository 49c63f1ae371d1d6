/// Stable least-significant-digit radix sort of a permutation by 64-bit keys.
enum RadixSort {
    /// Reorders `permutation` stably so that `keys[permutation[i]]` ascends. Byte passes whose digit is the same
    /// for every row are skipped, so narrow keys (codes, small ranges) cost one or two passes.
    ///
    /// - Parameters:
    ///   - permutation: Row indices, reordered in place.
    ///   - keys: One key per row of the frame (indexed by row, not by position).
    static func sort(_ permutation: inout [Int], keys: UnsafeBufferPointer<UInt64>) {
        let n = permutation.count
        guard n > 1 else { return }
        var currentKeys = [UInt64](repeating: 0, count: n)
        var otherKeys = [UInt64](repeating: 0, count: n)
        var otherRows = [Int](repeating: 0, count: n)
        var histogram = [Int](repeating: 0, count: 8 * 256)
        permutation.withUnsafeMutableBufferPointer { rows in
            currentKeys.withUnsafeMutableBufferPointer { k in
                histogram.withUnsafeMutableBufferPointer { h in
                    for i in 0..<n {
                        let key = keys[rows[i]]
                        k[i] = key
                        for byte in 0..<8 { h[byte &* 256 &+ Int((key &>> UInt64(byte &* 8)) & 0xFF)] &+= 1 }
                    }
                }
            }
        }
        var keysInCurrent = true
        for byte in 0..<8 {
            let base = byte * 256
            let firstDigit = Int(((keysInCurrent ? currentKeys[0] : otherKeys[0]) >> UInt64(byte * 8)) & 0xFF)
            if histogram[base + firstDigit] == n { continue }
            var starts = [Int](repeating: 0, count: 256)
            var running = 0
            for digit in 0..<256 {
                starts[digit] = running
                running += histogram[base + digit]
            }
            if keysInCurrent {
                scatter(&currentKeys, &permutation, into: &otherKeys, &otherRows, byte: byte, starts: &starts)
            } else {
                scatter(&otherKeys, &otherRows, into: &currentKeys, &permutation, byte: byte, starts: &starts)
            }
            keysInCurrent.toggle()
        }
        if !keysInCurrent { permutation = otherRows }
    }

    @inline(__always)
    private static func scatter(
        _ keys: inout [UInt64], _ rows: inout [Int], into targetKeys: inout [UInt64], _ targetRows: inout [Int],
        byte: Int, starts: inout [Int]
    ) {
        let shift = UInt64(byte * 8)
        keys.withUnsafeBufferPointer { keys in
            rows.withUnsafeBufferPointer { rows in
                targetKeys.withUnsafeMutableBufferPointer { targetKeys in
                    targetRows.withUnsafeMutableBufferPointer { targetRows in
                        starts.withUnsafeMutableBufferPointer { starts in
                            for i in 0..<keys.count {
                                let key = keys[i]
                                let digit = Int((key &>> shift) & 0xFF)
                                let position = starts[digit]
                                starts[digit] = position &+ 1
                                targetKeys[position] = key
                                targetRows[position] = rows[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
