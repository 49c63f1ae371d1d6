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

    @Test(arguments: [
        "", "   ", "-5", "1.5", "12s", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT ", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Noo 1994 08:49:37 GMT", "Sun, 30 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:61:37 GMT", "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37GMT",
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
