/// The simple shape of a batch document, `{"<key>": [ … ]}` (JSON whitespace allowed), found by looking at its
/// first and last bytes only, and guessed element boundaries inside the array: what a caller needs to read the
/// array in stretches with `RecordReader.readElements(_:in:firstIndex:source:batchID:onRecord:onRejected:)`.
///
/// Only a shape: whether a guessed boundary is real is decided by reading the stretches (see ``TradeChunks``).
struct RecordArrayShape {
    let bytes: UnsafeRawBufferPointer
    /// The container key, `trades` or `broker_volumes`.
    let key: String

    /// The offset of the first element of a document that begins `{"<key>": [{`, JSON whitespace allowed.
    func arrayStart() -> Int? {
        var position = 0
        let header: [UInt8] = Array("{\"\(key)\":[".utf8)
        for expected in header {
            skipSpace(&position)
            guard position < bytes.count, bytes[position] == expected else { return nil }
            position += 1
        }
        skipSpace(&position)
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { return nil }
        return position
    }

    /// The offset of the array's `]` in a document that ends `]}`, JSON whitespace allowed.
    func arrayEnd() -> Int? {
        var position = bytes.count - 1
        for expected in [UInt8(ascii: "}"), UInt8(ascii: "]")] {
            while position >= 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position -= 1 }
            guard position >= 0, bytes[position] == expected else { return nil }
            position -= 1
        }
        return position + 1
    }

    private func skipSpace(_ position: inout Int) {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The first `}` `,` `{` at or after `guess` (within 1 MiB): the offset just past the `}` and that of the
    /// `{`.
    func plausibleBoundary(after guess: Int) -> (end: Int, start: Int)? {
        var position = guess
        let limit = min(bytes.count, guess + (1 << 20))
        while position < limit {
            guard bytes[position] == UInt8(ascii: "}") else {
                position += 1
                continue
            }
            var next = position + 1
            skipSpace(&next)
            if next < bytes.count, bytes[next] == UInt8(ascii: ",") {
                next += 1
                skipSpace(&next)
                if next < bytes.count, bytes[next] == UInt8(ascii: "{") { return (position + 1, next) }
            }
            position += 1
        }
        return nil
    }
}
