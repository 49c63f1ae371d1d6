import Foundation

/// A record the reader accepted, with its index in the batch.
public struct IndexedRecord<Record: Sendable>: Sendable {
    /// The record's index in the batch.
    public var index: Int
    /// The validated record.
    public var record: Record
}

extension IndexedRecord: Equatable where Record: Equatable {}
extension IndexedRecord: Hashable where Record: Hashable {}

/// The outcome of reading a whole batch at once: the accepted records and the report.
public struct ReadBatch<Record: Sendable>: Sendable {
    /// The accepted records, in input order, with their indices.
    public var records: [IndexedRecord<Record>]
    /// The accounting; rejected records went to the dead-letter sink.
    public var report: BatchReport
}

extension RecordReader {
    /// Reads a batch, delivering each valid record to `onRecord` and quarantining every other record in
    /// `deadLetters`, with its exact bytes, their SHA-256, its index, every issue, the source, the batch id and
    /// the time.
    ///
    /// - Parameters:
    ///   - bytes: The batch.
    ///   - format: ``BatchFormat/document`` or ``BatchFormat/jsonLines``.
    ///   - source: The feed or system the batch came from.
    ///   - batchID: The batch's id.
    ///   - deadLetters: Where rejected records go.
    ///   - quarantinedAt: The time stamped on this batch's dead letters; `nil` takes the current time once.
    ///   - onRecord: Receives each valid record with its index.
    /// - Returns: The batch's report; `accepted + quarantined == received`.
    /// - Throws: ``ValidationFailure`` for a document that cannot be read at all; the sink's error if a dead
    ///   letter could not be stored (reading stops: the record is not counted as quarantined); whatever
    ///   `onRecord` throws.
    public func read(
        _ bytes: UnsafeRawBufferPointer, format: BatchFormat = .document, source: String, batchID: String,
        deadLetters: some DeadLetterSink, quarantinedAt: UTCTimestamp? = nil,
        onRecord: (Int, Record) throws -> Void
    ) throws -> BatchReport {
        let stamp = try quarantinedAt ?? UTCTimestamp(Date())
        return try read(
            bytes, format: format, source: source, batchID: batchID, onRecord: onRecord,
            onRejected: { rejected in
                try deadLetters.quarantine(
                    DeadLetter(
                        rawBytes: rejected.rawBytes, recordIndex: rejected.index, issues: rejected.issues,
                        sourceName: source, batchID: batchID, quarantinedAt: stamp))
            })
    }

    /// Reads a whole batch into an array of accepted records, quarantining the rest in `deadLetters`.
    ///
    /// - Parameters:
    ///   - bytes: The batch.
    ///   - format: ``BatchFormat/document`` or ``BatchFormat/jsonLines``.
    ///   - source: The feed or system the batch came from.
    ///   - batchID: The batch's id.
    ///   - deadLetters: Where rejected records go.
    ///   - quarantinedAt: The time stamped on this batch's dead letters; `nil` takes the current time once.
    /// - Returns: The accepted records and the report.
    /// - Throws: ``ValidationFailure`` for a document that cannot be read at all, or the sink's error.
    public func readAll(
        _ bytes: [UInt8], format: BatchFormat = .document, source: String, batchID: String,
        deadLetters: some DeadLetterSink, quarantinedAt: UTCTimestamp? = nil
    ) throws -> ReadBatch<Record> {
        var records: [IndexedRecord<Record>] = []
        let report = try bytes.withUnsafeBytes { raw in
            try read(
                raw, format: format, source: source, batchID: batchID, deadLetters: deadLetters,
                quarantinedAt: quarantinedAt
            ) { index, record in
                records.append(IndexedRecord(index: index, record: record))
            }
        }
        return ReadBatch(records: records, report: report)
    }
}
