import Foundation
import FuzzSupport
import TradeFrame

/// Valid Arrow files and streams for the fuzzer to patch.
let templates: [[UInt8]] = {
    do {
        return [try templateFrame().arrowFile(rowsPerBatch: 2), try templateFrame().arrowStream(rowsPerBatch: 2)]
    } catch {
        preconditionFailure("the template files: \(error)")
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
        return rowTexts(frame)
    } catch {
        checkReaderRefusal(error, " from the mapped reader")
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
    let (bytes, mode) = fuzzedBytes(data, size, templates: templates)
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
        checkReaderRefusal(error)
        if let mapped { precondition(mapped == nil, "the mapped reader accepts what the copying reader refuses") }
        return 0
    }
    let texts = rowTexts(frame)
    if let mapped { precondition(mapped == texts, "the mapped reader reads other rows than the copying reader") }
    do {
        let again = try TradeFrame.readArrowStream(try frame.arrowStream())
        precondition(rowTexts(again) == texts, "a round trip differs")
    } catch {
        fatalError("an accepted frame does not round-trip: \(error)")
    }
    return 0
}
