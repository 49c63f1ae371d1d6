import Resilience
import Testing

/// The sending side of `Retry-After`, beside its parser: what a server writes, and that it reads back.
@Suite struct RetryAfterFormattingTests {
    @Test(arguments: [
        (Duration.seconds(120), "120"), (.milliseconds(1500), "2"), (.nanoseconds(1), "1"), (.zero, "1"),
        (.seconds(-5), "1"), (.seconds(Int64(1) << 40), "2147483648"),
    ])
    func delayIsWholeSecondsRoundedUpAtLeastOne(delay: Duration, header: String) throws {
        let value = RetryAfter(delay: delay)
        #expect(value.headerValue == header)
        #expect(try RetryAfter(parsing: value.headerValue) == value)
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 29 Feb 2024 23:59:59 GMT",
        "Fri, 31 Dec 2100 12:00:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
    ])
    func datesRoundTrip(header: String) throws {
        let parsed = try RetryAfter(parsing: header)
        #expect(parsed.headerValue == header)
        #expect(try RetryAfter(parsing: parsed.headerValue) == parsed)
    }

    @Test func otherDateFormsAreWrittenAsIMFFixdate() throws {
        #expect(try RetryAfter(parsing: "Sun Nov  6 08:49:37 1994").headerValue == "Sun, 06 Nov 1994 08:49:37 GMT")
        // A leap second reads as the next second.
        #expect(try RetryAfter(parsing: "Sat, 31 Dec 2016 23:59:60 GMT").headerValue == "Sun, 01 Jan 2017 00:00:00 GMT")
    }
}
