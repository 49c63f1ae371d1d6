import FuzzSupport
import TradeFrame

/// Valid Parquet files (Snappy-compressed in two row groups, and uncompressed) for the fuzzer to patch.
let templates: [[UInt8]] = {
    do {
        return [
            try templateFrame().parquet(rowsPerGroup: 2, codec: .snappy),
            try templateFrame().parquet(codec: .uncompressed),
        ]
    } catch {
        preconditionFailure("the template files: \(error)")
    }
}()

/// Feeds Parquet bytes to the reader: the input itself, or a template file patched by the
/// input (three bytes per patch: a little-endian position and a value; a trailing pair truncates there). A
/// refusal must be a TradeFrameError with a reader code; an accepted frame must have columns of its row count,
/// give every row's text, and read back the same through its own writer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let bytes = fuzzedBytes(data, size, templates: templates).bytes
    let frame: TradeFrame
    do {
        frame = try TradeFrame.readParquet(bytes)
    } catch {
        checkReaderRefusal(error)
        return 0
    }
    let texts = rowTexts(frame)
    do {
        let again = try TradeFrame.readParquet(try frame.parquet())
        precondition(rowTexts(again) == texts, "a round trip differs")
    } catch {
        fatalError("an accepted frame does not round-trip: \(error)")
    }
    return 0
}
