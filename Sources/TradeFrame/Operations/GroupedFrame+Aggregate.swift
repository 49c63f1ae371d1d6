import ETRMContracts

/// A fixed-width number a kernel can widen to Double.
protocol DoubleConvertible: ColumnElement {
    var asDouble: Double { get }
}

extension Double: DoubleConvertible {
    var asDouble: Double { self }
}
extension Float: DoubleConvertible {
    var asDouble: Double { Double(self) }
}
extension Int64: DoubleConvertible {
    var asDouble: Double { Double(self) }
}
extension Int32: DoubleConvertible {
    var asDouble: Double { Double(self) }
}

extension GroupedFrame {
    /// Computes aggregates per group.
    ///
    /// - Parameter aggregations: The aggregates, such as `.sum("volume_mwh")` and
    ///   `.volumeWeightedAverage(price: "price", volume: "volume_mwh")`.
    /// - Returns: A frame with the key columns (values of each group's first row) followed by one column per
    ///   aggregate, one row per group in first-appearance order.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, `typeMismatch` (such as the sum of a string
    ///   column, or an exact VWAP of a float column), `overflow` (an integer or decimal sum beyond Int64, an exact
    ///   VWAP beyond Int128) or `invalidArgument` (an exact VWAP scale outside 0...18), naming the column.
    public func aggregate(_ aggregations: [Aggregation]) throws(TradeFrameError) -> TradeFrame {
        var columns = try keyColumns()
        for aggregation in aggregations {
            columns.append((aggregation.name, try compute(aggregation)))
        }
        return try TradeFrame(columns)
    }

    private func compute(_ aggregation: Aggregation) throws(TradeFrameError) -> any ColumnProtocol {
        switch aggregation.operation {
        case .count:
            return Column<Int64>(order.map { counts[$0] })
        case .countValid(let name):
            let column = try frame.column(name)
            guard let validity = column.validity else { return Column<Int64>(order.map { counts[$0] }) }
            var valid = [Int64](repeating: 0, count: slotCount)
            for row in 0..<slots.count where validity.isValid(row) { valid[Int(slots[row])] += 1 }
            return Column<Int64>(order.map { valid[$0] })
        case .sum(let name):
            return try sum(try frame.column(name), name: name)
        case .mean(let name):
            let column = try frame.column(name)
            let (totals, valid) = try doubleSums(column, name: name)
            return Column<Double>(order.map { valid[$0] > 0 ? totals[$0] / Double(valid[$0]) : nil })
        case .min(let name):
            return try extreme(try frame.column(name), name: name, minimum: true)
        case .max(let name):
            return try extreme(try frame.column(name), name: name, minimum: false)
        case .first(let name), .last(let name):
            let column = try frame.column(name)
            var best = [Int](repeating: -1, count: slotCount)
            let isFirst = if case .first = aggregation.operation { true } else { false }
            for row in 0..<slots.count where !column.isNull(row) {
                let slot = Int(slots[row])
                if !isFirst || best[slot] < 0 { best[slot] = row }
            }
            return column.gathering(order.map { best[$0] })
        case .volumeWeightedAverage(let price, let volume):
            return try volumeWeightedAverage(
                price: try frame.column(price), volume: try frame.column(volume), names: (price, volume))
        case .exactVolumeWeightedAverage(let price, let volume, let scale):
            return try exactVolumeWeightedAverage(price: price, volume: volume, scale: scale)
        }
    }

    // MARK: Sums

    private func sum(_ column: any ColumnProtocol, name: String) throws(TradeFrameError) -> any ColumnProtocol {
        switch column {
        case let c as DecimalColumn:
            let totals = exactSums(c.significands)
            return try DecimalColumn(unchecked: narrow(totals, name: name), scale: c.scale)
        case let c as Column<Int64>:
            return try narrow(exactSums(c), name: name)
        case let c as Column<Int32>:
            return try narrow(exactSums(c), name: name)
        default:
            let (totals, _) = try doubleSums(column, name: name)
            return Column<Double>(order.map { totals[$0] })
        }
    }

    private func narrow(_ totals: [Int128], name: String) throws(TradeFrameError) -> Column<Int64> {
        var result = ContiguousArray<Int64>()
        result.reserveCapacity(order.count)
        for slot in order {
            guard let value = Int64(exactly: totals[slot]), value != .min else {
                throw TradeFrameError(.overflow, column: name, "a group's sum \(totals[slot]) does not fit Int64")
            }
            result.append(value)
        }
        return Column(storage: result)
    }

    private func exactSums<T: FixedWidthInteger & ColumnElement>(_ column: Column<T>) -> [Int128] {
        var totals = [Int128](repeating: 0, count: slotCount)
        column.withUnsafeValues { values in
            slots.withUnsafeBufferPointer { slots in
                totals.withUnsafeMutableBufferPointer { totals in
                    if let validity = column.validity {
                        for row in 0..<values.count where validity.isValid(row) {
                            totals[Int(slots[row])] &+= Int128(values[row])
                        }
                    } else {
                        for row in 0..<values.count { totals[Int(slots[row])] &+= Int128(values[row]) }
                    }
                }
            }
        }
        return totals
    }

    /// Per-slot Double sums and valid counts of a numeric column.
    func doubleSums(_ column: any ColumnProtocol, name: String) throws(TradeFrameError) -> ([Double], [Int64]) {
        switch column {
        case let c as Column<Float>: return doubleSums(c)
        case let c as Column<Double>: return doubleSums(c)
        case let c as Column<Int64>: return doubleSums(c)
        case let c as Column<Int32>: return doubleSums(c)
        case let c as DecimalColumn:
            let (totals, valid) = doubleSums(c.significands)
            let divisor = Double(pow10[c.scale])
            return (totals.map { $0 / divisor }, valid)
        default:
            throw TradeFrameError(.typeMismatch, column: name, "is \(column.kind), not a numeric column")
        }
    }

    private func doubleSums<T: DoubleConvertible>(_ column: Column<T>) -> ([Double], [Int64]) {
        var totals = [Double](repeating: 0, count: slotCount)
        var valid = counts
        column.withUnsafeValues { values in
            slots.withUnsafeBufferPointer { slots in
                totals.withUnsafeMutableBufferPointer { totals in
                    if let validity = column.validity {
                        valid = [Int64](repeating: 0, count: slotCount)
                        for row in 0..<values.count where validity.isValid(row) {
                            let slot = Int(slots[row])
                            totals[slot] += values[row].asDouble
                            valid[slot] &+= 1
                        }
                    } else {
                        for row in 0..<values.count { totals[Int(slots[row])] += values[row].asDouble }
                    }
                }
            }
        }
        return (totals, valid)
    }

    // MARK: Min and max

    private func extreme(
        _ column: any ColumnProtocol, name: String, minimum: Bool
    ) throws(TradeFrameError)
        -> any ColumnProtocol
    {
        let best: [Int]
        switch column {
        case let c as Column<Float>: best = extremeRows(c, minimum: minimum)
        case let c as Column<Double>: best = extremeRows(c, minimum: minimum)
        case let c as Column<Int64>: best = extremeRows(c, minimum: minimum)
        case let c as Column<Int32>: best = extremeRows(c, minimum: minimum)
        case let c as TimestampColumn: best = extremeRows(c.nanoseconds, minimum: minimum)
        case let c as DecimalColumn: best = extremeRows(c.significands, minimum: minimum)
        default:
            throw TradeFrameError(.typeMismatch, column: name, "min and max need a numeric column, not \(column.kind)")
        }
        return column.gathering(order.map { best[$0] })
    }

    private func extremeRows<T: ColumnElement & Comparable>(_ column: Column<T>, minimum: Bool) -> [Int] {
        var best = [Int](repeating: -1, count: slotCount)
        var values = [T](repeating: T.nullPlaceholder, count: slotCount)
        column.withUnsafeValues { source in
            for row in 0..<source.count where column.validity.valid(row) {
                let value = source[row]
                guard value == value else { continue }
                let slot = Int(slots[row])
                if best[slot] < 0 || (minimum ? value < values[slot] : value > values[slot]) {
                    best[slot] = row
                    values[slot] = value
                }
            }
        }
        return best
    }

    // MARK: Volume-weighted average

    private func volumeWeightedAverage(
        price: any ColumnProtocol, volume: any ColumnProtocol, names: (String, String)
    ) throws(TradeFrameError) -> any ColumnProtocol {
        if let p = price as? DecimalColumn, let v = volume as? DecimalColumn {
            return try exactWeightedAverage(p, v)
        }
        let weighted: ([Double], [Double])
        switch (price, volume) {
        case let (p as Column<Float>, v as Column<Float>): weighted = weightedSums(p, v)
        case let (p as Column<Double>, v as Column<Double>): weighted = weightedSums(p, v)
        case let (p as Column<Double>, v as Column<Float>): weighted = weightedSums(p, v)
        case let (p as Column<Float>, v as Column<Double>): weighted = weightedSums(p, v)
        default:
            weighted = weightedSums(try Self.doubles(price, name: names.0), try Self.doubles(volume, name: names.1))
        }
        let (numerators, denominators) = weighted
        return Column<Double>(order.map { denominators[$0] != 0 ? numerators[$0] / denominators[$0] : nil })
    }

    static func doubles(_ column: any ColumnProtocol, name: String) throws(TradeFrameError) -> Column<Double> {
        switch column {
        case let c as Column<Double>: return c
        case let c as Column<Float>: return c.doubles()
        case let c as Column<Int64>: return c.map { Double($0) }
        case let c as Column<Int32>: return c.map { Double($0) }
        case let c as DecimalColumn: return c.doubles()
        default: throw TradeFrameError(.typeMismatch, column: name, "is \(column.kind), not a numeric column")
        }
    }

    private func weightedSums<P: DoubleConvertible, V: DoubleConvertible>(
        _ price: Column<P>, _ volume: Column<V>
    )
        -> ([Double], [Double])
    {
        var numerators = [Double](repeating: 0, count: slotCount)
        var denominators = [Double](repeating: 0, count: slotCount)
        price.withUnsafeValues { prices in
            volume.withUnsafeValues { volumes in
                slots.withUnsafeBufferPointer { slots in
                    numerators.withUnsafeMutableBufferPointer { numerators in
                        denominators.withUnsafeMutableBufferPointer { denominators in
                            if price.validity == nil && volume.validity == nil {
                                for row in 0..<slots.count {
                                    let slot = Int(slots[row])
                                    let v = volumes[row].asDouble
                                    numerators[slot] += prices[row].asDouble * v
                                    denominators[slot] += v
                                }
                            } else {
                                for row in 0..<slots.count
                                where price.validity.valid(row) && volume.validity.valid(row) {
                                    let slot = Int(slots[row])
                                    let v = volumes[row].asDouble
                                    numerators[slot] += prices[row].asDouble * v
                                    denominators[slot] += v
                                }
                            }
                        }
                    }
                }
            }
        }
        return (numerators, denominators)
    }

    private func exactWeightedAverage(
        _ price: DecimalColumn, _ volume: DecimalColumn
    ) throws(TradeFrameError)
        -> Column<Double>
    {
        let (numerators, denominators) = try exactWeightedSums(
            ExactValues(unchecked: price), ExactValues(unchecked: volume), priceName: "price")
        let divisor = Double(pow10[price.scale])
        return Column<Double>(
            order.map { slot in
                denominators[slot] != 0
                    ? Double(numerators[slot]) / Double(denominators[slot]) / divisor : nil
            })
    }

    /// Per-slot `Σ(price × volume)` and `Σ volume` in Int128 over rows where both are present.
    ///
    /// - Throws: `overflow` naming the price column when a sum leaves Int128.
    func exactWeightedSums(
        _ price: ExactValues, _ volume: ExactValues, priceName: String
    ) throws(TradeFrameError) -> (numerators: [Int128], denominators: [Int128]) {
        var numerators = [Int128](repeating: 0, count: slotCount)
        var denominators = [Int128](repeating: 0, count: slotCount)
        let priceValidity = price.significands.validity
        let volumeValidity = volume.significands.validity
        let overflowed: Bool = price.significands.withUnsafeValues { prices in
            volume.significands.withUnsafeValues { volumes in
                slots.withUnsafeBufferPointer { slots in
                    numerators.withUnsafeMutableBufferPointer { numerators in
                        denominators.withUnsafeMutableBufferPointer { denominators in
                            // A product of two Int64 is below 2^126: only the sums can overflow, and a sum of
                            // volumes overflows only after 2^64 rows, so the numerators alone are checked.
                            var overflowed = false
                            for row in 0..<slots.count where priceValidity.valid(row) && volumeValidity.valid(row) {
                                let slot = Int(slots[row])
                                let v = Int128(volumes[row])
                                let (sum, overflow) = numerators[slot].addingReportingOverflow(
                                    Int128(prices[row]) &* v)
                                numerators[slot] = sum
                                overflowed = overflowed || overflow
                                denominators[slot] &+= v
                            }
                            return overflowed
                        }
                    }
                }
            }
        }
        guard !overflowed, !numerators.contains(.min) else {
            throw TradeFrameError(.overflow, column: priceName, "a group's Σ(price × volume) does not fit Int128")
        }
        return (numerators, denominators)
    }

    private func exactVolumeWeightedAverage(
        price: String, volume: String, scale: Int
    ) throws(TradeFrameError) -> DecimalColumn {
        guard (0...18).contains(scale) else {
            throw TradeFrameError(.invalidArgument, column: price, "the VWAP scale \(scale) is outside 0...18")
        }
        let prices = try ExactValues(try frame.column(price), name: price, purpose: "an exact VWAP")
        let volumes = try ExactValues(try frame.column(volume), name: volume, purpose: "an exact VWAP")
        let (numerators, denominators) = try exactWeightedSums(prices, volumes, priceName: price)
        var builder = try DecimalColumnBuilder(scale: scale, capacity: order.count)
        for slot in order {
            guard denominators[slot] != 0 else {
                builder.appendNull()
                continue
            }
            // Σ(p·v) at scale p+v divided by Σv at scale v gives the price's own scale.
            let numerator = WideDecimal(
                significand: numerators[slot], scale: UInt8(prices.scale + volumes.scale))
            let denominator = WideDecimal(significand: denominators[slot], scale: UInt8(volumes.scale))
            do {
                let average = try numerator.divided(by: denominator, scale: UInt8(scale), rounding: .toNearestOrEven)
                builder.builder.append(average.significand)
            } catch {
                throw TradeFrameError(
                    .overflow, column: price, "a group's VWAP does not fit \(scale) fraction digits: \(error.message)",
                    cause: error)
            }
        }
        return builder.finish()
    }
}
