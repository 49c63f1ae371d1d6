import ETRMShared

extension RecordReader {
    /// Decodes and validates one record given alone: a single JSON object (an HTTP request body, a message
    /// payload), with the reader's limits and policies and the same verdicts as a batch read.
    ///
    /// Every issue's path starts with `path`, the record's JSON Pointer in the caller's frame: `""` when the
    /// bytes are the whole body, `/instructions/3` when the caller took them from an array. A value that is not
    /// an object is `not_an_object`; bytes that are not one well-formed JSON value (trailing bytes, invalid
    /// UTF-8, a duplicate key, a string or nesting over the limits) give one structural issue with the byte
    /// offset; bytes over ``RecordReaderConfiguration/maximumDocumentSize`` are `limit_exceeded`.
    ///
    /// ```swift
    /// let reader = RecordReader<SettlementInstruction>()
    /// do {
    ///     let instruction = try reader.decode(body)
    /// } catch {
    ///     for issue in error.issues { print(issue.path, issue.code) }   // "/position_mwh out_of_range"
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The record's UTF-8 JSON bytes; surrounding whitespace is allowed.
    ///   - path: The JSON Pointer every issue is located under (RFC 6901: `""` or `/`-separated tokens).
    /// - Returns: The validated record.
    /// - Throws: ``ValidationFailure`` with every issue found, each located under `path`.
    public func decode(_ bytes: UnsafeRawBufferPointer, path: String = "") throws(ValidationFailure) -> Record {
        var issues = RecordIssues(pointer: path)
        var record: Record?
        do throws(JSONError) {
            var scanner = try JSONScanner(bytes, configuration: configuration.scanner)
            let kind = try scanner.peekKind()
            if kind == .object {
                record = try decodeObject(
                    &scanner, schema: Record.recordSchema, issues: &issues, policy: configuration.unknownFields)
            } else {
                let range = try scanner.skipValue()
                issues.add(
                    field: nil, code: .notAnObject, message: "a record must be a JSON object, found \(kind.name)",
                    value: String(decoding: scanner.bytes(range), as: UTF8.self))
            }
            try scanner.finish()
        } catch {
            issues.add(error, recordStart: 0)
        }
        guard let record, issues.isEmpty else { throw ValidationFailure(issues: issues.issues) }
        return record
    }

    /// Decodes and validates one record given alone; see ``decode(_:path:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// - Parameters:
    ///   - bytes: The record's UTF-8 JSON bytes.
    ///   - path: The JSON Pointer every issue is located under.
    /// - Returns: The validated record.
    /// - Throws: ``ValidationFailure`` with every issue found, each located under `path`.
    public func decode(_ bytes: [UInt8], path: String = "") throws(ValidationFailure) -> Record {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ValidationFailure) -> Record in try decode(raw, path: path) }
        }
        return try result.get()
    }
}
