import ETRMShared

@testable import TradeFrame

/// Seeded random frames with plain-array copies of their columns, for naive reference computations.
struct RandomFrame {
    var frame: TradeFrame
    var product: [String?]
    var desk: [String?]
    var tradeID: [String?]
    var volume: [Double?]
    var quantity: [Int64?]
    var price: [Int64?]  // decimal significands at scale 2
    var time: [Int64?]
    var flag: [Bool?]

    init(rows: Int, seed: UInt64, nullRate: Double = 0.1, products: Int = 7) throws {
        var random = SeededGenerator(seed: seed)
        func maybe<T>(_ value: T) -> T? { Double.random(in: 0..<1, using: &random) < nullRate ? nil : value }
        product = (0..<rows).map { _ in maybe("P\(Int.random(in: 0..<products, using: &random))") }
        desk = (0..<rows).map { _ in maybe(["ber", "lon", "", "nyc-long-desk-name"].randomElement(using: &random)!) }
        tradeID = (0..<rows).map { _ in
            maybe("T" + String(Int.random(in: 0..<(rows / 2 + 1), using: &random)))
        }
        volume = (0..<rows).map { _ in maybe(Double(Int.random(in: -5...5, using: &random)) * 0.25) }
        quantity = (0..<rows).map { _ in maybe(Int64.random(in: -3...3, using: &random) * 1_000_000_007) }
        price = (0..<rows).map { _ in maybe(Int64.random(in: -10_000...10_000, using: &random)) }
        time = (0..<rows).map { _ in maybe(Int64.random(in: -5...5, using: &random) * 3_600_000_000_000) }
        flag = (0..<rows).map { _ in maybe(Bool.random(using: &random)) }
        frame = try TradeFrame([
            ("product", CategoricalColumn(product)),
            ("desk", StringColumn(desk)),
            ("trade_id", StringColumn(tradeID)),
            ("volume", Column<Double>(volume)),
            ("quantity", Column<Int64>(quantity)),
            ("price", try DecimalColumn(significands: Column<Int64>(price), scale: 2)),
            ("time", TimestampColumn(time)),
            ("flag", Column<Bool>(flag)),
        ])
    }
}

/// Naive comparison of optionals: nil last, ascending.
func naiveCompare<T: Comparable>(_ a: T?, _ b: T?, descending: Bool) -> Int {
    switch (a, b) {
    case (nil, nil): return 0
    case (nil, _): return 1
    case (_, nil): return -1
    case let (x?, y?):
        if x == y { return 0 }
        return (x < y) != descending ? -1 : 1
    }
}

/// Byte-order comparison of optional strings.
func naiveCompareBytes(_ a: String?, _ b: String?, descending: Bool) -> Int {
    naiveCompare(a.map { Array($0.utf8) }, b.map { Array($0.utf8) }, descending: descending)
}

extension Array: @retroactive Comparable where Element == UInt8 {
    public static func < (lhs: [UInt8], rhs: [UInt8]) -> Bool { lhs.lexicographicallyPrecedes(rhs) }
}
