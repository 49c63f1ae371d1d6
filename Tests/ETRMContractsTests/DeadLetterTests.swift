import ETRMContracts
import Foundation
import Testing

@Suite struct DeadLetterTests {
    private static func letter(_ raw: [UInt8], index: Int = 0) throws -> DeadLetter {
        DeadLetter(
            rawBytes: raw,
            recordIndex: index,
            issues: [
                ValidationIssue(path: "/counterparty_lei", code: .invalidLEI, message: "bad check", value: "7LTW…"),
                ValidationIssue(path: "/volume_mwh", code: .missingField, message: "required"),
            ],
            sourceName: "etrm-vendor-a",
            batchID: "page-0007",
            quarantinedAt: try UTCTimestamp(rfc3339: "2025-03-30T01:15:00.123456789Z")
        )
    }

    private static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dead-letters-\(UUID().uuidString).jsonl").path
    }

    @Test func hashesTheExactBytes() throws {
        // SHA-256("abc") from FIPS 180-2.
        let letter = try Self.letter(Array("abc".utf8))
        #expect(letter.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(letter.rawBytes == Array("abc".utf8))
    }

    @Test func inMemorySinkKeepsOrderAndCountsUnderConcurrency() async throws {
        let sink = InMemoryDeadLetterSink()
        let template = try Self.letter([1, 2, 3])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<250 {
                        sink.quarantine(
                            DeadLetter(
                                rawBytes: template.rawBytes, recordIndex: worker * 1000 + index,
                                issues: template.issues,
                                sourceName: template.sourceName, batchID: template.batchID,
                                quarantinedAt: template.quarantinedAt))
                    }
                }
            }
        }
        #expect(sink.count == 2000)
        let indices = Set(sink.letters.map(\.recordIndex))
        #expect(indices.count == 2000)
        #expect(sink.drain().count == 2000 && sink.count == 0)
    }

    @Test func jsonLinesFileRoundTripsBytesExactly() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let raws: [[UInt8]] = [
            Array(#"{"trade_id":"T-1","volume_mwh":"1,5"}"#.utf8),
            Array("{\"trade_id\":\"T-2\",\n\"note\":\"line\r\nbreak\"}\n".utf8),  // embedded newlines
            [0x7B, 0xFF, 0xFE, 0x00, 0x0A, 0xC3, 0x28, 0x7D],  // invalid UTF-8, NUL and a raw newline
            Array("{\"name\":\"Müller ⚡️\"}".utf8),
            [],
        ]
        let sink = try JSONLinesDeadLetterSink(path: path)
        let letters = try raws.enumerated().map { try Self.letter($0.element, index: $0.offset) }
        for letter in letters { try sink.quarantine(letter) }
        try sink.synchronize()
        try sink.close()
        #expect(throws: DeadLetterError.self) { try sink.quarantine(letters[0]) }

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == raws.count + 1 && lines.last == "")
        #expect(lines[0].contains(#""raw_text":"{\"trade_id\":\"T-1\",\"volume_mwh\":\"1,5\"}""#))
        #expect(!lines[2].contains("raw_text"))
        #expect(lines[0].contains(#""code":"invalid_lei""#) && lines[0].contains(#""batch_id":"page-0007""#))

        let readBack = try JSONLinesDeadLetterReader(path: path).readAll()
        #expect(readBack == letters)
        #expect(readBack.map(\.rawBytes) == raws)
    }

    @Test func appendsAcrossReopens() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let sink = try JSONLinesDeadLetterSink(path: path, configuration: .init(syncEachRecord: true))
            try sink.quarantine(try Self.letter([1], index: 1))
        }
        do {
            let sink = try JSONLinesDeadLetterSink(path: path)
            try sink.quarantine(try Self.letter([2], index: 2))
        }
        #expect(try JSONLinesDeadLetterReader(path: path).readAll().map(\.recordIndex) == [1, 2])
    }

    @Test func concurrentWritersNeverInterleaveLines() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try JSONLinesDeadLetterSink(path: path)
        let big = try Self.letter(Array(repeating: UInt8(ascii: "x"), count: 20_000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { for _ in 0..<25 { try sink.quarantine(big) } }
            }
            try await group.waitForAll()
        }
        let letters = try JSONLinesDeadLetterReader(path: path).readAll()
        #expect(letters.count == 100)
        #expect(letters.allSatisfy { $0 == big })
    }

    @Test func readerRejectsTamperedAndTornFiles() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try JSONLinesDeadLetterSink(path: path)
        try sink.quarantine(try Self.letter(Array("abc".utf8)))
        try sink.close()
        let original = try String(contentsOfFile: path, encoding: .utf8)
        // Change the bytes but not the hash: "abc" is YWJj in base64; "abd" is YWJk.
        try original.replacingOccurrences(of: "YWJj", with: "YWJk").write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try JSONLinesDeadLetterReader(path: path).readAll()
        } throws: { ($0 as? DeadLetterError)?.code == .corruptRecord }
        // A torn final line (a crash mid-write).
        try (original + String(original.prefix(40))).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try JSONLinesDeadLetterReader(path: path).readAll()
        } throws: { ($0 as? DeadLetterError)?.code == .corruptRecord }
        #expect {
            try JSONLinesDeadLetterReader(path: path + ".missing").readAll()
        } throws: { ($0 as? DeadLetterError)?.code == .readFailed }
        #expect {
            try JSONLinesDeadLetterSink(path: "/nonexistent-dir/x.jsonl")
        } throws: { ($0 as? DeadLetterError)?.code == .openFailed }
    }

    @Test func sinksWorkThroughTheProtocol() throws {
        let sinks: [any DeadLetterSink] = [InMemoryDeadLetterSink()]
        for sink in sinks { try sink.quarantine(try Self.letter([9])) }
        #expect((sinks[0] as? InMemoryDeadLetterSink)?.count == 1)
    }
}
