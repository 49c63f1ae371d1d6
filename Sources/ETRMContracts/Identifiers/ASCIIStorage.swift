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

/// An identifier kept as its validated ASCII bytes: ``LEI``, ``EIC``, ``ACERCode``, ``SettlementRunID`` and
/// ``ContractID``. Each type checks the bytes (``problem(in:)``); this protocol provides the rest of
/// ``ValidatedCode``.
protocol ASCIIIdentifier: ValidatedCode {
    /// The bytes, which ``problem(in:)`` accepted.
    var storage: ASCIIStorage { get }
    init(storage: ASCIIStorage)
    /// Why `bytes` are not a valid identifier, or `nil` if they are.
    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String?
}

extension ASCIIIdentifier {
    /// The identifier as it is spelled on the wire.
    public var description: String { storage.string }

    /// Checks the spelling with the identifier's rules and keeps its bytes inline, without allocating.
    ///
    /// - Parameter bytes: The spelling's UTF-8 bytes.
    /// - Returns: The identifier, or an issue with the type's ``ValidatedCode/issueCode`` that says which rule
    ///   the spelling breaks.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Self, ValidationIssue> {
        if let problem = problem(in: bytes) { return .failure(issue(problem, in: bytes)) }
        return .success(Self(storage: ASCIIStorage(bytes)))
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
