import ETRMShared

/// A scoped idempotency key: the tenant, the operation and the key value, as one hashable value.
///
/// Make one from a client's `Idempotency-Key` header with ``init(headerValue:scope:)``, or derive one for a
/// request that carries no key with ``derived(settlementRunID:body:scope:)``. Stores compare keys by their
/// ``storageBytes``, which frame all three parts, so equal values under different scopes are different keys.
public struct IdempotencyKey: Hashable, Sendable, CustomStringConvertible {
    /// The tenant and operation the key belongs to.
    public var scope: IdempotencyScope { storage.scope }
    /// The key value: the client's key as sent (unwrapped if it was an sf-string), or 64 hexadecimal digits
    /// for a derived key.
    public var value: String { storage.value }
    /// Whether the key was derived from the request (``derived(settlementRunID:body:scope:)``) rather than
    /// sent by the client. A derived key never equals a client key, even with the same text.
    public var isDerived: Bool { storage.isDerived }
    /// The stored form, unique per key:
    /// `kind (1 byte: 1 client, 2 derived) ‖ u16be len ‖ tenant ‖ u16be len ‖ operation ‖ u16be len ‖ value`,
    /// lengths in bytes, text in UTF-8. A store that persists keys (Redis, PostgreSQL) stores these bytes or
    /// their hexadecimal form and rebuilds the key with ``init(storageBytes:)``.
    public var storageBytes: [UInt8] { storage.bytes }

    /// One reference for all parts, so that copying a key (into a dictionary, a log entry) is one retain.
    private final class Storage: Sendable {
        let scope: IdempotencyScope
        let value: String
        let isDerived: Bool
        let bytes: [UInt8]
        let hashCode: Int

        init(scope: IdempotencyScope, value: String, isDerived: Bool, bytes: [UInt8], hashCode: Int) {
            self.scope = scope
            self.value = value
            self.isDerived = isDerived
            self.bytes = bytes
            self.hashCode = hashCode
        }
    }

    private let storage: Storage

    /// The longest key value, in characters (bytes: the value is ASCII).
    public static let maximumLength = 255

    /// Validates a client's `Idempotency-Key` header value and scopes it.
    ///
    /// Rules, in order:
    /// 1. Leading and trailing spaces and tabs (HTTP optional whitespace) are dropped.
    /// 2. A value that starts with `"` is an RFC 8941 sf-string, as the IETF draft specifies: it must end with
    ///    `"`, may escape only `\"` and `\\`, and is unwrapped, so `"abc"` and `abc` are the same key.
    /// 3. The (unwrapped) value must be 1 to 255 characters, each printable ASCII (`0x20`–`0x7E`); a raw value
    ///    may not contain `"` or `\` (only the sf-string form can carry them, escaped).
    ///
    /// - Parameters:
    ///   - headerValue: The header field value as received.
    ///   - scope: The tenant and operation.
    /// - Throws: ``IdempotencyError/Code/invalidKey`` naming the first broken rule.
    public init(headerValue: String, scope: IdempotencyScope) throws(IdempotencyError) {
        var bytes = Array(headerValue.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        bytes.removeFirst(start)
        let value = bytes.first == UInt8(ascii: "\"") ? try Self.unwrapSFString(bytes) : bytes
        guard !value.isEmpty else {
            throw IdempotencyError(code: .invalidKey, message: "Idempotency-Key is empty")
        }
        guard value.count <= Self.maximumLength else {
            throw IdempotencyError(
                code: .invalidKey,
                message: "Idempotency-Key is \(value.count) characters; at most \(Self.maximumLength) are allowed"
            )
        }
        if bytes.first != UInt8(ascii: "\"") {
            for (offset, byte) in value.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                throw IdempotencyError(
                    code: .invalidKey,
                    message: "Idempotency-Key holds \(Self.show(byte)) at offset \(offset); send it as an sf-string"
                )
            }
        }
        for (offset, byte) in value.enumerated() where byte < 0x20 || byte > 0x7E {
            throw IdempotencyError(
                code: .invalidKey,
                message:
                    "Idempotency-Key holds byte \(Self.show(byte)) at offset \(offset); only printable ASCII is allowed"
            )
        }
        self.init(unchecked: String(decoding: value, as: UTF8.self), isDerived: false, scope: scope)
    }

    /// Derives a key for a request that carries none: the SHA-256 of the settlement run id and the body.
    ///
    /// The hashed bytes are `u64be(n) ‖ run id (n bytes of UTF-8) ‖ u64be(m) ‖ body (m bytes)`, so no choice of
    /// run id and body can be mistaken for another. The value is the digest in lower-case hexadecimal. Pass the
    /// body's canonical bytes if re-serialised retries should derive the same key.
    ///
    /// - Parameters:
    ///   - settlementRunID: The settlement run id; 1 to 255 UTF-8 bytes.
    ///   - body: The request body.
    ///   - scope: The tenant and operation.
    /// - Returns: The derived key (``isDerived`` is `true`).
    /// - Throws: ``IdempotencyError/Code/invalidScope`` for an empty or over-long run id.
    public static func derived(
        settlementRunID: String, body: some Collection<UInt8>, scope: IdempotencyScope
    ) throws(IdempotencyError) -> IdempotencyKey {
        try IdempotencyScope.check(settlementRunID, name: "settlement run id")
        var hasher = SHA256()
        hasher.update(bigEndianBytes(UInt64(settlementRunID.utf8.count)))
        hasher.update(settlementRunID.utf8)
        hasher.update(bigEndianBytes(UInt64(body.count)))
        hasher.update(body)
        return IdempotencyKey(unchecked: hasher.finalize().hex, isDerived: true, scope: scope)
    }

    /// Rebuilds a key from its ``storageBytes``.
    ///
    /// - Parameter storageBytes: Bytes produced by ``storageBytes``.
    /// - Throws: ``IdempotencyError/Code/invalidKey`` when the bytes are not a well-formed stored key.
    public init(storageBytes: [UInt8]) throws(IdempotencyError) {
        var index = 1
        func part() throws(IdempotencyError) -> String {
            guard index + 2 <= storageBytes.count else { throw Self.badStorage() }
            let length = Int(storageBytes[index]) << 8 | Int(storageBytes[index + 1])
            index += 2
            guard index + length <= storageBytes.count else { throw Self.badStorage() }
            defer { index += length }
            guard let text = String(validating: storageBytes[index..<index + length], as: UTF8.self) else {
                throw Self.badStorage()
            }
            return text
        }
        guard let kind = storageBytes.first, kind == 1 || kind == 2 else { throw Self.badStorage() }
        let tenant = try part()
        let operation = try part()
        let value = try part()
        guard index == storageBytes.count else { throw Self.badStorage() }
        let scope = try IdempotencyScope(tenant: tenant, operation: operation)
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= Self.maximumLength, utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw Self.badStorage()
        }
        self.init(unchecked: value, isDerived: kind == 2, scope: scope)
    }

    init(unchecked value: String, isDerived: Bool, scope: IdempotencyScope) {
        var bytes: [UInt8] = [isDerived ? 2 : 1]
        bytes.reserveCapacity(7 + scope.tenant.utf8.count + scope.operation.utf8.count + value.utf8.count)
        for text in [scope.tenant, scope.operation, value] {
            let count = text.utf8.count
            bytes.append(UInt8(truncatingIfNeeded: count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: count))
            bytes.append(contentsOf: text.utf8)
        }
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        storage = Storage(scope: scope, value: value, isDerived: isDerived, bytes: bytes, hashCode: hasher.finalize())
    }

    public static func == (lhs: IdempotencyKey, rhs: IdempotencyKey) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.storage.hashCode == rhs.storage.hashCode && lhs.storage.bytes == rhs.storage.bytes)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.hashCode) }

    /// A hash fixed for the life of the process, used to pick a store shard.
    var shardHash: Int { storage.hashCode }

    public var description: String {
        "\(scope.tenant)/\(scope.operation)/\(isDerived ? "derived:" : "")\(value)"
    }

    private static func unwrapSFString(_ bytes: [UInt8]) throws(IdempotencyError) -> [UInt8] {
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else {
            throw IdempotencyError(code: .invalidKey, message: "Idempotency-Key sf-string has no closing quote")
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - 2)
        var index = 1
        while index < bytes.count - 1 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count - 1,
                    bytes[index + 1] == UInt8(ascii: "\"") || bytes[index + 1] == UInt8(ascii: "\\")
                else {
                    throw IdempotencyError(
                        code: .invalidKey,
                        message:
                            "Idempotency-Key sf-string has a bad escape at offset \(index); only \\\" and \\\\ are allowed"
                    )
                }
                out.append(bytes[index + 1])
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                throw IdempotencyError(
                    code: .invalidKey, message: "Idempotency-Key sf-string has an unescaped quote at offset \(index)")
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func show(_ byte: UInt8) -> String {
        (0x20...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + Hex.encode([byte])
    }

    private static func badStorage() -> IdempotencyError {
        IdempotencyError(code: .invalidKey, message: "bytes are not a stored idempotency key")
    }
}

func bigEndianBytes(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
}
