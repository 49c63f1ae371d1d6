/// A value whose only way in is validation of its wire spelling: the codes (``Currency``, ``Side``, …) and the
/// identifiers (``LEI``, ``EIC``, …) of this module.
///
/// A conforming type says what it is (``noun``), which issue code rejects a bad spelling (``issueCode``) and
/// how bytes are checked (``validate(_:)``). The protocol provides everything else: creation from a `String` or
/// from UTF-8 bytes, and `Codable` as a JSON string. Code generic over the kinds of value can use it too:
///
/// ```swift
/// func parse<Code: ValidatedCode>(_ type: Code.Type, _ text: String) -> Result<Code, ValidationIssue> {
///     Result { () throws(ValidationIssue) in try Code(text) }
/// }
/// ```
public protocol ValidatedCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What a value is, with its article, for messages: `a currency`, `an LEI`.
    static var noun: String { get }

    /// The code of the issue that rejects a spelling that is not a valid value.
    static var issueCode: ValidationIssue.Code { get }

    /// Validates a wire spelling: the check behind every other way in.
    ///
    /// - Parameter bytes: The spelling's UTF-8 bytes.
    /// - Returns: The value, or an issue with code ``issueCode``, the message `not <noun>: <why>` and the
    ///   offending spelling.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Self, ValidationIssue>
}

extension ValidatedCode {
    /// Validates a wire spelling.
    ///
    /// - Parameter string: The spelling, such as `EUR` or `506700GE1G29325QX363`.
    /// - Throws: ``ValidationIssue`` with code ``ValidatedCode/issueCode`` if `string` is not a valid value.
    public init(_ string: String) throws(ValidationIssue) {
        var string = string
        self = try string.withUTF8(Self.validate).get()
    }

    /// Validates a wire spelling from its UTF-8 bytes; contiguous bytes that are valid cost no allocation.
    ///
    /// - Parameter bytes: The spelling's UTF-8 bytes.
    /// - Throws: ``ValidationIssue`` with code ``ValidatedCode/issueCode`` if `bytes` are not a valid value.
    @inlinable
    public init(bytes: some Collection<UInt8>) throws(ValidationIssue) {
        let result =
            bytes.withContiguousStorageIfAvailable(Self.validate) ?? Array(bytes).withUnsafeBufferPointer(Self.validate)
        self = try result.get()
    }

    /// Decodes a JSON string through the validating initialiser.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``ValidationIssue`` for an invalid value.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Self(text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    /// Encodes the value as a JSON string: its `description`, the wire spelling.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The issue that rejects `bytes` because of `problem`, with the spelling (truncated) as its value.
    static func issue(_ problem: String, in bytes: UnsafeBufferPointer<UInt8>) -> ValidationIssue {
        let value = String(decoding: bytes.prefix(ValidationIssue.maximumValueLength * 4), as: UTF8.self)
        return ValidationIssue(code: issueCode, message: "not \(noun): \(problem)", value: value)
    }
}
