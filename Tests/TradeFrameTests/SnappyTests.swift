import ETRMShared
import Testing

@testable import TradeFrame

@Suite struct SnappyTests {
    static func samples() -> [[UInt8]] {
        var random = SeededGenerator(seed: 5)
        let noise = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let text = Array(String(repeating: "PJM,DE-BASE-M,2025-07-01T00:00:00Z,42.5\n", count: 400).utf8)
        let runs = [UInt8](repeating: 7, count: 70_000)
        return [[], [1], Array("abcd".utf8), noise, text, runs, noise + text + runs + text]
    }

    @Test func compressedBlocksDecompressToTheInput() throws {
        for sample in Self.samples() {
            let block = sample.withUnsafeBytes { Snappy.compress($0) }
            let back = try block.withUnsafeBytes { try Snappy.decompress($0, expected: sample.count) }
            #expect(back == sample)
        }
        let text = Self.samples()[4]
        #expect(text.withUnsafeBytes { Snappy.compress($0) }.count < text.count / 10)
    }

    static func expectCorrupt(_ block: [UInt8], expected: Int) {
        #expect(throws: TradeFrameError.self) {
            _ = try block.withUnsafeBytes { try Snappy.decompress($0, expected: expected) }
        }
    }

    @Test func hostileBlocksAreCorruptFileErrors() throws {
        let text = Self.samples()[4]
        let block = text.withUnsafeBytes { Snappy.compress($0) }
        for length in 0..<min(block.count, 300) {
            Self.expectCorrupt(Array(block.prefix(length)), expected: text.count)
        }
        Self.expectCorrupt(block, expected: text.count + 1)
        // A copy reaching before the start of the output, a literal past the end, a huge varint length.
        Self.expectCorrupt([4, 0b0000_0010, 9, 0], expected: 4)
        Self.expectCorrupt([4, 60 << 2, 200, 1, 2], expected: 4)
        Self.expectCorrupt([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], expected: 4)
        for position in 0..<block.count {
            var bytes = block
            bytes[position] ^= 0xA5
            do {
                _ = try bytes.withUnsafeBytes { (raw) throws(TradeFrameError) in
                    try Snappy.decompress(raw, expected: text.count)
                }
            } catch {
                #expect((error as? TradeFrameError)?.code == .corruptFile)
            }
        }
    }
}
