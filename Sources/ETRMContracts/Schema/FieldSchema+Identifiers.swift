extension FieldSchema {
    /// An LEI: the shape as a pattern; the check digits are beyond JSON Schema.
    package static func lei(_ description: String) -> FieldSchema {
        FieldSchema(
            type: .string, description: description, pattern: "^[0-9A-Z]{18}[0-9]{2}$",
            beyondSchema: ["ISO 7064 MOD 97-10 check digits (ISO 17442)"])
    }

    /// An EIC: the shape as a pattern; the check character is beyond JSON Schema.
    package static func eic(_ description: String) -> FieldSchema {
        FieldSchema(
            type: .string, description: description, pattern: "^[0-9A-Z-]{15}[0-9A-Z]$",
            beyondSchema: ["ENTSO-E EIC check character"])
    }

    /// A settlement run id: exactly 16 of `A-Z 0-9`.
    package static func settlementRunID(_ description: String) -> FieldSchema {
        FieldSchema(type: .string, description: description, pattern: "^[A-Z0-9]{16}$")
    }

    /// A contract id: 8 to 32 of `A-Z a-z 0-9 _ : -`.
    package static func contractID(_ description: String) -> FieldSchema {
        FieldSchema(type: .string, description: description, pattern: "^[A-Za-z0-9_:-]{8,32}$")
    }

    /// One of a closed list of spellings, taken from the code type itself (aliases included).
    static func enumeration<Code: EnumeratedCode>(_ code: Code.Type, _ description: String) -> FieldSchema {
        FieldSchema(
            type: .string, description: description, enumeration: Code.table.spellings)
    }
}
