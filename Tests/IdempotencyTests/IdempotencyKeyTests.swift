import Idempotency
import Testing

@Suite struct IdempotencyKeyTests {
    let scope = Fixtures.scope

    @Test(arguments: [
        ("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"),
        ("  abc\t", "abc"),
        ("\"abc\"", "abc"),
        (#""a \"quoted\" \\ key""#, #"a "quoted" \ key"#),
        ("with inner space", "with inner space"),
        (String(repeating: "k", count: 255), String(repeating: "k", count: 255)),
    ])
    func acceptsValidValues(header: String, value: String) throws {
        let key = try IdempotencyKey(headerValue: header, scope: scope)
        #expect(key.value == value)
        #expect(!key.isDerived)
    }

    @Test(arguments: [
        "", "   ", "\"\"", String(repeating: "k", count: 256), "caf\u{e9}", "tab\tinside", "new\nline",
        "\"unterminated", "\"bad \\n escape\"", "\"inner \" quote\"", "raw\"quote", "raw\\backslash", "\u{7f}",
    ])
    func rejectsInvalidValues(header: String) {
        #expect {
            try IdempotencyKey(headerValue: header, scope: scope)
        } throws: { error in
            (error as? IdempotencyError)?.code == .invalidKey
        }
    }

    @Test func sfStringAndRawFormAreTheSameKey() throws {
        #expect(
            try IdempotencyKey(headerValue: "\"abc\"", scope: scope) == IdempotencyKey(headerValue: "abc", scope: scope)
        )
    }

    @Test func equalValuesInOtherScopesNeverMeet() throws {
        let a = try IdempotencyKey(headerValue: "k", scope: IdempotencyScope(tenant: "desk-a", operation: "op"))
        let b = try IdempotencyKey(headerValue: "k", scope: IdempotencyScope(tenant: "desk-b", operation: "op"))
        let c = try IdempotencyKey(headerValue: "k", scope: IdempotencyScope(tenant: "desk-a", operation: "op2"))
        // Framing matters: ("ab", "c") and ("a", "bc") must differ.
        let d = try IdempotencyKey(headerValue: "k", scope: IdempotencyScope(tenant: "ab", operation: "c"))
        let e = try IdempotencyKey(headerValue: "k", scope: IdempotencyScope(tenant: "a", operation: "bc"))
        #expect(Set([a, b, c, d, e]).count == 5)
        #expect(Set([a, b, c, d, e].map(\.storageBytes)).count == 5)
    }

    @Test func scopeComponentsAreBounded() {
        #expect(throws: IdempotencyError.self) { try IdempotencyScope(tenant: "", operation: "op") }
        #expect(throws: IdempotencyError.self) {
            try IdempotencyScope(tenant: "t", operation: String(repeating: "o", count: 256))
        }
    }

    /// The expected digest was computed with Python's hashlib over the documented framing:
    /// `sha256(pack('>Q',16) + b'RUN0000000000001' + pack('>Q',7) + b'{"a":1}')`.
    @Test func derivedKeyHashesTheDocumentedFraming() throws {
        let key = try IdempotencyKey.derived(
            settlementRunID: "RUN0000000000001", body: Array(#"{"a":1}"#.utf8), scope: scope)
        #expect(key.value == "28e8f5b16def3b19f32996305ba769352e98032c6b172d85d540f2e806cc8ce5")
        #expect(key.isDerived)
        let client = try IdempotencyKey(headerValue: key.value, scope: scope)
        #expect(client != key, "a client key with the same text must not meet a derived key")
    }

    @Test func derivedKeysOfShiftedPartsDiffer() throws {
        let a = try IdempotencyKey.derived(settlementRunID: "RUN1", body: Array("23".utf8), scope: scope)
        let b = try IdempotencyKey.derived(settlementRunID: "RUN12", body: Array("3".utf8), scope: scope)
        #expect(a != b)
        #expect(throws: IdempotencyError.self) {
            try IdempotencyKey.derived(settlementRunID: "", body: [], scope: scope)
        }
    }

    @Test func storageBytesRoundTrip() throws {
        let keys = [
            try IdempotencyKey(headerValue: #""x \" y""#, scope: scope),
            try IdempotencyKey.derived(settlementRunID: "RUN0000000000001", body: [1, 2], scope: scope),
        ]
        for key in keys {
            let back = try IdempotencyKey(storageBytes: key.storageBytes)
            #expect(back == key)
            #expect(back.value == key.value && back.isDerived == key.isDerived && back.scope == key.scope)
        }
        for bad: [UInt8] in [[], [3, 0, 1, 65, 0, 1, 66, 0, 1, 67], [1, 0, 9, 65], [1, 0, 1, 65, 0, 1, 66, 0, 0]] {
            #expect(throws: IdempotencyError.self) { try IdempotencyKey(storageBytes: bad) }
        }
    }
}
