import ETRMShared
import Foundation
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST CAVP short and long message vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func nistVectors(message: String, expected: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == expected)
    }

    @Test(arguments: [false, true])
    func millionAs(portable: Bool) {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256(portable: portable)
        hasher.update(message)
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The SHA instructions' compression (the default where the processor has them) and the portable one agree,
    /// on every length around the first blocks and on long inputs fed in uneven pieces.
    @Test func acceleratedAndPortableCompressionAgree() {
        var generator = SeededGenerator(seed: 64)
        let message = (0..<(1 << 17) + 77).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for length in Array(0...300) + [4_096, 65_613, message.count] {
            var accelerated = SHA256()
            var portable = SHA256(portable: true)
            var start = 0
            while start < length {
                let end = min(length, start + 1 + Int(generator.next() % 9_000))
                accelerated.update(message[start..<end])
                portable.update(message[start..<end])
                start = end
            }
            #expect(accelerated.finalize() == portable.finalize(), "length \(length)")
        }
    }

    /// The hashers use the SHA instructions exactly when the kernel reports them (`sha_ni` on x86 Linux); other
    /// architectures compress in Swift.
    @Test func usesTheSHAInstructionsWhereTheProcessorHasThem() throws {
        #if os(Linux) && arch(x86_64)
            let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
            #expect(SHA256.isAccelerated == flags.split(separator: " ").contains("sha_ni"))
        #elseif !arch(x86_64)
            #expect(!SHA256.isAccelerated)
        #endif
    }

    @Test func incrementalUpdatesMatchOneShotAtEveryBoundary() {
        var generator = SeededGenerator(seed: 7)
        let message = (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let expected = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    /// Compares against the system's `sha256sum` on random inputs of lengths around the block size.
    @Test func matchesSha256sumOnRandomInputs() throws {
        let tool = URL(fileURLWithPath: "/usr/bin/sha256sum")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "sha256sum is not installed")
        var generator = SeededGenerator(seed: 2026)
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537] {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let process = Process()
            process.executableURL = tool
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(message))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let printed = String(decoding: data.prefix(64), as: UTF8.self)
            #expect(SHA256.hash(message).hex == printed, "length \(length)")
        }
    }

    /// RFC 4231 test cases 1-4, 6 and 7 (case 5 is a truncated output).
    @Test(arguments: [
        (
            String(repeating: "0b", count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            Hex.encode(Array("Jefe".utf8)), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            String(repeating: "aa", count: 20), [UInt8](repeating: 0xdd, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            "0102030405060708090a0b0c0d0e0f10111213141516171819", [UInt8](repeating: 0xcd, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            String(repeating: "aa", count: 131),
            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            String(repeating: "aa", count: 131),
            Array(
                "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                    .utf8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ])
    func hmacRFC4231(keyHex: String, message: [UInt8], expected: String) throws {
        let key = try #require(Hex.decode(keyHex))
        #expect(HMACSHA256.authenticationCode(for: message, key: key).hex == expected)
    }

    @Test func hexRoundTripsAndRejectsBadInput() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff]
        #expect(Hex.encode(bytes) == "00017f80feff")
        #expect(Hex.decode("00017F80FEff") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
