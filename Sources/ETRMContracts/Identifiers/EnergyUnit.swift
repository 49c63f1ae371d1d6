/// A quantity unit of REMIT Table 1 (fields 40-42): energy and volume (`KWh`, `MWh`, `GWh`, `Therm`, `KTherm`,
/// `MTherm`, `cm`, `mcm`) and capacity or rate (`KW`, `MW`, `GW`, `KWh/h`, `MWh/h`, `GWh/h`, `KWh/d`, `MWh/d`,
/// `GWh/d`, `Therm/d`, `KTherm/d`, `MTherm/d`, `cm/d`, `mcm/d`).
///
/// Spellings are exactly those of the REMIT list (note `KWh`, not `kWh`); anything else, including `MMBtu`
/// and `GJ`, which the list does not have, is rejected.
public struct EnergyUnit: Hashable, Sendable, CustomStringConvertible, Codable, EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// Validates a energy unit.
    ///
    /// - Parameter string: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a energy unit from UTF-8 bytes without allocating.
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
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<EnergyUnit, ValidationIssue> { validate(bytes) }

    /// The wire spelling.
    public var description: String { rawValue }

    static let noun = "a energy unit"

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

extension EnergyUnit {
    /// Kilowatt hour.
    public static let kWh = EnergyUnit(known: "KWh")
    /// Megawatt hour.
    public static let MWh = EnergyUnit(known: "MWh")
    /// Gigawatt hour.
    public static let GWh = EnergyUnit(known: "GWh")
    /// Therm.
    public static let therm = EnergyUnit(known: "Therm")
    /// Thousand therms.
    public static let kTherm = EnergyUnit(known: "KTherm")
    /// Million therms.
    public static let mTherm = EnergyUnit(known: "MTherm")
    /// Cubic metre (gas).
    public static let cubicMetre = EnergyUnit(known: "cm")
    /// Million cubic metres (gas).
    public static let millionCubicMetres = EnergyUnit(known: "mcm")
    /// Kilowatt.
    public static let kW = EnergyUnit(known: "KW")
    /// Megawatt.
    public static let MW = EnergyUnit(known: "MW")
    /// Gigawatt.
    public static let GW = EnergyUnit(known: "GW")
    /// Kilowatt hour per hour.
    public static let kWhPerHour = EnergyUnit(known: "KWh/h")
    /// Megawatt hour per hour.
    public static let MWhPerHour = EnergyUnit(known: "MWh/h")
    /// Gigawatt hour per hour.
    public static let GWhPerHour = EnergyUnit(known: "GWh/h")
    /// Kilowatt hour per day.
    public static let kWhPerDay = EnergyUnit(known: "KWh/d")
    /// Megawatt hour per day.
    public static let MWhPerDay = EnergyUnit(known: "MWh/d")
    /// Gigawatt hour per day.
    public static let GWhPerDay = EnergyUnit(known: "GWh/d")
    /// Therm per day.
    public static let thermPerDay = EnergyUnit(known: "Therm/d")
    /// Thousand therms per day.
    public static let kThermPerDay = EnergyUnit(known: "KTherm/d")
    /// Million therms per day.
    public static let mThermPerDay = EnergyUnit(known: "MTherm/d")
    /// Cubic metres per day.
    public static let cubicMetrePerDay = EnergyUnit(known: "cm/d")
    /// Million cubic metres per day.
    public static let millionCubicMetresPerDay = EnergyUnit(known: "mcm/d")

    /// Every accepted value.
    public static let all: [EnergyUnit] = [
        .kWh, .MWh, .GWh, .therm, .kTherm, .mTherm, .cubicMetre, .millionCubicMetres, .kW, .MW, .GW, .kWhPerHour,
        .MWhPerHour, .GWhPerHour, .kWhPerDay, .MWhPerDay, .GWhPerDay, .thermPerDay, .kThermPerDay, .mThermPerDay,
        .cubicMetrePerDay, .millionCubicMetresPerDay,
    ]
    static var known: [EnergyUnit] { all }
    static let table = CodeTable<EnergyUnit>(all, aliases: aliases)
}
