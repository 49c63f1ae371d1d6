import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// An upstream ETRM over real HTTP, in this process: it books each instruction once per `Idempotency-Key`
/// (a repeated key gets the first booking's reference back) and records every booking. `--demo` runs it
/// behind the service; tests script its answers with a ``Behaviour``.
public final class UpstreamSimulator: Sendable {
    /// One request as the simulator received it.
    public struct Received: Sendable {
        /// The `Idempotency-Key` header.
        public var idempotencyKey: String?
        /// The `X-Settlement-Fence` header.
        public var fence: String?
        /// The body.
        public var body: [UInt8]
        /// How many requests with this key arrived before this one.
        public var earlierAttempts: Int
    }

    /// What the simulator answers.
    public enum Answer: Sendable {
        /// Book the instruction (once per key) and answer 201 with `transaction_id`.
        case book
        /// Answer this status, header fields and body without booking.
        case respond(status: Int, headers: [(String, String)], body: String)
    }

    /// Decides the answer to each request; may wait (to hold a request in flight).
    public typealias Behaviour = @Sendable (Received) async -> Answer

    private struct State {
        var bookings: [String: String] = [:]
        var attempts: [String: Int] = [:]
        var requests = 0
    }

    private let state = Mutex(State())
    private let behaviour: Behaviour

    /// Creates a simulator.
    ///
    /// - Parameter behaviour: The answer to each request; books every instruction by default.
    public init(behaviour: @escaping Behaviour = { _ in .book }) { self.behaviour = behaviour }

    /// The bookings so far: reference by idempotency key.
    public var bookings: [String: String] { state.withLock { $0.bookings } }
    /// The requests received so far.
    public var requestCount: Int { state.withLock { $0.requests } }

    /// Starts listening on `127.0.0.1:port` (0: a free port).
    ///
    /// - Parameters:
    ///   - port: The port.
    ///   - logger: The server's logger.
    /// - Returns: The running server; its endpoint is `http://127.0.0.1:<port>/api/v1/settlements/sync`.
    /// - Throws: When the port cannot be bound.
    public func start(port: Int = 0, logger: Logger) async throws -> RunningServer {
        let router = Router()
        router.post("/api/v1/settlements/sync") { request, _ in await self.answer(request) }
        router.get("/count") { _, _ in String(self.bookings.count) }
        return try await RunningServer.start(logger: logger) { onServerRunning in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                onServerRunning: onServerRunning, logger: logger)
        }
    }

    private func answer(_ request: Request) async -> Response {
        var buffer = (try? await request.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let body = buffer.readBytes(length: buffer.readableBytes) ?? []
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let earlier = state.withLock { state in
            state.requests += 1
            guard let key else { return 0 }
            defer { state.attempts[key, default: 0] += 1 }
            return state.attempts[key, default: 0]
        }
        let received = Received(
            idempotencyKey: key, fence: request.headers[HTTPField.Name("X-Settlement-Fence")!], body: body,
            earlierAttempts: earlier)
        switch await behaviour(received) {
        case .book:
            let reference = state.withLock { state in
                let key = key ?? "anonymous-\(state.requests)"
                if let existing = state.bookings[key] { return existing }
                let reference = "TX\(state.bookings.count + 1)"
                state.bookings[key] = reference
                return reference
            }
            return Self.response(201, [], "{\"transaction_id\":\"\(reference)\"}")
        case .respond(let status, let headers, let body):
            return Self.response(status, headers, body)
        }
    }

    private static func response(_ status: Int, _ headers: [(String, String)], _ body: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(
            status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
