import ETRMShared
import Foundation

extension CodingUserInfoKey {
    /// The ``UnknownFieldPolicy`` the canonical models' `Codable` conformance applies; absent means
    /// ``UnknownFieldPolicy/ignore``. Set it in `JSONDecoder.userInfo`.
    public static let etrmUnknownFieldPolicy = CodingUserInfoKey(rawValue: "etrm.unknownFieldPolicy")!
}

extension RecordSchema {
    /// Decodes a record through `Codable`, with the same rules and the same verdicts as the fast reader.
    ///
    /// The value at the decoder is read as plain JSON (strings, `Decimal` numbers, booleans, null, arrays,
    /// objects), written back as JSON bytes and validated by the model's rule table, so there is one
    /// validator, not two. Issues are located under the decoder's coding path (`/trades/12/volume_mwh`).
    /// Two differences are inherent in `Codable`: a decoder that keeps one of two duplicate keys hides the
    /// duplicate, and a number is seen through Foundation's `Decimal` (38 digits), so trailing zeros may be
    /// dropped (`1.50` decodes as `1.5`, which compares equal). ``WireJSONDecoder`` has neither difference:
    /// it refuses duplicate keys and hands over each number's written text.
    ///
    /// - Parameter decoder: The decoder positioned at the record.
    /// - Returns: The record.
    /// - Throws: ``ValidationFailure`` with every issue; never a `DecodingError` for a bad value.
    package func decode(from decoder: any Decoder) throws -> Record {
        let prefix = decoder.codingPath.map { "/" + JSONPointer.escape($0.intValue.map(String.init) ?? $0.stringValue) }
            .joined()
        let policy = decoder.userInfo[.etrmUnknownFieldPolicy] as? UnknownFieldPolicy ?? .ignore
        var issues = RecordIssues(pointer: prefix)
        let value = try CodableJSONValue(from: decoder).output
        guard case .object = value else {
            issues.add(field: nil, code: .notAnObject, message: "a record must be a JSON object")
            throw ValidationFailure(issues: issues.issues)
        }
        let bytes = Array(value.text().utf8)
        let record = bytes.withUnsafeBytes { raw -> Record? in
            do throws(JSONError) {
                var scanner = try JSONScanner(raw)
                return try decodeRecord(&scanner, &issues, policy)
            } catch {
                issues.add(error, recordStart: 0)
                return nil
            }
        }
        guard let record, issues.isEmpty else { throw ValidationFailure(issues: issues.issues) }
        return record
    }
}

extension ValidatedRecord where Self: Decodable {
    /// Decodes and validates a record with the rules of the fast reader (see ``RecordReader``): the same
    /// verdicts, every issue at once.
    ///
    /// - Parameter decoder: The decoder. Its `userInfo[.etrmUnknownFieldPolicy]` may hold an
    ///   ``UnknownFieldPolicy``; the default ignores unknown fields.
    /// - Throws: ``ValidationFailure`` with every issue, located under the decoder's coding path.
    public init(from decoder: any Decoder) throws {
        self = try Self.recordSchema.decode(from: decoder)
    }
}

extension Encoder {
    /// Encodes a record as a JSON object of its wire fields, in order; a field whose value is `nil` is omitted.
    func encodeWireFields(_ fields: KeyValuePairs<String, (any Encodable)?>) throws {
        var container = container(keyedBy: WireKey.self)
        for case (let key, let value?) in fields { try container.encode(value, forKey: WireKey(stringValue: key)) }
    }
}

/// A JSON object key of any name.
struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Any JSON value, read through `Codable` without interpreting it.
struct CodableJSONValue: Decodable {
    var output: JSONOutput

    init(from decoder: any Decoder) throws {
        if let wire = decoder as? WireDecoding {
            output = wire.value.output  // numbers keep their written text
            return
        }
        if let object = try? decoder.container(keyedBy: WireKey.self) {
            var members: [(String, JSONOutput)] = []
            for key in object.allKeys {
                members.append((key.stringValue, try object.decode(CodableJSONValue.self, forKey: key).output))
            }
            output = .object(members)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONOutput] = []
            while !array.isAtEnd { elements.append(try array.decode(CodableJSONValue.self).output) }
            output = .array(elements)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            output = .null
        } else if let bool = try? single.decode(Bool.self) {
            output = .bool(bool)
        } else if let string = try? single.decode(String.self) {
            output = .string(string)
        } else if let number = try? single.decode(Decimal.self) {
            output = .number(number.description)
        } else {
            throw ValidationFailure(issues: [
                ValidationIssue(
                    path: decoder.codingPath.map {
                        "/" + JSONPointer.escape($0.intValue.map(String.init) ?? $0.stringValue)
                    }
                    .joined(),
                    code: .outOfRange,
                    message: "a number beyond what the decoder can represent (the fast reader says out_of_range too)")
            ])
        }
    }
}
