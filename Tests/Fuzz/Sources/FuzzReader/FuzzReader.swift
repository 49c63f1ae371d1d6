import ETRMContracts
import Foundation

/// Reads arbitrary bytes as a trade batch document and as JSON Lines, with default and with tight limits.
/// Checks, and traps if one fails, so that the fuzzer reports logic errors as well as crashes:
/// - every record is accounted for (accepted + quarantined = received);
/// - a quarantined record's bytes are a contiguous slice of the input and its issues are not empty;
/// - accepted indices and rejected indices never collide and stay below `received`;
/// - no dead letter is empty: each holds the bytes of the element it stands for.
/// Then the same bytes choose the elements of a record array (valid and invalid records, junk, empty
/// elements, missing commas, stray whitespace), and the verdict must be exact: every valid record accepted,
/// every invalid one quarantined alone, separator faults reported as document issues.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkArrayScanning(input)
    let tight = RecordReaderConfiguration(
        unknownFields: .reject, maximumDocumentSize: 4096, maximumDepth: 6, maximumStringLength: 40)
    for configuration in [RecordReaderConfiguration(), tight] {
        for format in [BatchFormat.document, .jsonLines] {
            check(input, format: format, reader: RecordReader<TradeRecord>(configuration: configuration))
            check(input, format: format, reader: RecordReader<Order>(configuration: configuration))
        }
    }
    return 0
}

private func check<Record>(_ input: [UInt8], format: BatchFormat, reader: RecordReader<Record>) {
    var indices = Set<Int>()
    var accepted = 0
    var quarantined = 0
    let report: BatchReport
    do {
        report = try reader.read(
            input, format: format,
            onRecord: { index, _ in
                precondition(indices.insert(index).inserted, "index \(index) delivered twice")
                accepted += 1
            },
            onRejected: { rejected in
                precondition(indices.insert(rejected.index).inserted, "index \(rejected.index) delivered twice")
                precondition(!rejected.issues.isEmpty, "a rejected record without issues")
                precondition(!rejected.rawBytes.isEmpty, "an empty dead letter")
                precondition(contains(input, rejected.rawBytes), "rejected bytes are not a slice of the input")
                quarantined += 1
            })
    } catch let failure as ValidationFailure {
        precondition(!failure.issues.isEmpty, "a document failure without issues")
        return
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    precondition(report.accepted == accepted && report.quarantined == quarantined, "report counts differ")
    precondition(report.isBalanced, "accepted + quarantined != received: \(report)")
    precondition(indices.allSatisfy { $0 < report.received }, "an index beyond received")
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    if needle.isEmpty { return true }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

private let validTrade = """
    {"trade_id": "T1", "counterparty_lei": "7LTWFZYICNSX8D621K86", "product_code": "DE-BASE-M", \
    "delivery_start": "2025-03-30T00:00:00+01:00", "delivery_end": "2025-03-31T00:00:00+02:00", \
    "volume_mwh": 12.5, "price_usd": -4.25, "status": "CONFIRMED", "event_time": "2025-03-29T10:15:30.123Z"}
    """
private let invalidTrades = [
    validTrade.replacingOccurrences(of: "12.5", with: "1" + String(repeating: "0", count: 300) + "e-330"),
    validTrade.replacingOccurrences(of: "12.5", with: "\"12.5\""),
    validTrade.replacingOccurrences(of: #""T1", "#, with: #""T1" "#),
    #"{"trade_id": "T2"}"#,
    "42",
    "[1, {}]",
    // Junk with no brackets: a missing comma after it runs it straight into the next record.
    "oops",
    "-",
    "1x",
]
private let bracketlessJunk: Set = ["oops", "-", "1x"]

/// Builds `{"trades": [ … ]}` from the input, one element or fault per byte, and checks the exact outcome.
private func checkArrayScanning(_ input: [UInt8]) {
    var document = #"{"trades": ["#
    var valid = 0
    var invalid = 0
    var faults = 0
    enum Last { case start, element, comma }
    var last = Last.start
    var omitComma = false
    var lastIsJunk = false
    func append(_ element: String) {
        // Junk ends at the next ',', ']', '{' or '['; before anything else the comma cannot be left out, since
        // `oops 42` is one element, not two.
        let startsWithBracket = element.first == "{" || element.first == "["
        if last == .element {
            if omitComma && (!lastIsJunk || startsWithBracket) {
                faults += 1  // a missing comma
                document += " "
            } else {
                document += ","
            }
        }
        document += element
        last = .element
        omitComma = false
        lastIsJunk = bracketlessJunk.contains(element)
    }
    for byte in input.prefix(64) {
        switch byte % 8 {
        case 0, 1, 2:
            append(validTrade)
            valid += 1
        case 3, 4:
            append(invalidTrades[Int(byte / 8) % invalidTrades.count])
            invalid += 1
        case 5:
            // An empty element: a comma with no value before it.
            document += last == .element ? ", ," : ","
            faults += 1
            last = .comma
            omitComma = false
        case 6:
            omitComma = true
        default:
            document += ["\t", "\r\n", "  ", "\n"][Int(byte / 8) % 4]
        }
    }
    // A trailing comma ends the scan (a document issue covered by the raw pass); close with a record instead.
    if last == .comma {
        append(validTrade)
        valid += 1
    }
    document += "]}"
    var accepted = 0
    var rejected: [RejectedRecord] = []
    let report: BatchReport
    do {
        report = try RecordReader<TradeRecord>().read(
            Array(document.utf8), onRecord: { _, _ in accepted += 1 }, onRejected: { rejected.append($0) })
    } catch {
        preconditionFailure("a document of records and separator faults failed as a whole: \(error)")
    }
    precondition(report.isBalanced, "accepted + quarantined != received: \(report)")
    precondition(accepted == valid, "\(valid) valid records, \(accepted) accepted: \(report)")
    precondition(rejected.count == invalid, "\(invalid) invalid records, \(rejected.count) quarantined: \(report)")
    precondition(rejected.allSatisfy { !$0.rawBytes.isEmpty }, "an empty dead letter")
    precondition(report.documentIssues.count == faults, "\(faults) separator faults: \(report.documentIssues)")
}
