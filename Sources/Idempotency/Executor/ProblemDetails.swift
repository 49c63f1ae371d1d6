import ETRMShared

/// An RFC 9457 problem-details document (`application/problem+json`): the body of every refusal
/// ``IdempotentExecutor`` makes (400, 409, 422).
///
/// ``IdempotentResponse/problem`` carries it alongside the rendered ``IdempotentResponse/body``, so a service
/// can send the body as it is, render ``json`` again after changing a member, or map the document to its own
/// error format. Besides the standard members, ``json`` carries the `idempotency_key` extension member when
/// the request had a valid key.
///
/// ```json
/// {"type":"urn:etrm:problem:idempotency-key-in-progress","title":"A request with this Idempotency-Key is in progress",
///  "status":409,"detail":"…","idempotency_key":"settle-1"}
/// ```
public struct ProblemDetails: Hashable, Sendable {
    /// The media type of ``json``.
    public static let contentType = "application/problem+json"

    /// A URI naming the problem type, such as `urn:etrm:problem:idempotency-key-reused`.
    public var type: String
    /// A short, human-readable summary of the problem type.
    public var title: String
    /// The HTTP status.
    public var status: Int
    /// A human-readable explanation of this occurrence.
    public var detail: String
    /// The client's key value (``IdempotencyKey/value``), when the request had a valid key; `nil` for a
    /// missing or invalid key.
    public var idempotencyKey: String?

    /// Creates a document.
    ///
    /// - Parameters:
    ///   - type: A URI naming the problem type.
    ///   - title: A short summary of the problem type.
    ///   - status: The HTTP status.
    ///   - detail: An explanation of this occurrence.
    ///   - idempotencyKey: The client's key value, if any.
    public init(type: String, title: String, status: Int, detail: String, idempotencyKey: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.idempotencyKey = idempotencyKey
    }

    /// The document as compact JSON: `type`, `title`, `status`, `detail`, then `idempotency_key` when present.
    public var json: [UInt8] { json(extensions: []) }

    /// The document as compact JSON with further extension members (RFC 9457 §3.2) after the standard ones
    /// and `idempotency_key`, in order.
    package func json(extensions: [(String, JSONOutput)]) -> [UInt8] {
        var members: [(String, JSONOutput)] = [
            ("type", .string(type)), ("title", .string(title)), ("status", .number(String(status))),
            ("detail", .string(detail)),
        ]
        if let idempotencyKey { members.append(("idempotency_key", .string(idempotencyKey))) }
        members += extensions
        return Array(JSONOutput.object(members).text().utf8)
    }
}
