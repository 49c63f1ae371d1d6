/// A fixed-width value that a ``Column`` stores contiguously: `Double`, `Float`, `Int64`, `Int32` or `Bool`.
public protocol ColumnElement: BitwiseCopyable, Sendable, Equatable {
    /// The column kind for this element type.
    static var columnKind: ColumnKind { get }
    /// The value stored under a null row.
    static var nullPlaceholder: Self { get }
    /// The value as text for tables, CSV and JSON.
    var columnText: String { get }
    /// Parses the text form; `nil` when the text is not a value of this type.
    ///
    /// Numbers follow RFC 8259's `number` grammar, as `ExactDecimal` and the JSON reader do: `-1.5e3` is read,
    /// `+1`, `.5`, `01`, `0x1p3`, `inf`, `nan`, `1_0` and white space are not. Integers take no fraction or
    /// exponent. A value the type cannot hold is `nil`: one beyond the integer's range, and a float literal that
    /// would round to infinity or (non-zero) to zero; a subnormal result is the nearest value. Booleans are
    /// `true`/`True`/`TRUE`/`1` and `false`/`False`/`FALSE`/`0`.
    init?(columnText: Substring)
}

extension Double: ColumnElement {
    public static var columnKind: ColumnKind { .float64 }
    public static var nullPlaceholder: Double { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) {
        guard let value = Self.value(of: columnText) else { return nil }
        self = value
    }
}

extension Float: ColumnElement {
    public static var columnKind: ColumnKind { .float32 }
    public static var nullPlaceholder: Float { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) {
        guard let value = Self.value(of: columnText) else { return nil }
        self = value
    }
}

extension Int64: ColumnElement {
    public static var columnKind: ColumnKind { .int64 }
    public static var nullPlaceholder: Int64 { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) {
        guard let value = Self.value(of: columnText) else { return nil }
        self = value
    }
}

extension Int32: ColumnElement {
    public static var columnKind: ColumnKind { .int32 }
    public static var nullPlaceholder: Int32 { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) {
        guard let value = Self.value(of: columnText) else { return nil }
        self = value
    }
}

extension Bool: ColumnElement {
    public static var columnKind: ColumnKind { .bool }
    public static var nullPlaceholder: Bool { false }
    public var columnText: String { self ? "true" : "false" }
    public init?(columnText: Substring) {
        guard let value = Self.value(of: columnText) else { return nil }
        self = value
    }
}
