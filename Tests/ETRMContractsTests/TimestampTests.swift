import ETRMContracts
import ETRMShared
import Foundation
import Testing

@Suite struct TimestampTests {
    /// Input and the UTC form it must normalise to.
    static let good: [(String, String)] = [
        ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("2025-01-01t00:00:00z", "2025-01-01T00:00:00Z"),
        ("2025-03-30T03:15:00+02:00", "2025-03-30T01:15:00Z"),
        ("2025-03-30T00:30:00+01:00", "2025-03-29T23:30:00Z"),
        ("2025-10-26T02:30:00+02:00", "2025-10-26T00:30:00Z"),
        ("2025-10-26T02:30:00+01:00", "2025-10-26T01:30:00Z"),
        ("2025-11-02T01:30:00-04:00", "2025-11-02T05:30:00Z"),
        ("2025-11-02T01:30:00-05:00", "2025-11-02T06:30:00Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
        ("2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"),
        ("2025-12-31T23:59:59-00:00", "2025-12-31T23:59:59Z"),
        ("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z"),
        ("2025-06-01T12:00:00.5Z", "2025-06-01T12:00:00.500Z"),
        ("2025-06-01T12:00:00.123Z", "2025-06-01T12:00:00.123Z"),
        ("2025-06-01T12:00:00.1234Z", "2025-06-01T12:00:00.123400Z"),
        ("2025-06-01T12:00:00.000001Z", "2025-06-01T12:00:00.000001Z"),
        ("2025-06-01T12:00:00.123456789Z", "2025-06-01T12:00:00.123456789Z"),
        ("2025-06-01T12:00:00.000000000Z", "2025-06-01T12:00:00Z"),
        ("2025-06-01T05:45:00+05:45", "2025-06-01T00:00:00Z"),
        ("2025-06-01T00:00:00+23:59", "2025-05-31T00:01:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999999Z"),
        ("1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:43.145224192Z"),
        ("2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775807Z"),
    ]

    static let bad: [(String, String)] = [
        ("2025-01-01T10:00:00", "ambiguous_timezone"),
        ("2025-01-01T10:00:00.250", "ambiguous_timezone"),
        ("2025-13-01T00:00:00Z", "invalid_timestamp"),
        ("2025-00-10T00:00:00Z", "invalid_timestamp"),
        ("2025-02-29T00:00:00Z", "invalid_timestamp"),
        ("2024-02-30T00:00:00Z", "invalid_timestamp"),
        ("1900-02-29T00:00:00Z", "invalid_timestamp"),
        ("2025-04-31T00:00:00Z", "invalid_timestamp"),
        ("2025-01-00T00:00:00Z", "invalid_timestamp"),
        ("2025-01-01T24:00:00Z", "invalid_timestamp"),
        ("2025-01-01T23:60:00Z", "invalid_timestamp"),
        ("2016-12-31T23:59:60Z", "invalid_timestamp"),
        ("2025-01-01T23:59:61Z", "invalid_timestamp"),
        ("2025-01-01 10:00:00Z", "invalid_timestamp"),
        ("2025-01-01 10:00:00", "invalid_timestamp"),
        ("2025-01-01T10:00Z", "invalid_timestamp"),
        ("2025-01-01", "invalid_timestamp"),
        ("2025-01-01T10:00:00+0100", "invalid_timestamp"),
        ("2025-01-01T10:00:00+01", "invalid_timestamp"),
        ("2025-01-01T10:00:00+24:00", "invalid_timestamp"),
        ("2025-01-01T10:00:00+01:60", "invalid_timestamp"),
        ("2025-01-01T10:00:00 CET", "invalid_timestamp"),
        ("2025-01-01T10:00:00CET", "invalid_timestamp"),
        ("2025-01-01T10:00:00ZZ", "invalid_timestamp"),
        ("2025-01-01T10:00:00.Z", "invalid_timestamp"),
        ("2025-01-01T10:00:00.1234567891Z", "invalid_timestamp"),
        ("2025-1-01T10:00:00Z", "invalid_timestamp"),
        ("25-01-01T10:00:00Z", "invalid_timestamp"),
        ("+2025-01-01T10:00:00Z", "invalid_timestamp"),
        ("2025/01/01T10:00:00Z", "invalid_timestamp"),
        (" 2025-01-01T10:00:00Z", "invalid_timestamp"),
        ("", "invalid_timestamp"),
        ("2025-01-01T10:00:00Z ", "invalid_timestamp"),
        ("1677-09-21T00:12:43.145224191Z", "out_of_range"),
        ("2262-04-11T23:47:16.854775808Z", "out_of_range"),
        ("0000-01-01T00:00:00Z", "out_of_range"),
        ("9999-12-31T23:59:59Z", "out_of_range"),
    ]

    @Test(arguments: good)
    func parsesAndNormalisesToUTC(input: String, utc: String) throws {
        let parsed = try UTCTimestamp(rfc3339: input)
        #expect(parsed.rfc3339String == utc)
        #expect(try UTCTimestamp(rfc3339: Array(input.utf8)) == parsed)
        #expect(try UTCTimestamp(rfc3339: utc) == parsed)
    }

    @Test(arguments: bad)
    func rejects(input: String, code: String) {
        #expect {
            _ = try UTCTimestamp(rfc3339: input)
        } throws: { error in
            guard let issue = error as? ValidationIssue else { return false }
            return issue.code.rawValue == code && issue.path.isEmpty && issue.value == input
        }
    }

    @Test func missingZoneMessageExplainsTheAmbiguity() throws {
        do {
            _ = try UTCTimestamp(rfc3339: "2025-01-01T10:00:00")
            Issue.record("accepted a timestamp without a zone")
        } catch {
            #expect(error.code == .ambiguousTimezone)
            #expect(error.message.contains("UTC or local"))
        }
    }

    @Test func knownInstants() throws {
        #expect(try UTCTimestamp(rfc3339: "1970-01-01T00:00:01Z").nanosecondsSinceEpoch == 1_000_000_000)
        #expect(try UTCTimestamp(rfc3339: "2025-01-01T00:00:00Z").nanosecondsSinceEpoch == 1_735_689_600_000_000_000)
        #expect(try UTCTimestamp(rfc3339: "1969-12-31T23:59:59.5Z").nanosecondsSinceEpoch == -500_000_000)
        #expect(UTCTimestamp.min.rfc3339String == "1677-09-21T00:12:43.145224192Z")
        #expect(UTCTimestamp.max.rfc3339String == "2262-04-11T23:47:16.854775807Z")
    }

    @Test func roundTripsSeededRandomInstants() throws {
        var rng = SeededGenerator(seed: 0x7153)
        for _ in 0..<20_000 {
            var nanoseconds = Int64.random(in: .min ... .max, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: nanoseconds -= nanoseconds % 1_000_000_000
            case 1: nanoseconds -= nanoseconds % 1_000_000
            default: break
            }
            let instant = UTCTimestamp(nanosecondsSinceEpoch: nanoseconds)
            let text = instant.rfc3339String
            #expect(try UTCTimestamp(rfc3339: text) == instant, "\(text)")
            // The same instant written with a random offset parses to the same value.
            let offsetMinutes = Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &rng)
            let shifted = instant.nanosecondsSinceEpoch.addingReportingOverflow(Int64(offsetMinutes) * 60_000_000_000)
            guard !shifted.overflow else { continue }
            let local = UTCTimestamp(nanosecondsSinceEpoch: shifted.partialValue).rfc3339String.dropLast()
            let sign = offsetMinutes < 0 ? "-" : "+"
            let zone =
                sign + CivilCalendar.pad(abs(offsetMinutes) / 60, 2) + ":"
                + CivilCalendar.pad(abs(offsetMinutes) % 60, 2)
            #expect(try UTCTimestamp(rfc3339: local + zone) == instant, "\(local + zone)")
        }
    }

    @Test func agreesWithFoundationISO8601Formatter() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<2_000 {
            let milliseconds = Int64.random(in: -2_208_988_800_000...4_102_444_800_000, using: &rng)
            let instant = UTCTimestamp(nanosecondsSinceEpoch: milliseconds * 1_000_000)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let foundationText = formatter.string(from: date)
            #expect(try UTCTimestamp(rfc3339: foundationText) == instant, "\(foundationText)")
            let ours = instant.rfc3339String
            let reader = ours.contains(".") ? formatter : plain
            let parsedByFoundation = try #require(reader.date(from: ours), "\(ours)")
            #expect(Int64((parsedByFoundation.timeIntervalSince1970 * 1000).rounded()) == milliseconds)
        }
    }

    @Test func durationsAndDates() throws {
        let start = try UTCTimestamp(rfc3339: "2025-03-30T00:00:00Z")
        #expect((start + .seconds(3600)).rfc3339String == "2025-03-30T01:00:00Z")
        #expect((start - .milliseconds(1)).rfc3339String == "2025-03-29T23:59:59.999Z")
        #expect((start + .seconds(90)) - start == .seconds(90))
        #expect(throws: ValidationIssue.self) { try UTCTimestamp.max.advanced(by: .nanoseconds(1)) }
        #expect(try UTCTimestamp(start.date) == start)
        #expect(try UTCTimestamp(Date(timeIntervalSince1970: 1.25)).nanosecondsSinceEpoch == 1_250_000_000)
        #expect(throws: ValidationIssue.self) { try UTCTimestamp(Date.distantFuture) }
        #expect(throws: ValidationIssue.self) { try UTCTimestamp(Date(timeIntervalSince1970: .nan)) }
        // Near the earliest instant the fraction must not overflow on the way (-9223372036.5 s is in range).
        #expect(
            try UTCTimestamp(Date(timeIntervalSince1970: -9_223_372_036.5)).nanosecondsSinceEpoch
                == -9_223_372_036_500_000_000)
        #expect(try UTCTimestamp(secondsSinceEpoch: -1).nanosecondOfSecond == 0)
        #expect(UTCTimestamp(nanosecondsSinceEpoch: -1).secondsSinceEpoch == -1)
        #expect(UTCTimestamp(nanosecondsSinceEpoch: -1).nanosecondOfSecond == 999_999_999)
    }

    @Test func codableUsesRFC3339Strings() throws {
        struct Row: Codable, Equatable { var at: UTCTimestamp }
        let row = Row(at: try UTCTimestamp(rfc3339: "2025-10-26T02:30:00.25+01:00"))
        let json = try JSONEncoder().encode(row)
        #expect(String(decoding: json, as: UTF8.self) == #"{"at":"2025-10-26T01:30:00.250Z"}"#)
        #expect(try JSONDecoder().decode(Row.self, from: json) == row)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Row.self, from: Data(#"{"at":"2025-10-26T02:30:00"}"#.utf8))
        }
    }
}
