import ETRMShared

/// The SHA-256 of a request's payload, stored with a claim so that a key reused with another payload is
/// refused (HTTP 422) instead of replaying a response that belongs to a different request.
///
/// Two forms:
/// - ``init(exactBytes:)``: the bytes as received; any change, even whitespace, is another payload.
/// - ``init(canonicalJSON:)``: the SHA-256 of the JSON document's canonical form (see ``canonicalJSON(_:)``),
///   so a retry that a client library re-serialised with other key order or spacing still matches.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    package let digest: SHA256Digest

    /// The fingerprint of exactly these bytes.
    ///
    /// - Parameter exactBytes: The payload as received.
    public init(exactBytes: some Sequence<UInt8>) {
        digest = SHA256.hash(exactBytes)
    }

    /// The fingerprint of a JSON document's canonical form.
    ///
    /// - Parameter canonicalJSON: A JSON document (RFC 8259) in UTF-8.
    /// - Throws: ``IdempotencyError/Code/invalidJSON`` naming the offset of the first problem.
    public init(canonicalJSON: some Collection<UInt8>) throws(IdempotencyError) {
        digest = SHA256.hash(try Self.canonicalJSON(canonicalJSON))
    }

    /// Rebuilds a fingerprint from its 32 ``bytes`` (for stores that persist fingerprints).
    ///
    /// - Parameter bytes: Exactly 32 bytes.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for any other length.
    public init(bytes: some Collection<UInt8>) throws(IdempotencyError) {
        guard bytes.count == SHA256.digestByteCount else {
            throw IdempotencyError(
                code: .invalidArgument, message: "a fingerprint is 32 bytes, got \(bytes.count)")
        }
        var words: [UInt32] = []
        var word: UInt32 = 0
        for (index, byte) in bytes.enumerated() {
            word = word << 8 | UInt32(byte)
            if index % 4 == 3 {
                words.append(word)
                word = 0
            }
        }
        digest = SHA256Digest(words: (words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7]))
    }

    /// The 32 bytes of the SHA-256 digest.
    public var bytes: [UInt8] { digest.bytes }

    /// The digest in lower-case hexadecimal (64 characters).
    public var description: String { digest.hex }

    /// The canonical form of a JSON document, the bytes ``init(canonicalJSON:)`` hashes.
    ///
    /// - Object members are sorted by their key's bytes as written, compared with the closing quote (so `"a"`
    ///   sorts before `"ab"`, and `"a "` before `"a"`); a key that appears twice in one object (byte for byte)
    ///   is an error, because the two readings of such a document differ.
    /// - Whitespace outside strings is dropped.
    /// - Strings (keys and values) and numbers are kept exactly as written: `1.0` and `1` differ, as do `"é"`
    ///   and `"\u00e9"`. Nothing is decoded, so nothing is lost; a difference there is a different payload.
    /// - The input must be one well-formed JSON value in valid UTF-8 (no byte order mark; a `\u` escape of a
    ///   lone surrogate is refused), nested at most 512 deep.
    ///
    /// - Parameter json: A JSON document in UTF-8.
    /// - Returns: The canonical bytes.
    /// - Throws: ``IdempotencyError/Code/invalidJSON`` naming the offset of the first problem.
    public static func canonicalJSON(_ json: some Collection<UInt8>) throws(IdempotencyError) -> [UInt8] {
        try JSONCanonicaliser.canonicalise(Array(json))
    }
}
