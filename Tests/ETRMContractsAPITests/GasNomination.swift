import ETRMContracts

/// The direction of a gas flow at an interconnection point: a code type of the user's own.
struct FlowDirection: EnumeratedCode {
    let rawValue: String
    static let noun = "a flow direction"
    static let entry = FlowDirection(rawValue: "ENTRY")
    static let exit = FlowDirection(rawValue: "EXIT")
    static let all: [FlowDirection] = [.entry, .exit]
    static let table = CodeTable(all, aliases: [("IN", .entry), ("OUT", .exit)])
}

/// A shipper's gas nomination as a TSO feed sends it (energy in kWh), normalised on reading into the desk's
/// model (energy in MWh). Declared on the public API only, as a user of the package would.
struct GasNomination: ValidatedRecord, Hashable {
    var id: String
    var shipper: LEI
    var point: EIC
    var direction: FlowDirection
    var flow: DeliveryPeriod
    var energyMWh: ExactDecimal
    var revision: Int?
    var note: String?

    /// A nomination id: 1 to 20 of `A-Z 0-9 -`, a letter first.
    static let nominationID = TextRule(
        first: [UInt8(ascii: "A")...UInt8(ascii: "Z")],
        rest: [
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-")...UInt8(ascii: "-"),
        ], maxLength: 20, summary: "1 to 20 of A-Z 0-9 -, a letter first")

    static let recordSchema = RecordSchema<GasNomination>(
        name: "GasNomination", containerKey: "nominations",
        summary: "A shipper's nomination at an interconnection point.",
        recordChecks: ["flow_end is after flow_start"]
    ) { fields in
        let id = fields.text("nomination_id", description: "The TSO's nomination id.", rule: nominationID)
        let shipper = fields.code("shipper_lei", LEI.self, description: "The shipper.")
        let point = fields.code("point_eic", EIC.self, description: "The interconnection point.")
        let direction = fields.code("direction", FlowDirection.self, description: "Entry or exit.")
        let start = fields.timestamp("flow_start", description: "The start of the flow (inclusive).")
        let end = fields.timestamp("flow_end", description: "The end of the flow (exclusive).")
        let energy = fields.decimal(
            "energy_kwh", description: "The nominated energy in kWh.", exclusiveMinimum: "0", maximum: "1000000000")
        let revision = fields.integer("revision", required: false, description: "The revision.", range: 0...999)
        let note = fields.text("note", required: false, description: "A free note.", rule: .recordID)
        return { values in
            let flowEnd = try values[end]
            let flow: DeliveryPeriod
            do throws(ValidationIssue) {
                flow = try DeliveryPeriod(start: values[start], end: flowEnd)
            } catch {
                throw end.locate(error, value: flowEnd.description)
            }
            let kWh = try values[energy]
            let energyMWh: ExactDecimal
            do throws(ValidationIssue) {
                energyMWh = try ExactDecimal(checkedSignificand: kWh.significand, scale: Int(kWh.scale) + 3)
            } catch {
                throw energy.locate(error, value: kWh.description)
            }
            return GasNomination(
                id: try values[id], shipper: try values[shipper], point: try values[point],
                direction: try values[direction], flow: flow, energyMWh: energyMWh,
                revision: values[ifPresent: revision],
                note: values[ifPresent: note])
        }
    }
}
