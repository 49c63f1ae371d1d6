/// The REMIT action type of a report: `N` (new), `M` (modify), `E` (error: the report was wrong and is
/// withdrawn) or `C` (cancel: the trade was cancelled).
public struct ActionType: Hashable, Sendable, CustomStringConvertible, Codable, EnumeratedCode {
    /// The wire spelling.
    public let rawValue: String

    init(known rawValue: String) { self.rawValue = rawValue }

    /// Validates a action type.
    ///
    /// - Parameter string: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    public init(_ string: String) throws(ValidationIssue) { self = try Self.validating(string) }

    /// Validates a action type from UTF-8 bytes without allocating.
    ///
    /// - Parameter bytes: The wire spelling.
    /// - Throws: ValidationIssue with code ValidationIssue/Code/invalidValue for any other spelling.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.parse) ?? Array(bytes).withUnsafeBufferPointer(Self.parse)
        self = try result.get()
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<ActionType, ValidationIssue> { validate(bytes) }

    /// The wire spelling.
    public var description: String { rawValue }

    static let noun = "a action type"

    /// Decodes a JSON string through the validating initialiser.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an invalid value.
    public init(from decoder: any Decoder) throws { self = try Self.decode(from: decoder) }

    /// Encodes the value as a JSON string.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws { try encode(description: description, to: encoder) }
}

extension ActionType {
    /// A new report.
    public static let new = ActionType(known: "N")
    /// A modification of an earlier report.
    public static let modify = ActionType(known: "M")
    /// An earlier report was sent in error.
    public static let error = ActionType(known: "E")
    /// The trade was cancelled.
    public static let cancel = ActionType(known: "C")

    /// Every accepted value.
    public static let all: [ActionType] = [.new, .modify, .error, .cancel]
    static var known: [ActionType] { all }
    static let table = CodeTable<ActionType>(all, aliases: aliases)
}
