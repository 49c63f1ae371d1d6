/// The verdict of the model's validator on one JSON record: accepted, or every issue.
///
/// It is ``RecordReader/decode(_:path:)-([UInt8],_)`` as a value: one record (a JSON object, not a batch
/// document), with issue paths relative to the record (`/volume_mwh`). Use it to check one payload, such as a
/// settlement instruction in a request body.
public struct RecordVerdict<Record: ValidatedRecord>: Sendable {
    /// The record, if it was accepted.
    public let record: Record?
    /// Every issue, if it was not.
    public let issues: [ValidationIssue]

    /// Whether the record was accepted.
    public var isAccepted: Bool { record != nil }

    /// Validates one JSON record.
    ///
    /// - Parameters:
    ///   - bytes: The record's JSON text.
    ///   - configuration: Limits and policies (the container key is not used).
    public init(jsonRecord bytes: [UInt8], configuration: RecordReaderConfiguration = .init()) {
        do throws(ValidationFailure) {
            record = try RecordReader<Record>(configuration: configuration).decode(bytes)
            issues = []
        } catch {
            record = nil
            issues = error.issues
        }
    }
}
