import ETRMShared

extension Fingerprint {
    /// Computes ``Fingerprint/init(exactBytes:)`` over bytes that arrive in pieces, such as a request body
    /// streamed from the network or lines written one at a time, without first joining them in memory.
    ///
    /// ```swift
    /// var accumulator = Fingerprint.Accumulator()
    /// for try await chunk in request.body { accumulator.update(chunk) }
    /// let fingerprint = accumulator.finalize()
    /// ```
    ///
    /// The result equals `Fingerprint(exactBytes:)` of the concatenated pieces.
    public struct Accumulator: Sendable {
        private var hasher = SHA256()

        /// Creates an accumulator that has seen no bytes.
        public init() {}

        /// Adds the next piece.
        ///
        /// - Parameter bytes: The bytes that follow those already added.
        public mutating func update(_ bytes: some Sequence<UInt8>) { hasher.update(bytes) }

        /// Adds the next piece from a raw buffer.
        ///
        /// - Parameter bytes: The bytes that follow those already added.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }

        /// The fingerprint of every byte added.
        public consuming func finalize() -> Fingerprint { Fingerprint(digest: hasher.finalize()) }
    }

    private init(digest: SHA256Digest) { self.digest = digest }
}
