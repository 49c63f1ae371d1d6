/// The commodity of a contract, as REMIT spells it: `EL` (electricity), `NG` (natural gas), `LG` (LNG, added in
/// REMIT Table 1 version 3).
public struct Commodity: Hashable, Sendable, CustomStringConvertible, Codable, EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// Validates a commodity.
    ///
    /// - Parameter string: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a commodity from UTF-8 bytes without allocating.
    ///
    /// - Parameter bytes: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Commodity, ValidationIssue> { validate(bytes) }

    /// The wire spelling.
    public var description: String { rawValue }

    static let noun = "a commodity"

    /// Decodes a JSON string through the validating initialiser.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an invalid value.
    public init(from decoder: any Decoder) throws { self = try Self.decode(from: decoder) }

    /// Encodes the value as a JSON string.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws { try encode(description: description, to: encoder) }
}

extension Commodity {
    /// Electricity.
    public static let electricity = Commodity(known: "EL")
    /// Natural gas.
    public static let naturalGas = Commodity(known: "NG")
    /// Liquefied natural gas.
    public static let lng = Commodity(known: "LG")

    /// Every accepted value.
    public static let all: [Commodity] = [.electricity, .naturalGas, .lng]
    static var known: [Commodity] { all }
    static let table = CodeTable<Commodity>(all, aliases: aliases)
}
