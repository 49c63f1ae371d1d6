/// A fixed-width value that a ``Column`` stores contiguously: `Double`, `Float`, `Int64`, `Int32` or `Bool`.
public protocol ColumnElement: BitwiseCopyable, Sendable, Equatable {
    /// The column kind for this element type.
    static var columnKind: ColumnKind { get }
    /// The value stored under a null row.
    static var nullPlaceholder: Self { get }
    /// The value as text for tables, CSV and JSON.
    var columnText: String { get }
    /// Parses the text form; `nil` when the text is not a value of this type.
    init?(columnText: Substring)
}

extension Double: ColumnElement {
    public static var columnKind: ColumnKind { .float64 }
    public static var nullPlaceholder: Double { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) { self.init(columnText) }
}

extension Float: ColumnElement {
    public static var columnKind: ColumnKind { .float32 }
    public static var nullPlaceholder: Float { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) { self.init(columnText) }
}

extension Int64: ColumnElement {
    public static var columnKind: ColumnKind { .int64 }
    public static var nullPlaceholder: Int64 { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) { self.init(columnText) }
}

extension Int32: ColumnElement {
    public static var columnKind: ColumnKind { .int32 }
    public static var nullPlaceholder: Int32 { 0 }
    public var columnText: String { description }
    public init?(columnText: Substring) { self.init(columnText) }
}

extension Bool: ColumnElement {
    public static var columnKind: ColumnKind { .bool }
    public static var nullPlaceholder: Bool { false }
    public var columnText: String { self ? "true" : "false" }
    public init?(columnText: Substring) {
        switch columnText {
        case "true", "True", "TRUE", "1": self = true
        case "false", "False", "FALSE", "0": self = false
        default: return nil
        }
    }
}
