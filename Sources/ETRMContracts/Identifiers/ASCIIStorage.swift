/// Up to 32 ASCII bytes stored inline, so that validated identifiers cost no allocation to create, compare or
/// hash.
struct ASCIIStorage: Hashable, Sendable {
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0
    /// The number of bytes, `0...32`.
    private(set) var count: UInt8 = 0

    static let capacity = 32

    /// Copies `bytes`, which the caller has validated to be at most 32 ASCII bytes.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= Self.capacity, "ASCIIStorage holds at most 32 bytes")
        count = UInt8(bytes.count)
        var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &words) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(bytes))
        }
        (w0, w1, w2, w3) = words
    }

    /// The bytes as a `String` (small strings of up to 15 bytes are stored inline by the standard library).
    var string: String {
        let words = (w0, w1, w2, w3)
        return withUnsafeBytes(of: words) { raw in
            String(decoding: raw.prefix(Int(count)), as: UTF8.self)
        }
    }
}

/// The checks every validated identifier and code shares: one entry point from `String` or bytes, the issue on
/// failure, and `Codable` as a JSON string.
protocol ValidatedIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The issue code for a value of the wrong shape.
    static var issueCode: ValidationIssue.Code { get }
    /// What the value is, for messages ("an LEI").
    static var noun: String { get }
    /// Why `bytes` is not valid, or `nil` if it is.
    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String?
    init(validated bytes: UnsafeBufferPointer<UInt8>)
    /// The value if `bytes` is valid; the fast path, which builds no message.
    static func make(validating bytes: UnsafeBufferPointer<UInt8>) -> Self?
}

extension ValidatedIdentifier {
    static func make(validating bytes: UnsafeBufferPointer<UInt8>) -> Self? {
        problem(in: bytes) == nil ? Self(validated: bytes) : nil
    }

    /// Validates `bytes` and builds the value; allocation-free for contiguous input that is valid.
    static func validating(_ bytes: some Collection<UInt8>) throws(ValidationIssue) -> Self {
        let result =
            bytes.withContiguousStorageIfAvailable(validate)
            ?? Array(bytes).withUnsafeBufferPointer(validate)
        switch result {
        case .success(let value): return value
        case .failure(let issue): throw issue
        }
    }

    static func validating(_ string: String) throws(ValidationIssue) -> Self {
        var string = string
        switch string.withUTF8(validate) {
        case .success(let value): return value
        case .failure(let issue): throw issue
        }
    }

    /// Validates contiguous bytes: the non-generic core behind each type's `init(bytes:)`.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Self, ValidationIssue> {
        if let value = make(validating: bytes) { return .success(value) }
        let problem = problem(in: bytes) ?? "rejected"
        let value = String(decoding: bytes.prefix(ValidationIssue.maximumValueLength * 4), as: UTF8.self)
        return .failure(ValidationIssue(code: issueCode, message: "not \(noun): \(problem)", value: value))
    }

    static func decode(from decoder: any Decoder) throws -> Self {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            return try validating(text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error)
            )
        }
    }

    func encode(description: String, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Character classes for identifier patterns.
enum ASCII {
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "A") < 26 }
    @inline(__always) static func isLower(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "a") < 26 }
    @inline(__always) static func isUpperAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isUpper(byte) }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isUpperAlphanumeric(byte) || isLower(byte) }

    /// The value of `0-9A-Z` as `0...35`.
    @inline(__always) static func base36(_ byte: UInt8) -> Int {
        isDigit(byte) ? Int(byte &- UInt8(ascii: "0")) : Int(byte &- UInt8(ascii: "A")) + 10
    }

    /// Whether every byte satisfies `predicate`.
    @inline(__always)
    static func all(_ bytes: UnsafeBufferPointer<UInt8>, _ predicate: (UInt8) -> Bool) -> Bool {
        for byte in bytes where !predicate(byte) { return false }
        return true
    }
}
