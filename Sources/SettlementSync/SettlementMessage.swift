import Idempotency

/// A settlement instruction as the gateway receives it: header fields and the body's bytes.
///
/// The gateway is transport-neutral: a service maps its HTTP server's request (Hummingbird, Vapor, NIO) to
/// this value and the ``SettlementResponse`` back.
public struct SettlementRequest: Sendable {
    /// The header fields, in the order received.
    public var headers: [HTTPHeaderField]
    /// The body as received.
    public var body: [UInt8]

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - headers: The header fields.
    ///   - body: The body bytes.
    public init(headers: [HTTPHeaderField], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    /// The value of the first field named `name` (compared without case), if any.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The value, or `nil` when the request has no such field.
    public func header(_ name: String) -> String? {
        headers.value(named: name)
    }
}

/// What the gateway answers: a status, header fields, and a JSON body (a success document or an RFC 9457
/// problem-details document).
public struct SettlementResponse: Hashable, Sendable {
    /// The HTTP status.
    public var status: Int
    /// Header fields to send (`Content-Type`, `Retry-After`, `Idempotent-Replayed`, `X-Request-ID`).
    public var headers: [HTTPHeaderField]
    /// The body: `application/json` for a 201, `application/problem+json` otherwise.
    public var body: [UInt8]

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The header fields.
    ///   - body: The body bytes.
    public init(status: Int, headers: [HTTPHeaderField], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first field named `name` (compared without case), if any.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The value, or `nil`.
    public func header(_ name: String) -> String? {
        headers.value(named: name)
    }

    /// The body as UTF-8 text (for logs and tests).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
