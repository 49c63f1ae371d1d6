import TradeFrame

/// The self-contained HTML report of `--report`: inline CSS and inline SVG only (no scripts, fonts, images or
/// links), every figure taken from the run's summary, groups and frames as the text report prints them.
///
/// Each bar carries its exact figure in a data attribute (`data-volume`, `data-count`) so that a test can read
/// the chart back and compare it with the summary.
package enum HTMLReport {
    /// The report of a run.
    ///
    /// - Parameters:
    ///   - result: The run.
    ///   - source: What was read, for the title.
    ///   - zone: The market's zone.
    ///   - tolerance: The reconciliation tolerance.
    /// - Returns: The HTML document.
    package static func html(_ result: PipelineResult, source: String, zone: String, tolerance: Tolerance) -> String {
        let s = result.summary
        var body = "<h1>Settlement run report</h1>\n"
        body += "<p class=\"sub\">\(escape(source)) · zone \(escape(zone)) · tolerance \(escape(tolerance.text))</p>\n"
        body += headline(s)

        // Volume per cycle and per product: exact sums of the groups' exact volumes.
        var byCycle: [String: Int128] = [:]
        var byProduct: [String: Int128] = [:]
        for group in result.groups {
            byCycle[group.cycle, default: 0] += group.volumeMilli
            byProduct[group.product, default: 0] += group.volumeMilli
        }
        let volumeBars = { (totals: [String: Int128]) in
            totals.sorted { $0.key < $1.key }.map {
                Bar(
                    label: $0.key, value: Double($0.value), text: ExactFormat.milli($0.value),
                    data: ("volume", ExactFormat.milli($0.value)))
            }
        }
        let reasons = result.feed.quarantinedByCode.sorted { $0.key < $1.key }.map {
            Bar(
                label: $0.key, value: Double($0.value), text: Report.grouped($0.value),
                data: ("count", String($0.value)))
        }

        body += section(
            "Reconciliation drift against broker volumes",
            driftChart(result.reconciliation.drift, tolerance: tolerance),
            note: "|broker − ours| / ours over \(Report.grouped(s.reconciledMatched)) matched trades; "
                + "the \(Report.grouped(s.flagged)) above \(escape(tolerance.text)) are flagged and put on hold.")
        body += section(
            "Quarantine reasons",
            reasons.isEmpty ? "<p>No record was quarantined.</p>" : horizontalBars(reasons, chart: "quarantine"),
            note: "Records per issue code; a record with several issues counts under each of its codes.")
        body += "<div class=\"grid\">"
        body += section(
            "Volume by settlement cycle (MWh)", horizontalBars(volumeBars(byCycle), chart: "volume-by-cycle"),
            note: "Total \(s.aggregateTotalVolume) MWh over \(s.aggregateGroups) (cycle, product) groups.")
        body += section("Volume by product (MWh)", horizontalBars(volumeBars(byProduct), chart: "volume-by-product"))
        body += "</div>\n"
        body += section("Largest groups: volume and VWAP", groupTable(result.groups))
        body += section("Flagged trades (\(Report.grouped(s.flagged)))", flaggedTable(result.reconciliation.flagged))
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Settlement run report</title>
            <style>\(style)</style></head>
            <body>
            \(body)</body></html>

            """
    }

    // MARK: Pieces

    /// One bar: its label, its length, the figure printed beside it, and its exact figure as a data attribute.
    struct Bar {
        var label: String
        var value: Double
        var text: String
        var data: (name: String, value: String)
    }

    static func headline(_ s: Summary) -> String {
        let cells = [
            ("received", s.inputRecords), ("accepted", s.afterDedup), ("quarantined", s.quarantined),
            ("duplicates dropped", s.duplicatesDropped), ("flagged", s.flagged),
        ].map { "<div class=\"kpi\"><b data-count=\"\($0.1)\">\(Report.grouped($0.1))</b>\(escape($0.0))</div>" }
        let balanced = s.afterDedup + s.quarantined + s.duplicatesDropped == s.inputRecords
        return "<div class=\"kpis\">\(cells.joined())</div>\n"
            + "<p class=\"identity \(balanced ? "ok" : "bad")\">accepted + quarantined + duplicates dropped = received: "
            + "\(Report.grouped(s.afterDedup)) + \(Report.grouped(s.quarantined)) + "
            + "\(Report.grouped(s.duplicatesDropped)) \(balanced ? "=" : "≠") \(Report.grouped(s.inputRecords))</p>\n"
    }

    static func section(_ title: String, _ content: String, note: String? = nil) -> String {
        "<section><h2>\(escape(title))</h2>\n\(content)\n" + (note.map { "<p class=\"note\">\($0)</p>\n" } ?? "")
            + "</section>\n"
    }

    /// Horizontal bars, one per row: label on the left, the bar, its figure on the right.
    static func horizontalBars(_ bars: [Bar], chart: String) -> String {
        let row = 20
        let labelWidth = 130
        let barWidth = 170.0
        let height = bars.count * row + 8
        let largest = max(bars.map(\.value).max() ?? 0, 1)
        var svg = "<svg class=\"chart\" data-chart=\"\(chart)\" width=\"410\" height=\"\(height)\" "
        svg += "viewBox=\"0 0 410 \(height)\" role=\"img\">\n"
        for (index, bar) in bars.enumerated() {
            let y = index * row + 4
            let width = max(bar.value / largest * barWidth, 1)
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 14)\" text-anchor=\"end\">\(escape(bar.label))</text>"
            svg +=
                "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(format(width))\" height=\"\(row - 6)\" "
            svg += "data-label=\"\(escape(bar.label))\" data-\(bar.data.name)=\"\(escape(bar.data.value))\"/>"
            svg += "<text class=\"value\" x=\"\(format(Double(labelWidth) + width + 6))\" y=\"\(y + 14)\">"
            svg += "\(escape(bar.text))</text>\n"
        }
        return svg + "</svg>"
    }

    /// The drift histogram: vertical bars per 0.1 % bin with counts above them, bin labels below, and a
    /// dashed line at the tolerance.
    static func driftChart(_ drift: DriftHistogram, tolerance: Tolerance) -> String {
        let (left, top, plotHeight, barStep) = (50.0, 24.0, 220.0, 70.0)
        let largest = Double(max(drift.counts.max() ?? 0, 1))
        let width = Int(left + barStep * Double(drift.counts.count) + 20)
        var svg = "<svg class=\"chart\" data-chart=\"drift\" width=\"\(width)\" height=\"300\" "
        svg += "viewBox=\"0 0 \(width) 300\" role=\"img\">\n"
        let axis = top + plotHeight
        svg += "<line class=\"axis\" x1=\"\(format(left))\" y1=\"\(format(axis))\" x2=\"\(width - 10)\" "
        svg += "y2=\"\(format(axis))\"/>\n"
        // The bins are 0.1 % wide, so the tolerance in per mille is its position in bins.
        let perMille = min(max((Double(tolerance.text) ?? 0) * 1000, 0), Double(drift.counts.count))
        for (bin, count) in drift.counts.enumerated() {
            let height = Double(count) / largest * plotHeight
            let x = left + Double(bin) * barStep
            let last = bin == drift.counts.count - 1
            let label = last ? "≥ 1.0 %" : "\(percent(bin))–\(percent(bin + 1)) %"
            let beyond = Double(bin) >= perMille ? " beyond" : ""
            svg += "<rect class=\"bar drift\(beyond)\" x=\"\(format(x + 4))\" y=\"\(format(axis - height))\" "
            svg +=
                "width=\"\(format(barStep - 8))\" height=\"\(format(height))\" data-bin=\"\(bin)\" data-count=\"\(count)\"/>"
            svg += "<text class=\"value\" x=\"\(format(x + barStep / 2))\" y=\"\(format(axis - height - 5))\" "
            svg += "text-anchor=\"middle\">\(Report.grouped(count))</text>"
            svg += "<text x=\"\(format(x + barStep / 2))\" y=\"\(format(axis + 18))\" text-anchor=\"middle\">"
            svg += "\(escape(label))</text>\n"
        }
        let x = format(left + perMille * barStep)
        svg += "<line class=\"threshold\" x1=\"\(x)\" y1=\"\(format(top - 8))\" x2=\"\(x)\" y2=\"\(format(axis))\"/>"
        svg += "<text class=\"threshold-label\" x=\"\(x)\" y=\"\(format(top - 12))\" text-anchor=\"middle\">"
        svg += "threshold \(format(perMille / 10)) %</text>\n"
        svg += "<text x=\"\(format(left))\" y=\"\(format(axis + 40))\">relative variance |broker − ours| / ours"
        svg += " (trades per bin)</text>\n"
        return svg + "</svg>"
    }

    static func groupTable(_ groups: [GroupAggregate]) -> String {
        let top = groups.sorted {
            $0.volumeMilli != $1.volumeMilli ? $0.volumeMilli > $1.volumeMilli : $0.line < $1.line
        }.prefix(15)
        var html = "<table><tr><th>cycle</th><th>product</th><th class=\"n\">volume MWh</th>"
        html += "<th class=\"n\">VWAP USD</th><th class=\"n\">trades</th></tr>\n"
        for group in top {
            html += "<tr><td>\(escape(group.cycle))</td><td>\(escape(group.product))</td>"
            html += "<td class=\"n\">\(escape(group.volumeText))</td><td class=\"n\">\(escape(group.vwapText))</td>"
            html += "<td class=\"n\">\(Report.grouped(group.trades))</td></tr>\n"
        }
        return html + "</table><p class=\"note\">The \(top.count) largest of \(groups.count) groups by volume; "
            + "VWAP = Σ(volume × price) / Σ volume, exact, 4 decimals.</p>"
    }

    static func flaggedTable(_ flagged: TradeFrame) -> String {
        guard flagged.rowCount > 0 else { return "<p>No trade breached the tolerance.</p>" }
        let names = ["trade_id", "settlement_cycle", "product_code", "status", "volume_mwh", "broker_volume_mwh"]
        let numeric: Set = ["volume_mwh", "broker_volume_mwh"]
        var html = "<div class=\"scroll\"><table class=\"flagged\"><tr>"
        html += names.map { "<th\(numeric.contains($0) ? " class=\"n\"" : "")>\(escape($0))</th>" }.joined()
        html += "</tr>\n"
        let columns = names.map { flagged[$0] }
        for row in 0..<flagged.rowCount {
            html += "<tr>"
            for (name, column) in zip(names, columns) {
                html += "<td\(numeric.contains(name) ? " class=\"n\"" : "")>\(escape(column?.text(at: row) ?? ""))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</table></div>"
    }

    // MARK: Text

    /// Escapes text for HTML content and double-quoted attributes.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    static func percent(_ perMille: Int) -> String { "\(perMille / 10).\(perMille % 10)" }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2733;\
        background:#f4f6f9;margin:0;padding:24px 32px;max-width:960px}
        h1{font-size:24px;margin:0 0 2px}h2{font-size:16px;margin:0 0 10px;color:#23415f}
        .sub{color:#5b6b7c;margin:0 0 16px}
        section{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:14px 18px;margin:0 0 16px;\
        overflow:hidden}
        .kpis{display:flex;gap:12px;margin:0 0 8px}
        .kpi{flex:1;background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;color:#5b6b7c}
        .kpi b{display:block;font-size:22px;color:#1d2733}
        .identity{margin:0 0 16px;font-size:13px}.ok{color:#1f7a3d}.bad{color:#b3261e;font-weight:bold}
        .note{color:#5b6b7c;font-size:12px;margin:6px 0 0}
        svg text{font-size:12px;fill:#33475b}svg .value{fill:#1d2733;font-weight:600}
        .bar{fill:#3b78c2}.bar.drift{fill:#5a9bd5}.bar.beyond{fill:#e08a7e}.axis{stroke:#8a99a8}
        .threshold{stroke:#c62828;stroke-width:2;stroke-dasharray:6 4}.threshold-label{fill:#c62828;font-weight:600}
        table{border-collapse:collapse;width:100%;font-size:13px}
        th,td{padding:4px 8px;border-bottom:1px solid #e6eaef;text-align:left}th{background:#eef2f6}
        .grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}.grid section{margin:0 0 16px}
        .scroll{max-height:520px;overflow:auto}.scroll th{position:sticky;top:0}
        .n{text-align:right;font-variant-numeric:tabular-nums}
        """
}
