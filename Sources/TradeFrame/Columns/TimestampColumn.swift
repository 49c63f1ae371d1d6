import ETRMShared

/// A column of UTC instants, stored as Int64 **nanoseconds since 1970-01-01T00:00:00Z** (Unix epoch, no leap
/// seconds), which covers the years 1677 to 2262.
///
/// Zone conversion never changes the stored instants: it derives local wall-clock values, dates, hours and
/// flags from them through a ``ZoneOffsets`` table (see ``TimestampColumn/localCalendar(in:)``).
public struct TimestampColumn: ColumnProtocol {
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

    /// Nanoseconds since the epoch at `index`, or `nil` for a null row.
    public subscript(index: Int) -> Int64? { nanoseconds[index] }

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
    public func text(at index: Int) -> String? {
        nanoseconds[index].map(Self.rfc3339)
    }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        if let text = text(at: index) {
            JSONText.writeString(text, into: &buffer)
        } else {
            buffer.append(contentsOf: "null".utf8)
        }
    }

    /// Formats nanoseconds since the epoch as RFC 3339 in UTC.
    ///
    /// - Parameter nanoseconds: The instant.
    /// - Returns: Text such as `2025-03-30T01:00:00.5Z`.
    public static func rfc3339(_ nanoseconds: Int64) -> String {
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 {
            fraction += 1_000_000_000
            seconds -= 1
        }
        let (days, secondOfDay) = CivilCalendar.splitSeconds(seconds)
        let date = CivilDate(daysSinceEpoch: Int(days))
        let second = Int(secondOfDay)
        var text =
            date.description + "T" + CivilCalendar.pad(second / 3600, 2) + ":"
            + CivilCalendar.pad(second / 60 % 60, 2) + ":" + CivilCalendar.pad(second % 60, 2)
        if fraction != 0 {
            var digits = CivilCalendar.pad(Int(fraction), 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Parses RFC 3339 with a zone (`Z` or `±hh:mm`) into nanoseconds since the epoch.
    ///
    /// - Parameter text: The timestamp.
    /// - Returns: Nanoseconds since the epoch, or `nil` when the text is not a valid, zoned RFC 3339 instant.
    public static func parseRFC3339(_ text: Substring) -> Int64? {
        let u = Array(text.utf8)
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= u.count else { return nil }
            var value = 0
            for byte in u[start..<start + length] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard u.count >= 20, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 116 || u[10] == 32, u[13] == 58,
            u[16] == 58, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            CivilCalendar.isValid(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var position = 19
        var fraction: Int64 = 0
        if position < u.count, u[position] == 46 {
            position += 1
            var digits = 0
            while position < u.count, u[position] >= 48, u[position] <= 57 {
                guard digits < 9 else { return nil }
                fraction = fraction * 10 + Int64(u[position] - 48)
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        guard position < u.count else { return nil }
        var offsetSeconds = 0
        if u[position] == 90 || u[position] == 122 {
            position += 1
        } else if u[position] == 43 || u[position] == 45 {
            guard let oh = number(position + 1, 2), u.count > position + 3, u[position + 3] == 58,
                let om = number(position + 4, 2), oh < 24, om < 60
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (u[position] == 45 ? -1 : 1)
            position += 6
        } else {
            return nil
        }
        guard position == u.count else { return nil }
        let days = Int64(CivilCalendar.days(fromYear: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = product.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
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

    /// Appends a null row.
    public mutating func appendNull() { builder.appendNull() }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> TimestampColumn { TimestampColumn(nanoseconds: builder.finish()) }
}
