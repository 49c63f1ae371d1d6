import Foundation

extension ExactDecimal: Codable {
    /// Decodes a JSON number exactly; a JSON string is `wrong_type`, as in the wire rules (see
    /// ``RecordReader``), so `Codable` and the byte reader accept the same documents.
    ///
    /// Which decoder keeps the written scale:
    /// - ``WireJSONDecoder`` hands over the number's text, parsed as ``RecordReader`` parses it: `42.50`,
    ///   `0.10` and `100e-2` keep scale 2, the same value and scale the reader gives.
    /// - Foundation's `JSONDecoder` offers only a `Decimal` (filled from the digits, not from a `Double`, so
    ///   the value is exact) that drops trailing zeros while parsing: `42.50` decodes as `42.5`, which compares
    ///   equal, and no `Decoder` API reaches the digits as written.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an out-of-range number;
    ///   `DecodingError.typeMismatch` carrying a ``ValidationIssue`` with code
    ///   ``ValidationIssue/Code/wrongType`` for a string or any other value that is not a number.
    public init(from decoder: any Decoder) throws {
        let text: String
        if let wire = decoder as? WireDecoding, case .number(let written) = wire.value {
            text = written
        } else if !(decoder is WireDecoding), let value = try? decoder.singleValueContainer().decode(Decimal.self) {
            text = value.description
        } else {
            let issue = ValidationIssue(
                code: .wrongType, message: "expected a JSON number (a decimal in a string is not accepted)")
            throw DecodingError.typeMismatch(
                ExactDecimal.self,
                .init(codingPath: decoder.codingPath, debugDescription: issue.description, underlyingError: issue))
        }
        do {
            self = try ExactDecimal(text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error)
            )
        }
    }

    /// Encodes the value as a JSON number with the exact digits of the value.
    ///
    /// ``WireJSONEncoder`` writes ``description``, so the scale survives (`42.50` is written `42.50`).
    /// Foundation's `JSONEncoder` offers no way to write a number from text, so there the value goes through
    /// Foundation's `Decimal`, which holds 38 digits and therefore every ``ExactDecimal`` exactly, and is
    /// written in its shortest exact form (`-0.50` is written `-0.5`).
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        if let wire = encoder as? WireEncoding {
            wire.encodeNumber(text: description)
            return
        }
        var container = encoder.singleValueContainer()
        let magnitude = Decimal(significand.magnitude)
        let value = Decimal(sign: significand < 0 ? .minus : .plus, exponent: -Int(scale), significand: magnitude)
        try container.encode(value)
    }
}
