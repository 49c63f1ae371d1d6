import ETRMPipelineCore
import Foundation
import Resilience
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``URLSessionPageSource`` against a real server on 127.0.0.1 that accepts the connection and never answers.
@Suite struct URLSessionPageSourceTests {
    /// A TCP listener on a free loopback port whose kernel completes the handshakes; nothing is ever sent.
    final class SilentListener {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            try #require(descriptor >= 0 && bound == 0 && listen(descriptor, 8) == 0)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }

        /// Accepts the pending connection and reads it until the client closes it: `true` when the client closed
        /// it within `milliseconds`.
        func clientClosesConnection(within milliseconds: Int32) -> Bool {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, milliseconds) == 1 else { return false }
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return false }
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                var reader = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
                guard poll(&reader, 1, milliseconds) == 1 else { return false }
                let count = recv(connection, &buffer, buffer.count, 0)
                if count <= 0 { return count == 0 }
            }
        }
    }

    @Test func anAttemptTimeoutEndsTheRequest() async throws {
        let server = try SilentListener()
        let base = try #require(URL(string: "http://127.0.0.1:\(server.port)"))
        var settings = NetworkSettings()
        settings.partitions = 1
        settings.maxAttempts = 1
        settings.attemptTimeout = .milliseconds(300)
        let ingest = NetworkIngest(
            source: URLSessionPageSource(base: base, token: "t", connections: 1), settings: settings,
            clock: ContinuousClock())
        let started = ContinuousClock.now
        var failure: PipelineError?
        do throws(PipelineError) {
            try await ingest.run(into: PageStore(partitions: 1))
        } catch {
            failure = error
        }
        let elapsed = ContinuousClock.now - started
        let error = try #require(failure)
        #expect(error.message.contains("timed out"), "\(error.message)")
        #expect(error.message.contains("/v2/trades?partition=0"), "\(error.message)")
        // The attempt returned at its timeout (0.3 s, later only when the test pool is starved), not at
        // URLSession's own backup timeout (300 s): the request was cancelled.
        #expect(elapsed < .seconds(150), "\(elapsed)")
        // And the connection is gone: the server reads the request, then the end of the stream.
        #expect(server.clientClosesConnection(within: 500))
    }
}
