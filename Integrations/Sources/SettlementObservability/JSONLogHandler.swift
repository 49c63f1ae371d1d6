import ETRMContracts
import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line: `ts`, `level`, `label`, `message` and the
/// metadata's fields, to standard output or any sink.
public struct JSONLogHandler: LogHandler {
    /// The handler's metadata, merged under each line's own.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - sink: Receives each line without its newline; standard output by default.
    public init(label: String, sink: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.sink = sink
    }

    /// Writes a line to standard output.
    ///
    /// - Parameter line: The JSON line.
    public static func standardOutput(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The handler's metadata value for `key`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one JSON line: `ts` (RFC 3339, UTC), `level`, `label`, `message`, and the handler's
    /// and the event's metadata (the event's win on a shared key).
    ///
    /// - Parameter event: The log event.
    public func log(event: LogEvent) {
        var fields = metadata
        if let own = event.metadata { fields.merge(own) { $1 } }
        // The package's own RFC 3339 writer: a formatter per line cost about 70 µs.
        var object: [String: Any] = [
            "ts": (try? UTCTimestamp(Date()))?.rfc3339String ?? "", "level": event.level.rawValue, "label": label,
            "message": event.message.description,
        ]
        for (key, value) in fields { object[key] = Self.json(value) }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        sink(String(decoding: data, as: UTF8.self))
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value):
            if let number = value as? Int { return number }
            if let flag = value as? Bool { return flag }
            if let number = value as? Double { return number }
            return value.description
        case .array(let values): return values.map(json)
        case .dictionary(let entries): return entries.mapValues(json)
        }
    }
}
