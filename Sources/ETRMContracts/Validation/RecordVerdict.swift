/// The verdict of the model's validator on one JSON record: accepted, or every issue.
///
/// It runs the fast reader on a single record (a JSON object, not a batch document), with issue paths
/// relative to the record (`/volume_mwh`). Use it to check one payload, such as a settlement instruction in
/// a request body.
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
        var accepted: Record?
        var issues: [ValidationIssue] = []
        var configuration = configuration
        configuration.containerKey = "record"
        configuration.maximumDepth += 2
        let wrapped = Array(#"{"record":["#.utf8) + bytes + Array("]}".utf8)
        do {
            let report = try RecordReader<Record>(configuration: configuration).read(
                wrapped,
                onRecord: { _, record in accepted = record },
                onRejected: { rejected in issues = rejected.issues.map { $0.relocated(from: "/record/0") } })
            if report.received != 1 {
                issues = [
                    ValidationIssue(
                        code: .invalidJSON, message: "expected one JSON record, found \(report.received)")
                ]
                accepted = nil
            }
        } catch let failure as ValidationFailure {
            issues = failure.issues
        } catch {
            issues = [ValidationIssue(code: .invalidJSON, message: "\(error)")]
        }
        record = accepted
        self.issues = issues
    }
}

extension ValidationIssue {
    /// The issue with `prefix` removed from the front of its path.
    fileprivate func relocated(from prefix: String) -> ValidationIssue {
        guard path.hasPrefix(prefix) else { return self }
        var copy = self
        copy.path = String(path.dropFirst(prefix.count))
        return copy
    }
}
