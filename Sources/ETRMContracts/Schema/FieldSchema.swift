/// What JSON Schema can say about one field of a canonical model. Each ``FieldRule`` carries one, next to
/// the code that enforces the same facts, so that the generated schema and the validator cannot drift apart.
package struct FieldSchema: Sendable, Hashable {
    /// The JSON type a field must have on the wire.
    package enum JSONType: String, Sendable, Hashable {
        case string, number, integer, boolean
    }

    /// The wire type.
    package var type: JSONType
    /// A human-readable description (the schema's `description`).
    package var description: String
    /// A regular expression (ECMA 262) every valid string matches.
    package var pattern: String?
    /// The complete set of valid strings, for enumerations.
    package var enumeration: [String]?
    /// The shortest valid string, in characters.
    package var minLength: Int?
    /// The longest valid string, in characters.
    package var maxLength: Int?
    /// The smallest valid number, inclusive, as decimal text.
    package var minimum: String?
    /// The largest valid number, inclusive, as decimal text.
    package var maximum: String?
    /// A bound every valid number is strictly greater than, as decimal text.
    package var exclusiveMinimum: String?
    /// A JSON Schema `format` annotation (`date-time`).
    package var format: String?
    /// Checks the validator makes that JSON Schema cannot express (check digits, calendar validity);
    /// they go into the schema's `$comment`.
    package var beyondSchema: [String]

    package init(
        type: JSONType, description: String, pattern: String? = nil, enumeration: [String]? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, minimum: String? = nil, maximum: String? = nil,
        exclusiveMinimum: String? = nil, format: String? = nil, beyondSchema: [String] = []
    ) {
        self.type = type
        self.description = description
        self.pattern = pattern
        self.enumeration = enumeration
        self.minLength = minLength
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.format = format
        self.beyondSchema = beyondSchema
    }
}
