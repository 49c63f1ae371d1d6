import Foundation

extension ExactDecimal: Codable {
    /// Decodes a JSON number or a JSON string holding a decimal, exactly.
    ///
    /// A string is parsed by ``init(_:)-(String)`` and keeps its scale. A number is read through Foundation's
    /// `Decimal` (which `JSONDecoder` fills from the number's digits, not from a `Double`) and then parsed from
    /// that `Decimal`'s text, so it is exact but its written trailing zeros may be lost (`1.50` may decode with
    /// scale 1). For scale-preserving, faster decoding use the module's byte reader.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an invalid or out-of-range
    ///   number, or `DecodingError.typeMismatch` for a value that is neither a number nor a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else {
            text = try container.decode(Decimal.self).description
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
