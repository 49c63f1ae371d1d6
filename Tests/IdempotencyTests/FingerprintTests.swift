import Foundation
import Idempotency
import Testing

@Suite struct FingerprintTests {
    @Test(arguments: [
        (#" { "b" : 1 , "a" : [ 1.0 , "x y" , true , null ] } "#, #"{"a":[1.0,"x y",true,null],"b":1}"#),
        (#"{"z":{"d":-0.5e+3,"c":"\u00e9"},"a":{}}"#, #"{"a":{},"z":{"c":"é","d":-0.5e+3}}"#),
        ("[ ]", "[]"),
        ("\"only a string\"", "\"only a string\""),
        ("\n12.50\r\n", "12.50"),
        (#"{"B":1,"a":2,"ab":3,"é":4}"#, #"{"B":1,"a":2,"ab":3,"é":4}"#),
        // Keys compare by their value: a key sorts before every longer key it begins.
        (#"{"ab":4,"a!":3,"a ":2,"a":1}"#, #"{"a":1,"a ":2,"a!":3,"ab":4}"#),
        (#"[[],[{}],[1,[2]],"\ud83d\ude00"]"#, #"[[],[{}],[1,[2]],"😀"]"#),
        // Escaped keys sort by their unescaped value and are written unescaped.
        (#"{"\u0062":1,"a\/":2,"\u0061":3}"#, #"{"a":3,"a/":2,"b":1}"#),
        // UTF-16 order: a character above U+FFFF (a surrogate pair) sorts before U+E000...U+FFFF.
        (#"{"\uffff":1,"\ue000":2,"\ud800\udc00":3,"~":4}"#, #"{"~":4,"\#u{10000}":3,"\#u{e000}":2,"\#u{ffff}":1}"#),
    ])
    func canonicalFormIsAsDocumented(input: String, canonical: String) throws {
        #expect(try Fingerprint.canonicalJSON(Array(input.utf8)) == Array(canonical.utf8))
    }

    @Test func reserialisedRetryMatches() throws {
        let first = #"{"settlement_run_id":"RUN0000000000001","position_mwh":"12.5","price":45.10}"#
        let retry = """
            {
              "price": 45.10,
              "position_mwh": "12.5",
              "settlement_run_id": "RUN0000000000001"
            }
            """
        #expect(try Fingerprint(canonicalJSON: Array(first.utf8)) == Fingerprint(canonicalJSON: Array(retry.utf8)))
        #expect(Fingerprint(exactBytes: Array(first.utf8)) != Fingerprint(exactBytes: Array(retry.utf8)))
    }

    /// Pieces fed to an accumulator, split anywhere (inside a 64-byte block, across blocks, empty pieces),
    /// give the fingerprint of the whole.
    @Test(arguments: [0, 1, 63, 64, 65, 200])
    func accumulatorEqualsOneShot(splitEvery step: Int) {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var accumulator = Fingerprint.Accumulator()
        var start = 0
        while start < bytes.count {
            let end = step == 0 ? bytes.count : min(bytes.count, start + step)
            accumulator.update(bytes[start..<end])
            accumulator.update([UInt8]())
            start = end
        }
        #expect(accumulator.finalize() == Fingerprint(exactBytes: bytes))
        var empty = Fingerprint.Accumulator()
        empty.update([UInt8]())
        #expect(empty.finalize().description == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// Numbers are kept as written (deliberately, unlike RFC 8785): a different spelling is a different payload.
    @Test(arguments: [
        (#"{"p":45.1}"#, #"{"p":45.10}"#), (#"{"p":1}"#, #"{"p":1.0}"#), (#"{"p":100}"#, #"{"p":1e2}"#),
        (#"{"p":0}"#, #"{"p":-0}"#), (#"{"p":12345678901234567890}"#, #"{"p":12345678901234567000}"#),
    ])
    func differentNumberSpellingsDiffer(a: String, b: String) throws {
        #expect(try Fingerprint(canonicalJSON: Array(a.utf8)) != Fingerprint(canonicalJSON: Array(b.utf8)))
    }

    /// Strings are compared by value: escapes are decoded and the string written in RFC 8785's escaping.
    @Test(arguments: [
        (#"["é"]"#, #"["\u00e9"]"#), (#"["é"]"#, #"["\u00E9"]"#), (#"["a/b"]"#, #"["a\/b"]"#),
        (#"{"\u0061":1}"#, #"{"a":1}"#), (#"["\u000a"]"#, #"["\n"]"#),
    ])
    func sameStringSpelledTwoWaysMatches(a: String, b: String) throws {
        #expect(try Fingerprint.canonicalJSON(Array(a.utf8)) == Fingerprint.canonicalJSON(Array(b.utf8)))
    }

    /// A key named twice, however it is spelt, has no single meaning (readers keep the first or the last), so
    /// it is refused with a message naming it; it used to get one fingerprint for both orders.
    @Test(arguments: [
        #"{"a":1,"\u0061":2}"#, #"{"\u0061":2,"a":1}"#, #"{"x":{"\/":1,"/":2}}"#, #"{"\u00e9":1,"é":2}"#,
        #"[{"\ud83d\ude00":1,"😀":2}]"#,
    ])
    func escapedDuplicateKeysAreRefused(input: String) {
        #expect {
            try Fingerprint(canonicalJSON: Array(input.utf8))
        } throws: { error in
            guard let error = error as? IdempotencyError else { return false }
            return error.code == .invalidJSON && error.message.contains("twice")
        }
    }

    /// RFC 8785 §3.2.3's sorting example: keys in UTF-16 code unit order, written unescaped.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            #"{"\r":"Carriage Return","1":"One","\#u{80}":"Control","ö":"Latin Small Letter O With Diaeresis","#
            + #""€":"Euro Sign","😀":"Emoji: Grinning Face","\#u{fb33}":"Hebrew Letter Dalet With Dagesh"}"#
        #expect(try Fingerprint.canonicalJSON(Array(input.utf8)) == Array(expected.utf8))
    }

    /// RFC 8785 §3.2.2.2's string example, and the control characters' escapes.
    @Test func rfc8785StringEscaping() throws {
        let input = #"["\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "\u0000\u0008\u0009\u000c\u000d\u001f\u007f"]"#
        let expected = #"["€$\u000f\nA'B\"\\\\\"/","\u0000\b\t\f\r\u001f\#u{7f}"]"#
        #expect(try Fingerprint.canonicalJSON(Array(input.utf8)) == Array(expected.utf8))
    }

    /// Canonicalising the canonical form again changes nothing, and the result is JSON.
    @Test(arguments: [
        #"{"b":"\u00e9\n","a":[1.0,{"\u0063":"\/"}]}"#, #"{"\uffff":1,"\ud800\udc00":2,"\r":"\u001f"}"#,
        #""\"\\\b\f""#,
    ])
    func canonicalFormIsAFixedPoint(input: String) throws {
        let once = try Fingerprint.canonicalJSON(Array(input.utf8))
        #expect(try Fingerprint.canonicalJSON(once) == once)
        #expect((try? JSONSerialization.jsonObject(with: Data(once), options: .fragmentsAllowed)) != nil)
    }

    /// The digest of the canonical bytes, checked against Python's hashlib.
    @Test func canonicalFingerprintIsTheSHA256OfTheCanonicalBytes() throws {
        let fingerprint = try Fingerprint(canonicalJSON: Array(#" {"b":[1.0, "x y"], "a":1}"#.utf8))
        #expect(fingerprint.description == "e08b7283a50809d3495cbeba35129cf793e350e347676e720fd77796afeddb44")
        #expect(try Fingerprint(bytes: fingerprint.bytes) == fingerprint)
        #expect(throws: IdempotencyError.self) { try Fingerprint(bytes: [1, 2, 3]) }
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "01", "1.", "-", "1e", "+1", "tru", "nul",
        #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12G4""#, "[1] 2", #"{"a":1,"a":2}"#, "NaN",
    ])
    func rejectsMalformedJSON(input: String) {
        #expect {
            try Fingerprint(canonicalJSON: Array(input.utf8))
        } throws: { error in
            (error as? IdempotencyError)?.code == .invalidJSON
        }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: IdempotencyError.self) { try Fingerprint(canonicalJSON: [0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: IdempotencyError.self) { try Fingerprint(canonicalJSON: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try Fingerprint(canonicalJSON: Array(fine.utf8)) }
    }

    @Test func rejectsAByteOrderMarkAndALoneSurrogate() {
        #expect(throws: IdempotencyError.self) {
            try Fingerprint(canonicalJSON: [0xEF, 0xBB, 0xBF] + Array("{}".utf8))
        }
        #expect(throws: IdempotencyError.self) { try Fingerprint(canonicalJSON: Array(#"["\ud800"]"#.utf8)) }
    }

    /// No string length limit beyond the document's: a 1 MiB string value is kept as written.
    @Test func longStringsAreKept() throws {
        let long = "{\"memo\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
        #expect(try Fingerprint.canonicalJSON(Array(long.utf8)) == Array(long.utf8))
    }
}
