/// The journal's byte format.
///
/// A journal file is an 8-byte magic naming the format version followed by frames; the writer appends one
/// frame per group commit, so a crash can tear only the last frame. Version 3 frames are
///
/// `u32le payload length ‖ u64le sequence number ‖ u32le CRC-32C of the payload ‖ u32le CRC-32C of the 16
/// header bytes before it ‖ payload`
///
/// numbered 1, 2, 3, … from the start of the file (a compaction starts a new file at 1), so a missing, repeated
/// or reordered frame is seen, and the header check makes a frame's declared length trustworthy even when its
/// payload is damaged. Versions 1 and 2 framed with `u32le payload length ‖ u32le CRC-32C of the payload`. A
/// payload is a sequence of records, little-endian:
///
/// | type | versions | fields |
/// |---|---|---|
/// | 1 claim | 1, 2, 3 | key, fingerprint (32), fence u64, lease end i64, remove-at i64 |
/// | 2 complete | 1 | key, fence u64, status u16, body (u32 length + bytes), remove-at i64 |
/// | 3 release | 1, 2, 3 | key, fence u64 |
/// | 4 fence floor | 1, 2, 3 | the highest fence issued so far, u64 |
/// | 5 complete | 2, 3 | key, fence u64, status u16, field count u16, fields, body (u32 length + bytes), remove-at i64 |
/// | 6 lease extension | 2, 3 | key, fence u64, lease end i64, remove-at i64 |
///
/// Version 1 (`ETRMIJ01`) had no header fields and no lease extensions; version 2 (`ETRMIJ02`) writes type 5
/// for completions; version 3 (`ETRMIJ03`) numbers and header-checks its frames. A key is
/// `u16 length ‖ IdempotencyKey.storageBytes`; a header field is `u16 length ‖ name ‖ u16 length ‖ value` in
/// UTF-8; instants are ``JournalTimestamp`` nanoseconds.
enum JournalCodec {
    /// The frame header of the current version: the bytes reserved at the start of a frame being built.
    static let frameHeaderCount = Version.current.frameHeaderCount

    /// The first byte of each record, naming its layout (the table above).
    enum RecordTag: UInt8 {
        case claim = 1
        /// Version 1's completion, without header fields; read, never written.
        case completeWithoutFields = 2
        case release = 3
        case fenceFloor = 4
        case complete = 5
        case leaseExtension = 6
    }

    /// A journal format version: its magic, the record types it may hold and its frame header.
    struct Version: Equatable {
        var number: Int
        var magic: [UInt8]
        var recordTypes: ClosedRange<UInt8>
        /// 8 for the unnumbered frames of versions 1 and 2, 20 for version 3's numbered, header-checked frames.
        var frameHeaderCount: Int

        var isSequenced: Bool { frameHeaderCount == 20 }

        static let v1 = Version(
            number: 1, magic: Array("ETRMIJ01".utf8),
            recordTypes: RecordTag.claim.rawValue...RecordTag.fenceFloor.rawValue, frameHeaderCount: 8)
        static let v2 = Version(
            number: 2, magic: Array("ETRMIJ02".utf8),
            recordTypes: RecordTag.claim.rawValue...RecordTag.leaseExtension.rawValue, frameHeaderCount: 8)
        static let v3 = Version(
            number: 3, magic: Array("ETRMIJ03".utf8),
            recordTypes: RecordTag.claim.rawValue...RecordTag.leaseExtension.rawValue, frameHeaderCount: 20)
        static let current = v3
        static let all = [v1, v2, v3]
        /// Every magic starts with this, followed by the version in two decimal digits.
        static let magicPrefix = Array("ETRMIJ".utf8)
    }

    struct Writer {
        var bytes: [UInt8]

        mutating func tag(_ tag: RecordTag) { bytes.append(tag.rawValue) }
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
        writer.tag(.claim)
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
        writer.tag(.complete)
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
        writer.tag(.release)
        writer.key(key)
        writer.u64(fence)
        bytes = writer.bytes
    }

    static func appendExtension(
        to bytes: inout [UInt8], key: IdempotencyKey, fence: UInt64, leaseEnd: Int64, removeAt: Int64
    ) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.tag(.leaseExtension)
        writer.key(key)
        writer.u64(fence)
        writer.i64(leaseEnd)
        writer.i64(removeAt)
        bytes = writer.bytes
    }

    static func appendFenceFloor(to bytes: inout [UInt8], fence: UInt64) {
        var writer = Writer(bytes: bytes)
        bytes = []
        writer.tag(.fenceFloor)
        writer.u64(fence)
        bytes = writer.bytes
    }

    /// Fills the reserved header bytes at the start of `frame` for the payload after them, numbering it
    /// `sequence` (the current version's layout).
    static func sealFrame(_ frame: inout [UInt8], sequence: UInt64) {
        let payloadCount = UInt32(frame.count - frameHeaderCount)
        frame.withUnsafeMutableBytes { frame in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[frameHeaderCount...]))
            frame.storeBytes(of: payloadCount.littleEndian, toByteOffset: 0, as: UInt32.self)
            frame.storeBytes(of: sequence.littleEndian, toByteOffset: 4, as: UInt64.self)
            frame.storeBytes(of: crc.littleEndian, toByteOffset: 12, as: UInt32.self)
            let check = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<16]))
            frame.storeBytes(of: check.littleEndian, toByteOffset: 16, as: UInt32.self)
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
            let start = index
            let count = Int(try integer(UInt16.self))
            do {
                return try IdempotencyKey(storageBytes: Array(try take(count)))
            } catch  where error.code != .journalCorrupt {
                throw corrupt("a stored key is malformed (\(error.message))", at: start)
            }
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
            guard version.recordTypes.contains(type), let tag = RecordTag(rawValue: type) else {
                throw corrupt("record type \(type) is not in journal format version \(version.number)", at: start)
            }
            switch tag {
            case .claim:
                let key = try key()
                let fingerprint = try Fingerprint(bytes: try take(32))
                return .claim(
                    key: key, fingerprint: fingerprint, fence: try integer(UInt64.self),
                    leaseEnd: try integer(Int64.self), removeAt: try integer(Int64.self))
            case .completeWithoutFields:
                let key = try key()
                let fence = try integer(UInt64.self)
                let status = Int(try integer(UInt16.self))
                let body = Array(try take(Int(try integer(UInt32.self))))
                return .complete(
                    key: key, fence: fence, response: StoredResponse(status: status, body: body),
                    removeAt: try integer(Int64.self))
            case .release:
                return .release(key: try key(), fence: try integer(UInt64.self))
            case .fenceFloor:
                return .fenceFloor(try integer(UInt64.self))
            case .complete:
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
            case .leaseExtension:
                return .extendLease(
                    key: try key(), fence: try integer(UInt64.self), leaseEnd: try integer(Int64.self),
                    removeAt: try integer(Int64.self))
            }
        }
    }

    static func corrupt(_ message: String, at offset: Int) -> IdempotencyError {
        IdempotencyError(code: .journalCorrupt, message: "\(message) at byte \(offset) of the journal")
    }

    /// A frame header that is whole and, in version 3, passes its check: so its length can be trusted.
    struct FrameHeader {
        /// The payload's length in bytes (it may run past the end of the file).
        var length: Int
        /// The frame's number (version 3), or `nil` (versions 1 and 2).
        var sequence: UInt64?
        var payloadCRC: UInt32
    }

    /// The header at `offset` if it is whole and, in version 3, its check matches; `nil` otherwise. Versions 1
    /// and 2 have no header check, so any 8 bytes with a non-zero length pass.
    static func header(in bytes: [UInt8], at offset: Int, version: Version) -> FrameHeader? {
        guard offset >= 0, bytes.count - offset >= version.frameHeaderCount else { return nil }
        func integer<T: FixedWidthInteger>(_: T.Type, at position: Int) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + position + index]) << (8 * index) }
            return value
        }
        let length = Int(integer(UInt32.self, at: 0))
        guard length > 0 else { return nil }
        guard version.isSequenced else {
            return FrameHeader(length: length, sequence: nil, payloadCRC: integer(UInt32.self, at: 4))
        }
        let check = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 16]))
        }
        guard check == integer(UInt32.self, at: 16) else { return nil }
        return FrameHeader(
            length: length, sequence: integer(UInt64.self, at: 4), payloadCRC: integer(UInt32.self, at: 12))
    }

    /// The frame at `offset` if it is whole and checksummed: its payload's range and its number (version 3).
    static func frame(
        in bytes: [UInt8], at offset: Int, version: Version
    ) -> (payload: Range<Int>, sequence: UInt64?)? {
        guard let header = header(in: bytes, at: offset, version: version) else { return nil }
        let payload = offset + version.frameHeaderCount
        guard header.length <= bytes.count - payload, version.recordTypes.contains(bytes[payload]) else { return nil }
        let range = payload..<payload + header.length
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
        return actual == header.payloadCRC ? (range, header.sequence) : nil
    }
}
