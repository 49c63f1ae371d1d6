import ETRMContracts
import TradeFrame

/// A small frame with every column type and nulls: written by TradeFrame's own writers, it gives the valid
/// files the binary-format fuzzers mutate (libFuzzer's inputs are capped at 256 bytes, less than one file).
public func templateFrame() -> TradeFrame {
    do {
        return try TradeFrame([
            ("i64", Column<Int64>([1, nil, -3])), ("i32", Column<Int32>([nil, 2, 3])),
            ("f32", Column<Float>([1.5, nil, 0])), ("f64", Column<Double>([nil, -0.25, 1e300])),
            ("flag", Column<Bool>([true, nil, false])), ("text", StringColumn(["a", nil, "ÿ€"])),
            ("market", CategoricalColumn(["PJM", "DE", nil])),
            ("time", TimestampColumn([Int64(1_751_328_000_123_456_789), nil, -1])),
            ("price", try DecimalColumn([ExactDecimal(significand: -12345, scale: 3), nil, nil], scale: 3)),
        ])
    } catch {
        preconditionFailure("the template frame: \(error)")
    }
}

/// The bytes a binary-format fuzzer reads, and which of its two templates (or raw inputs) they came from.
///
/// The first byte picks a mode (mod 4): 0 and 1 take the rest of the input as it is, 2 and 3 take
/// `templates[mode - 2]` patched by it (three bytes a patch: a little-endian position and a value; a trailing
/// pair truncates there).
public func fuzzedBytes(_ data: UnsafePointer<UInt8>, _ size: Int, templates: [[UInt8]]) -> (bytes: [UInt8], mode: Int)
{
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let mode = Int(data[0]) % 4
    var bytes = mode < 2 ? input : templates[mode - 2]
    if mode >= 2 {
        var at = 0
        while at + 3 <= input.count {
            bytes[(Int(input[at]) | Int(input[at + 1]) << 8) % bytes.count] = input[at + 2]
            at += 3
        }
        if input.count - at == 2 { bytes = Array(bytes.prefix(Int(input[at]) | Int(input[at + 1]) << 8)) }
    }
    return (bytes, mode)
}

/// Checks that a file reader's refusal carries one of the codes a reader may give.
public func checkReaderRefusal(_ error: TradeFrameError, _ context: String = "") {
    let codes: Set<TradeFrameError.Code> = [.corruptFile, .unsupported, .outOfRange, .duplicateColumn]
    precondition(codes.contains(error.code), "unexpected code \(error.code)\(context): \(error)")
}

/// Every row's text, column by column, after checking that each column has the frame's row count.
public func rowTexts(_ frame: TradeFrame) -> [[String?]] {
    frame.columns.map { column in
        precondition(column.count == frame.rowCount, "a column of \(column.count) rows in a frame of \(frame.rowCount)")
        return (0..<column.count).map { column.text(at: $0) }
    }
}
