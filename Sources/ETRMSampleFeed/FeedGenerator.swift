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
///
/// ```swift
/// let generator = FeedGenerator(configuration: .init(trades: 10_000, seed: 7))
/// let (trades, broker, counts) = try generator.documents()
/// ```
///
/// To serve the records one at a time (a paginating server), build the ``SampleFeed`` once with
/// ``feed()`` and render the records it holds by index.
public struct FeedGenerator: Sendable {
    /// What to generate.
    public struct Configuration: Sendable, Hashable {
        /// Records in `trades.json` (re-sends and defective records included).
        public var trades: Int
        /// The seed; the same seed gives the same bytes.
        public var seed: UInt64

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - trades: Records in `trades.json`.
        ///   - seed: The seed; the same seed gives the same bytes.
        public init(trades: Int, seed: UInt64 = 42) {
            self.trades = trades
            self.seed = seed
        }
    }

    /// What the generator put in, counted while generating (the tests compare the pipeline's counts with it).
    public struct Counts: Sendable, Hashable {
        /// Records in `trades.json`.
        public var records = 0
        /// Re-sends among them (each a later version of a trade id that also appears before or after it).
        public var resends = 0
        /// Defective records by kind: index 1-5 as in ``FeedGenerator/defectKinds``; index 0 is unused.
        public var defects = [Int](repeating: 0, count: 6)
        /// Rows in `broker.json`.
        public var brokerRows = 0
        /// Broker rows off by 1-10 % of the volume (beyond the default tolerance).
        public var brokerOffBeyondTolerance = 0
        /// Broker rows off by 0.1 % (within the default tolerance).
        public var brokerOffWithinTolerance = 0
        /// Distinct trade ids.
        public var uniqueTrades = 0

        /// Defective records of every kind.
        public var defective: Int { defects.reduce(0, +) }

        /// Creates empty counts.
        public init() {}
    }

    /// What this generator generates.
    public var configuration: Configuration

    /// Creates a generator; nothing is generated until ``generate(trades:broker:)``, ``documents()`` or
    /// ``feed()``.
    ///
    /// - Parameter configuration: The number of records and the seed.
    public init(configuration: Configuration) { self.configuration = configuration }

    /// The five defect kinds, by number (1-5).
    public static let defectKinds = [
        "", "missing price_usd", "LEI check digits", "end before start", "volume as a string", "month 13",
    ]

    /// Draws every record of both documents, ready to be rendered one by one.
    ///
    /// About 70 bytes of memory per trade (48 MB for 1,000,000) instead of the 272 bytes of its text.
    ///
    /// - Returns: The feed of this generator's configuration.
    public func feed() -> SampleFeed { SampleFeed(configuration: configuration) }

    /// Generates both documents, handing the bytes out in chunks of about 1 MiB.
    ///
    /// - Parameters:
    ///   - trades: Receives the bytes of `trades.json`, in order.
    ///   - broker: Receives the bytes of `broker.json`, in order.
    /// - Returns: What was generated.
    /// - Throws: Whatever a receiver throws.
    public func generate<E: Error>(
        trades: (UnsafeBufferPointer<UInt8>) throws(E) -> Void,
        broker: (UnsafeBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) -> Counts {
        let feed = feed()
        try feed.writeDocument(.trades, to: trades)
        try feed.writeDocument(.brokerVolumes, to: broker)
        return feed.counts
    }

    /// Generates both documents in memory.
    ///
    /// - Returns: The bytes of `trades.json` and `broker.json`, and the counts.
    /// - Throws: Nothing in practice (appending to an array cannot fail); kept throwing so that callers need not
    ///   change if generation ever can fail.
    public func documents() throws -> (trades: [UInt8], broker: [UInt8], counts: Counts) {
        let feed = feed()
        var trades: [UInt8] = []
        var broker: [UInt8] = []
        trades.reserveCapacity(configuration.trades * 272 + 64)
        feed.writeDocument(.trades) { trades.append(contentsOf: $0) }
        feed.writeDocument(.brokerVolumes) { broker.append(contentsOf: $0) }
        return (trades, broker, feed.counts)
    }
}

/// The records of one generated feed, held compactly and rendered on demand: record `i` of `trades.json` or
/// `broker.json` as the exact bytes the documents contain, without rendering the records before it.
///
/// A document is its ``Document/header``, the records separated by `",\n"`, and its ``Document/footer``.
///
/// ```swift
/// let feed = FeedGenerator(configuration: .init(trades: 1_000_000, seed: 42)).feed()
/// var page: [UInt8] = []
/// for index in 500..<600 { feed.append(.trades, record: index, to: &page) }
/// ```
public struct SampleFeed: Sendable {
    /// One of the two documents of a feed.
    public enum Document: Sendable, Hashable, CaseIterable {
        /// `trades.json`: `{"trades": [ … ]}`.
        case trades
        /// `broker.json`: `{"broker_volumes": [ … ]}`.
        case brokerVolumes

        /// The bytes before the first record.
        public var header: String {
            switch self {
            case .trades: "{\"trades\": [\n"
            case .brokerVolumes: "{\"broker_volumes\": [\n"
            }
        }

        /// The bytes between two records.
        public static let separator = ",\n"

        /// The bytes after the last record.
        public var footer: String { "\n]}\n" }
    }

    /// What was generated.
    public let counts: FeedGenerator.Counts
    private let records: [Record]
    private let brokerRows: [BrokerRow]
    private let leis: [[UInt8]]

    /// Records of a document.
    ///
    /// - Parameter document: `trades.json` or `broker.json`.
    /// - Returns: How many records it holds.
    public func count(_ document: Document) -> Int {
        switch document {
        case .trades: records.count
        case .brokerVolumes: brokerRows.count
        }
    }

    /// Appends record `index` of a document, exactly as the document holds it (no separator).
    ///
    /// - Parameters:
    ///   - document: `trades.json` or `broker.json`.
    ///   - index: 0 ..< ``count(_:)``; a precondition.
    ///   - bytes: Receives the record's JSON object.
    public func append(_ document: Document, record index: Int, to bytes: inout [UInt8]) {
        switch document {
        case .trades: render(records[index], into: &bytes)
        case .brokerVolumes: render(brokerRows[index], into: &bytes)
        }
    }

    /// Record `index` of a document, exactly as the document holds it.
    ///
    /// - Parameters:
    ///   - document: `trades.json` or `broker.json`.
    ///   - index: 0 ..< ``count(_:)``; a precondition.
    /// - Returns: The record's JSON object.
    public func record(_ document: Document, at index: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(300)
        append(document, record: index, to: &bytes)
        return bytes
    }

    /// Writes a whole document, handing the bytes out in chunks of about 1 MiB.
    ///
    /// - Parameters:
    ///   - document: `trades.json` or `broker.json`.
    ///   - receive: Receives the bytes, in order.
    /// - Throws: Whatever `receive` throws.
    public func writeDocument<E: Error>(
        _ document: Document, to receive: (UnsafeBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 512)
        buffer.append(contentsOf: document.header.utf8)
        for index in 0..<count(document) {
            if index > 0 { buffer.append(contentsOf: Document.separator.utf8) }
            append(document, record: index, to: &buffer)
            if buffer.count >= 1 << 20 {
                try buffer.withUnsafeBufferPointer { (chunk) throws(E) in try receive(chunk) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer.append(contentsOf: document.footer.utf8)
        try buffer.withUnsafeBufferPointer { (chunk) throws(E) in try receive(chunk) }
    }

    // MARK: Drawing

    static let products = [
        "PJM-W-PEAK", "PJM-W-OFFPK", "ERCOT-N-BASE", "ERCOT-H-PEAK", "CAISO-SP15", "CAISO-NP15", "MISO-IN-PEAK",
        "NYISO-J-BASE", "ISONE-MH-PEAK", "SPP-S-BASE", "NG-HH", "NG-CHI", "NG-SOCAL", "PJM-E-BASE", "MISO-MI-OFF",
        "NYISO-G-PEAK",
    ]

    /// The statuses by code, as the pipeline's feed rules number them.
    static let statuses = ["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"]

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

    struct BrokerRow {
        var number: Int32
        var volume: Int64
    }

    init(configuration: FeedGenerator.Configuration) {
        var random = SeededGenerator(seed: configuration.seed)
        var counts = FeedGenerator.Counts()
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

        var brokerRows: [BrokerRow] = []
        brokerRows.reserveCapacity(finalVolume.count)
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
            brokerRows.append(BrokerRow(number: Int32(number), volume: volume))
        }
        counts.brokerRows = brokerRows.count
        self.counts = counts
        self.records = records
        self.brokerRows = brokerRows
        self.leis = leis
    }

    // MARK: Formatting

    private func render(_ row: BrokerRow, into out: inout [UInt8]) {
        Self.append("{\"trade_id\":\"", to: &out)
        Self.appendID(row.number, to: &out)
        Self.append("\",\"broker_volume_mwh\":", to: &out)
        Self.appendScaled(row.volume, decimals: 3, to: &out)
        Self.append("}", to: &out)
    }

    private func render(_ record: Record, into out: inout [UInt8]) {
        Self.append("{\"trade_id\":\"", to: &out)
        Self.appendID(record.number, to: &out)
        Self.append("\",\"counterparty_lei\":\"", to: &out)
        var lei = leis[Int(record.lei)]
        if record.defect == 2 { lei[19] = UInt8(ascii: "0") + (lei[19] - UInt8(ascii: "0") + 1) % 10 }
        out.append(contentsOf: lei)
        Self.append("\",\"product_code\":\"", to: &out)
        out.append(contentsOf: Self.products[Int(record.product)].utf8)
        var start = Int64(record.startHour) * 3_600_000
        var end = start + Int64(record.hours) * 3_600_000
        if record.defect == 3 { swap(&start, &end) }
        Self.append("\",\"delivery_start\":\"", to: &out)
        Self.appendTimestamp(millis: start, fraction: false, to: &out)
        Self.append("\",\"delivery_end\":\"", to: &out)
        Self.appendTimestamp(millis: end, fraction: false, to: &out)
        Self.append(record.defect == 4 ? "\",\"volume_mwh\":\"" : "\",\"volume_mwh\":", to: &out)
        Self.appendScaled(record.volume, decimals: 3, to: &out)
        if record.defect == 4 { Self.append("\"", to: &out) }
        if record.defect != 1 {
            Self.append(",\"price_usd\":", to: &out)
            Self.appendScaled(record.price, decimals: 2, to: &out)
        }
        Self.append(",\"status\":\"", to: &out)
        out.append(contentsOf: Self.statuses[Int(record.status)].utf8)
        Self.append("\",\"event_time\":\"", to: &out)
        Self.appendTimestamp(millis: record.eventMillis, fraction: true, monthThirteen: record.defect == 5, to: &out)
        Self.append("\"}", to: &out)
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendID(_ number: Int32, to out: inout [UInt8]) {
        append("TR", to: &out)
        appendDigits(Int64(number), width: 8, to: &out)
    }

    private static func appendScaled(_ value: Int64, decimals: Int, to out: inout [UInt8]) {
        if value < 0 { append("-", to: &out) }
        var divisor: Int64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        appendDigits(Int64(value.magnitude) / divisor, width: 1, to: &out)
        append(".", to: &out)
        appendDigits(Int64(value.magnitude) % divisor, width: decimals, to: &out)
    }

    private static func appendTimestamp(
        millis: Int64, fraction: Bool, monthThirteen: Bool = false, to out: inout [UInt8]
    ) {
        let seconds = millis / 1000
        let (days, secondOfDay) = CivilCalendar.splitSeconds(seconds)
        let (year, month, day) = CivilCalendar.civil(fromDays: Int(days))
        appendDigits(Int64(year), width: 4, to: &out)
        append("-", to: &out)
        appendDigits(monthThirteen ? 13 : Int64(month), width: 2, to: &out)
        append("-", to: &out)
        appendDigits(Int64(day), width: 2, to: &out)
        append("T", to: &out)
        appendDigits(secondOfDay / 3600, width: 2, to: &out)
        append(":", to: &out)
        appendDigits(secondOfDay / 60 % 60, width: 2, to: &out)
        append(":", to: &out)
        appendDigits(secondOfDay % 60, width: 2, to: &out)
        if fraction {
            append(".", to: &out)
            appendDigits(millis % 1000, width: 3, to: &out)
        }
        append("Z", to: &out)
    }

    /// Appends a non-negative value in decimal, zero-padded to `width` digits.
    private static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let length = max(digits, width)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: length))
        rest = value
        var position = start + length - 1
        repeat {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            position -= 1
        } while rest > 0
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
