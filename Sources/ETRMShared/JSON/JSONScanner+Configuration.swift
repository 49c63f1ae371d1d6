extension JSONScanner {
    /// Limits and policies of a scan. Every field has a safe default.
    package struct Configuration: Sendable, Hashable {
        /// What the scanner does with a UTF-8 byte order mark (`EF BB BF`) at the start of the buffer.
        package enum ByteOrderMarkPolicy: Sendable, Hashable {
            /// Skip it (RFC 8259 §8.1 allows a parser to ignore it). Offsets still count from the buffer start.
            case skip
            /// Reject the document with ``JSONError/Kind/invalidJSON``.
            case reject
        }

        /// The largest buffer accepted, in bytes. Default 1 GiB.
        package var maximumDocumentSize: Int = 1 << 30
        /// The deepest nesting of objects and arrays accepted. Default 64; clamped to 1...512 so that
        /// skipping a value can never exhaust the stack.
        package var maximumDepth: Int = 64
        /// The longest string accepted, in raw (still escaped) bytes between the quotes. Default 64 KiB.
        package var maximumStringLength: Int = 65_536
        /// What to do with a leading byte order mark. Default ``ByteOrderMarkPolicy/skip``.
        package var byteOrderMark: ByteOrderMarkPolicy = .skip

        package init(
            maximumDocumentSize: Int = 1 << 30,
            maximumDepth: Int = 64,
            maximumStringLength: Int = 65_536,
            byteOrderMark: ByteOrderMarkPolicy = .skip
        ) {
            self.maximumDocumentSize = maximumDocumentSize
            self.maximumDepth = maximumDepth
            self.maximumStringLength = maximumStringLength
            self.byteOrderMark = byteOrderMark
        }

        /// ``maximumDepth`` clamped to the range the scanner supports.
        var effectiveMaximumDepth: Int { min(max(maximumDepth, 1), 512) }
    }
}
