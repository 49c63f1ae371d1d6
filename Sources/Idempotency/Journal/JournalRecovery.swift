#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replays a journal file into records, dropping a torn tail.
struct JournalRecovery {
    /// The format version the file was written in; the store rewrites an older one before appending.
    var version = JournalCodec.Version.current
    var records: [IdempotencyKey: IdempotencyRecord] = [:]
    var lastFence: UInt64 = 0
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
        guard let version = JournalCodec.Version.all.first(where: { bytes.prefix(magic.count).elementsEqual($0.magic) })
        else {
            throw JournalCodec.corrupt("the file is not an idempotency journal of a known format version", at: 0)
        }
        self.version = version
        var offset = magic.count
        while let length = JournalCodec.frameLength(in: bytes, at: offset, version: version) {
            let payload = offset + JournalCodec.frameHeaderCount
            var reader = JournalCodec.Reader(bytes: bytes, index: payload, end: payload + length, version: version)
            while !reader.atEnd {
                try apply(try reader.record(), at: reader.index)
                report.recordsReplayed += 1
            }
            report.framesReplayed += 1
            offset = payload + length
        }
        guard offset < bytes.count else { return }
        // A damaged frame. If a good frame follows it, the damage is not a torn tail: refuse to open.
        for later in (offset + 1)..<bytes.count
        where JournalCodec.frameLength(in: bytes, at: later, version: version) != nil {
            throw JournalCodec.corrupt(
                "a damaged frame is followed by a good frame at byte \(later); this is not a torn tail", at: offset)
        }
        try JournalFiles.truncate(fd, to: offset)
        try JournalFiles.sync(fd)
        report.droppedTailBytes = bytes.count - offset
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
