import Idempotency
import Testing

@Suite struct FingerprintTests {
    @Test(arguments: [
        (#" { "b" : 1 , "a" : [ 1.0 , "x y" , true , null ] } "#, #"{"a":[1.0,"x y",true,null],"b":1}"#),
        (#"{"z":{"d":-0.5e+3,"c":"\u00e9"},"a":{}}"#, #"{"a":{},"z":{"c":"\u00e9","d":-0.5e+3}}"#),
        ("[ ]", "[]"),
        ("\"only a string\"", "\"only a string\""),
        ("\n12.50\r\n", "12.50"),
        (#"{"B":1,"a":2,"ab":3,"é":4}"#, #"{"B":1,"a":2,"ab":3,"é":4}"#),
        // Keys compare with their closing quote (the first release's order, which stored fingerprints rely on).
        (#"{"a":1,"a ":2,"a!":3,"ab":4}"#, #"{"a ":2,"a!":3,"a":1,"ab":4}"#),
        (#"[[],[{}],[1,[2]],"\ud83d\ude00"]"#, #"[[],[{}],[1,[2]],"\ud83d\ude00"]"#),
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

    /// Numbers and strings are kept as written: a different spelling is a different payload.
    @Test(arguments: [(#"{"p":45.1}"#, #"{"p":45.10}"#), (#"{"p":1}"#, #"{"p":1.0}"#), (#"["é"]"#, #"["\u00e9"]"#)])
    func differentSpellingsDiffer(a: String, b: String) throws {
        #expect(try Fingerprint(canonicalJSON: Array(a.utf8)) != Fingerprint(canonicalJSON: Array(b.utf8)))
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
