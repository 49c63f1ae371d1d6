import ETRMContracts
import Foundation
import HTTPTypes
import Hummingbird
import Idempotency
import NIOCore
import SettlementAuth
import SettlementSync

/// Maps Hummingbird requests onto a settlement gateway and its responses back: status, `Retry-After`,
/// `Idempotent-Replayed`, `X-Request-ID` and `application/problem+json` pass through as the gateway wrote them.
///
/// Before the gateway sees a request the responder
/// - authenticates it when an `SettlementAuthenticator` is set: a missing, forged or expired bearer token is
///   answered 401, and the token's claims replace any `X-Trader-Scope` the caller sent (the gateway answers
///   403 for a contract outside them);
/// - refuses a body over ``bodyLimit`` with 413, by its `Content-Length` or while reading it.
///
/// Requests it answers itself are reported to the audit observer like the gateway's own, so every request
/// leaves one audit event.
///
/// ```swift
/// let responder = SettlementResponder(handle: gateway.handle, authenticator: auth, auditObserver: bridge)
/// router.addSettlementRoute("/v1/settlements/sync", responder: responder)
/// ```
public struct SettlementResponder: Sendable {
    /// The gateway's entry point (`SettlementGateway.handle(_:)`).
    public let handle: @Sendable (SettlementRequest) async -> SettlementResponse
    /// Verifies bearer tokens; `nil` trusts ``fixedScope`` or the caller's `X-Trader-Scope` (for a service
    /// behind an authenticating proxy).
    public let authenticator: SettlementAuthenticator?
    /// The scope given to every request when there is no authenticator, replacing the caller's header.
    public let fixedScope: TraderScope?
    /// The largest body read, in bytes; a larger one is answered 413.
    public let bodyLimit: Int
    /// Receives the events of requests the responder answers itself (401, 413).
    public let auditObserver: (any SettlementAuditObserver)?
    /// The prefix of problem `type` URIs, as the gateway's.
    public let problemTypePrefix: String

    /// Creates a responder.
    ///
    /// - Parameters:
    ///   - handle: The gateway's `handle(_:)`.
    ///   - authenticator: The bearer-token check, or `nil`.
    ///   - fixedScope: Without an authenticator, the scope every request gets; `nil` keeps the caller's header.
    ///   - bodyLimit: The body limit in bytes (default 64 KiB, the gateway reader's default document limit).
    ///   - auditObserver: Receives the events of 401 and 413 answers.
    ///   - problemTypePrefix: The problem type prefix.
    public init(
        handle: @escaping @Sendable (SettlementRequest) async -> SettlementResponse,
        authenticator: SettlementAuthenticator?, fixedScope: TraderScope? = nil, bodyLimit: Int = 64 << 10,
        auditObserver: (any SettlementAuditObserver)? = nil, problemTypePrefix: String = "urn:etrm:problem:"
    ) {
        self.handle = handle
        self.authenticator = authenticator
        self.fixedScope = fixedScope
        self.bodyLimit = bodyLimit
        self.auditObserver = auditObserver
        self.problemTypePrefix = problemTypePrefix
    }

    /// Answers one request.
    ///
    /// - Parameter request: The Hummingbird request.
    /// - Returns: The response; never throws.
    public func respond(to request: Request) async -> Response {
        let start = ContinuousClock.now
        let requestID = request.headers[.requestID] ?? UUID().uuidString.lowercased()
        var headers = request.headers.map { HTTPHeaderField($0.name.rawName, $0.value) }
        if !headers.contains(where: { $0.name.lowercased() == "x-request-id" }) {
            headers.append(HTTPHeaderField(SettlementHeaderName.requestID, requestID))
        }
        var scope = fixedScope
        if let authenticator {
            do throws(SettlementAuthError) {
                scope = try await authenticator.scope(authorization: request.headers[.authorization])
            } catch {
                return refuse(
                    status: 401, type: "unauthenticated", title: "Authentication required", detail: error.message,
                    outcome: .unauthenticated, requestID: requestID, start: start,
                    extra: [HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"settlement\"")])
            }
        }
        if let scope {
            headers.removeAll { $0.name.lowercased() == SettlementHeaderName.traderScope.lowercased() }
            headers.append(HTTPHeaderField(SettlementHeaderName.traderScope, scope.description))
        }
        let body: [UInt8]
        do {
            if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit {
                throw NIOTooManyBytesError(maxBytes: bodyLimit)
            }
            var buffer = try await request.body.collect(upTo: bodyLimit)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return refuse(
                status: 413, type: "payload-too-large", title: "The body is too large",
                detail: "The body exceeds \(bodyLimit) bytes.", outcome: .payloadTooLarge, requestID: requestID,
                start: start, desk: scope?.desk)
        }
        let answer = await handle(SettlementRequest(headers: headers, body: body))
        return Self.response(answer)
    }

    /// The Hummingbird response of a gateway response.
    ///
    /// - Parameter answer: The gateway's response.
    /// - Returns: The same status, header fields and body.
    public static func response(_ answer: SettlementResponse) -> Response {
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    private func refuse(
        status: Int, type: String, title: String, detail: String, outcome: SettlementOutcome, requestID: String,
        start: ContinuousClock.Instant, desk: String? = nil, extra: [HTTPField] = []
    ) -> Response {
        let document = ProblemDetails(type: problemTypePrefix + type, title: title, status: status, detail: detail)
        var headers: [HTTPHeaderField] = [
            HTTPHeaderField("Content-Type", ProblemDetails.contentType),
            HTTPHeaderField(SettlementHeaderName.requestID, requestID),
        ]
        headers += extra.map { HTTPHeaderField($0.name.rawName, $0.value) }
        auditObserver?.record(
            SettlementAuditEvent(
                requestID: requestID, desk: desk, settlementRunID: nil, contractID: nil, keyHash: nil,
                keyDerived: false, outcome: outcome, status: status, duration: start.duration(to: .now)))
        return Self.response(SettlementResponse(status: status, headers: headers, body: document.json))
    }
}

extension SettlementOutcome {
    /// 401: the bearer token is missing, forged or expired.
    public static let unauthenticated = SettlementOutcome(rawValue: "unauthenticated")
    /// 413: the body is over the limit.
    public static let payloadTooLarge = SettlementOutcome(rawValue: "payload_too_large")
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name(SettlementHeaderName.requestID)!
}

extension RouterMethods {
    /// Routes `POST path` to a settlement responder.
    ///
    /// - Parameters:
    ///   - path: The path (default `/v1/settlements/sync`).
    ///   - responder: The responder.
    /// - Returns: The router, for chaining.
    @discardableResult
    public func addSettlementRoute(_ path: RouterPath = "/v1/settlements/sync", responder: SettlementResponder) -> Self
    {
        post(path) { request, _ in await responder.respond(to: request) }
    }
}
