import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Which feed a page belongs to: the trades or the broker volumes (PROTOCOL.md of issue 17).
package enum FeedKind: String, Sendable, Hashable, CaseIterable {
    case trades
    case broker

    /// The path under the base URL.
    package var path: String { self == .trades ? "/v2/trades" : "/v2/broker-volumes" }
    /// The key of the array in the file document (`trades.json`, `broker.json`).
    package var documentKey: String { self == .trades ? "trades" : "broker_volumes" }
}

/// One page to fetch: the feed, its partition, the cursor (`nil` for the partition's first page) and the limit.
package struct PageRequest: Sendable, Hashable {
    package var kind: FeedKind
    package var partition: Int
    package var partitions: Int
    package var cursor: String?
    package var limit: Int

    package init(kind: FeedKind, partition: Int, partitions: Int, cursor: String?, limit: Int) {
        self.kind = kind
        self.partition = partition
        self.partitions = partitions
        self.cursor = cursor
        self.limit = limit
    }

    /// The batch's deterministic id: the source (feed and partition) and the cursor, the same on every run and
    /// after a restart. Recorded with the batch's dead letters and used to recognise a page served twice.
    package var batchID: String {
        "\(kind.path)?partition=\(partition)&partitions=\(partitions)#cursor=\(cursor ?? "-")"
    }
}

/// What the server answered: the status, the `Retry-After` header if any, and the body.
package struct PageResponse: Sendable {
    package var status: Int
    package var retryAfter: String?
    package var body: [UInt8]

    package init(status: Int, retryAfter: String? = nil, body: [UInt8]) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}

/// Where pages come from: the vendor API over HTTP (``URLSessionPageSource``), or a scripted source in tests.
/// One call is one attempt; retries, timeouts and the breaker are the caller's.
package protocol PageSource: Sendable {
    /// Fetches one page.
    ///
    /// - Parameter request: The page.
    /// - Returns: The response, whatever its status.
    /// - Throws: A transport error (connection refused or reset, DNS): retryable.
    func fetch(_ request: PageRequest) async throws -> PageResponse
}

/// ``PageSource`` over HTTP with `URLSession` (from `FoundationNetworking` on Linux), bearer-token auth.
package struct URLSessionPageSource: PageSource {
    package let base: URL
    package let token: String
    private let session: URLSession

    /// - Parameters:
    ///   - base: The API's base URL (`http://127.0.0.1:8080`).
    ///   - token: The bearer token.
    ///   - connections: The most connections to the host (the job's concurrency).
    package init(base: URL, token: String, connections: Int) {
        self.base = base
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, connections)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        // The attempt timeout is the resilience pipeline's; this one only backs it up.
        configuration.timeoutIntervalForRequest = 300
        session = URLSession(configuration: configuration)
    }

    package func url(for request: PageRequest) -> URL? {
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else { return nil }
        components.path =
            (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path)
            + request.kind.path
        var items = [URLQueryItem(name: "limit", value: String(request.limit))]
        if let cursor = request.cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        items.append(URLQueryItem(name: "partition", value: String(request.partition)))
        items.append(URLQueryItem(name: "partitions", value: String(request.partitions)))
        components.queryItems = items
        // `+` is legal in a query but means a space to many servers: an opaque cursor may hold one.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url
    }

    package func fetch(_ request: PageRequest) async throws -> PageResponse {
        guard let url = url(for: request) else {
            throw PipelineError(.badArgument, "cannot build a URL from \(base) for \(request.batchID)")
        }
        var http = URLRequest(url: url)
        http.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        http.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await session.data(for: http)
        guard let response = response as? HTTPURLResponse else {
            throw PipelineError(.ioFailure, "\(url): not an HTTP response")
        }
        return PageResponse(
            status: response.statusCode, retryAfter: response.value(forHTTPHeaderField: "Retry-After"),
            body: [UInt8](data))
    }
}
