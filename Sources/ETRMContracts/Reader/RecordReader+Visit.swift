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
    // A caller in another module gets the generic entry point; the specialisation for trade records spares the
    // hot loop the value-witness copies of a generic record (the feed-sized workload is trade records).
    @_specialize(where Record == TradeRecord)
    public func read(
        _ bytes: UnsafeRawBufferPointer, format: BatchFormat = .document, source: String = "", batchID: String = "",
        onRecord: (Int, Record) throws -> Void, onRejected: (RejectedRecord) throws -> Void
    ) throws -> BatchReport {
        var report = BatchReport(source: source, batchID: batchID)
        let accept: (Int, Record) throws -> Void = { index, record in
            report.accepted += 1
            try onRecord(index, record)
        }
        let reject: (Rejection) throws -> Void = { rejection in
            report.count(rejection: rejection.issues)
            try onRejected(
                RejectedRecord(
                    index: rejection.index, rawBytes: Array(bytes[rejection.range]), issues: rejection.issues))
        }
        let summary =
            format.isLines
            ? try scanLines(bytes, accept: accept, reject: reject)
            : try scanDocument(bytes, accept: accept, reject: reject)
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
