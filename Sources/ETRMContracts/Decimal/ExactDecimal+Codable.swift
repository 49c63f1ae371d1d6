import Foundation

extension ExactDecimal: Codable {
    /// Decodes a JSON number exactly; a JSON string is `wrong_type`, as in the wire rules (see
    /// ``RecordReader``), so `Codable` and the byte reader accept the same documents.
    ///
    /// The number is read through Foundation's `Decimal` (which `JSONDecoder` fills from the number's digits,
    /// not from a `Double`), so its value is exact. Its written scale is not always kept: `Decimal` drops
    /// trailing zeros while parsing (`42.50` decodes as `42.5`, which compares equal) and `Decoder` offers no
    /// access to the digits as written. Read with ``RecordReader`` where the written scale must survive.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an out-of-range number;
    ///   `DecodingError.typeMismatch` carrying a ``ValidationIssue`` with code
    ///   ``ValidationIssue/Code/wrongType`` for a string or any other value that is not a number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        do {
            text = try container.decode(Decimal.self).description
        } catch {
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
    /// `JSONEncoder` offers no way to write a number from text, so the value goes through Foundation's
    /// `Decimal`, which holds 38 digits and therefore every ``ExactDecimal`` exactly; `JSONEncoder` writes its
    /// shortest exact form (`-0.50` is written `-0.5`). Encode ``description`` yourself where the scale must
    /// survive on the wire.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let magnitude = Decimal(significand.magnitude)
        let value = Decimal(sign: significand < 0 ? .minus : .plus, exponent: -Int(scale), significand: magnitude)
        try container.encode(value)
    }
}
