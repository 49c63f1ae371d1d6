/// Runs `operation` for every element of `elements` with at most `maxConcurrent` running at once, and
/// returns the results in the order of `elements` (fetch 500 pages, 8 at a time).
///
/// ```swift
/// let pages = try await mapConcurrently(1...500, maxConcurrent: 8) { n in
///     try await pipeline.execute { try await vendor.fetchPage(n) }
/// }
/// ```
///
/// The first error cancels the work still running and is thrown; no new work starts after it.
/// - Parameters:
///   - elements: The inputs.
///   - maxConcurrent: The most operations in flight (at least 1).
///   - operation: The work for one element.
/// - Returns: One result per element, in input order.
/// - Throws: ``ResilienceError/Code/invalidArgument`` when `maxConcurrent` is below 1, or the first error of
///   `operation`.
public func mapConcurrently<Element: Sendable, Output: Sendable>(
    _ elements: some Sequence<Element>, maxConcurrent: Int,
    _ operation: @escaping @Sendable (Element) async throws -> Output
) async throws -> [Output] {
    var results: [Output?] = []
    try await forEachConcurrently(elements, maxConcurrent: maxConcurrent, operation) { index, output in
        if index >= results.count { results.append(contentsOf: repeatElement(nil, count: index - results.count + 1)) }
        results[index] = output
    }
    return results.compactMap { $0 }
}

/// Runs `operation` for every element with at most `maxConcurrent` at once and hands each result to
/// `onResult` as it completes (in completion order, with the element's index), on the calling task, one at a
/// time, so `onResult` may mutate local state.
///
/// The first error cancels the work still running and is thrown; no new work starts after it.
/// - Parameters:
///   - elements: The inputs.
///   - maxConcurrent: The most operations in flight (at least 1).
///   - operation: The work for one element.
///   - onResult: Receives `(index, result)` as each operation completes.
/// - Throws: ``ResilienceError/Code/invalidArgument`` when `maxConcurrent` is below 1, or the first error of
///   `operation` or `onResult`.
public func forEachConcurrently<Element: Sendable, Output: Sendable>(
    _ elements: some Sequence<Element>, maxConcurrent: Int,
    _ operation: @escaping @Sendable (Element) async throws -> Output,
    onResult: (Int, Output) throws -> Void
) async throws {
    guard maxConcurrent >= 1 else {
        throw ResilienceError(
            code: .invalidArgument, message: "maxConcurrent must be at least 1 (got \(maxConcurrent))")
    }
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        var iterator = elements.enumerated().makeIterator()
        var running = 0
        while running < maxConcurrent, let (index, element) = iterator.next() {
            group.addTask { (index, try await operation(element)) }
            running += 1
        }
        while let (index, output) = try await group.next() {
            try onResult(index, output)
            if let (nextIndex, element) = iterator.next() {
                group.addTask { (nextIndex, try await operation(element)) }
            }
        }
    }
}
