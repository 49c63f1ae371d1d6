/// A quantity unit of REMIT Table 1 (fields 40-42): energy and volume (`KWh`, `MWh`, `GWh`, `Therm`, `KTherm`,
/// `MTherm`, `cm`, `mcm`) and capacity or rate (`KW`, `MW`, `GW`, `KWh/h`, `MWh/h`, `GWh/h`, `KWh/d`, `MWh/d`,
/// `GWh/d`, `Therm/d`, `KTherm/d`, `MTherm/d`, `cm/d`, `mcm/d`).
///
/// Spellings are exactly those of the REMIT list (note `KWh`, not `kWh`); anything else, including `MMBtu`
/// and `GJ`, which the list does not have, is rejected.
public struct EnergyUnit: EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// `an energy unit`.
    public static let noun = "an energy unit"
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
    /// The accepted spellings: each value's ``rawValue``.
    public static let table = CodeTable(all)
}
