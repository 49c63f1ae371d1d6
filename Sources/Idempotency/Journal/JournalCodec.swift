/// The journal's byte format.
///
/// A journal file is the 8-byte magic `ETRMIJ01` followed by frames. A frame is
/// `u32le payload length ‖ u32le CRC-32C of the payload ‖ payload`; the writer appends one frame per group
/// commit, so a crash can tear only the last frame. A payload is a sequence of records, little-endian:
///
/// | type | fields |
/// |---|---|
/// | 1 claim | key, fingerprint (32), fence u64, lease end i64, remove-at i64 |
/// | 2 complete | key, fence u64, status u16, body (u32 length + bytes), remove-at i64 |
/// | 3 release | key, fence u64 |
/// | 4 fence floor | the highest fence issued so far, u64 |
///
/// A key is `u16 length ‖ IdempotencyKey.storageBytes`; instants are ``JournalTimestamp`` nanoseconds.
enum JournalCodec {
    static let frameHeaderCount = 8

    struct Writer {
        var bytes: [UInt8]

        mutating func u8(_ value: UInt8) { bytes.append(value) }
        mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
        mutating func key(_ key: IdempotencyKey) {
            u16(UInt16(key.storageBytes.count))
            bytes.append(contentsOf: key.storageBytes)
        }
    }

    static func appendClaim(
        to bytes: inout [UInt8], key: IdempotencyKey, fingerprint: Fingerprint, fence: UInt64, leaseEnd: Int64,
        removeAt: Int64
    ) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.u8(1)
        writer.key(key)
        writer.bytes.append(contentsOf: fingerprint.bytes)
        writer.u64(fence)
        writer.i64(leaseEnd)
        writer.i64(removeAt)
        bytes = writer.bytes
    }

    static func appendComplete(
        to bytes: inout [UInt8], key: IdempotencyKey, fence: UInt64, response: StoredResponse, removeAt: Int64
    ) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.u8(2)
        writer.key(key)
        writer.u64(fence)
        writer.u16(UInt16(response.status))
        writer.u32(UInt32(response.body.count))
        writer.bytes.append(contentsOf: response.body)
        writer.i64(removeAt)
        bytes = writer.bytes
    }

    static func appendRelease(to bytes: inout [UInt8], key: IdempotencyKey, fence: UInt64) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.u8(3)
        writer.key(key)
        writer.u64(fence)
        bytes = writer.bytes
    }

    static func appendFenceFloor(to bytes: inout [UInt8], fence: UInt64) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.u8(4)
        writer.u64(fence)
        bytes = writer.bytes
    }

    /// Fills the reserved 8 header bytes at the start of `frame` for the payload after them.
    static func sealFrame(_ frame: inout [UInt8]) {
        let payloadCount = frame.count - frameHeaderCount
        let crc = frame.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[frameHeaderCount...])) }
        for index in 0..<4 {
            frame[index] = UInt8(truncatingIfNeeded: UInt32(payloadCount) >> (8 * UInt32(index)))
            frame[4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index)))
        }
    }

    /// One decoded record.
    enum Record {
        case claim(key: IdempotencyKey, fingerprint: Fingerprint, fence: UInt64, leaseEnd: Int64, removeAt: Int64)
        case complete(key: IdempotencyKey, fence: UInt64, response: StoredResponse, removeAt: Int64)
        case release(key: IdempotencyKey, fence: UInt64)
        case fenceFloor(UInt64)
    }

    struct Reader {
        let bytes: [UInt8]
        var index: Int
        let end: Int

        var atEnd: Bool { index >= end }

        mutating func take(_ count: Int) throws(IdempotencyError) -> ArraySlice<UInt8> {
            guard count >= 0, end - index >= count else { throw corrupt("a record runs past its frame", at: index) }
            defer { index += count }
            return bytes[index..<index + count]
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(IdempotencyError) -> T {
            var value: T = 0
            for (shift, byte) in try take(MemoryLayout<T>.size).enumerated() { value |= T(byte) << (8 * shift) }
            return value
        }

        mutating func key() throws(IdempotencyError) -> IdempotencyKey {
            let count = Int(try integer(UInt16.self))
            return try IdempotencyKey(storageBytes: Array(try take(count)))
        }

        mutating func record() throws(IdempotencyError) -> Record {
            let start = index
            switch try integer(UInt8.self) {
            case 1:
                let key = try key()
                let fingerprint = try Fingerprint(bytes: try take(32))
                return .claim(
                    key: key, fingerprint: fingerprint, fence: try integer(UInt64.self),
                    leaseEnd: try integer(Int64.self), removeAt: try integer(Int64.self))
            case 2:
                let key = try key()
                let fence = try integer(UInt64.self)
                let status = Int(try integer(UInt16.self))
                let body = Array(try take(Int(try integer(UInt32.self))))
                return .complete(
                    key: key, fence: fence, response: StoredResponse(status: status, body: body),
                    removeAt: try integer(Int64.self))
            case 3:
                return .release(key: try key(), fence: try integer(UInt64.self))
            case 4:
                return .fenceFloor(try integer(UInt64.self))
            default:
                throw corrupt("unknown record type", at: start)
            }
        }
    }

    static func corrupt(_ message: String, at offset: Int) -> IdempotencyError {
        IdempotencyError(code: .journalCorrupt, message: "\(message) at byte \(offset) of the journal")
    }

    /// Whether a well-formed, checksummed frame starts at `offset`.
    static func frameLength(in bytes: [UInt8], at offset: Int) -> Int? {
        guard bytes.count - offset >= frameHeaderCount else { return nil }
        var length = 0
        var crc: UInt32 = 0
        for index in 0..<4 {
            length |= Int(bytes[offset + index]) << (8 * index)
            crc |= UInt32(bytes[offset + 4 + index]) << (8 * UInt32(index))
        }
        guard length > 0, length <= bytes.count - offset - frameHeaderCount else { return nil }
        let payload = offset + frameHeaderCount
        guard (1...4).contains(bytes[payload]) else { return nil }
        let actual = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[payload..<payload + length]))
        }
        return actual == crc ? length : nil
    }
}
