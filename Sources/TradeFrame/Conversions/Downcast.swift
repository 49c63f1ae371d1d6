/// The largest error a Float64 → Float32 downcast may introduce.
public struct DowncastBound: Sendable, Hashable, CustomStringConvertible {
    /// Whether the bound is relative to each value's magnitude.
    public let isRelative: Bool
    /// The bound.
    public let value: Double

    /// At most `bound` in absolute terms: `|Float(x) − x| ≤ bound` for every row.
    ///
    /// - Parameter bound: A non-negative bound, such as `0.0005` for half a unit in the third decimal.
    public static func absolute(_ bound: Double) -> DowncastBound { DowncastBound(isRelative: false, value: bound) }

    /// At most `bound` relative to each value: `|Float(x) − x| ≤ bound × |x|` for every row.
    ///
    /// - Parameter bound: A non-negative bound, such as `1e-7`.
    public static func relative(_ bound: Double) -> DowncastBound { DowncastBound(isRelative: true, value: bound) }

    public var description: String { "\(isRelative ? "relative" : "absolute") \(value)" }
}

/// The outcome of a downcast: the new column or the unchanged one, the largest error, and why it was kept.
public struct DowncastResult: Sendable {
    /// The Float32 column when the downcast stayed within the bound, else the original Float64 column.
    public let column: any ColumnProtocol
    /// Whether ``column`` is the Float32 downcast.
    public let isDowncast: Bool
    /// The largest error over all valid rows, in the bound's terms (absolute or relative); infinite when a value
    /// is outside Float32's range.
    public let maximumError: Double
    /// The bound that was applied.
    public let bound: DowncastBound
    /// Why the column stayed Float64, or `nil` when it was downcast.
    public let reason: String?
}

extension Column where Element == Double {
    /// Converts to Float32 when every value's rounding error stays within `bound`; otherwise keeps the column.
    ///
    /// pandas' `to_numeric(downcast="float")` rounds silently; this reports the largest error it would introduce
    /// and refuses when it exceeds the bound. NaN rows stay NaN (error 0); infinities stay infinite (error 0);
    /// zeros keep their sign (error 0). A finite value beyond Float32's range has an infinite error, so the column
    /// stays Float64. A value below Float32's normal range keeps fewer digits or becomes zero: its true error
    /// counts (a relative error of 1 for one that becomes zero), so under a relative bound such a column stays
    /// Float64 unless the bound allows it.
    ///
    /// - Parameter bound: The largest acceptable error.
    /// - Returns: The result, with the Float32 column or the unchanged Float64 column and the reason.
    /// - Complexity: One pass over the values, four interleaved lanes that the compiler packs into SIMD.
    public func downcast(within bound: DowncastBound) -> DowncastResult {
        var maximum = 0.0
        let output = ContiguousArray<Float>(filling: count) { target, initialized in
            FreshMemory.prepare(UnsafeMutableRawPointer(target.baseAddress), byteCount: count * 4)
            maximum = withUnsafeValues { source in
                let target = UnsafeMutableBufferPointer(rebasing: target[0..<source.count])
                return bound.isRelative
                    ? Self.downcastKernel(source, target, relative: true)
                    : Self.downcastKernel(source, target, relative: false)
            }
            initialized = count
        }
        if maximum <= bound.value {
            return DowncastResult(
                column: Column<Float>(storage: output, validity: validity), isDowncast: true, maximumError: maximum,
                bound: bound, reason: nil)
        }
        let reason =
            maximum.isInfinite
            ? "a value is outside the Float32 range"
            : "the largest error \(maximum) exceeds the \(bound) bound"
        return DowncastResult(column: self, isDowncast: false, maximumError: maximum, bound: bound, reason: reason)
    }

    /// Converts every value and returns the largest error. Four independent lanes of scalar code, which the
    /// compiler turns into packed conversions; NaN errors are ignored by `max` (a comparison with NaN is false).
    @inline(__always)
    private static func downcastKernel(
        _ source: UnsafeBufferPointer<Double>, _ target: UnsafeMutableBufferPointer<Float>, relative: Bool
    ) -> Double {
        let count = source.count
        guard let input = source.baseAddress, let output = target.baseAddress else { return 0 }
        var m0 = 0.0
        var m1 = 0.0
        var m2 = 0.0
        var m3 = 0.0
        // The difference is exact (the two are within a factor of two, or the Float is zero). The relative error
        // divides by the value itself, so a subnormal that vanishes in Float32 has error 1, not ~2e-16; zero gives
        // 0/0 = NaN, which `max` ignores like NaN rows.
        @inline(__always)
        func error(_ value: Double, _ narrow: Float) -> Double {
            let difference = abs(Double(narrow) - value)
            return relative ? difference / abs(value) : difference
        }
        var row = 0
        while row + 4 <= count {
            let d0 = input[row]
            let d1 = input[row + 1]
            let d2 = input[row + 2]
            let d3 = input[row + 3]
            let f0 = Float(d0)
            let f1 = Float(d1)
            let f2 = Float(d2)
            let f3 = Float(d3)
            output[row] = f0
            output[row + 1] = f1
            output[row + 2] = f2
            output[row + 3] = f3
            m0 = max(m0, error(d0, f0))
            m1 = max(m1, error(d1, f1))
            m2 = max(m2, error(d2, f2))
            m3 = max(m3, error(d3, f3))
            row += 4
        }
        while row < count {
            let narrow = Float(input[row])
            output[row] = narrow
            m0 = max(m0, error(input[row], narrow))
            row += 1
        }
        return max(max(m0, m1), max(m2, m3))
    }

    /// The sum of the valid rows.
    ///
    /// - Returns: The sum, accumulated in Double.
    public func sum() -> Double {
        withUnsafeValues { values in
            guard let validity else { return SumKernel.sum(values) }
            var total = 0.0
            for row in 0..<values.count where validity.isValid(row) { total += values[row] }
            return total
        }
    }
}

extension Column where Element == Float {
    /// The sum of the valid rows, accumulated in Double (eight lanes per step).
    ///
    /// - Returns: The sum.
    public func sum() -> Double {
        withUnsafeValues { values in
            guard let validity else { return SumKernel.sum(values) }
            var total = 0.0
            for row in 0..<values.count where validity.isValid(row) { total += Double(values[row]) }
            return total
        }
    }

    /// The values widened to Float64 (exact).
    ///
    /// - Returns: A Float64 column with the same nulls.
    public func doubles() -> Column<Double> { map { Double($0) } }
}

enum SumKernel {
    static func sum(_ values: UnsafeBufferPointer<Float>) -> Double {
        var a = SIMD8<Double>(repeating: 0)
        var b = SIMD8<Double>(repeating: 0)
        var row = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while row + 16 <= values.count {
                a += SIMD8<Double>(raw.loadUnaligned(fromByteOffset: row * 4, as: SIMD8<Float>.self))
                b += SIMD8<Double>(raw.loadUnaligned(fromByteOffset: row * 4 + 32, as: SIMD8<Float>.self))
                row += 16
            }
        }
        var total = (a + b).sum()
        while row < values.count {
            total += Double(values[row])
            row += 1
        }
        return total
    }

    static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var a = SIMD8<Double>(repeating: 0)
        var row = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while row + 8 <= values.count {
                a += raw.loadUnaligned(fromByteOffset: row * 8, as: SIMD8<Double>.self)
                row += 8
            }
        }
        var total = a.sum()
        while row < values.count {
            total += values[row]
            row += 1
        }
        return total
    }
}

extension TradeFrame {
    /// Downcasts Float64 columns to Float32 where each stays within `bound`; columns that would exceed it stay
    /// Float64 and their result says why.
    ///
    /// - Parameters:
    ///   - bound: The largest acceptable error.
    ///   - names: The columns to try; `nil` for every Float64 column.
    /// - Returns: The new frame and one result per column tried, in frame order.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn` or `typeMismatch` for a named column that is not
    ///   Float64.
    public func downcastingFloat64(
        within bound: DowncastBound, columns names: [String]? = nil
    ) throws(TradeFrameError) -> (frame: TradeFrame, results: [(column: String, result: DowncastResult)]) {
        let targets = names ?? zip(columnNames, columns).filter { $0.1 is Column<Double> }.map(\.0)
        var frame = self
        var results: [(String, DowncastResult)] = []
        for name in targets {
            let result = try column(name, as: Column<Double>.self).downcast(within: bound)
            results.append((name, result))
            if result.isDowncast { frame = try frame.adding(name, result.column) }
        }
        return (frame, results)
    }
}
