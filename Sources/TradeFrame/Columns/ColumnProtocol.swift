/// The kind of values a column holds.
///
/// An open set of static members, like an error code: new kinds can be added without breaking a `switch`.
public struct ColumnKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kind's name (`float32`, `categorical`, …).
    public let rawValue: String
    /// Creates a kind from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// 64-bit IEEE 754 floating point (`Double`).
    public static let float64 = ColumnKind(rawValue: "float64")
    /// 32-bit IEEE 754 floating point (`Float`).
    public static let float32 = ColumnKind(rawValue: "float32")
    /// 64-bit signed integer.
    public static let int64 = ColumnKind(rawValue: "int64")
    /// 32-bit signed integer.
    public static let int32 = ColumnKind(rawValue: "int32")
    /// Boolean, one byte per row.
    public static let bool = ColumnKind(rawValue: "bool")
    /// UTF-8 text: one bytes buffer plus Int64 offsets.
    public static let string = ColumnKind(rawValue: "string")
    /// Dictionary-encoded text: distinct strings plus UInt8, UInt16 or UInt32 codes.
    public static let categorical = ColumnKind(rawValue: "categorical")
    /// A UTC instant as Int64 nanoseconds since 1970-01-01T00:00:00Z.
    public static let timestamp = ColumnKind(rawValue: "timestamp")
    /// An exact decimal: Int64 significands with one scale for the whole column.
    public static let decimal = ColumnKind(rawValue: "decimal")
}

/// A value only TradeFrame can create, required by ``ColumnProtocol`` to keep its set of columns closed.
public struct _ColumnSeal: Sendable {
    init() {}
}

/// The type-erased column protocol: what a ``TradeFrame`` needs from any column.
///
/// Concrete columns are ``Column`` (Float64, Float32, Int64, Int32, Bool), ``StringColumn``,
/// ``CategoricalColumn``, ``TimestampColumn`` and ``DecimalColumn``. All are immutable values over
/// contiguous, reference-counted buffers: copying a column or slicing it copies no row data.
/// Kernels look through the existential once per column and then run on typed buffers.
///
/// The set of columns is closed: only TradeFrame's columns conform. The kernels, file formats and
/// conversions handle exactly these kinds, so a column defined outside TradeFrame could not be grouped,
/// joined or written; the `_seal` requirement (a `_ColumnSeal`), which only TradeFrame can satisfy, keeps such a
/// conformance from compiling and lets the protocol gain requirements without breaking users.
public protocol ColumnProtocol: Sendable {
    /// The proof that the conforming type is one of TradeFrame's columns; not for use outside TradeFrame.
    static var _seal: _ColumnSeal { get }

    /// The kind of values.
    var kind: ColumnKind { get }
    /// The number of rows.
    var count: Int { get }
    /// The number of null rows.
    var nullCount: Int { get }
    /// The validity bitmap, or `nil` when no row is null.
    var validity: ValidityBitmap? { get }
    /// The bytes this column's rows occupy (values, offsets, dictionary and validity), not counting
    /// storage shared with rows outside a slice.
    var memoryFootprint: Int { get }

    /// Whether the row at `index` is null.
    ///
    /// - Parameter index: A row index in `0..<count`.
    /// - Returns: `true` for a null row.
    func isNull(_ index: Int) -> Bool

    /// A zero-copy view of some rows.
    ///
    /// - Parameter range: Rows to keep; must lie within `0..<count`.
    /// - Returns: A column sharing this column's buffers.
    func slice(_ range: Range<Int>) -> Self

    /// The rows at `indices`, in that order; an index of `-1` yields a null row.
    ///
    /// - Parameter indices: Row indices in `0..<count`, or `-1`.
    /// - Returns: A new column with `indices.count` rows.
    func gathering(_ indices: UnsafeBufferPointer<Int>) -> Self

    /// This column followed by `others`, which must have the same kind (and, for decimals, scale).
    ///
    /// - Parameter others: Columns of the same kind.
    /// - Returns: One column holding all rows in order.
    /// - Throws: ``TradeFrameError`` with code `schemaMismatch` when a column has another kind or scale.
    func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> Self

    /// The value at `index` as text (for tables and CSV), or `nil` for a null row.
    ///
    /// - Parameter index: A row index in `0..<count`.
    /// - Returns: Text such as `1234.567`, `2025-03-30T01:00:00Z` or `DE-BASE-M`.
    func text(at index: Int) -> String?

    /// Appends the value at `index` as a JSON value (`null`, a number, `true`/`false` or a string).
    ///
    /// - Parameters:
    ///   - index: A row index in `0..<count`.
    ///   - buffer: The output.
    func writeJSON(at index: Int, into buffer: inout [UInt8])
}

extension ColumnProtocol {
    /// The rows at `indices`, in that order; an index of `-1` yields a null row.
    ///
    /// - Parameter indices: Row indices in `0..<count`, or `-1`.
    /// - Returns: A new column with `indices.count` rows.
    public func gathering(_ indices: [Int]) -> Self {
        indices.withUnsafeBufferPointer { gathering($0) }
    }

    /// Whether `other` has the same kind (and for decimals the same scale) as this column.
    func sameSchema(as other: any ColumnProtocol) -> Bool {
        guard kind == other.kind else { return false }
        if let a = self as? DecimalColumn, let b = other as? DecimalColumn { return a.scale == b.scale }
        return true
    }
}

/// Casts every column to `C`, or throws a schema mismatch.
func castAll<C: ColumnProtocol>(_ others: [any ColumnProtocol], to type: C.Type) throws(TradeFrameError) -> [C] {
    var result: [C] = []
    result.reserveCapacity(others.count)
    for other in others {
        guard let typed = other as? C else {
            throw TradeFrameError(.schemaMismatch, "cannot append a \(other.kind) column to a \(C.self) column")
        }
        result.append(typed)
    }
    return result
}
