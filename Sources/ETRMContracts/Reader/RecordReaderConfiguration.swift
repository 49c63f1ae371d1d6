import ETRMShared

/// What to do with a leading UTF-8 byte order mark.
public struct ByteOrderMarkPolicy: Sendable, Hashable {
    let skips: Bool
    /// Skip it, as RFC 8259 allows (the default: spreadsheet exports often carry one).
    public static let skip = ByteOrderMarkPolicy(skips: true)
    /// Reject the document with `invalid_json`.
    public static let reject = ByteOrderMarkPolicy(skips: false)
}

/// Limits and policies of a reader. Every field has a safe default.
public struct RecordReaderConfiguration: Sendable, Hashable {
    /// What to do with fields the model does not define. Default ``UnknownFieldPolicy/ignore``.
    public var unknownFields: UnknownFieldPolicy
    /// The largest input accepted, in bytes. Default 1 GiB.
    public var maximumDocumentSize: Int
    /// The deepest nesting of objects and arrays, counting the document's own object and array.
    /// Default 32 (a trade record needs 3); at most 512.
    public var maximumDepth: Int
    /// The longest string accepted, in raw bytes. Default 4096.
    public var maximumStringLength: Int
    /// What to do with a leading byte order mark. Default ``ByteOrderMarkPolicy/skip``.
    public var byteOrderMark: ByteOrderMarkPolicy
    /// The key of the record array; `nil` uses the model's (`trades`, `settlements`, `orders`).
    public var containerKey: String?

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - unknownFields: What to do with fields the model does not define.
    ///   - maximumDocumentSize: The largest input accepted, in bytes.
    ///   - maximumDepth: The deepest nesting accepted.
    ///   - maximumStringLength: The longest string accepted, in raw bytes.
    ///   - byteOrderMark: What to do with a leading byte order mark.
    ///   - containerKey: The key of the record array, or `nil` for the model's.
    public init(
        unknownFields: UnknownFieldPolicy = .ignore, maximumDocumentSize: Int = 1 << 30, maximumDepth: Int = 32,
        maximumStringLength: Int = 4096, byteOrderMark: ByteOrderMarkPolicy = .skip, containerKey: String? = nil
    ) {
        self.unknownFields = unknownFields
        self.maximumDocumentSize = maximumDocumentSize
        self.maximumDepth = maximumDepth
        self.maximumStringLength = maximumStringLength
        self.byteOrderMark = byteOrderMark
        self.containerKey = containerKey
    }

    var scanner: JSONScanner.Configuration {
        JSONScanner.Configuration(
            maximumDocumentSize: maximumDocumentSize, maximumDepth: maximumDepth,
            maximumStringLength: maximumStringLength, byteOrderMark: byteOrderMark.skips ? .skip : .reject)
    }
}

extension RecordReaderConfiguration {
    /// Where the well-formed JSON value that starts at `start` ends, within this configuration's limits.
    ///
    /// For code that splits a document itself (an array of records read in chunks on several cores) and hands
    /// ``RecordReader`` each element's exact bytes, so that it needs no JSON scanner of its own.
    ///
    /// - Parameters:
    ///   - document: The whole document.
    ///   - start: The offset of the value (whitespace before it is skipped).
    ///   - depth: How deeply the value is nested (2 for an element of `{"trades": [...]}`), counted against
    ///     ``maximumDepth``.
    /// - Returns: The offset just past the value, or `nil` when the bytes at `start` are not one well-formed
    ///   JSON value within the limits.
    public func endOfValue(in document: UnsafeRawBufferPointer, at start: Int, depth: Int = 0) -> Int? {
        guard start >= 0, start <= document.count else { return nil }
        do throws(JSONError) {
            var scanner = try JSONScanner(document, configuration: scanner)
            scanner.reposition(to: start, depth: depth)
            return try scanner.skipValue().upperBound
        } catch {
            return nil
        }
    }
}
