import ETRMContracts
import Testing

/// `RecordReaderConfiguration.endOfValue(in:at:depth:)`: the end of one JSON value, for callers that split a
/// document into elements themselves.
@Suite struct EndOfValueTests {
    @Test func findsTheEndOfEachElementAndRefusesBrokenOnes() {
        let document = Array(#"{"trades": [ {"a": "}", "b": [1, {"c": null}]} , 2.5e3, "x\"y", {"broken": ] }"#.utf8)
        let configuration = RecordReaderConfiguration()
        func end(_ start: Int, depth: Int = 2) -> Int? {
            document.withUnsafeBytes { configuration.endOfValue(in: $0, at: start, depth: depth) }
        }
        let first = document.firstIndex(of: UInt8(ascii: "["))! + 1
        let firstEnd = end(first)
        #expect(firstEnd.map { String(decoding: document[..<$0], as: UTF8.self).hasSuffix(#"{"c": null}]}"#) } == true)
        let number = document.firstIndex(of: UInt8(ascii: "2"))!
        #expect(end(number) == number + 5)
        let string = document.firstIndex(of: UInt8(ascii: "x"))! - 1
        #expect(end(string) == string + 6)
        let broken = document.lastIndex(of: UInt8(ascii: "{"))!
        #expect(end(broken) == nil)
        #expect(end(document.count + 1) == nil)
        #expect(end(-1) == nil)
        // The depth counts against the configuration's maximum.
        let shallow = RecordReaderConfiguration(maximumDepth: 2)
        #expect(document.withUnsafeBytes { shallow.endOfValue(in: $0, at: first, depth: 2) } == nil)
    }
}
