import ETRMShared

/// Reads canonical records straight from JSON bytes, validating each one and collecting every issue, without
/// `JSONDecoder` and without building a tree.
///
/// A batch document is an object with one array of records under the model's container key:
/// `{"trades": [ … ]}` for ``TradeRecord``, `{"settlements": [ … ]}` for ``SettlementInstruction``,
/// `{"orders": [ … ]}` for ``Order``. Other top-level keys (paging metadata, …) are skipped. JSON Lines input
/// holds one record per line instead.
///
/// ## What happens to bad input
/// - **A document that cannot be read at all** (over the size limit, not JSON, not an object, no container
///   array, the container not an array, a byte order mark under the reject policy) throws a
///   ``ValidationFailure`` before any record is delivered.
/// - **A record with bad values** (a missing field, a wrong type, an invalid LEI, …) is quarantined with every
///   issue; its neighbours are unaffected.
/// - **A record that is not an object** (`42`, `"x"`, `[…]`) is quarantined with `not_an_object`.
/// - **A record whose bytes are not well-formed JSON** (a bad literal, a raw control character or invalid
///   UTF-8 in a string, a string over the length limit, nesting over the depth limit, a duplicate key) is
///   quarantined with one structural issue (`invalid_json`, `invalid_utf8`, `limit_exceeded`,
///   `duplicate_key`) that gives the byte offset. The reader then resynchronises: it finds the end of the
///   element by counting brackets outside strings (the element ends where its own brackets close, at the
///   next `,` or `]` of the array, or, for junk with no brackets, before the `{` or `[` that follows it), and
///   carries on with the next one.
/// - **A separator fault between elements** is a document issue in ``BatchReport/documentIssues``, not a
///   record: an empty element (`[,A]`, `[A,,B]`) is skipped, and a missing comma (`[{A} {B},{C}]`,
///   `[{A}, oops {B}]`) ends the element before it, so A, B and C (and the junk) are each read on their own
///   and one bad record never costs its neighbours. A trailing comma (`[A,]`) ends the scan with a document issue. No dead letter is ever empty:
///   each holds the exact bytes of the element it stands for.
/// - **An element that never ends** (the array is not closed: a truncated download) takes the rest of the
///   document with it as one quarantined record, and ``BatchReport/documentIssues`` says the document was
///   damaged. Damage after the array (trailing bytes, a second container key) is reported there too; the
///   records already delivered stand.
///
/// Every received element is either delivered or quarantined, so
/// ``BatchReport/accepted`` + ``BatchReport/quarantined`` = ``BatchReport/received`` for every batch.
public struct RecordReader<Record: ValidatedRecord>: Sendable {
    /// Limits and policies of a reader; shared by the readers of every model.
    public typealias Configuration = RecordReaderConfiguration

    /// The reader's configuration.
    public var configuration: Configuration

    /// Creates a reader.
    ///
    /// - Parameter configuration: Limits and policies.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether the model's fast path (``RecordSchema`` `fastDecode`) is tried before the rule table. Only the
    /// tests turn it off, to compare the two paths' verdicts.
    package var usesFastPath = true

    /// The key of the record array this reader expects.
    public var containerKey: String { configuration.containerKey ?? Record.recordSchema.containerKey }

    /// Reads the record object at the scanner's position: through the model's fast path when it has one and
    /// the record is valid and of the common shape, otherwise (from the same position) through the rule table,
    /// which records every issue.
    @inline(__always)
    func decodeObject(
        _ scanner: inout JSONScanner, schema: RecordSchema<Record>, issues: inout RecordIssues,
        policy: UnknownFieldPolicy, triesFastPath: Bool = true
    ) throws(JSONError) -> Record? {
        if triesFastPath, usesFastPath, let fastDecode = schema.fastDecode {
            let start = scanner.offset
            let depth = scanner.depth
            if let record = fastDecode(&scanner, policy) { return record }
            scanner.reposition(to: start, depth: depth)
        }
        return try schema.decodeRecord(&scanner, &issues, policy)
    }
}

/// One element the reader could not accept: where it is and why.
struct Rejection {
    var index: Int
    var range: Range<Int>
    var issues: [ValidationIssue]
}

/// What a scan found besides the records themselves.
struct ScanSummary {
    var received = 0
    /// Records the declared plan read and the caller's hook took (the others are counted by `accept`).
    var acceptedByPlan = 0
    var documentIssues: [ValidationIssue] = []
}

/// A declared schema's plan and the slot buffer it reads every record of one batch into.
struct PlanRead {
    let plan: RecordPlan
    let slots: UnsafeMutablePointer<RecordSlot>
}

/// The loops over a record array's elements, free of the record type so that a valid record costs no generic
/// metadata: the declared plan reads it into the slots and `onValues` (specialised in the caller's module)
/// builds and delivers it; anything else goes to `slow`, the rule table. The callbacks are passed down as
/// arguments, never stored, so that a read allocates no closure contexts.
struct ElementLoop {
    /// Builds and delivers a record the plan read; `false` when the build closure declines it.
    typealias OnValues = (Int, RecordValues) throws -> Bool
    /// Reads the element at the scanner's position through the rule table and calls back; `false` when the
    /// element never ends (it then holds the rest of the input, and a document issue says so).
    typealias Slow = (inout JSONScanner, _ index: Int, _ arrayDepth: Int, inout ScanSummary) throws -> Bool

    let containerKey: String
    let plan: PlanRead?
    let rejectsUnknown: Bool

    /// Reads one element at the scanner's position (its first byte).
    @inline(__always)
    func element(
        _ scanner: inout JSONScanner, index: Int, arrayDepth: Int, summary: inout ScanSummary, onValues: OnValues,
        slow: Slow
    ) throws -> Bool {
        summary.received += 1
        let start = scanner.offset
        if let plan, start < scanner.count, scanner.base[start] == UInt8(ascii: "{") {
            if let present = plan.plan.scan(&scanner, into: plan.slots, rejectsUnknown: rejectsUnknown),
                try onValues(index, RecordValues(slots: plan.slots, present: present, input: scanner.base))
            {
                summary.acceptedByPlan += 1
                return true
            }
            scanner.reposition(to: start, depth: arrayDepth)
        }
        return try slow(&scanner, index, arrayDepth, &summary)
    }

    /// Reads the elements of the record array. Returns `false` when the array never closed and the rest of
    /// the document went to one rejection.
    ///
    /// Two separator faults are document issues, not records, so that counting stays balanced and no dead
    /// letter is empty: an empty element (`[,A]`, `[A,,B]`) is skipped, and a missing comma (`[{A} {B}]`)
    /// ends the element before it, so that A and B are read, accepted or quarantined, each on its own.
    func scanArray(
        _ scanner: inout JSONScanner, summary: inout ScanSummary, onValues: OnValues, slow: Slow
    ) throws -> Bool {
        try scanner.beginArray()
        let arrayDepth = scanner.depth
        var first = true
        while try scanner.nextElement(isFirst: &first) {
            if emptyElement(&scanner, arrayDepth: arrayDepth, summary: &summary) {
                first = true
                continue
            }
            let index = summary.received
            guard
                try element(
                    &scanner, index: index, arrayDepth: arrayDepth, summary: &summary, onValues: onValues, slow: slow)
            else {
                return false
            }
            if missingComma(&scanner, after: index, summary: &summary) { first = true }
        }
        return true
    }

    /// Reads the stretch `range` of a batch document's record array, whose first element has index
    /// `firstIndex`; see `RecordReader.readElements`.
    func scanStretch(
        _ raw: UnsafeRawBufferPointer, range: Range<Int>, firstIndex: Int,
        configuration: JSONScanner.Configuration, onValues: OnValues, slow: Slow
    ) throws -> ScanSummary {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= raw.count, "the stretch must lie inside the document")
        var summary = ScanSummary()
        var scanner: JSONScanner
        do {
            scanner = try JSONScanner(
                UnsafeRawBufferPointer(rebasing: raw[..<range.upperBound]), configuration: configuration)
        } catch {
            throw ValidationFailure(issues: [ValidationIssue(error)])
        }
        // The elements of `{"key": [ … ]}` are read at the depth of the array, as in the whole document.
        let arrayDepth = 2
        scanner.reposition(to: range.lowerBound, depth: arrayDepth)
        let arrayPath = "/" + JSONPointer.escape(containerKey)
        var afterComma = false
        while true {
            scanner.skipWhitespace()
            guard scanner.offset < scanner.count else {
                if afterComma {
                    summary.documentIssues.append(
                        ValidationIssue(
                            path: arrayPath, code: .invalidJSON,
                            message: "the stretch ends with a ',' (byte \(range.upperBound)): no element follows it"))
                }
                return summary
            }
            if scanner.base[scanner.offset] == UInt8(ascii: "]") {
                summary.documentIssues.append(
                    ValidationIssue(
                        path: arrayPath, code: .invalidJSON,
                        message: "the array closes inside the stretch (byte \(scanner.offset)); the bytes after it "
                            + "were not read"))
                return summary
            }
            if emptyElement(&scanner, arrayDepth: arrayDepth, summary: &summary) { continue }
            let index = firstIndex + summary.received
            guard
                try element(
                    &scanner, index: index, arrayDepth: arrayDepth, summary: &summary, onValues: onValues, slow: slow)
            else {
                return summary
            }
            afterComma = false
            scanner.skipWhitespace()
            if scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: ",") {
                scanner.reposition(to: scanner.offset + 1, depth: arrayDepth)
                afterComma = true
            } else {
                _ = missingComma(&scanner, after: index, summary: &summary)
            }
        }
    }

    /// Skips a `,` where an element should start (`[,A]`, `[A,,B]`), recording a document issue.
    private func emptyElement(_ scanner: inout JSONScanner, arrayDepth: Int, summary: inout ScanSummary) -> Bool {
        guard scanner.offset < scanner.count, scanner.base[scanner.offset] == UInt8(ascii: ",") else { return false }
        summary.documentIssues.append(
            ValidationIssue(
                path: "/" + JSONPointer.escape(containerKey), code: .invalidJSON,
                message: "an empty array element (byte \(scanner.offset)): a ',' with no value before it; "
                    + "it is not a record and no bytes were lost"))
        scanner.reposition(to: scanner.offset + 1, depth: arrayDepth)
        return true
    }

    /// After an element comes ',' or ']'. Anything else starts the next element: the comma is missing, which is
    /// recorded as a document issue.
    private func missingComma(_ scanner: inout JSONScanner, after index: Int, summary: inout ScanSummary) -> Bool {
        scanner.skipWhitespace()
        guard scanner.offset < scanner.count, scanner.base[scanner.offset] != UInt8(ascii: ","),
            scanner.base[scanner.offset] != UInt8(ascii: "]")
        else { return false }
        summary.documentIssues.append(
            ValidationIssue(
                path: "/" + JSONPointer.escape(containerKey), code: .invalidJSON,
                message: "a ',' is missing after record \(index) (byte \(scanner.offset)); what follows is "
                    + "read as the next record, so no bytes were lost"))
        return true
    }

}

extension RecordReader {
    /// Scans a batch document, calling the callbacks for each element of its record array.
    func scanDocument(
        _ raw: UnsafeRawBufferPointer, loop: ElementLoop, onValues: ElementLoop.OnValues, slow: ElementLoop.Slow
    ) throws -> ScanSummary {
        let container = containerKey
        var summary = ScanSummary()
        var scanner: JSONScanner
        do {
            scanner = try JSONScanner(raw, configuration: configuration.scanner)
            guard try scanner.peekKind() == .object else {
                try scanner.skipValue()  // not JSON at all is invalid_json; JSON but not an object is this:
                throw ValidationFailure(issues: [
                    ValidationIssue(
                        code: .notAnObject, message: "a batch document must be an object with a \"\(container)\" array")
                ])
            }
            try scanner.beginObject()
        } catch let error as JSONError {
            throw ValidationFailure(issues: [ValidationIssue(error)])
        }
        var foundContainer = false
        var first = true
        let containerBytes = Array(container.utf8)
        do {
            while let key = try scanner.nextMember(isFirst: &first) {
                let isContainer = containerBytes.withUnsafeBufferPointer { scanner.equals(key, $0) }
                guard isContainer else {
                    try scanner.skipValue()
                    continue
                }
                if foundContainer {
                    summary.documentIssues.append(
                        ValidationIssue(
                            path: "/" + JSONPointer.escape(container), code: .duplicateKey,
                            message: "the document names \"\(container)\" twice; the second array was not read"))
                    try scanner.skipValue()
                    continue
                }
                foundContainer = true
                let kind = try scanner.peekKind()
                guard kind == .array else {
                    throw ValidationFailure(issues: [
                        ValidationIssue(
                            path: "/" + JSONPointer.escape(container), code: .wrongType,
                            message: "expected an array of records, found \(kind.name)")
                    ])
                }
                let complete = try loop.scanArray(&scanner, summary: &summary, onValues: onValues, slow: slow)
                if !complete { return summary }
            }
            try scanner.finish()
        } catch let error as JSONError {
            guard foundContainer else { throw ValidationFailure(issues: [ValidationIssue(error)]) }
            summary.documentIssues.append(ValidationIssue(error))
        }
        guard foundContainer else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    path: "/" + JSONPointer.escape(container), code: .missingField,
                    message: "the document has no \"\(container)\" array")
            ])
        }
        return summary
    }

    /// Reads one element at the scanner's position (its first byte) through the rule table and calls the
    /// callbacks. Returns `false` when the element never ends: it then holds the rest of the input, and a
    /// document issue says so.
    func scanElement(
        _ scanner: inout JSONScanner, index: Int, arrayDepth: Int, triesFastPath: Bool, summary: inout ScanSummary,
        accept: (Int, Record) throws -> Void, reject: (Rejection) throws -> Void
    ) throws -> Bool {
        let start = scanner.offset
        let container = containerKey
        var issues = RecordIssues(container: container, index: index)
        var record: Record?
        var failure: JSONError?
        var recordEnd = start
        do throws(JSONError) {
            if try scanner.peekKind() == .object {
                record = try decodeObject(
                    &scanner, schema: Record.recordSchema, issues: &issues, policy: configuration.unknownFields,
                    triesFastPath: triesFastPath)
            } else {
                let kind = try scanner.peekKind()
                let range = try scanner.skipValue()
                issues.add(
                    field: nil, code: .notAnObject, message: "a record must be a JSON object, found \(kind.name)",
                    value: String(decoding: scanner.bytes(range), as: UTF8.self))
            }
            recordEnd = scanner.offset
        } catch {
            failure = error
        }
        if let failure {
            issues.add(failure, recordStart: start)
            guard let end = scanner.lenientEndOfElement(from: start) else {
                try reject(
                    Rejection(index: index, range: start..<trimmedEnd(scanner), issues: issues.issues))
                summary.documentIssues.append(
                    ValidationIssue(
                        path: "/" + JSONPointer.escape(container), code: .invalidJSON,
                        message:
                            "the array is not closed (truncated or unbalanced document); record \(index) holds the rest of the document"
                    ))
                return false
            }
            scanner.reposition(to: end, depth: arrayDepth)
            try reject(Rejection(index: index, range: start..<end, issues: issues.issues))
        } else if let record, issues.isEmpty {
            try accept(index, record)
        } else {
            try reject(Rejection(index: index, range: start..<recordEnd, issues: issues.issues))
        }
        return true
    }

    /// Scans JSON Lines: one record per line; blank lines are skipped and are not records.
    func scanLines(
        _ raw: UnsafeRawBufferPointer, loop: ElementLoop, onValues: ElementLoop.OnValues,
        accept: (Int, Record) throws -> Void, reject: (Rejection) throws -> Void
    ) throws -> ScanSummary {
        let plan = loop.plan
        let schema = Record.recordSchema
        let policy = configuration.unknownFields
        guard raw.count <= configuration.maximumDocumentSize else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    code: .limitExceeded,
                    message:
                        "input of \(raw.count) bytes is over the limit of \(configuration.maximumDocumentSize) bytes")
            ])
        }
        var summary = ScanSummary()
        var lineStart = 0
        var lineNumber = 0
        let bytes = raw.bindMemory(to: UInt8.self)
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            defer {
                lineStart = lineEnd + 1
                lineNumber += 1
            }
            var start = lineStart
            var end = lineEnd
            while start < end, Self.isWhitespace(bytes[start]) { start += 1 }
            while end > start, Self.isWhitespace(bytes[end - 1]) { end -= 1 }
            guard start < end else { continue }
            let index = summary.received
            summary.received += 1
            var issues = RecordIssues(container: nil, index: index)
            var record: Record?
            var lineConfiguration = configuration.scanner
            if lineNumber > 0 { lineConfiguration.byteOrderMark = .reject }
            let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            if let plan, bytes[start] == UInt8(ascii: "{"),
                var scanner = try? JSONScanner(line, configuration: lineConfiguration),
                let present = plan.plan.scan(&scanner, into: plan.slots, rejectsUnknown: policy.rejects),
                scanner.isAtEnd(),
                try onValues(
                    index, RecordValues(slots: plan.slots, present: present, input: scanner.base))
            {
                summary.acceptedByPlan += 1
                continue
            }
            do throws(JSONError) {
                var scanner = try JSONScanner(line, configuration: lineConfiguration)
                if try scanner.peekKind() == .object {
                    record = try decodeObject(
                        &scanner, schema: schema, issues: &issues, policy: policy, triesFastPath: plan == nil)
                } else {
                    let kind = try scanner.peekKind()
                    try scanner.skipValue()
                    issues.add(
                        field: nil, code: .notAnObject, message: "a record must be a JSON object, found \(kind.name)",
                        value: String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<end]), as: UTF8.self))
                }
                try scanner.finish()
            } catch {
                issues.add(error, recordStart: 0)
            }
            if let record, issues.isEmpty {
                try accept(index, record)
            } else {
                var located = issues.issues
                for position in located.indices { located[position].message += " (line \(lineNumber + 1))" }
                try reject(Rejection(index: index, range: start..<end, issues: located))
            }
        }
        return summary
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private func trimmedEnd(_ scanner: JSONScanner) -> Int {
        var end = scanner.count
        while end > 0, Self.isWhitespace(scanner.base[end - 1]) { end -= 1 }
        return end
    }
}
