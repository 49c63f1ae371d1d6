/// Checks the models' validating initialisers share with the rule tables: each takes the limits the tables
/// use and records an issue under the field's wire name.
enum ModelChecks {
    static func check(text: String, rule: TextRule, field: String, issues: inout RecordIssues) {
        var text = text
        let accepted = text.withUTF8 { rule.accepts($0) }
        if !accepted {
            issues.add(field: field, code: .invalidIdentifier, message: "must be \(rule.summary)", value: text)
        }
    }

    static func check(_ value: ExactDecimal, _ bounds: DecimalBounds, field: String, issues: inout RecordIssues) {
        do throws(ValidationIssue) {
            try bounds.check(value)
        } catch {
            issues.add(error, field: field, fallbackValue: value.description)
        }
    }

    static func check(_ value: Int?, _ range: ClosedRange<Int>, field: String, issues: inout RecordIssues) {
        guard let value, !range.contains(value) else { return }
        issues.add(
            field: field, code: .outOfRange, message: "must be between \(range.lowerBound) and \(range.upperBound)",
            value: String(value))
    }

    /// Builds a delivery period from a draft's two instants, recording `end_before_start` under `endField`.
    static func period(
        _ start: UTCTimestamp?, _ end: UTCTimestamp?, endField: String, issues: inout RecordIssues
    ) -> DeliveryPeriod? {
        guard let start, let end else { return nil }
        do throws(ValidationIssue) {
            return try DeliveryPeriod(start: start, end: end)
        } catch {
            issues.add(error, field: endField, fallbackValue: end.description)
            return nil
        }
    }
}
