// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written once for every module of the package.
// The library may depend on no package, so it cannot use swift-crypto; this is the one implementation. Blocks
// are compressed with the processor's SHA instructions where it has them (CETRMSHA256), else in Swift.
import CETRMSHA256

/// An incremental SHA-256 hasher.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(bytes)
/// let digest = hasher.finalize()
/// ```
package struct SHA256: Sendable {
    /// The digest size in bytes.
    package static let digestByteCount = 32
    /// The block size in bytes.
    package static let blockByteCount = 64

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var bufferCount = 0
    private var totalByteCount: UInt64 = 0
    private let accelerated: Bool

    /// Whether this processor has the SHA instructions that hashers use by default.
    package static let isAccelerated = etrm_sha256_accelerated() != 0

    package init() { accelerated = Self.isAccelerated }

    /// A hasher that compresses in portable Swift even where the processor has SHA instructions (for tests that
    /// compare the two).
    package init(portable: Bool) { accelerated = !portable && Self.isAccelerated }

    /// Hashes `bytes` in one call.
    package static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the bytes of a raw buffer in one call.
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Feeds more bytes to the hasher.
    package mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBytes { update($0) }
        }
    }

    /// Feeds the bytes of a raw buffer to the hasher.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        totalByteCount &+= UInt64(bytes.count)
        var index = 0
        if bufferCount > 0 {
            let take = min(Self.blockByteCount - bufferCount, bytes.count)
            withUnsafeMutableBytes(of: &buffer) { buffer in
                buffer.baseAddress!.advanced(by: bufferCount)
                    .copyMemory(from: bytes.baseAddress!, byteCount: take)
            }
            bufferCount += take
            index = take
            if bufferCount == Self.blockByteCount {
                let block = buffer
                withUnsafeBytes(of: block) { compress($0.baseAddress!, blocks: 1) }
                bufferCount = 0
            }
        }
        let blocks = (bytes.count - index) / Self.blockByteCount
        if blocks > 0 {
            compress(bytes.baseAddress!.advanced(by: index), blocks: blocks)
            index += blocks * Self.blockByteCount
        }
        let rest = bytes.count - index
        if rest > 0 {
            withUnsafeMutableBytes(of: &buffer) { buffer in
                buffer.baseAddress!.copyMemory(from: bytes.baseAddress!.advanced(by: index), byteCount: rest)
            }
            bufferCount = rest
        }
    }

    /// Pads the message and returns the digest. The hasher must not be used afterwards.
    package mutating func finalize() -> SHA256Digest {
        let bitLength = totalByteCount &* 8
        var padding: [UInt8] = [0x80]
        let padZeros = (Self.blockByteCount + 56 - (bufferCount + 1) % Self.blockByteCount) % Self.blockByteCount
        padding.append(contentsOf: repeatElement(0, count: padZeros))
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedTotal = totalByteCount
        padding.withUnsafeBytes { update($0) }
        totalByteCount = savedTotal
        precondition(bufferCount == 0, "SHA-256 padding must end on a block boundary")
        return SHA256Digest(
            words: (state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7)
        )
    }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        if accelerated {
            withUnsafeMutableBytes(of: &state) { state in
                etrm_sha256_compress(
                    state.baseAddress!.assumingMemoryBound(to: UInt32.self), data.assumingMemoryBound(to: UInt8.self),
                    blocks)
            }
        } else {
            for block in 0..<blocks { compressPortably(data + block &* Self.blockByteCount) }
        }
    }

    private mutating func compressPortably(_ block: UnsafeRawPointer) {
        var (a, b, c, d, e, f, g, h) = state
        var w = (
            load(block, 0), load(block, 1), load(block, 2), load(block, 3), load(block, 4), load(block, 5),
            load(block, 6), load(block, 7), load(block, 8), load(block, 9), load(block, 10), load(block, 11),
            load(block, 12), load(block, 13), load(block, 14), load(block, 15)
        )
        let constants = etrm_sha256_round_constants()!
        // 64 rounds as four passes over the 16-word schedule, each but the first extending it in place.
        // Unrolled, so that the working variables rotate by renaming rather than by moves.
        for pass in 0..<4 {
            let k = constants + pass &* 16
            if pass > 0 {
                w.0 = expand(w.0, w.1, w.9, w.14)
                w.1 = expand(w.1, w.2, w.10, w.15)
                w.2 = expand(w.2, w.3, w.11, w.0)
                w.3 = expand(w.3, w.4, w.12, w.1)
                w.4 = expand(w.4, w.5, w.13, w.2)
                w.5 = expand(w.5, w.6, w.14, w.3)
                w.6 = expand(w.6, w.7, w.15, w.4)
                w.7 = expand(w.7, w.8, w.0, w.5)
                w.8 = expand(w.8, w.9, w.1, w.6)
                w.9 = expand(w.9, w.10, w.2, w.7)
                w.10 = expand(w.10, w.11, w.3, w.8)
                w.11 = expand(w.11, w.12, w.4, w.9)
                w.12 = expand(w.12, w.13, w.5, w.10)
                w.13 = expand(w.13, w.14, w.6, w.11)
                w.14 = expand(w.14, w.15, w.7, w.12)
                w.15 = expand(w.15, w.0, w.8, w.13)
            }
            round(a, b, c, &d, e, f, g, &h, k[0], w.0)
            round(h, a, b, &c, d, e, f, &g, k[1], w.1)
            round(g, h, a, &b, c, d, e, &f, k[2], w.2)
            round(f, g, h, &a, b, c, d, &e, k[3], w.3)
            round(e, f, g, &h, a, b, c, &d, k[4], w.4)
            round(d, e, f, &g, h, a, b, &c, k[5], w.5)
            round(c, d, e, &f, g, h, a, &b, k[6], w.6)
            round(b, c, d, &e, f, g, h, &a, k[7], w.7)
            round(a, b, c, &d, e, f, g, &h, k[8], w.8)
            round(h, a, b, &c, d, e, f, &g, k[9], w.9)
            round(g, h, a, &b, c, d, e, &f, k[10], w.10)
            round(f, g, h, &a, b, c, d, &e, k[11], w.11)
            round(e, f, g, &h, a, b, c, &d, k[12], w.12)
            round(d, e, f, &g, h, a, b, &c, k[13], w.13)
            round(c, d, e, &f, g, h, a, &b, k[14], w.14)
            round(b, c, d, &e, f, g, h, &a, k[15], w.15)
        }
        state = (
            state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
            state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h
        )
    }
}

@inline(__always)
private func load(_ block: UnsafeRawPointer, _ i: Int) -> UInt32 {
    UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
}

/// The schedule word 16 places on from `w`, given the words 1, 9 and 14 places on (FIPS 180-4, 6.2.2).
@inline(__always)
private func expand(_ w: UInt32, _ w1: UInt32, _ w9: UInt32, _ w14: UInt32) -> UInt32 {
    let s0 = rotr(w1, 7) ^ rotr(w1, 18) ^ (w1 >> 3)
    let s1 = rotr(w14, 17) ^ rotr(w14, 19) ^ (w14 >> 10)
    return w &+ s0 &+ w9 &+ s1
}

/// One round: `d` and `h` are the two working variables it changes.
@inline(__always)
private func round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32,
    _ h: inout UInt32, _ k: UInt32, _ w: UInt32
) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k &+ w
    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
    d = d &+ t1
    h = t1 &+ t2
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

/// A 32-byte SHA-256 digest, stored inline (no allocation).
package struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    /// The eight big-endian state words of the digest.
    package let words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    package init(words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) {
        self.words = words
    }

    /// The digest's 32 bytes, most significant first.
    package var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(32)
        for word in [words.0, words.1, words.2, words.3, words.4, words.5, words.6, words.7] {
            result.append(UInt8(truncatingIfNeeded: word >> 24))
            result.append(UInt8(truncatingIfNeeded: word >> 16))
            result.append(UInt8(truncatingIfNeeded: word >> 8))
            result.append(UInt8(truncatingIfNeeded: word))
        }
        return result
    }

    /// Lower-case hexadecimal, 64 characters.
    package var hex: String { Hex.encode(bytes) }

    package var description: String { hex }

    package static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3 && lhs.words.4 == rhs.words.4 && lhs.words.5 == rhs.words.5
            && lhs.words.6 == rhs.words.6 && lhs.words.7 == rhs.words.7
    }

    package func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: words) { hasher.combine(bytes: $0) }
    }
}

/// HMAC-SHA256 (RFC 2104), tested against the RFC 4231 vectors.
package enum HMACSHA256 {
    /// Authenticates `message` with `key`.
    package static func authenticationCode(
        for message: some Sequence<UInt8>,
        key: some Sequence<UInt8>
    ) -> SHA256Digest {
        var keyBytes = Array(key)
        if keyBytes.count > SHA256.blockByteCount {
            keyBytes = SHA256.hash(keyBytes).bytes
        }
        keyBytes.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - keyBytes.count))
        var inner = SHA256()
        inner.update(keyBytes.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(keyBytes.map { $0 ^ 0x5c })
        outer.update(innerDigest.bytes)
        return outer.finalize()
    }
}
