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
    /// - Throws: ``IdempotencyError/Code/invalidJSON`` naming the offset of the first problem (a duplicate
    ///   key among them).
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
    /// The form is RFC 8785's (the JSON Canonicalization Scheme) for structure, keys and strings, and keeps
    /// numbers as written:
    /// - Whitespace outside strings is dropped.
    /// - Object members are sorted by their keys' UTF-16 code units after unescaping (RFC 8785 §3.2.3), so
    ///   `"a"` sorts before `"a "` and `"\u0061b"` is the key `ab`. Two keys with the same value in one object,
    ///   however they are spelt (`"a"` and `"\u0061"`), are refused: readers disagree on which one wins, so
    ///   such a document has no single meaning (I-JSON, RFC 7493 §2.3).
    /// - Strings (keys and values) are written as RFC 8785 writes them: escapes decoded, then `"` and `\`
    ///   escaped, U+0008, U+0009, U+000A, U+000C, U+000D as `\b \t \n \f \r`, other characters below U+0020 as
    ///   `\u00xx` (lower-case hex), and everything else, `/` and non-ASCII included, as UTF-8. So `"é"`,
    ///   `"\u00e9"` and `"\u00E9"` are one string, as are `"/"` and `"\/"`.
    /// - Numbers are kept exactly as written, deliberately unlike RFC 8785 (which writes the nearest IEEE 754
    ///   double the ECMAScript way): `1.0` and `1`, `45.10` and `45.1`, `1e2` and `100`, `-0` and `0` are
    ///   different payloads. Quantities and prices in this package never pass through binary floating point;
    ///   going through a double would give `12345678901234567890` and `12345678901234567000` one
    ///   fingerprint, replaying one payload's response to another. A retry that re-spells a number gets 422.
    /// - The input must be one well-formed JSON value in valid UTF-8 (no byte order mark; a `\u` escape of a
    ///   lone surrogate is refused, as I-JSON requires), nested at most 512 deep.
    ///
    /// The canonical form is a fixed point: canonicalising it again gives the same bytes.
    ///
    /// Releases before this form sorted keys by their bytes as written, quotes included, and kept escapes as
    /// written. A document with escapes in its strings, with a key that is another key followed by a space or
    /// `!`, or with keys mixing U+E000–U+FFFF and characters above U+FFFF fingerprints differently now, so a
    /// retry of such a request across the upgrade gets 422 within the stored record's TTL, and a key derived
    /// from the canonical form (as ``IdempotencyKey/derived(settlementRunID:body:scope:)`` may be given it)
    /// is another key.
    ///
    /// - Parameter json: A JSON document in UTF-8.
    /// - Returns: The canonical bytes.
    /// - Throws: ``IdempotencyError/Code/invalidJSON`` naming the offset of the first problem.
    public static func canonicalJSON(_ json: some Collection<UInt8>) throws(IdempotencyError) -> [UInt8] {
        try JSONCanonicaliser.canonicalise(Array(json))
    }
}
