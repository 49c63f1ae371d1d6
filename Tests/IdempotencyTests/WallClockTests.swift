import Foundation
import Idempotency
import Testing

@Suite struct WallClockTests {
    @Test func nowIsUnixTimeAndArithmeticClamps() {
        let now = WallClock().now
        let foundation = Int64(Date().timeIntervalSince1970 * 1e9)
        #expect(abs(now.nanosecondsSinceEpoch - foundation) < 5_000_000_000)
        #expect(now.advanced(by: .seconds(2)).nanosecondsSinceEpoch == now.nanosecondsSinceEpoch + 2_000_000_000)
        #expect(now.duration(to: now.advanced(by: .milliseconds(5))) == .milliseconds(5))
        let far = WallClock.Instant(nanosecondsSinceEpoch: .max - 1)
        #expect(far.advanced(by: .seconds(10)).nanosecondsSinceEpoch == .max)
        let early = WallClock.Instant(nanosecondsSinceEpoch: .min + 1)
        #expect(far.duration(to: early) < .zero)
        #expect(WallClock.Instant(journalNanoseconds: 42).journalNanoseconds == 42)
    }
}
