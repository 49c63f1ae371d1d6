#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replays a journal file into records, dropping a torn tail and nothing else.
///
/// Frames are read in order. In version 3 each must carry the next number (1, 2, 3, …): a frame (or an intact
/// header) with a higher number means frames are missing, a lower one that frames repeat or are out of order,
/// and both fail the open. At the first frame that is not whole and checksummed the file is either torn there (a crash during
/// the last append) or damaged in the middle. It is a torn tail unless a good frame follows the damage: in
/// version 3 a good frame numbered at least as high as the damaged one, searched for after the damaged frame's
/// declared extent when its header passes its check (a torn frame's payload may hold anything, even bytes of
/// valid frames, as a stored response body can), or from the next byte when the header itself is damaged.
/// Versions 1 and 2 have neither numbers nor a header check, so a length cannot be trusted and any good frame
/// anywhere after the damage fails the open.
struct JournalRecovery {
    /// The format version the file was written in; the store rewrites an older one before appending.
    var version = JournalCodec.Version.current
    var records: [IdempotencyKey: IdempotencyRecord] = [:]
    var lastFence: UInt64 = 0
    /// The number the next frame appended to this file must carry (version 3).
    var nextFrameSequence: UInt64 = 1
    var report = JournalRecoveryReport(
        framesReplayed: 0, recordsReplayed: 0, droppedTailBytes: 0)

    init(fd: Int32, directory: String) throws(IdempotencyError) {
        let bytes = try JournalFiles.readAll(fd)
        let magic = JournalCodec.Version.current.magic
        if bytes.count < magic.count {
            // A journal created but torn before its header was complete holds no records.
            guard bytes.elementsEqual(magic.prefix(bytes.count)) else {
                throw JournalCodec.corrupt("the file is not an idempotency journal", at: 0)
            }
            try JournalFiles.truncate(fd, to: 0)
            try JournalFiles.writeAll(fd, magic)
            try JournalFiles.sync(fd)
            try JournalFiles.syncDirectory(directory)
            report.droppedTailBytes = bytes.count
            return
        }
        version = try Self.version(of: Array(bytes.prefix(magic.count)))
        var offset = magic.count
        var expected: UInt64 = 1
        while let frame = JournalCodec.frame(in: bytes, at: offset, version: version) {
            if let sequence = frame.sequence, sequence != expected {
                throw Self.outOfSequence(sequence, expected: expected, at: offset)
            }
            var reader = JournalCodec.Reader(
                bytes: bytes, index: frame.payload.lowerBound, end: frame.payload.upperBound, version: version)
            while !reader.atEnd {
                try apply(try reader.record(), at: reader.index)
                report.recordsReplayed += 1
            }
            report.framesReplayed += 1
            offset = frame.payload.upperBound
            expected += 1
        }
        nextFrameSequence = expected
        guard offset < bytes.count else { return }
        // An intact header (its check passed) is a frame the writer wrote: a wrong number there is a gap or a
        // repeat even when the payload is torn.
        if let header = JournalCodec.header(in: bytes, at: offset, version: version), let sequence = header.sequence,
            sequence != expected
        {
            throw Self.outOfSequence(sequence, expected: expected, at: offset)
        }
        if let later = Self.goodFrame(after: offset, in: bytes, version: version, expected: expected) {
            throw JournalCodec.corrupt(
                "the frame at byte \(offset) is damaged and a good frame follows at byte \(later); "
                    + "this is not a torn tail (journal format version \(version.number))", at: offset)
        }
        try JournalFiles.truncate(fd, to: offset)
        try JournalFiles.sync(fd)
        report.droppedTailBytes = bytes.count - offset
    }

    /// The error for frame `sequence` found where frame `expected` belongs.
    static func outOfSequence(_ sequence: UInt64, expected: UInt64, at offset: Int) -> IdempotencyError {
        let found =
            expected == 1 ? "the file starts with frame \(sequence)" : "frame \(sequence) follows frame \(expected - 1)"
        guard sequence > expected else {
            return JournalCodec.corrupt("\(found): frames are repeated or out of order", at: offset)
        }
        let missing = sequence == expected + 1 ? "frame \(expected) is" : "frames \(expected) to \(sequence - 1) are"
        return JournalCodec.corrupt("\(found): \(missing) missing", at: offset)
    }

    /// The format version a journal's magic names.
    static func version(of magic: [UInt8]) throws(IdempotencyError) -> JournalCodec.Version {
        if let version = JournalCodec.Version.all.first(where: { $0.magic == magic }) { return version }
        let prefix = JournalCodec.Version.magicPrefix
        let digits = magic.dropFirst(prefix.count)
        guard magic.starts(with: prefix), digits.allSatisfy({ (0x30...0x39).contains($0) }),
            let number = Int(String(decoding: digits, as: UTF8.self))
        else {
            throw JournalCodec.corrupt("the file is not an idempotency journal", at: 0)
        }
        let known = JournalCodec.Version.all.map(\.number)
        throw IdempotencyError(
            code: .journalVersionUnsupported,
            message: "the journal is in format version \(number); this release reads versions "
                + "\(known.min() ?? 1) to \(known.max() ?? 1) (a journal written by a newer release cannot be opened by an older one)"
        )
    }

    /// Where a good frame starts after the damaged one at `offset`, if anywhere (see the type's description).
    static func goodFrame(
        after offset: Int, in bytes: [UInt8], version: JournalCodec.Version, expected: UInt64
    ) -> Int? {
        var start = offset + 1
        if version.isSequenced, let header = JournalCodec.header(in: bytes, at: offset, version: version) {
            // The header is intact, so the frame's extent is known; past the end of the file it is a torn write.
            let (end, overflow) = (offset + version.frameHeaderCount).addingReportingOverflow(header.length)
            guard !overflow, end < bytes.count else { return nil }
            start = end
        }
        guard start < bytes.count else { return nil }
        for later in start..<bytes.count {
            guard let frame = JournalCodec.frame(in: bytes, at: later, version: version) else { continue }
            if let sequence = frame.sequence, sequence < expected { continue }
            return later
        }
        return nil
    }

    private mutating func apply(_ record: JournalCodec.Record, at offset: Int) throws(IdempotencyError) {
        switch record {
        case .claim(let key, let fingerprint, let fence, let leaseEnd, let removeAt):
            records[key] = IdempotencyRecord(
                fingerprint: fingerprint, fence: fence,
                state: .inProgress(leaseEnd: leaseEnd), removeAt: removeAt, stamp: 0)
            lastFence = max(lastFence, fence)
        case .complete(let key, let fence, let response, let removeAt):
            guard records[key]?.fence == fence else {
                throw JournalCodec.corrupt(
                    "a completion for \(key) names fence \(fence), which does not own it", at: offset)
            }
            records[key]?.state = .completed(response)
            records[key]?.removeAt = removeAt
        case .release(let key, let fence):
            guard records[key]?.fence == fence else {
                throw JournalCodec.corrupt(
                    "a release for \(key) names fence \(fence), which does not own it", at: offset)
            }
            records[key] = nil
        case .extendLease(let key, let fence, let leaseEnd, let removeAt):
            guard let record = records[key], record.fence == fence, case .inProgress = record.state else {
                throw JournalCodec.corrupt(
                    "a lease extension for \(key) names fence \(fence), which does not hold its lease", at: offset)
            }
            records[key]?.state = .inProgress(leaseEnd: leaseEnd)
            records[key]?.removeAt = removeAt
        case .fenceFloor(let fence):
            lastFence = max(lastFence, fence)
        }
    }
}
