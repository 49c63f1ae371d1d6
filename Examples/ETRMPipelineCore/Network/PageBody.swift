import Foundation

/// A page's body read: the raw bytes of its records, their count, the next cursor and the feed's total.
///
/// The body is `{"data":[ <records> ], "next_cursor": "<opaque>" | null, "total": N}` (`total` optional). The whole body is checked as JSON
/// first (a truncated or malformed page is a retryable failure); the records are then kept as the server sent
/// them, byte for byte, so that the pipeline reads exactly what a file run reads.
package struct PageBody: Sendable, Equatable {
    /// The bytes between the `data` array's brackets, without surrounding whitespace; empty for no records.
    package var records: [UInt8]
    /// The number of elements of `data`.
    package var count: Int
    /// The next page's cursor, `nil` on the partition's last page.
    package var nextCursor: String?
    /// The records of the whole feed (every partition), when the API gives it: only the progress line's ETA
    /// uses it, so a `total` that is not a non-negative integer is treated as absent.
    package var total: Int?

    package init(records: [UInt8], count: Int, nextCursor: String?, total: Int? = nil) {
        self.records = records
        self.count = count
        self.nextCursor = nextCursor
        self.total = total
    }

    /// Why a 200 body is not a page.
    package struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    /// Reads a page body.
    ///
    /// - Parameter body: The body of a 200 response.
    /// - Returns: The page.
    /// - Throws: ``Unreadable`` for a body that is not JSON (truncated, malformed), not an object, or lacks
    ///   `data` (an array) or `next_cursor` (a string or null).
    package static func parse(_ body: [UInt8]) throws(Unreadable) -> PageBody {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw Unreadable(reason: "not valid JSON (\(body.count) bytes; truncated or malformed)")
        }
        guard let page = object as? [String: Any], let data = page["data"] as? [Any] else {
            throw Unreadable(reason: "not an object with a \"data\" array")
        }
        let next: String?
        switch page["next_cursor"] {
        case let cursor as String: next = cursor
        case is NSNull: next = nil
        default: throw Unreadable(reason: "\"next_cursor\" is missing or neither a string nor null")
        }
        guard let span = dataSpan(body) else { throw Unreadable(reason: "no top-level \"data\" array") }
        var lower = span.lowerBound
        var upper = span.upperBound
        while lower < upper, isSpace(body[lower]) { lower += 1 }
        while upper > lower, isSpace(body[upper - 1]) { upper -= 1 }
        let total = (page["total"] as? NSNumber).flatMap { Int(exactly: $0.doubleValue) }.flatMap { $0 >= 0 ? $0 : nil }
        return PageBody(records: Array(body[lower..<upper]), count: data.count, nextCursor: next, total: total)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// The range inside the brackets of the top-level `data` array of a valid JSON object.
    private static func dataSpan(_ body: [UInt8]) -> Range<Int>? {
        var depth = 0
        var position = 0
        var arrayStart: Int?
        while position < body.count {
            let byte = body[position]
            switch byte {
            case UInt8(ascii: "\""):
                let start = position + 1
                position = start
                while position < body.count, body[position] != UInt8(ascii: "\"") {
                    position += body[position] == UInt8(ascii: "\\") ? 2 : 1
                }
                if depth == 1, arrayStart == nil, body[start..<min(position, body.count)].elementsEqual("data".utf8) {
                    var after = position + 1
                    while after < body.count, isSpace(body[after]) { after += 1 }
                    if after < body.count, body[after] == UInt8(ascii: ":") {
                        after += 1
                        while after < body.count, isSpace(body[after]) { after += 1 }
                        if after < body.count, body[after] == UInt8(ascii: "[") {
                            arrayStart = after + 1
                            depth += 1
                            position = after
                        }
                    }
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 1, let start = arrayStart, byte == UInt8(ascii: "]") { return start..<position }
            default:
                break
            }
            position += 1
        }
        return nil
    }
}
