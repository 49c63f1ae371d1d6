import TradeFrame

/// The report `etrm-pipeline run` prints on stdout.
package enum Report {
    /// The report: inputs, counts, quarantine by code, stage timings, peak memory, the top groups and the
    /// flagged trades.
    static func text(
        _ result: PipelineResult, inputs: (String, Int, String, Int), zone: String, tolerance: Tolerance,
        wall: Duration
    ) -> String {
        let s = result.summary
        var out = ""
        out += "inputs: \(inputs.0) (\(megabytes(inputs.1)) MB), \(inputs.2) (\(megabytes(inputs.3)) MB)\n"
        out += "zone \(zone), tolerance \(tolerance)\n\n"
        out += "records\n"
        out += "  received            \(grouped(s.inputRecords))\n"
        out += "  accepted            \(grouped(s.validRecords))\n"
        out += "  quarantined         \(grouped(s.quarantined))\n"
        for (code, count) in result.feed.quarantinedByCode.sorted(by: { $0.key < $1.key }) {
            out += "    \(code.padding(18))\(grouped(count))\n"
        }
        out += "  duplicates dropped  \(grouped(s.duplicatesDropped))\n"
        out += "  after de-dup        \(grouped(s.afterDedup))\n"
        let balanced = s.validRecords + s.quarantined == s.inputRecords
        out += "  accepted + quarantined = received: \(s.validRecords) + \(s.quarantined) "
        out += "\(balanced ? "=" : "≠") \(s.inputRecords)\n\n"
        out += "reconciliation: \(grouped(s.brokerRows)) broker rows, \(grouped(s.reconciledMatched)) matched, "
        out += "\(grouped(s.tradesWithoutBroker)) trades without broker, \(grouped(s.brokerWithoutTrade)) broker rows "
        out += "without trade, \(grouped(s.flagged)) flagged\n\n"
        out += "  \("stage".padding(34))\("wall s".leftPadding(8))\("peak MB".leftPadding(11))"
        out += "\("RSS MB".leftPadding(9)) (peak so far, resident at the stage's end)\n"
        for stage in result.timings.stages {
            out += "  \(stage.name.padding(34))\(seconds(stage.duration).leftPadding(8))"
            out += stage.peakBytes.map { megabytes($0).leftPadding(11) } ?? ""
            out += stage.residentBytes.map { megabytes($0).leftPadding(9) } ?? ""
            out += "\n"
        }
        out += "  \("whole run (wall)".padding(34))\(seconds(wall).leftPadding(8))\n"
        out += "peak memory (getrusage maxrss): \(megabytes(ProcessInfoFacts.peakResidentBytes)) MB\n\n"

        let top = result.groups.sorted {
            $0.volumeMilli != $1.volumeMilli ? $0.volumeMilli > $1.volumeMilli : $0.line < $1.line
        }.prefix(10)
        out += "top \(top.count) of \(s.aggregateGroups) groups by volume (total \(s.aggregateTotalVolume) MWh)\n"
        out += "  \("cycle".padding(9))\("product".padding(16))\("volume MWh".leftPadding(16))"
        out += "\("VWAP USD".leftPadding(14))\("trades".leftPadding(9))\n"
        for group in top {
            out += "  \(group.cycle.padding(9))\(group.product.padding(16))\(group.volumeText.leftPadding(16))"
            out += "\(group.vwapText.leftPadding(14))\(String(group.trades).leftPadding(9))\n"
        }
        let flagged = result.reconciliation.flagged
        let shown = min(flagged.rowCount, 20)
        out += "\nflagged trades: \(flagged.rowCount) (|broker - ours| / ours > \(tolerance))"
        out += shown < flagged.rowCount ? ", first \(shown) shown\n" : "\n"
        if shown > 0 {
            let ids = flagged["trade_id", as: StringColumn.self]
            let cycles = flagged["settlement_cycle"]
            let ours = flagged["volume_mwh"]
            let theirs = flagged["broker_volume_mwh"]
            out += "  \("trade_id".padding(18))\("cycle".padding(9))\("ours MWh".leftPadding(14))"
            out += "\("broker MWh".leftPadding(14))\n"
            for row in 0..<shown {
                out += "  \((ids?[row] ?? "").padding(18))\((cycles?.text(at: row) ?? "").padding(9))"
                out +=
                    "\((ours?.text(at: row) ?? "").leftPadding(14))\((theirs?.text(at: row) ?? "").leftPadding(14))\n"
            }
        }
        return out
    }

    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        let millis = whole * 1000 + attoseconds / 1_000_000_000_000_000
        let text = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - text.count))\(text)"
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10)"
    }

    package static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (position, character) in digits.enumerated() {
            if position > 0, (digits.count - position) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    fileprivate func leftPadding(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
