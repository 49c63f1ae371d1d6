/// Who is asking and for what: the tenant (or client) and the operation a key belongs to.
///
/// The scope is part of every stored key, so two clients that happen to send the same `Idempotency-Key`
/// value never meet, and neither do two operations of one client (the IETF draft's "composite key").
public struct IdempotencyScope: Hashable, Sendable, CustomStringConvertible {
    /// The tenant or client, for example the authenticated client id.
    public let tenant: String
    /// The operation, for example `POST /settlements`.
    public let operation: String

    /// The longest tenant or operation, in UTF-8 bytes.
    public static let maximumComponentByteCount = 255

    /// Creates a scope.
    ///
    /// - Parameters:
    ///   - tenant: The tenant or client; 1 to 255 UTF-8 bytes.
    ///   - operation: The operation; 1 to 255 UTF-8 bytes.
    /// - Throws: ``IdempotencyError/Code/invalidScope`` when either is empty or too long.
    public init(tenant: String, operation: String) throws(IdempotencyError) {
        try Self.check(tenant, name: "tenant")
        try Self.check(operation, name: "operation")
        self.tenant = tenant
        self.operation = operation
    }

    public var description: String { "\(tenant)/\(operation)" }

    static func check(_ value: String, name: String) throws(IdempotencyError) {
        let count = value.utf8.count
        guard count >= 1, count <= maximumComponentByteCount else {
            throw IdempotencyError(
                code: .invalidScope,
                message: "\(name) must be 1 to \(maximumComponentByteCount) UTF-8 bytes, got \(count)"
            )
        }
    }
}
