/// One aggregate of a group-by: an operation on columns and the name of the result column.
public struct Aggregation: Sendable, Hashable {
    enum Operation: Sendable, Hashable {
        case count
        case countValid(String)
        case sum(String)
        case mean(String)
        case min(String)
        case max(String)
        case first(String)
        case last(String)
        case volumeWeightedAverage(price: String, volume: String)
        case exactVolumeWeightedAverage(price: String, volume: String, scale: Int)
    }

    let operation: Operation
    /// The result column's name.
    public let name: String

    /// The number of rows in each group (Int64).
    ///
    /// - Parameter name: The result column's name.
    public static func count(as name: String = "count") -> Aggregation { Aggregation(operation: .count, name: name) }

    /// The number of non-null values of `column` in each group (Int64).
    ///
    /// - Parameters:
    ///   - column: The column counted.
    ///   - name: The result name; `<column>_count` by default.
    public static func count(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .countValid(column), name: name ?? column + "_count")
    }

    /// The sum of the non-null values: exact for decimals (Int128 accumulator, same scale) and integers (Int64),
    /// accumulated in Double for floating point. An empty group sums to 0.
    ///
    /// - Parameters:
    ///   - column: A numeric column.
    ///   - name: The result name; `<column>_sum` by default.
    public static func sum(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .sum(column), name: name ?? column + "_sum")
    }

    /// The mean of the non-null values, as Float64 (null for a group without values).
    ///
    /// - Parameters:
    ///   - column: A numeric column.
    ///   - name: The result name; `<column>_mean` by default.
    public static func mean(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .mean(column), name: name ?? column + "_mean")
    }

    /// The smallest non-null, non-NaN value, of the column's own kind.
    ///
    /// - Parameters:
    ///   - column: A numeric, timestamp or decimal column.
    ///   - name: The result name; `<column>_min` by default.
    public static func min(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .min(column), name: name ?? column + "_min")
    }

    /// The largest non-null, non-NaN value, of the column's own kind.
    ///
    /// - Parameters:
    ///   - column: A numeric, timestamp or decimal column.
    ///   - name: The result name; `<column>_max` by default.
    public static func max(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .max(column), name: name ?? column + "_max")
    }

    /// The first non-null value in row order, of the column's own kind.
    ///
    /// - Parameters:
    ///   - column: Any column.
    ///   - name: The result name; `<column>_first` by default.
    public static func first(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .first(column), name: name ?? column + "_first")
    }

    /// The last non-null value in row order, of the column's own kind.
    ///
    /// - Parameters:
    ///   - column: Any column.
    ///   - name: The result name; `<column>_last` by default.
    public static func last(_ column: String, as name: String? = nil) -> Aggregation {
        Aggregation(operation: .last(column), name: name ?? column + "_last")
    }

    /// The volume-weighted average price `Σ(price × volume) / Σ volume` over rows where both are present, as
    /// Float64 (null when the volumes sum to zero). With two decimal columns both sums are exact (Int128) and
    /// rounding happens only in the final division.
    ///
    /// - Parameters:
    ///   - price: The price column.
    ///   - volume: The volume column.
    ///   - name: The result name; `vwap` by default.
    public static func volumeWeightedAverage(
        price: String, volume: String, as name: String = "vwap"
    )
        -> Aggregation
    {
        Aggregation(operation: .volumeWeightedAverage(price: price, volume: volume), name: name)
    }

    /// The exact volume-weighted average price `Σ(price × volume) / Σ volume` over rows where both are present,
    /// as a ``DecimalColumn`` at `scale` fraction digits.
    ///
    /// Both columns must be exact (decimal or integer; Float32 and Float64 are rejected). Both sums are
    /// accumulated in `Int128` without rounding; the one rounding is the final division, half to even
    /// (`2.00005` at 4 digits is `2.0000`, `2.00015` is `2.0002`). A result that rounds to zero is `0.0000`, never
    /// `-0.0000`. A group whose volumes sum to zero, or that has no row with both values, is null.
    ///
    /// The aggregate throws `overflow` (naming the price column) when a group's `Σ(price × volume)` leaves
    /// `Int128`, or when its average does not fit an Int64 significand at `scale`; it never wraps.
    ///
    /// - Parameters:
    ///   - price: The price column (decimal or integer).
    ///   - volume: The volume column (decimal or integer).
    ///   - scale: Fraction digits of the result, 0 through 18 (the settlement report uses 4).
    ///   - name: The result name; `vwap` by default.
    /// - Returns: The aggregation.
    public static func exactVolumeWeightedAverage(
        price: String, volume: String, scale: Int, as name: String = "vwap"
    )
        -> Aggregation
    {
        Aggregation(operation: .exactVolumeWeightedAverage(price: price, volume: volume, scale: scale), name: name)
    }
}
