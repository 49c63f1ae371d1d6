import Idempotency

/// Canonicalises arbitrary bytes. Either they are refused with `invalid_json` and a message, or the canonical
/// form is checked, trapping on a failure so the fuzzer reports it:
/// - it is a fixed point (canonicalising it again gives the same bytes);
/// - it is JSON, and in the documented form: no whitespace outside strings, strings in RFC 8785's escaping in
///   valid UTF-8, object keys strictly increasing in UTF-16 code units (so none twice), checked here by a small
///   reader of its own rather than the scanner under test;
/// - the fingerprint of the input is the SHA-256 of the canonical bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicaliser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let canonical: [UInt8]
    do {
        canonical = try Fingerprint.canonicalJSON(input)
    } catch {
        precondition(error.code == .invalidJSON && !error.message.isEmpty, "unexpected error \(error)")
        return 0
    }
    let again: [UInt8]
    do {
        again = try Fingerprint.canonicalJSON(canonical)
    } catch {
        preconditionFailure("the canonical form is refused: \(error)")
    }
    precondition(again == canonical, "the canonical form is not a fixed point")
    var reader = CanonicalReader(bytes: canonical)
    precondition(reader.value(depth: 0) && reader.index == canonical.count, "not canonical JSON at \(reader.index)")
    precondition((try? Fingerprint(canonicalJSON: input)) == Fingerprint(exactBytes: canonical), "fingerprint")
    return 0
}

/// Reads the canonical form strictly: RFC 8259's grammar with no whitespace, RFC 8785's string escapes, keys
/// in increasing UTF-16 order.
struct CanonicalReader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ literal: String) -> Bool {
        let expected = Array(literal.utf8)
        guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected)
        else { return false }
        index += expected.count
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard depth <= 512, let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return take("true")
        case UInt8(ascii: "f"): return take("false")
        case UInt8(ascii: "n"): return take("null")
        default: return number()
        }
    }

    mutating func array(depth: Int) -> Bool {
        index += 1
        if take("]") { return true }
        repeat {
            guard value(depth: depth + 1) else { return false }
        } while take(",")
        return take("]")
    }

    mutating func object(depth: Int) -> Bool {
        index += 1
        if take("}") { return true }
        var previous: [UInt16]?
        repeat {
            guard current == UInt8(ascii: "\""), let key = string(), take(":"), value(depth: depth + 1) else {
                return false
            }
            let units = Array(key.utf16)
            if let previous, !previous.lexicographicallyPrecedes(units) { return false }
            previous = units
        } while take(",")
        return take("}")
    }

    /// A string in RFC 8785's form, decoded; `nil` if it is not in that form.
    mutating func string() -> String? {
        index += 1
        var decoded: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { return nil }
                index += 1
                let simple: [UInt8: UInt8] = [
                    0x22: 0x22, 0x5C: 0x5C, 0x62: 0x08, 0x74: 0x09, 0x6E: 0x0A, 0x66: 0x0C, 0x72: 0x0D,
                ]
                if let value = simple[escape] {
                    decoded.append(value)
                } else if escape == UInt8(ascii: "u"), bytes.count - index >= 4, take("00") {
                    let hex = String(decoding: bytes[index..<index + 2], as: UTF8.self)
                    guard hex == hex.lowercased(), let value = UInt8(hex, radix: 16), value < 0x20,
                        ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value)
                    else { return nil }
                    index += 2
                    decoded.append(value)
                } else {
                    return nil
                }
            case 0..<0x20:
                return nil
            default:
                decoded.append(byte)
            }
        }
        return nil
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func number() -> Bool {
        func digits(_ reader: inout CanonicalReader) -> Int {
            let start = reader.index
            while let byte = reader.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                reader.index += 1
            }
            return reader.index - start
        }
        _ = take("-")
        if take("0") {
        } else if digits(&self) == 0 {
            return false
        }
        if take("."), digits(&self) == 0 { return false }
        if take("e") || take("E") {
            if !take("+") { _ = take("-") }
            if digits(&self) == 0 { return false }
        }
        return true
    }
}
