import Resilience
import Testing

@Suite struct RetryAfterTests {
    @Test(arguments: [("0", Int64(0)), ("120", 120), (" 7\t", 7), ("000042", 42), ("99999999999999999999999", 1 << 31)])
    func deltaSeconds(header: String, seconds: Int64) throws {
        let parsed = try RetryAfter(parsing: header)
        #expect(parsed.delaySeconds == seconds)
        #expect(parsed.unixSeconds == nil)
        #expect(parsed.delay(nowUnixSeconds: 1_000) == .seconds(seconds))
    }

    /// Expected values computed independently (`date -u -d '…' +%s`).
    @Test(arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", Int64(784_111_777)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_480),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199),
        ("Fri, 31 Dec 2100 12:00:00 GMT", 4_133_937_600),
    ])
    func imfFixdate(header: String, unix: Int64) throws {
        let parsed = try RetryAfter(parsing: header)
        #expect(parsed.unixSeconds == unix)
        #expect(parsed.delay(nowUnixSeconds: unix - 90) == .seconds(90))
        #expect(parsed.delay(nowUnixSeconds: unix + 5) == .zero)
    }

    /// RFC 9110 §5.6.7: a recipient must accept all three HTTP-date formats.
    @Test(arguments: [
        "Sun Nov  6 08:49:37 1994", "Sun Nov 06 08:49:37 1994", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT",
    ])
    func theObsoleteHTTPDateFormatsReadAsTheSameInstant(header: String) throws {
        let parsed = try RetryAfter(parsing: header)
        let unix: Int64 = 784_111_777
        #expect(parsed.delay(nowUnixSeconds: unix - 90) == .seconds(90))
        #expect(parsed.delay(nowUnixSeconds: unix) == .zero)
    }

    /// An RFC 850 year is in the current century unless that is more than 50 years ahead.
    @Test func anRFC850TwoDigitYearIsReadRelativeToNow() throws {
        let now: Int64 = 1_780_000_000  // 2026-05-28
        let soon = try RetryAfter(parsing: "Tuesday, 01-Jan-30 00:00:00 GMT")  // 2030-01-01: 1_893_456_000
        #expect(soon.unixSeconds == nil)
        #expect(soon.delay(nowUnixSeconds: now) == .seconds(1_893_456_000 - now))
        let past = try RetryAfter(parsing: "Saturday, 01-Jan-77 00:00:00 GMT")  // 2077 is > 50 years ahead: 1977
        #expect(past.delay(nowUnixSeconds: now) == .zero)
        #expect(past.delay(nowUnixSeconds: 220_924_800 - 5) == .seconds(5))  // 1977-01-01 minus 5 s
    }

    /// Every delay is in 0...2³¹ s for any current time (a property FuzzRetryAfter checks): a date minus
    /// `Int64.min` overflowed and trapped, and a date far ahead gave a delay beyond the delta-seconds bound.
    @Test func aDelayIsBoundedAndNeverOverflowsWhateverTheCurrentTime() throws {
        for header in ["Fri, 31 Dec 9999 23:59:59 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "4294967296"] {
            let parsed = try RetryAfter(parsing: header)
            #expect(parsed.delay(nowUnixSeconds: .min) == .seconds(1 << 31))
            #expect(parsed.delay(nowUnixSeconds: 0) <= .seconds(1 << 31))
            #expect(parsed.delay(nowUnixSeconds: .max) == (parsed.delaySeconds == nil ? .zero : .seconds(1 << 31)))
        }
    }

    @Test(arguments: [
        "", "   ", "-5", "+5", "1.5", "12s", "1 2", "0x10", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT ", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Noo 1994 08:49:37 GMT", "Sun, 30 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:61:37 GMT", "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37GMT",
        "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 UTC", "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sunnyday, 06-Nov-94 08:49:37 GMT", "Sunday, 29-Feb-95 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 GMT", "Sun Nov  0 08:49:37 1994",
    ])
    func invalidValuesAreRejectedWithTheirReason(header: String) {
        #expect {
            _ = try RetryAfter(parsing: header)
        } throws: { error in
            guard let error = error as? ResilienceError else { return false }
            return error.code == .invalidRetryAfter && error.message.contains("Retry-After")
        }
    }
}
