import ETRMContracts
import TradeFrame

/// A small frame with every column type and nulls, written by TradeFrame's own writer: the valid inputs the
/// fuzzer mutates (libFuzzer's inputs are capped at 256 bytes, less than one Parquet file).
let templates: [[UInt8]] = {
    do {
        let frame = try TradeFrame([
            ("i64", Column<Int64>([1, nil, -3])), ("i32", Column<Int32>([nil, 2, 3])),
            ("f32", Column<Float>([1.5, nil, 0])), ("f64", Column<Double>([nil, -0.25, 1e300])),
            ("flag", Column<Bool>([true, nil, false])), ("text", StringColumn(["a", nil, "ÿ€"])),
            ("market", CategoricalColumn(["PJM", "DE", nil])),
            ("time", TimestampColumn([Int64(1_751_328_000_123_456_789), nil, -1])),
            ("price", try DecimalColumn([ExactDecimal(significand: -12345, scale: 3), nil, nil], scale: 3)),
        ])
        return [try frame.parquet(rowsPerGroup: 2, codec: .snappy), try frame.parquet(codec: .uncompressed)]
    } catch {
        preconditionFailure("the template frame: \(error)")
    }
}()

/// Feeds Parquet bytes to the reader: the input itself, or a template file patched by the
/// input (three bytes per patch: a little-endian position and a value; a trailing pair truncates there). A
/// refusal must be a TradeFrameError with a reader code; an accepted frame must have columns of its row count,
/// give every row's text, and read back the same through its own writer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
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
    let frame: TradeFrame
    do {
        frame = try TradeFrame.readParquet(bytes)
    } catch {
        let codes: Set<TradeFrameError.Code> = [.corruptFile, .unsupported, .outOfRange, .duplicateColumn]
        precondition(codes.contains(error.code), "unexpected code \(error.code): \(error)")
        return 0
    }
    let texts = frame.columns.map { column in
        precondition(column.count == frame.rowCount, "a column of \(column.count) rows in a frame of \(frame.rowCount)")
        return (0..<column.count).map { column.text(at: $0) }
    }
    do {
        let again = try TradeFrame.readParquet(try frame.parquet())
        precondition(again.columns.map { c in (0..<c.count).map { c.text(at: $0) } } == texts, "a round trip differs")
    } catch {
        fatalError("an accepted frame does not round-trip: \(error)")
    }
    return 0
}
