import AsyncHTTPClient
import ETRMContracts
import Foundation
import NIOCore
import Resilience
import SettlementSync

/// A `SettlementUpstream` that posts each instruction to the upstream ETRM over HTTP with AsyncHTTPClient.
///
/// One attempt per call, over the client's connection pool. The request carries the instruction's body as
/// received, `Idempotency-Key` (the submission's upstream key: one per gateway key, the same for every attempt
/// and replica, which the upstream de-duplicates on) and `X-Settlement-Fence` (the owner's fence, for its
/// logs). Its deadline is the submission's `timeLeft`, so the request is abandoned when the gateway stops
/// waiting for the attempt.
///
/// | upstream answer | result |
/// |---|---|
/// | 2xx | acknowledged: `transaction_id` (or `reference`) and `acknowledged_position_mwh` when present |
/// | 4xx other than 408 and 429 | rejected (502, stored): `code` and `detail` of the body when present |
/// | 408, 429, 5xx, a reset connection, the deadline | thrown `UpstreamError` `unavailable` or `throttled` (retried), with `Retry-After` |
/// | connection refused, no route, name lookup failed | thrown `UpstreamError` `unreachable` at once (retried) |
///
/// A refused connection fails the attempt at once (the pool does not keep retrying the connect until the
/// deadline), so the gateway's retry and breaker see it quickly.
public struct HTTPSettlementUpstream: SettlementUpstream {
    /// The upstream endpoint instructions are posted to.
    public let url: String
    /// The largest upstream answer read.
    public let maximumResponseBytes: Int
    private let client: HTTPClient

    /// Creates an upstream.
    ///
    /// - Parameters:
    ///   - url: The endpoint, for example `http://etrm.internal:8081/api/v1/settlements/sync`.
    ///   - client: The HTTP client; ``makeClient(maximumConnections:)`` makes one configured for this use.
    ///   - maximumResponseBytes: The largest answer read (default 64 KiB).
    public init(
        url: String, client: HTTPClient, maximumResponseBytes: Int = 64 << 10
    ) {
        self.url = url
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// A client with a pool of `maximumConnections` per host that does not retry a failed connect, so a refused
    /// connection is a fast, retryable failure of one attempt.
    ///
    /// - Parameter maximumConnections: The pool size per host (default 64).
    /// - Returns: A client on the shared event loop group; shut it down when the service stops.
    public static func makeClient(maximumConnections: Int = 64) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnections)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Makes one attempt.
    ///
    /// - Parameter submission: The instruction.
    /// - Returns: The acknowledgement (2xx) or business rejection (4xx).
    /// - Throws: `UpstreamError` for a failure that may pass.
    public func submit(_ submission: UpstreamSubmission) async throws -> UpstreamReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: submission.idempotencyKey)
        request.headers.add(name: "X-Settlement-Fence", value: String(submission.fence))
        request.headers.add(name: "X-Settlement-Run-ID", value: submission.settlementRunID)
        request.body = .bytes(ByteBuffer(bytes: submission.body))
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(submission.timeLeft))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, deadline: deadline)
            body = try await response.body.collect(upTo: maximumResponseBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UpstreamError(
                code: Self.isUnreachable(error) ? .unreachable : .unavailable, message: "upstream \(url): \(error)",
                cause: error)
        }
        return try Self.reply(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
            body: Array(buffer: body), submission: submission)
    }

    /// The gateway's view of an upstream answer.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - retryAfter: The `Retry-After` header, if any.
    ///   - body: The body.
    ///   - submission: The instruction sent.
    /// - Returns: The acknowledgement or rejection.
    /// - Throws: `UpstreamError` for 408, 429 and 5xx.
    static func reply(
        status: Int, retryAfter: String?, body: [UInt8], submission: UpstreamSubmission
    ) throws
        -> UpstreamReply
    {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        switch status {
        case 200..<300:
            let reference = (object["transaction_id"] ?? object["reference"]).map { "\($0)" } ?? submission.keyHash
            let position =
                (object["acknowledged_position_mwh"]).flatMap { try? ExactDecimal("\($0)") } ?? submission.positionMWh
            return .acknowledged(UpstreamAcknowledgement(reference: reference, acknowledgedPositionMWh: position))
        case 408, 429, 500...:
            let hint = retryAfter.flatMap { try? RetryAfter(parsing: $0) }.map {
                $0.delay(nowUnixSeconds: Int64(Date().timeIntervalSince1970))
            }
            throw UpstreamError(
                code: status == 429 ? .throttled : .unavailable, message: "upstream answered \(status)",
                retryAfter: hint)
        default:
            let code = (object["code"] as? String) ?? "http_\(status)"
            let reason =
                (object["detail"] as? String) ?? (object["reason"] as? String)
                ?? "the upstream answered \(status)"
            return .rejected(UpstreamRejection(code: code, reason: reason))
        }
    }

    /// Whether the request was never sent: the connection was refused or the host could not be found.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            return true
        }
        // NIOPosix's NIOConnectionError (every address refused) and AsyncHTTPClient's wrappers of it.
        let text = String(reflecting: error)
        return text.contains("NIOConnectionError") || text.contains("connectionRefused")
            || text.contains("Connection refused")
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
    }
}
