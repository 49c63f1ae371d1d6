/// The accounting of one batch: how many records came in, how many were accepted, how many were quarantined
/// and why.
///
/// The invariant ``isBalanced`` (`accepted + quarantined == received`) holds for every batch a
/// ``RecordReader`` reads; the reader checks it before returning, and throws a ``ValidationFailure`` with
/// code ``ValidationIssue/Code/accountingMismatch`` rather than return a report that does not balance.
public struct BatchReport: Sendable, Hashable, CustomStringConvertible {
    /// The source the batch came from (a feed or file name).
    public var source: String
    /// The batch's id.
    public var batchID: String
    /// Elements of the record array (or non-blank JSON Lines) seen.
    public var received: Int
    /// Records that passed validation and were delivered.
    public var accepted: Int
    /// Records quarantined as dead letters.
    public var quarantined: Int
    /// For each issue code, the number of quarantined records with at least one issue of that code.
    public var quarantinedByCode: [ValidationIssue.Code: Int]
    /// Problems with the document itself that came to light after records were delivered (a truncated
    /// array, trailing bytes, a second container key). Empty for an intact document.
    public var documentIssues: [ValidationIssue]

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - source: The source name.
    ///   - batchID: The batch id.
    ///   - received: Records received.
    ///   - accepted: Records accepted.
    ///   - quarantined: Records quarantined.
    ///   - quarantinedByCode: Quarantined records per issue code.
    ///   - documentIssues: Document-level problems found after delivery began.
    public init(
        source: String, batchID: String, received: Int = 0, accepted: Int = 0, quarantined: Int = 0,
        quarantinedByCode: [ValidationIssue.Code: Int] = [:], documentIssues: [ValidationIssue] = []
    ) {
        self.source = source
        self.batchID = batchID
        self.received = received
        self.accepted = accepted
        self.quarantined = quarantined
        self.quarantinedByCode = quarantinedByCode
        self.documentIssues = documentIssues
    }

    /// Whether every received record is accounted for: `accepted + quarantined == received`.
    public var isBalanced: Bool { accepted + quarantined == received }

    /// A one-line summary, with the accounting identity spelled out.
    public var description: String {
        let codes = quarantinedByCode.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
        let identity = "\(accepted) + \(quarantined) \(isBalanced ? "=" : "≠") \(received)"
        return "\(source) \(batchID): received \(received), accepted \(accepted), quarantined \(quarantined)"
            + (codes.isEmpty ? "" : " [\(codes)]") + "; accepted + quarantined = received: \(identity)"
    }

    /// The report, if it balances.
    ///
    /// - Throws: ``ValidationFailure`` with code ``ValidationIssue/Code/accountingMismatch`` and the
    ///   report's one-line summary otherwise.
    func checkedBalance() throws(ValidationFailure) -> BatchReport {
        guard isBalanced else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    code: .accountingMismatch,
                    message: "the reader's accounting does not balance (a defect of the reader): \(description)")
            ])
        }
        return self
    }

    mutating func count(rejection issues: [ValidationIssue]) {
        quarantined += 1
        var codes: Set<ValidationIssue.Code> = []
        for issue in issues where codes.insert(issue.code).inserted {
            quarantinedByCode[issue.code, default: 0] += 1
        }
    }
}

/// A record the reader could not accept: its index, its exact bytes and every issue.
public struct RejectedRecord: Sendable, Hashable {
    /// The record's index in the batch (its position in the array, or among the non-blank lines).
    public var index: Int
    /// The exact bytes of the array element or line, without surrounding whitespace.
    public var rawBytes: [UInt8]
    /// Every issue found, each with its JSON Pointer path.
    public var issues: [ValidationIssue]

    /// Creates a rejected record.
    ///
    /// - Parameters:
    ///   - index: The record's index in the batch.
    ///   - rawBytes: The record's exact bytes.
    ///   - issues: Its issues.
    public init(index: Int, rawBytes: [UInt8], issues: [ValidationIssue]) {
        self.index = index
        self.rawBytes = rawBytes
        self.issues = issues
    }
}

extension RejectedRecord {
    /// The record moved on by `offset` elements of its array: its index, and the paths of its issues that point
    /// into the element (`/<containerKey>/<index>` and below). For joining the parts of one feed that were read
    /// on their own (pages, files, chunks) into the feed's numbering.
    ///
    /// - Parameters:
    ///   - offset: The elements before the part the record was read in.
    ///   - containerKey: The key of the record array, as in the issue paths.
    /// - Returns: The moved record.
    public func shifted(by offset: Int, containerKey: String) -> RejectedRecord {
        guard offset != 0 else { return self }
        let arrayPath = "/" + JSONPointer.escape(containerKey) + "/"
        let old = arrayPath + String(index)
        let new = arrayPath + String(index + offset)
        let moved = issues.map { issue in
            guard issue.path.hasPrefix(old) else { return issue }
            let rest = issue.path.dropFirst(old.utf8.count)
            guard rest.isEmpty || rest.hasPrefix("/") else { return issue }
            return ValidationIssue(path: new + rest, code: issue.code, message: issue.message, value: issue.value)
        }
        return RejectedRecord(index: index + offset, rawBytes: rawBytes, issues: moved)
    }
}
