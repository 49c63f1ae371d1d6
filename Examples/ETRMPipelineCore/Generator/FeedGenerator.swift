import ETRMShared

/// Deterministic sample feeds: `trades.json` and `broker.json` with the distributions of issue #6.
///
/// - About 1 % of the records are re-sends of a trade id with a later `event_time`, status `AMENDED` or
///   `CANCELLED`, often with another volume or price, moved a few hundred records away so a re-send may come
///   before its original.
/// - About 0.5 % are defective, one of five kinds in turn at random: a missing field (`price_usd`), an LEI with
///   wrong check digits, `delivery_end` before `delivery_start`, the volume as a string, month 13 in
///   `event_time`.
/// - Volumes have 3 decimals, prices 2 (about 3 % negative); timestamps are RFC 3339 UTC.
/// - The broker reports about 95 % of the trade ids (the volume of the latest version), about 2 % of those off
///   by 1-10 % (beyond the default tolerance) and about 3 % off by 0.1 % (within it).
///
/// A record is about 270 bytes, so 1,000,000 records make a file of about 272 MB.
package struct FeedGenerator: Sendable {
    /// What to generate.
    package struct Configuration: Sendable, Hashable {
        /// Records in `trades.json` (re-sends and defective records included).
        package var trades: Int
        /// The seed; the same seed gives the same bytes.
        package var seed: UInt64

        package init(trades: Int, seed: UInt64 = 42) {
            self.trades = trades
            self.seed = seed
        }
    }

    /// What the generator put in, counted while generating (the tests compare the pipeline's counts with it).
    package struct Counts: Sendable, Hashable {
        package var records = 0
        package var resends = 0
        package var defects = [Int](repeating: 0, count: 6)
        package var brokerRows = 0
        package var brokerOffBeyondTolerance = 0
        package var brokerOffWithinTolerance = 0
        package var uniqueTrades = 0

        package var defective: Int { defects.reduce(0, +) }
    }

    package var configuration: Configuration

    package init(configuration: Configuration) { self.configuration = configuration }

    /// The five defect kinds, by number (1-5).
    package static let defectKinds = [
        "", "missing price_usd", "LEI check digits", "end before start", "volume as a string", "month 13",
    ]

    static let products = [
        "PJM-W-PEAK", "PJM-W-OFFPK", "ERCOT-N-BASE", "ERCOT-H-PEAK", "CAISO-SP15", "CAISO-NP15", "MISO-IN-PEAK",
        "NYISO-J-BASE", "ISONE-MH-PEAK", "SPP-S-BASE", "NG-HH", "NG-CHI", "NG-SOCAL", "PJM-E-BASE", "MISO-MI-OFF",
        "NYISO-G-PEAK",
    ]

    struct Record {
        var number: Int32
        var lei: UInt8
        var product: UInt8
        var status: UInt8
        var defect: UInt8
        var startHour: Int32
        var hours: Int32
        var volume: Int64
        var price: Int64
        var eventMillis: Int64
        var isResend: Bool
    }

    /// Generates both documents, handing the bytes out in chunks of about 1 MiB.
    ///
    /// - Parameters:
    ///   - trades: Receives the bytes of `trades.json`, in order.
    ///   - broker: Receives the bytes of `broker.json`, in order.
    /// - Returns: What was generated.
    /// - Throws: Whatever a receiver throws.
    package func generate(
        trades: (UnsafeBufferPointer<UInt8>) throws -> Void, broker: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Counts {
        try withoutActuallyEscaping(trades) { trades in
            try withoutActuallyEscaping(broker) { broker in try generate(escaping: trades, broker: broker) }
        }
    }

    private func generate(
        escaping trades: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void,
        broker: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Counts {
        var random = SeededGenerator(seed: configuration.seed)
        var counts = Counts()
        let leis = (0..<64).map { _ in Self.makeLEI(&random) }
        var records: [Record] = []
        records.reserveCapacity(configuration.trades)
        var finalVolume: [Int64] = []
        let firstHour: Int32 = 481_800  // 2024-12-18T00:00Z in hours since the epoch
        let durations: [Int32] = [1, 1, 1, 1, 4, 8, 16, 24, 24, 168, 744]
        while records.count < configuration.trades {
            let number = Int32(finalVolume.count)
            let startHour = firstHour + Int32.random(in: 0..<(2 * 8_760), using: &random)
            let price: Int64 =
                Int.random(in: 0..<100, using: &random) < 3
                ? -Int64.random(in: 1...5_000, using: &random) : Int64.random(in: 100...25_000, using: &random)
            var base = Record(
                number: number, lei: UInt8.random(in: 0..<64, using: &random),
                product: UInt8.random(in: 0..<UInt8(Self.products.count), using: &random),
                status: Int.random(in: 0..<100, using: &random) < 85 ? 0 : 1, defect: 0, startHour: startHour,
                hours: durations.randomElement(using: &random) ?? 1,
                volume: Int64.random(in: 1...500_000, using: &random),
                price: price,
                eventMillis: Int64(startHour) * 3_600_000 - Int64.random(in: 3_600_000...2_592_000_000, using: &random),
                isResend: false)
            let resend = Int.random(in: 0..<1000, using: &random) < 10 && records.count + 1 < configuration.trades
            if !resend, Int.random(in: 0..<1000, using: &random) < 5 {
                base.defect = UInt8.random(in: 1...5, using: &random)
                counts.defects[Int(base.defect)] += 1
            }
            records.append(base)
            var latest = base.volume
            if resend {
                var again = base
                again.isResend = true
                again.status = Int.random(in: 0..<10, using: &random) < 7 ? 3 : 2
                again.eventMillis += Int64.random(in: 60_000...259_200_000, using: &random)
                if Int.random(in: 0..<10, using: &random) < 6 {
                    again.volume = Int64.random(in: 1...500_000, using: &random)
                }
                if Int.random(in: 0..<10, using: &random) < 3 {
                    again.price += Int64.random(in: -500...500, using: &random)
                }
                records.append(again)
                latest = again.volume
                counts.resends += 1
            }
            finalVolume.append(latest)
        }
        // Move each re-send up to 300 places either way, so that some come before their original.
        for position in records.indices where records[position].isResend {
            let target = min(max(0, position + Int.random(in: -300...300, using: &random)), records.count - 1)
            records.swapAt(position, target)
        }
        counts.records = records.count
        counts.uniqueTrades = finalVolume.count

        var out = ChunkWriter(flush: trades)
        try out.write("{\"trades\": [\n")
        for (position, record) in records.enumerated() {
            if position > 0 { try out.write(",\n") }
            try write(record, leis: leis, into: &out)
        }
        try out.write("\n]}\n")
        try out.finish()

        var brokerOut = ChunkWriter(flush: broker)
        try brokerOut.write("{\"broker_volumes\": [\n")
        for number in finalVolume.indices where Int.random(in: 0..<100, using: &random) < 95 {
            var volume = finalVolume[number]
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 2 {
                let difference = max(1, volume * Int64.random(in: 10...100, using: &random) / 1000)
                volume =
                    Bool.random(using: &random) || volume - difference < 0 ? volume + difference : volume - difference
                counts.brokerOffBeyondTolerance += 1
            } else if roll < 5, volume >= 1000 {
                volume += volume / 1000
                counts.brokerOffWithinTolerance += 1
            }
            if counts.brokerRows > 0 { try brokerOut.write(",\n") }
            try brokerOut.write("{\"trade_id\":\"")
            try writeID(Int32(number), into: &brokerOut)
            try brokerOut.write("\",\"broker_volume_mwh\":")
            try writeScaled(volume, decimals: 3, into: &brokerOut)
            try brokerOut.write("}")
            counts.brokerRows += 1
        }
        try brokerOut.write("\n]}\n")
        try brokerOut.finish()
        return counts
    }

    /// Generates both documents in memory.
    ///
    /// - Returns: The bytes of `trades.json` and `broker.json`, and the counts.
    /// - Throws: Nothing in practice: appending to an array cannot fail.
    package func documents() throws -> (trades: [UInt8], broker: [UInt8], counts: Counts) {
        var trades: [UInt8] = []
        var broker: [UInt8] = []
        trades.reserveCapacity(configuration.trades * 272 + 64)
        let counts = try generate(
            trades: { trades.append(contentsOf: $0) }, broker: { broker.append(contentsOf: $0) })
        return (trades, broker, counts)
    }

    // MARK: Formatting

    private func write(_ record: Record, leis: [[UInt8]], into out: inout ChunkWriter) throws {
        try out.write("{\"trade_id\":\"")
        try writeID(record.number, into: &out)
        try out.write("\",\"counterparty_lei\":\"")
        var lei = leis[Int(record.lei)]
        if record.defect == 2 { lei[19] = UInt8(ascii: "0") + (lei[19] - UInt8(ascii: "0") + 1) % 10 }
        try out.write(bytes: lei)
        try out.write("\",\"product_code\":\"")
        try out.write(Self.products[Int(record.product)])
        var start = Int64(record.startHour) * 3_600_000
        var end = start + Int64(record.hours) * 3_600_000
        if record.defect == 3 { swap(&start, &end) }
        try out.write("\",\"delivery_start\":\"")
        try writeTimestamp(millis: start, fraction: false, into: &out)
        try out.write("\",\"delivery_end\":\"")
        try writeTimestamp(millis: end, fraction: false, into: &out)
        try out.write(record.defect == 4 ? "\",\"volume_mwh\":\"" : "\",\"volume_mwh\":")
        try writeScaled(record.volume, decimals: 3, into: &out)
        if record.defect == 4 { try out.write("\"") }
        if record.defect != 1 {
            try out.write(",\"price_usd\":")
            try writeScaled(record.price, decimals: 2, into: &out)
        }
        try out.write(",\"status\":\"")
        try out.write(FeedRules.statuses[Int(record.status)])
        try out.write("\",\"event_time\":\"")
        try writeTimestamp(millis: record.eventMillis, fraction: true, monthThirteen: record.defect == 5, into: &out)
        try out.write("\"}")
    }

    private func writeID(_ number: Int32, into out: inout ChunkWriter) throws {
        try out.write("TR")
        try writeDigits(Int64(number), width: 8, into: &out)
    }

    private func writeScaled(_ value: Int64, decimals: Int, into out: inout ChunkWriter) throws {
        if value < 0 { try out.write("-") }
        let divisor = FeedRules.power10(decimals)
        try writeDigits(value.magnitude == 0 ? 0 : Int64(value.magnitude) / divisor, width: 1, into: &out)
        try out.write(".")
        try writeDigits(Int64(value.magnitude) % divisor, width: decimals, into: &out)
    }

    private func writeTimestamp(
        millis: Int64, fraction: Bool, monthThirteen: Bool = false, into out: inout ChunkWriter
    ) throws {
        let seconds = millis / 1000
        let (days, secondOfDay) = CivilCalendar.splitSeconds(seconds)
        let (year, month, day) = CivilCalendar.civil(fromDays: Int(days))
        try writeDigits(Int64(year), width: 4, into: &out)
        try out.write("-")
        try writeDigits(monthThirteen ? 13 : Int64(month), width: 2, into: &out)
        try out.write("-")
        try writeDigits(Int64(day), width: 2, into: &out)
        try out.write("T")
        try writeDigits(secondOfDay / 3600, width: 2, into: &out)
        try out.write(":")
        try writeDigits(secondOfDay / 60 % 60, width: 2, into: &out)
        try out.write(":")
        try writeDigits(secondOfDay % 60, width: 2, into: &out)
        if fraction {
            try out.write(".")
            try writeDigits(millis % 1000, width: 3, into: &out)
        }
        try out.write("Z")
    }

    private func writeDigits(_ value: Int64, width: Int, into out: inout ChunkWriter) throws {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        try withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < width
            try out.write(bytes: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]).bindMemory(to: UInt8.self))
        }
    }

    /// A valid LEI: 18 random upper-case alphanumerics and the ISO 7064 MOD 97-10 check digits.
    static func makeLEI(_ random: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var code = (0..<18).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
        var remainder = 0
        for byte in code + Array("00".utf8) {
            let value = byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : Int(byte - UInt8(ascii: "A")) + 10
            remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97
        }
        let check = 98 - remainder
        code.append(UInt8(ascii: "0") + UInt8(check / 10))
        code.append(UInt8(ascii: "0") + UInt8(check % 10))
        return code
    }
}

/// Buffers bytes and hands them out in chunks of about 1 MiB.
struct ChunkWriter {
    var buffer: [UInt8] = []
    let flush: (UnsafeBufferPointer<UInt8>) throws -> Void

    init(flush: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.flush = flush
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ text: StaticString) throws {
        try write(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try finish() }
    }

    mutating func write(bytes: some Collection<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try finish() }
    }

    mutating func finish() throws {
        try buffer.withUnsafeBufferPointer { try flush($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
