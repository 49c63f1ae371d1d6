import ETRMShared

/// The input format of a batch.
public struct BatchFormat: Sendable, Hashable {
    let isLines: Bool
    /// One JSON document: an object whose container key holds the array of records (`{"trades": [...]}`).
    public static let document = BatchFormat(isLines: false)
    /// JSON Lines: one record object per line; blank lines are skipped and are not records.
    public static let jsonLines = BatchFormat(isLines: true)
}

extension RecordReader {
    /// Reads a batch, calling `onRecord` for each valid record in order and `onRejected` for each record that
    /// is not, with no intermediate array: the streaming form a column builder uses.
    ///
    /// - Parameters:
    ///   - bytes: The batch; it is read in place and not retained.
    ///   - format: ``BatchFormat/document`` or ``BatchFormat/jsonLines``.
    ///   - source: The source name for the report.
    ///   - batchID: The batch id for the report.
    ///   - onRecord: Receives each valid record with its index.
    ///   - onRejected: Receives each rejected record with its bytes and issues.
    /// - Returns: The batch's report; it is balanced.
    /// - Throws: ``ValidationFailure`` when the document cannot be read at all (see ``RecordReader``), or
    ///   whatever a callback throws (reading stops there). Should the reader's own counting ever fail to
    ///   balance (a defect of the reader, not of the input), ``ValidationFailure`` with code
    ///   ``ValidationIssue/Code/accountingMismatch``, after the callbacks ran: never a crash of the host.
    // `@inlinable` so that the caller's module specialises it for its record type: the declared schema's
    // build closure and `onRecord` are then called without generic metadata or value witnesses per record.
    @inlinable
    public func read(
        _ bytes: UnsafeRawBufferPointer, format: BatchFormat = .document, source: String = "", batchID: String = "",
        onRecord: (Int, Record) throws -> Void, onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        try readBatch(
            bytes, format: format, stretch: nil, source: source, batchID: batchID, onRecord: onRecord,
            onRejected: onRejected)
    }

    /// Reads a stretch of a batch document's record array in place: the elements in `range`, the first of
    /// them at index `firstIndex` of the array, with the same verdicts, indices, paths and dead-letter bytes
    /// as a read of the whole document.
    ///
    /// Use it to read one document in parts (on several cores, or as its bytes arrive) without copying a part
    /// into a document of its own. `range` starts at an element's first byte and ends just past an element's
    /// last one (whitespace allowed around either); the elements in it are separated by commas and it holds
    /// neither the array's `[` nor its `]`. Only the bytes in `range` are read, so that parts of one document
    /// can be read at the same time; byte offsets in messages are offsets in `document`, and nesting is
    /// counted as if the elements sat in `{"key": [ … ]}`.
    ///
    /// ```swift
    /// // The array's elements lie in 11..<endOfLastElement; read them in two parts.
    /// let first = try reader.readElements(document, in: 11..<split, firstIndex: 0, onRecord: add, onRejected: keep)
    /// let rest = try reader.readElements(
    ///     document, in: split + 1..<endOfLastElement, firstIndex: first.received, onRecord: add, onRejected: keep)
    /// ```
    ///
    /// Besides the faults ``RecordReader`` describes for a whole array, these are document issues in
    /// ``BatchReport/documentIssues``: a `]` in the stretch (reading stops there), a stretch that ends with a
    /// `,`, and an element that does not end inside the stretch (it is quarantined with the rest of the
    /// stretch). A stretch whose report has no document issue was read exactly as the same elements are read
    /// in the whole document, so a caller that split at a guessed boundary can trust such a stretch and read
    /// the document whole otherwise.
    ///
    /// - Parameters:
    ///   - document: The whole batch document; only `range` is read.
    ///   - range: The byte range of the elements.
    ///   - firstIndex: The array index of the first element in `range`.
    ///   - source: The source name for the report.
    ///   - batchID: The batch id for the report.
    ///   - onRecord: Receives each valid record with its array index.
    ///   - onRejected: Receives each rejected record with its array index, bytes and issues.
    /// - Returns: The stretch's report (``BatchReport/received`` counts the stretch's elements); it is balanced.
    /// - Throws: ``ValidationFailure`` when `document` is over the size limit, or whatever a callback throws.
    /// - Precondition: `range` lies inside `document`.
    @inlinable
    public func readElements(
        _ document: UnsafeRawBufferPointer, in range: Range<Int>, firstIndex: Int, source: String = "",
        batchID: String = "", onRecord: (Int, Record) throws -> Void, onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        try readBatch(
            document, format: .document, stretch: (range, firstIndex), source: source, batchID: batchID,
            onRecord: onRecord, onRejected: onRejected)
    }

    /// Calls the reads' common body with the hook that builds and delivers a record the declared plan read.
    /// Inlined into the caller, so that the hook is specialised for its record type; the build closure is
    /// unwrapped once per read, not per record (which would retain and release its context each time).
    @inlinable @inline(__always)
    func readBatch(
        _ bytes: UnsafeRawBufferPointer, format: BatchFormat, stretch: (range: Range<Int>, firstIndex: Int)?,
        source: String, batchID: String, onRecord: (Int, Record) throws -> Void,
        onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        guard let build = Record.recordSchema.build else {
            return try readBatch(
                bytes, format: format, stretch: stretch, source: source, batchID: batchID,
                onValues: { _, _ in false }, onRecord: onRecord, onRejected: onRejected)
        }
        return try readBatch(
            bytes, format: format, stretch: stretch, source: source, batchID: batchID,
            onValues: { index, values in
                guard let record = try? build(values) else { return false }
                try onRecord(index, record)
                return true
            }, onRecord: onRecord, onRejected: onRejected)
    }

    /// The reads' common body: `onValues` builds and delivers a record the declared plan read (`false` when
    /// the build closure declines it), specialised in the caller's module; the rest is generic.
    @usableFromInline
    @_specialize(where Record == TradeRecord)
    func readBatch(
        _ bytes: UnsafeRawBufferPointer, format: BatchFormat, stretch: (range: Range<Int>, firstIndex: Int)?,
        source: String, batchID: String, onValues: (Int, RecordValues) throws -> Bool,
        onRecord: (Int, Record) throws -> Void, onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        var report = BatchReport(source: source, batchID: batchID)
        let plan = usesFastPath ? Record.recordSchema.plan : nil
        // Local functions and closure arguments, never stored: a read allocates no closure contexts.
        func accept(_ index: Int, _ record: Record) throws {
            report.accepted += 1
            try onRecord(index, record)
        }
        func reject(_ rejection: Rejection) throws {
            report.count(rejection: rejection.issues)
            try onRejected(
                RejectedRecord(
                    index: rejection.index, rawBytes: Array(bytes[rejection.range]), issues: rejection.issues))
        }
        func slow(
            _ scanner: inout JSONScanner, _ index: Int, _ arrayDepth: Int, _ summary: inout ScanSummary
        ) throws -> Bool {
            try scanElement(
                &scanner, index: index, arrayDepth: arrayDepth, triesFastPath: plan == nil, summary: &summary,
                accept: accept, reject: reject)
        }
        let summary = try withUnsafeTemporaryAllocation(
            of: RecordSlot.self, capacity: max(1, plan?.fields.count ?? 1)
        ) { slots in
            let loop = ElementLoop(
                containerKey: containerKey, plan: plan.map { PlanRead(plan: $0, slots: slots.baseAddress!) },
                rejectsUnknown: configuration.unknownFields.rejects)
            if let stretch {
                return try loop.scanStretch(
                    bytes, range: stretch.range, firstIndex: stretch.firstIndex, configuration: configuration.scanner,
                    onValues: onValues, slow: slow)
            }
            return format.isLines
                ? try scanLines(bytes, loop: loop, onValues: onValues, accept: accept, reject: reject)
                : try scanDocument(bytes, loop: loop, onValues: onValues, slow: slow)
        }
        report.accepted += summary.acceptedByPlan
        report.received = summary.received
        report.documentIssues = summary.documentIssues
        return try report.checkedBalance()
    }

    /// Reads a batch from an array of bytes; see ``read(_:format:source:batchID:onRecord:onRejected:)-(UnsafeRawBufferPointer,_,_,_,_,_)``.
    ///
    /// - Parameters:
    ///   - bytes: The batch.
    ///   - format: ``BatchFormat/document`` or ``BatchFormat/jsonLines``.
    ///   - source: The source name for the report.
    ///   - batchID: The batch id for the report.
    ///   - onRecord: Receives each valid record with its index.
    ///   - onRejected: Receives each rejected record.
    /// - Returns: The batch's report.
    /// - Throws: ``ValidationFailure`` for an unreadable document, or whatever a callback throws.
    public func read(
        _ bytes: [UInt8], format: BatchFormat = .document, source: String = "", batchID: String = "",
        onRecord: (Int, Record) throws -> Void, onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        try bytes.withUnsafeBytes { raw in
            try read(
                raw, format: format, source: source, batchID: batchID, onRecord: onRecord, onRejected: onRejected)
        }
    }
}
