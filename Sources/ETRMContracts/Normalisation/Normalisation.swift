/// Arithmetic and issue handling shared by the normalisers.
enum Normalisation {
    /// The energy of a constant capacity held over a duration: `MW × seconds / 3600`, exactly.
    ///
    /// - Throws: ``ValidationIssue/Code/outOfRange`` when the energy has no exact decimal form (a capacity over
    ///   a third of an hour, say, gives a repeating decimal) or does not fit.
    static func energyMWh(capacityMW: ExactDecimal, over duration: Duration) throws(ValidationIssue) -> ExactDecimal {
        let seconds = duration.components.seconds
        let product = capacityMW.multipliedFullWidth(by: ExactDecimal(seconds))
        let hour = WideDecimal(ExactDecimal(3600))
        // 3600 = 2^4 · 3^2 · 5^2: four more fraction digits suffice unless a factor 3 remains (inexact).
        let scale = UInt8(min(Int(ExactDecimal.maximumScale), Int(capacityMW.scale) + 4))
        let energy = try product.divided(by: hour, scale: scale).normalized
        guard energy.multipliedFullWidth(by: ExactDecimal(3600)) == product else {
            throw ValidationIssue(
                code: .outOfRange, message: "\(capacityMW) MW over \(seconds) s has no exact MWh value",
                value: capacityMW.description)
        }
        return energy
    }

    /// Builds a trade through the validating initialiser, filing its issues under `prefix`.
    static func trade(
        _ prefix: String, into issues: inout [ValidationIssue], _ make: () throws(ValidationFailure) -> TradeRecord
    ) -> TradeRecord? {
        do throws(ValidationFailure) {
            return try make()
        } catch {
            issues += error.issues.map { $0.prefixed(by: prefix) }
            return nil
        }
    }
}
