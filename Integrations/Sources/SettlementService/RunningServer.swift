import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// A Hummingbird application running in the background of this process: its port, and a graceful stop.
/// Tests and the demo start the real server this way on port 0.
public struct RunningServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts `application` in a service group of its own and waits until it listens.
    ///
    /// - Parameters:
    ///   - logger: The service group's logger.
    ///   - signals: Signals that shut the server down gracefully (`.sigterm` for a process's main server).
    ///   - makeApplication: Builds the application around the `onServerRunning` callback it must pass on.
    /// - Returns: The running server.
    /// - Throws: The application's error when it stops before listening (a port in use, say).
    public static func start<App: ApplicationProtocol>(
        logger: Logger, signals: [UnixSignal] = [],
        _ makeApplication: (@escaping @Sendable (any Channel) async -> Void) -> App
    ) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = makeApplication { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        let group = ServiceGroup(
            services: [application], gracefulShutdownSignals: signals, cancellationSignals: [], logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await port in ports { return RunningServer(port: port, group: group, task: task) }
        try await task.value
        throw CancellationError()
    }

    /// Waits until the server ends (after a graceful shutdown, by ``stop()`` or a signal).
    ///
    /// - Throws: The application's error, if it failed.
    public func wait() async throws { try await task.value }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server to end.
    ///
    /// - Throws: The application's error, if it failed.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
