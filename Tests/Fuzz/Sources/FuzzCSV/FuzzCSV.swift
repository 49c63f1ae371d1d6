import TradeFrame

/// The schemas the fuzzer reads with; the input's first byte picks one.
let schemas: [[CSVColumn]] = [
    [CSVColumn("a", .float64), CSVColumn("b", .float32)],
    [CSVColumn("id", .string), CSVColumn("n", .int64), CSVColumn("d", .decimal, scale: 3)],
    [CSVColumn("x", .float64)],
    [CSVColumn("t", .timestamp), CSVColumn("flag", .bool), CSVColumn("c", .categorical), CSVColumn("i", .int32)],
]

/// Reads arbitrary bytes as CSV with one of a few schemas. It must never crash; a refusal must be a TradeFrameError
/// with one of the reader's codes; an accepted frame must obey the rules: as many rows as the input has non-blank
/// records after the header, no infinite or NaN float, the same frame when read in chunks, and the same frame again
/// from its own `csv()`. Seeds are one per line, so in the input `|` stands for a line feed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let schema = schemas[Int(data[0]) % schemas.count]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1).map { $0 == UInt8(ascii: "|") ? 10 : $0 }
    let frame: TradeFrame
    do {
        frame = try TradeFrame.readCSV(bytes, schema: schema)
    } catch {
        let codes: Set<TradeFrameError.Code> = [
            .invalidInput, .outOfRange, .inexact, .overflow, .unknownColumn, .duplicateColumn,
        ]
        precondition(codes.contains(error.code), "unexpected code \(error.code): \(error)")
        return 0
    }
    precondition(frame.rowCount == records(bytes) - 1, "\(frame.rowCount) rows for \(records(bytes)) records")
    for name in frame.columnNames {
        if let c = frame[name, as: Double.self] {
            for row in 0..<c.count { precondition(c[row]?.isFinite ?? true, "\(name)[\(row)] = \(c[row]!)") }
        }
        if let c = frame[name, as: Float.self] {
            for row in 0..<c.count { precondition(c[row]?.isFinite ?? true, "\(name)[\(row)] = \(c[row]!)") }
        }
    }
    do {
        var chunks: [TradeFrame] = []
        try TradeFrame.readCSV(bytes, schema: schema, chunkRows: 3) { chunks.append($0) }
        precondition(chunks.allSatisfy { $0.rowCount <= 3 }, "a chunk over 3 rows")
        let whole = chunks.isEmpty ? nil : try TradeFrame.concatenating(chunks)
        precondition(whole.map { sameText($0, frame) } ?? (frame.rowCount == 0), "chunked read differs")
        let again = try TradeFrame.readCSV(frame.csv(), schema: schema)
        precondition(sameText(again, frame), "csv() does not read back to the same frame")
    } catch {
        preconditionFailure("an accepted CSV failed on a second read: \(error)")
    }
    return 0
}

/// The records of `bytes` that are not blank lines, by RFC 4180 quoting (a quote opens a quoted field only at the
/// start of a field; `""` inside one is a quote).
func records(_ bytes: [UInt8]) -> Int {
    var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var count = 0
    var content = false
    var fieldStart = true
    var quoted = false
    while index < bytes.count {
        let byte = bytes[index]
        index += 1
        if quoted {
            if byte == UInt8(ascii: "\"") {
                if index < bytes.count && bytes[index] == UInt8(ascii: "\"") { index += 1 } else { quoted = false }
            }
            continue
        }
        switch byte {
        case 10, 13:
            if content { count += 1 }
            content = false
            fieldStart = true
        case UInt8(ascii: "\"") where fieldStart:
            quoted = true
            content = true
            fieldStart = false
        default:
            content = true
            fieldStart = byte == UInt8(ascii: ",")
        }
    }
    return count + (content ? 1 : 0)
}

/// Whether two frames have the same names, kinds and cell texts (NaN cannot occur: the reader refuses it). A
/// one-column text frame's null comes back as the empty string (`csv()` writes it as `""`), so text cells compare
/// a null equal to "".
func sameText(_ a: TradeFrame, _ b: TradeFrame) -> Bool {
    guard a.columnNames == b.columnNames, a.rowCount == b.rowCount else { return false }
    for (x, y) in zip(a.columns, b.columns) {
        guard x.kind == y.kind else { return false }
        let isText = x.kind == .string || x.kind == .categorical
        for row in 0..<a.rowCount {
            let (p, q) = (x.text(at: row), y.text(at: row))
            if p == q { continue }
            if isText && a.columnCount == 1 && (p ?? "") == (q ?? "") { continue }
            return false
        }
    }
    return true
}
