/// Assigns dense ids (0, 1, 2, … in first-seen order) to distinct byte strings, keeping one copy of each.
///
/// Open addressing with linear probing over a power-of-two slot table; a slot holds `id + 1` (0 is empty) and
/// the table keeps each id's hash, so a probe compares bytes only on a full hash match. Used for categorical
/// encoding, and to give string keys of two columns one id space for joins and group-by.
struct StringInterner {
    private(set) var bytes = ContiguousArray<UInt8>()
    private(set) var offsets: ContiguousArray<Int64> = [0]
    private var hashes = ContiguousArray<UInt64>()
    private var slots: ContiguousArray<UInt32>
    private var mask: Int

    init(expectedCount: Int = 16) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = ContiguousArray(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// The number of distinct strings.
    var count: Int { hashes.count }

    /// The distinct strings in id order.
    func dictionary() -> StringColumn { StringColumn(bytes: bytes, offsets: offsets) }

    /// The id of `key`, adding it when new.
    @inline(__always)
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let id = Int(entry - 1)
            if hashes[id] == hash && equals(id, key) { return entry - 1 }
            slot = (slot + 1) & mask
        }
        let id = UInt32(hashes.count)
        slots[slot] = id + 1
        hashes.append(hash)
        bytes.append(contentsOf: key)
        offsets.append(Int64(bytes.count))
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    @inline(__always)
    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[id])
        let length = Int(offsets[id + 1]) - start
        guard length == key.count else { return false }
        if length == 0 { return true }
        return bytes.withUnsafeBufferPointer { stored in
            memoryEqual(stored.baseAddress! + start, key.baseAddress!, length)
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        var newSlots = ContiguousArray<UInt32>(repeating: 0, count: capacity)
        let newMask = capacity - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & newMask
            while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = UInt32(id + 1)
        }
        slots = newSlots
        mask = newMask
    }

    /// A fast 64-bit hash of a byte string (8 bytes per step, then a final avalanche).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(key.count)
        guard let base = key.baseAddress else { return mix(h) }
        let raw = UnsafeRawPointer(base)
        var position = 0
        while position + 8 <= key.count {
            let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
            position += 8
        }
        if position < key.count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while position < key.count {
                word |= UInt64(base[position]) << shift
                shift += 8
                position += 1
            }
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        }
        return mix(h)
    }

    /// The final avalanche of splitmix64.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Whether two byte ranges of equal length are equal.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    var position = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while position + 8 <= length {
        if rawA.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            != rawB.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        {
            return false
        }
        position += 8
    }
    while position < length {
        if a[position] != b[position] { return false }
        position += 1
    }
    return true
}

/// Lexicographic comparison of two byte strings (shorter prefix first), eight bytes at a time.
@inline(__always)
func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(a.count, b.count)
    if common > 0, let p = a.baseAddress, let q = b.baseAddress {
        let rawA = UnsafeRawPointer(p)
        let rawB = UnsafeRawPointer(q)
        var position = 0
        while position &+ 8 <= common {
            // Big-endian words compare as their bytes do.
            let x = UInt64(bigEndian: rawA.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            let y = UInt64(bigEndian: rawB.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            position &+= 8
        }
        while position < common {
            let x = p[position]
            let y = q[position]
            if x != y { return x < y ? -1 : 1 }
            position &+= 1
        }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
