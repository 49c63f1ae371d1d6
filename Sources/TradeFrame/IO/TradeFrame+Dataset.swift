import Foundation

/// Hive-style partitioned Parquet datasets: `settlement_cycle=2025-07/market=PJM/part-0.parquet`, which DuckDB
/// (`read_parquet('dir/**/*.parquet', hive_partitioning = true)`), polars and Spark read as one table.
extension TradeFrame {
    /// The value Hive writes in a path for a null key.
    static let hiveNull = "__HIVE_DEFAULT_PARTITION__"

    /// Writes one Parquet file per distinct key under `directory`, in folders `key=value`; the key columns live in
    /// the paths, not in the files.
    ///
    /// Values are percent-encoded in paths except letters, digits and `-_.:` (Hive's escaping).
    ///
    /// - Parameters:
    ///   - keys: The partition columns, outermost folder first.
    ///   - directory: The dataset's root folder (created if missing).
    ///   - rowsPerGroup: The most rows in one row group.
    ///   - codec: The page compression.
    /// - Throws: ``TradeFrameError`` with code `unknownColumn`, `invalidArgument` (no keys, or every column is a
    ///   key), or `invalidInput` when a file cannot be written.
    public func writeParquet(
        partitionedBy keys: [String], to directory: URL, rowsPerGroup: Int = 1 << 20, codec: ParquetCodec = .snappy
    ) throws(TradeFrameError) {
        guard !keys.isEmpty, keys.count < columnCount else {
            throw TradeFrameError(.invalidArgument, "partition by at least one column and keep at least one")
        }
        let wideDecimals = wideDecimalColumns()
        for partition in try partitioned(by: keys) {
            var folder = directory
            for (key, value) in zip(keys, partition.key) {
                folder.appendPathComponent("\(Self.hiveEscape(key))=\(value.map(Self.hiveEscape) ?? Self.hiveNull)")
            }
            let bytes = try partition.frame.removing(keys).parquet(
                rowsPerGroup: rowsPerGroup, codec: codec, wideDecimals: wideDecimals)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(bytes).write(to: folder.appendingPathComponent("part-0.parquet"))
            } catch {
                throw TradeFrameError(
                    .invalidInput, "cannot write \(folder.path): \(error.localizedDescription)", cause: error
                )
            }
        }
    }

    /// Reads every `.parquet` file under `directory` and restores the partition columns from the `key=value`
    /// folders (as categorical columns, after the files' columns).
    ///
    /// - Parameter directory: The dataset's root folder.
    /// - Returns: All rows, files in path order.
    /// - Throws: ``TradeFrameError`` with code `invalidInput` when the folder cannot be listed or files differ in
    ///   their partition keys, else as ``readParquet(_:)``.
    public static func readParquetDataset(at directory: URL) throws(TradeFrameError) -> TradeFrame {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else {
            throw TradeFrameError(.invalidInput, "cannot list \(directory.path)")
        }
        let paths = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".parquet") }.sorted()
        var frames: [TradeFrame] = []
        var keyNames: [String]?
        for path in paths {
            let folders = path.split(separator: "/").dropLast()
            let pairs = folders.compactMap { folder -> (String, String?)? in
                guard let equals = folder.firstIndex(of: "=") else { return nil }
                let value = hiveUnescape(folder[folder.index(after: equals)...])
                return (hiveUnescape(folder[..<equals]), value == hiveNull ? nil : value)
            }
            guard keyNames == nil || keyNames! == pairs.map(\.0) else {
                throw TradeFrameError(.invalidInput, "\(path) has other partition keys than the files before it")
            }
            keyNames = pairs.map(\.0)
            let data: Data
            do {
                data = try Data(contentsOf: directory.appendingPathComponent(path), options: .alwaysMapped)
            } catch {
                throw TradeFrameError(.invalidInput, "cannot read \(path): \(error.localizedDescription)", cause: error)
            }
            var frame = try readParquet(data)
            for (name, value) in pairs {
                frame = try frame.adding(name, CategoricalColumn(repeatElement(value, count: frame.rowCount)))
            }
            frames.append(frame)
        }
        return try concatenating(frames)
    }

    static func hiveEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func hiveUnescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            if byte == UInt8(ascii: "%"), utf8.distance(from: next, to: utf8.endIndex) >= 2,
                let value = UInt8(
                    String(decoding: utf8[next..<utf8.index(next, offsetBy: 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(next, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = next
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
