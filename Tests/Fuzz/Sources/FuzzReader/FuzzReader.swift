import ETRMContracts

/// Reads arbitrary bytes as a trade batch document and as JSON Lines, with default and with tight limits.
/// Checks, and traps if one fails, so that the fuzzer reports logic errors as well as crashes:
/// - every record is accounted for (accepted + quarantined = received);
/// - a quarantined record's bytes are a contiguous slice of the input and its issues are not empty;
/// - accepted indices and rejected indices never collide and stay below `received`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
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
