import ETRMContracts

/// A column of UTC instants, stored as Int64 **nanoseconds since 1970-01-01T00:00:00Z** (Unix epoch, no leap
/// seconds), which covers the years 1677 to 2262.
///
/// Zone conversion never changes the stored instants: it derives local wall-clock values, dates, hours and
/// flags from them through a table of the zone's UTC offsets (see ``TimestampColumn/localCalendar(in:peak:)``).
public struct TimestampColumn: ColumnProtocol {
    /// TradeFrame's column (see ``ColumnProtocol``).
    public static var _seal: _ColumnSeal { _ColumnSeal() }

    /// The instants as nanoseconds since the epoch.
    public let nanoseconds: Column<Int64>

    /// Wraps a column of nanoseconds since the epoch.
    ///
    /// - Parameter nanoseconds: Nanoseconds since 1970-01-01T00:00:00Z.
    public init(nanoseconds: Column<Int64>) { self.nanoseconds = nanoseconds }

    /// Creates a column from nanoseconds since the epoch (`nil` is a null row).
    ///
    /// - Parameter nanoseconds: The instants.
    public init(_ nanoseconds: some Sequence<Int64?>) { self.nanoseconds = Column(nanoseconds) }

    /// Creates a column from nanoseconds since the epoch.
    ///
    /// - Parameter nanoseconds: The instants.
    public init(_ nanoseconds: some Sequence<Int64>) { self.nanoseconds = Column(nanoseconds) }

    public var kind: ColumnKind { .timestamp }
    public var count: Int { nanoseconds.count }
    public var nullCount: Int { nanoseconds.nullCount }
    public var validity: ValidityBitmap? { nanoseconds.validity }
    public var memoryFootprint: Int { nanoseconds.memoryFootprint }

    /// Creates a column of instants (`nil` is a null row).
    ///
    /// - Parameter timestamps: The instants.
    public init(_ timestamps: some Sequence<UTCTimestamp?>) {
        self.nanoseconds = Column(timestamps.map { $0?.nanosecondsSinceEpoch })
    }

    /// The instant at `index`, or `nil` for a null row.
    public subscript(index: Int) -> UTCTimestamp? {
        nanoseconds[index].map { UTCTimestamp(nanosecondsSinceEpoch: $0) }
    }

    public func isNull(_ index: Int) -> Bool { nanoseconds.isNull(index) }
    public func slice(_ range: Range<Int>) -> TimestampColumn { TimestampColumn(nanoseconds: nanoseconds.slice(range)) }
    public func gathering(_ indices: UnsafeBufferPointer<Int>) -> TimestampColumn {
        TimestampColumn(nanoseconds: nanoseconds.gathering(indices))
    }
    public func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> TimestampColumn {
        TimestampColumn(
            nanoseconds: try nanoseconds.appending(
                contentsOf: try castAll(others, to: TimestampColumn.self).map(\.nanoseconds)))
    }

    /// RFC 3339 in UTC: `2025-03-30T01:00:00Z`, with a fraction only when it is not zero.
    public func text(at index: Int) -> String? { self[index]?.rfc3339String }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        if let text = text(at: index) {
            JSONText.writeString(text, into: &buffer)
        } else {
            buffer.append(contentsOf: "null".utf8)
        }
    }
}

extension TimestampColumn: Equatable {}

/// Appends instants and finishes into an immutable ``TimestampColumn``.
public struct TimestampColumnBuilder: Sendable {
    var builder: ColumnBuilder<Int64>

    /// Creates a builder.
    ///
    /// - Parameter capacity: Expected number of rows.
    public init(capacity: Int = 0) { builder = ColumnBuilder(capacity: capacity) }

    /// The number of rows appended so far.
    public var count: Int { builder.count }

    /// Appends an instant as nanoseconds since 1970-01-01T00:00:00Z, or a null row for `nil`.
    public mutating func append(nanoseconds: Int64?) { builder.append(nanoseconds) }

    /// Appends an instant, or a null row for `nil`.
    public mutating func append(_ timestamp: UTCTimestamp?) { builder.append(timestamp?.nanosecondsSinceEpoch) }

    /// Appends a null row.
    public mutating func appendNull() { builder.appendNull() }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> TimestampColumn { TimestampColumn(nanoseconds: builder.finish()) }
}
