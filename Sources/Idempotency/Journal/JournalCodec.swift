/// The journal's byte format.
///
/// A journal file is an 8-byte magic naming the format version followed by frames. A frame is
/// `u32le payload length ‖ u32le CRC-32C of the payload ‖ payload`; the writer appends one frame per group
/// commit, so a crash can tear only the last frame. A payload is a sequence of records, little-endian:
///
/// | type | versions | fields |
/// |---|---|---|
/// | 1 claim | 1, 2 | key, fingerprint (32), fence u64, lease end i64, remove-at i64 |
/// | 2 complete | 1 | key, fence u64, status u16, body (u32 length + bytes), remove-at i64 |
/// | 3 release | 1, 2 | key, fence u64 |
/// | 4 fence floor | 1, 2 | the highest fence issued so far, u64 |
/// | 5 complete | 2 | key, fence u64, status u16, field count u16, fields, body (u32 length + bytes), remove-at i64 |
/// | 6 lease extension | 2 | key, fence u64, lease end i64, remove-at i64 |
///
/// Version 1 (`ETRMIJ01`) had no header fields and no lease extensions; version 2 (`ETRMIJ02`) writes type 5
/// for completions. A key is `u16 length ‖ IdempotencyKey.storageBytes`; a header field is
/// `u16 length ‖ name ‖ u16 length ‖ value` in UTF-8; instants are ``JournalTimestamp`` nanoseconds.
enum JournalCodec {
    static let frameHeaderCount = 8

    /// A journal format version: its magic and the record types it may hold.
    struct Version: Equatable {
        var number: Int
        var magic: [UInt8]
        var recordTypes: ClosedRange<UInt8>

        static let v1 = Version(number: 1, magic: Array("ETRMIJ01".utf8), recordTypes: 1...4)
        static let v2 = Version(number: 2, magic: Array("ETRMIJ02".utf8), recordTypes: 1...6)
        static let current = v2
        static let all = [v1, v2]
    }

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
        /// Text of at most 65 535 UTF-8 bytes (``IdempotencyRules/checkResponse(_:)`` keeps fields shorter).
        mutating func text(_ text: String) {
            u16(UInt16(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
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
        writer.u8(5)
        writer.key(key)
        writer.u64(fence)
        writer.u16(UInt16(response.status))
        writer.u16(UInt16(response.headerFields.count))
        for field in response.headerFields {
            writer.text(field.name)
            writer.text(field.value)
        }
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

    static func appendExtension(
        to bytes: inout [UInt8], key: IdempotencyKey, fence: UInt64, leaseEnd: Int64, removeAt: Int64
    ) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.u8(6)
        writer.key(key)
        writer.u64(fence)
        writer.i64(leaseEnd)
        writer.i64(removeAt)
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
        case extendLease(key: IdempotencyKey, fence: UInt64, leaseEnd: Int64, removeAt: Int64)
    }

    struct Reader {
        let bytes: [UInt8]
        var index: Int
        let end: Int
        let version: Version

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

        mutating func text() throws(IdempotencyError) -> String {
            let start = index
            let count = Int(try integer(UInt16.self))
            guard let text = String(validating: try take(count), as: UTF8.self) else {
                throw corrupt("a header field is not UTF-8", at: start)
            }
            return text
        }

        mutating func record() throws(IdempotencyError) -> Record {
            let start = index
            let type = try integer(UInt8.self)
            guard version.recordTypes.contains(type) else {
                throw corrupt("record type \(type) is not in journal format version \(version.number)", at: start)
            }
            switch type {
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
            case 5:
                let key = try key()
                let fence = try integer(UInt64.self)
                let status = Int(try integer(UInt16.self))
                let fieldCount = Int(try integer(UInt16.self))
                var fields: [HTTPHeaderField] = []
                for _ in 0..<fieldCount { fields.append(HTTPHeaderField(name: try text(), value: try text())) }
                let body = Array(try take(Int(try integer(UInt32.self))))
                return .complete(
                    key: key, fence: fence, response: StoredResponse(status: status, headerFields: fields, body: body),
                    removeAt: try integer(Int64.self))
            case 6:
                return .extendLease(
                    key: try key(), fence: try integer(UInt64.self), leaseEnd: try integer(Int64.self),
                    removeAt: try integer(Int64.self))
            default:
                throw corrupt("unknown record type", at: start)
            }
        }
    }

    static func corrupt(_ message: String, at offset: Int) -> IdempotencyError {
        IdempotencyError(code: .journalCorrupt, message: "\(message) at byte \(offset) of the journal")
    }

    /// Whether a well-formed, checksummed frame starts at `offset`.
    static func frameLength(in bytes: [UInt8], at offset: Int, version: Version) -> Int? {
        guard bytes.count - offset >= frameHeaderCount else { return nil }
        var length = 0
        var crc: UInt32 = 0
        for index in 0..<4 {
            length |= Int(bytes[offset + index]) << (8 * index)
            crc |= UInt32(bytes[offset + 4 + index]) << (8 * UInt32(index))
        }
        guard length > 0, length <= bytes.count - offset - frameHeaderCount else { return nil }
        let payload = offset + frameHeaderCount
        guard version.recordTypes.contains(bytes[payload]) else { return nil }
        let actual = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[payload..<payload + length]))
        }
        return actual == crc ? length : nil
    }
}
