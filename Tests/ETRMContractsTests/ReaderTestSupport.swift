import ETRMShared
import Testing

@testable import ETRMContracts

/// A small model used to test the reader machinery independently of the trade models: an id, a positive
/// quantity and an optional count.
struct Widget: ValidatedRecord, Hashable {
    var id: String
    var quantity: ExactDecimal
    var count: Int?

    struct Draft {
        var id: String?
        var quantity: ExactDecimal?
        var count: Int?
    }

    static let recordSchema = RecordSchema<Widget>(
        name: "Widget", containerKey: "widgets", summary: "A test record.", recordChecks: [],
        rules: RecordRules(
            fields: [
                .text("id", required: true, description: "The id.", rule: .recordID) { $0.id = $1 },
                .decimal(
                    "quantity", required: true, description: "A positive quantity.",
                    bounds: DecimalBounds(exclusiveMinimum: "0")
                ) { $0.quantity = $1 },
                .integer("count", required: false, description: "A count.", range: 0...10) { $0.count = $1 },
            ],
            makeDraft: { Draft() },
            finish: { draft, issues in
                guard issues.isEmpty, let id = draft.id, let quantity = draft.quantity else { return nil }
                return Widget(id: id, quantity: quantity, count: draft.count)
            }))
}

/// What one scan produced, in a form tests can compare.
struct ScanOutcome {
    var accepted: [(index: Int, record: Widget)] = []
    var rejected: [(index: Int, raw: String, issues: [ValidationIssue])] = []
    var received = 0
    var documentIssues: [ValidationIssue] = []

    var acceptedIndices: [Int] { accepted.map(\.index) }
    var rejectedIndices: [Int] { rejected.map(\.index) }
    func codes(_ index: Int) -> [String] {
        rejected.first { $0.index == index }?.issues.map(\.code.rawValue) ?? []
    }
    func paths(_ index: Int) -> [String] {
        rejected.first { $0.index == index }?.issues.map(\.path) ?? []
    }
}

func scanWidgets(
    _ bytes: [UInt8], lines: Bool = false, configuration: RecordReaderConfiguration = .init()
) throws -> ScanOutcome {
    var outcome = ScanOutcome()
    let reader = RecordReader<Widget>(configuration: configuration)
    let summary = try bytes.withUnsafeBytes { raw in
        let accept: (Int, Widget) throws -> Void = { outcome.accepted.append(($0, $1)) }
        let reject: (Rejection) throws -> Void = { rejection in
            let raw = String(decoding: raw[rejection.range], as: UTF8.self)
            outcome.rejected.append((rejection.index, raw, rejection.issues))
        }
        // The rule table alone (Widget declares no plan), as `readBatch` wires it.
        let loop = ElementLoop(
            containerKey: reader.containerKey, plan: nil, rejectsUnknown: configuration.unknownFields.rejects)
        return lines
            ? try reader.scanLines(raw, loop: loop, onValues: { _, _ in false }, accept: accept, reject: reject)
            : try reader.scanDocument(
                raw, loop: loop, onValues: { _, _ in false },
                slow: { scanner, index, arrayDepth, summary in
                    try reader.scanElement(
                        &scanner, index: index, arrayDepth: arrayDepth, triesFastPath: true, summary: &summary,
                        accept: accept, reject: reject)
                })
    }
    outcome.received = summary.received
    outcome.documentIssues = summary.documentIssues
    #expect(outcome.accepted.count + outcome.rejected.count == outcome.received, "accounting")
    return outcome
}

func scanWidgets(
    _ text: String, lines: Bool = false, configuration: RecordReaderConfiguration = .init()
) throws
    -> ScanOutcome
{
    try scanWidgets(Array(text.utf8), lines: lines, configuration: configuration)
}

/// The codes of the document-level failure `body` throws, or `nil` if it throws none.
func documentFailure(_ body: () throws -> Void) -> [String]? {
    do {
        try body()
        return nil
    } catch let failure as ValidationFailure {
        return failure.issues.map(\.code.rawValue)
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
