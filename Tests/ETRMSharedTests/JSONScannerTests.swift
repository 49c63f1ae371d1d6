import ETRMShared
import Testing

/// Runs `body` on a scanner over `bytes`.
private func scan<T>(
    _ bytes: [UInt8], _ configuration: JSONScanner.Configuration = .init(),
    _ body: (inout JSONScanner) throws(JSONError) -> T
) throws -> T {
    try bytes.withUnsafeBytes { raw in
        var scanner = try JSONScanner(raw, configuration: configuration)
        return try body(&scanner)
    }
}

private func scan<T>(
    _ text: String, _ configuration: JSONScanner.Configuration = .init(),
    _ body: (inout JSONScanner) throws(JSONError) -> T
) throws -> T {
    try scan(Array(text.utf8), configuration, body)
}

/// The error `body` throws, or `nil`.
private func failure(_ text: [UInt8], _ configuration: JSONScanner.Configuration = .init()) -> JSONError? {
    do {
        try scan(text, configuration) { (scanner) throws(JSONError) in
            try scanner.skipValue()
            try scanner.finish()
        }
        return nil
    } catch let error as JSONError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

private func failure(_ text: String, _ configuration: JSONScanner.Configuration = .init()) -> JSONError? {
    failure(Array(text.utf8), configuration)
}

@Suite struct JSONScannerTests {
    @Test func readsAnObjectMemberByMember() throws {
        let text = #"{ "id": "T-1", "qty": -12.50e+2, "ok": true, "none": null, "nested": {"a": [1, {"b": []}]} }"#
        let members = try scan(text) { (scanner) throws(JSONError) -> [String] in
            var out: [String] = []
            try scanner.beginObject()
            var first = true
            while let key = try scanner.nextMember(isFirst: &first) {
                let name = scanner.decodeString(key)
                switch try scanner.peekKind() {
                case .string: out.append("\(name)=s:\(scanner.decodeString(try scanner.readString()))")
                case .number:
                    let range = try scanner.readNumber()
                    out.append("\(name)=n:\(String(decoding: scanner.bytes(range), as: UTF8.self))")
                case .bool: out.append("\(name)=b:\(try scanner.readBool())")
                case .null:
                    try scanner.readNull()
                    out.append("\(name)=null")
                case .object, .array:
                    let range = try scanner.skipValue()
                    out.append("\(name)=skipped:\(range.count)")
                }
            }
            try scanner.finish()
            return out
        }
        #expect(members == ["id=s:T-1", "qty=n:-12.50e+2", "ok=b:true", "none=null", "nested=skipped:21"])
    }

    @Test(arguments: ["0", "-0", "12", "-12.5", "1e5", "1E+05", "2.50e-3", "123456789012345678901234567890"])
    func acceptsJSONNumbers(_ text: String) throws {
        let range = try scan("[\(text)]") { (scanner) throws(JSONError) -> Range<Int> in
            try scanner.beginArray()
            var first = true
            _ = try scanner.nextElement(isFirst: &first)
            return try scanner.readNumber()
        }
        #expect(range == 1..<(1 + text.utf8.count))
    }

    @Test(arguments: ["01", "-", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity", "1.5.2", "12x", "0x10", "--1"])
    func rejectsWhatIsNotAJSONNumber(_ text: String) {
        let error = failure("[\(text)]")
        #expect(error?.code == .invalidJSON)
    }

    @Test func decodesEscapesIncludingSurrogatePairs() throws {
        let text = #""a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00""#
        let value = try scan(text) { (scanner) throws(JSONError) -> (String, Bool) in
            let string = try scanner.readString()
            return (scanner.decodeString(string), string.hasEscapes)
        }
        #expect(value.0 == "a\"b\\c/d\u{8}\u{c}\n\r\té€😀")
        #expect(value.1)
    }

    @Test func plainStringsAreRangesWithoutEscapes() throws {
        let text = "\"Zürich € 東京 😀 plain ascii that is longer than eight bytes\""
        let value = try scan(text) { (scanner) throws(JSONError) -> (JSONString, String) in
            let string = try scanner.readString()
            return (string, scanner.decodeString(string))
        }
        #expect(!value.0.hasEscapes)
        #expect(value.0.start == 1 && value.0.end == text.utf8.count - 1)
        #expect(value.1 == "Zürich € 東京 😀 plain ascii that is longer than eight bytes")
    }

    @Test(arguments: [
        #""\x""#, #""\u12""#, #""\u12G4""#, #""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00""#, "\"abc",
        "\"tab\there\"", "\"nul\u{0}\"", "\"new\nline\"",
    ])
    func rejectsBadEscapesAndRawControlCharacters(_ text: String) {
        #expect(failure(text)?.code == .invalidJSON)
    }

    @Test(
        arguments: [
            [0xC0, 0x80],  // overlong NUL
            [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0x80],  // overlong 3-byte
            [0xED, 0xA0, 0x80],  // encoded surrogate
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xF5, 0x80, 0x80, 0x80],  // invalid lead
            [0x80],  // lone continuation
            [0xE2, 0x82],  // truncated before the quote
            [0xFF],
        ] as [[UInt8]])
    func rejectsInvalidUTF8InStrings(_ sequence: [UInt8]) {
        let bytes = [UInt8(ascii: "\""), UInt8(ascii: "a")] + sequence + [UInt8(ascii: "b"), UInt8(ascii: "\"")]
        let error = failure(bytes)
        #expect(error?.code == .invalidUTF8)
        #expect(error?.offset == 2)
    }

    @Test func fastPathFindsTheQuoteAtEveryPosition() throws {
        var generator = SeededGenerator(seed: 7)
        for length in 0..<40 {
            for special in ["\"", "\\n", "é"] {
                let prefix = String(
                    (0..<length).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &generator)))
                    })
                let text = "\"" + prefix + special + "tail\" "
                let decoded = try scan(text) { (scanner) throws(JSONError) -> String? in
                    if special == "\"" {
                        let string = try scanner.readString()
                        return scanner.decodeString(string)
                    }
                    return scanner.decodeString(try scanner.readString())
                }
                switch special {
                case "\"": #expect(decoded == prefix)
                case "\\n": #expect(decoded == prefix + "\ntail")
                default: #expect(decoded == prefix + "étail")
                }
            }
        }
    }

    @Test func byteOrderMarkIsSkippedByDefaultAndRejectedOnRequest() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)
        #expect(failure(bytes) == nil)
        let rejected = failure(bytes, .init(byteOrderMark: .reject))
        #expect(rejected?.code == .invalidJSON)
        #expect(rejected?.offset == 0)
        // A BOM anywhere but the start is never whitespace.
        #expect(failure([UInt8(ascii: " ")] + bytes)?.code == .invalidJSON)
    }

    @Test func nestingDepthIsBounded() {
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(failure(deep, .init(maximumDepth: 10)) == nil)
        let error = failure(deep, .init(maximumDepth: 9))
        #expect(error?.code == .limitExceeded)
        #expect(error?.offset == 9)
        // The clamp keeps a hostile configuration from exhausting the stack.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(failure(hostile, .init(maximumDepth: .max))?.code == .limitExceeded)
    }

    @Test func documentAndStringSizesAreBounded() {
        #expect(failure("\"abcd\"", .init(maximumStringLength: 4)) == nil)
        let long = failure("[\"abcde\"]", .init(maximumStringLength: 4))
        #expect(long?.code == .limitExceeded)
        #expect(long?.offset == 1)
        #expect(failure("[1, 2]", .init(maximumDocumentSize: 5))?.code == .limitExceeded)
        #expect(failure("[1, 2]", .init(maximumDocumentSize: 6)) == nil)
    }

    @Test func duplicateKeysAreFoundInSkippedObjectsEvenWhenEscaped() {
        #expect(failure(#"{"a": 1, "b": {"a": 2}}"#) == nil)
        let plain = failure(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(plain?.code == .duplicateKey)
        #expect(plain?.offset == 17)
        #expect(failure(#"{"x": [{"k": 1, "\u006b": 2}]}"#)?.code == .duplicateKey)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{a:1}", "[tru]", "nul", "[1]]",
        "{\"a\":1}}", "'x'",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(failure(text)?.code == .invalidJSON)
    }

    @Test func equalityComparesDecodedValues() throws {
        let result = try scan(#"["volume_mwh", "volume\u005fmwh", "volume"]"#) {
            (scanner) throws(JSONError) -> [Bool] in
            try scanner.beginArray()
            var first = true
            var strings: [JSONString] = []
            while try scanner.nextElement(isFirst: &first) { strings.append(try scanner.readString()) }
            return [
                scanner.equals(strings[0], "volume_mwh"), scanner.equals(strings[1], "volume_mwh"),
                scanner.equals(strings[2], "volume_mwh"), scanner.valuesEqual(strings[0], strings[1]),
                scanner.valuesEqual(strings[0], strings[2]),
            ]
        }
        #expect(result == [true, true, false, true, false])
    }

    @Test(arguments: [
        (#"{"a": 1 "b": 2}, 3]"#, 15),
        (#"{"a": "x,]}" oops}, 3]"#, 18),
        (#"12x ]"#, 3),
        (#"[1, [2, 3]] , {}]"#, 11),
        (#"{"a": "\"]"}]"#, 12),
    ])
    func lenientSkipFindsTheEndOfABrokenElement(_ text: String, _ end: Int) throws {
        let found = try scan(text) { (scanner) throws(JSONError) -> Int? in scanner.lenientEndOfElement(from: 0) }
        #expect(found == end)
    }

    @Test func lenientSkipGivesUpOnAnUnclosedArray() throws {
        let found = try scan(#"{"a": [1, 2}"#) { (scanner) throws(JSONError) -> Int? in
            scanner.lenientEndOfElement(from: 0)
        }
        #expect(found == nil)
        let truncated = try scan(#"{"a": "#) { (scanner) throws(JSONError) -> Int? in
            scanner.lenientEndOfElement(from: 0)
        }
        #expect(truncated == nil)
    }
}
