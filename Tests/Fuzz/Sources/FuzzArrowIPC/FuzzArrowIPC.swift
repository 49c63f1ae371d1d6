import ETRMContracts
import Foundation
import TradeFrame

/// A small frame with every column type and nulls, written by TradeFrame's own writer: the valid inputs the
/// fuzzer mutates (libFuzzer's inputs are capped at 256 bytes, less than one Arrow file).
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
        return [try frame.arrowFile(rowsPerBatch: 2), try frame.arrowStream(rowsPerBatch: 2)]
    } catch {
        preconditionFailure("the template frame: \(error)")
    }
}()

/// Where the input is written to be read again through a memory map (one file per fuzzing process).
let mappedPath = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-arrow-\(getpid()).arrow")

/// The rows' texts of `bytes` read in place from a mapped file (`readArrow(contentsOf:)`), or `nil` for a
/// refusal, which must carry a reader code.
func mappedTexts(_ bytes: [UInt8]) -> [[String?]]? {
    do {
        try Data(bytes).write(to: mappedPath)
    } catch {
        fatalError("cannot write \(mappedPath.path): \(error)")
    }
    // Removed once read, so that no file is left behind.
    defer { try? FileManager.default.removeItem(at: mappedPath) }
    do {
        let frame = try TradeFrame.readArrow(contentsOf: mappedPath)
        return frame.columns.map { column in (0..<column.count).map { column.text(at: $0) } }
    } catch {
        let codes: Set<TradeFrameError.Code> = [.corruptFile, .unsupported, .outOfRange, .duplicateColumn]
        precondition(codes.contains(error.code), "unexpected code \(error.code) from the mapped reader: \(error)")
        return nil
    }
}

/// Feeds Arrow IPC bytes to the file and stream readers: the input itself, or a template file patched by the
/// input (three bytes per patch: a little-endian position and a value; a trailing pair truncates there). A
/// refusal must be a TradeFrameError with a reader code; an accepted frame must have columns of its row count,
/// give every row's text, and read back the same through its own writer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArrowIPC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
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
    let file = mode % 2 == 0
    // For inputs whose first byte has bit 2 set (a file write per input is slow, so not every input), the mapped
    // reader, which chooses file or stream by the magic, must refuse or accept exactly as the copying reader
    // does, with the same rows, wherever its choice is this input's.
    let checksMapped = data[0] & 4 != 0 && file == bytes.starts(with: Array("ARROW1".utf8))
    let mapped = checksMapped ? Optional(mappedTexts(bytes)) : nil
    let frame: TradeFrame
    do {
        frame = try file ? TradeFrame.readArrowFile(bytes) : TradeFrame.readArrowStream(bytes)
    } catch {
        let codes: Set<TradeFrameError.Code> = [.corruptFile, .unsupported, .outOfRange, .duplicateColumn]
        precondition(codes.contains(error.code), "unexpected code \(error.code): \(error)")
        if let mapped { precondition(mapped == nil, "the mapped reader accepts what the copying reader refuses") }
        return 0
    }
    let texts = frame.columns.map { column in
        precondition(column.count == frame.rowCount, "a column of \(column.count) rows in a frame of \(frame.rowCount)")
        return (0..<column.count).map { column.text(at: $0) }
    }
    if let mapped { precondition(mapped == texts, "the mapped reader reads other rows than the copying reader") }
    do {
        let again = try TradeFrame.readArrowStream(try frame.arrowStream())
        precondition(again.columns.map { c in (0..<c.count).map { c.text(at: $0) } } == texts, "a round trip differs")
    } catch {
        fatalError("an accepted frame does not round-trip: \(error)")
    }
    return 0
}
