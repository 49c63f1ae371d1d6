#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Request ids for requests that arrive without `X-Request-ID`.
public enum SettlementRequestID {
    /// A UUIDv7 (RFC 9562) in its lowercase text form: 48 bits of Unix milliseconds, then 74 random bits from
    /// the system's random number generator. Unique across replicas without coordination, and ordered by
    /// time, so log lines sort by it.
    ///
    /// - Returns: A new id, such as `019a6f1c-3b2e-7c41-9d0a-5e8f2b7c1a44`.
    @Sendable public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, Date().timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let random = generator.next() as UInt64
        let high = milliseconds << 16 | 0x7000 | (random & 0x0FFF)
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return format(high: high, low: low)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// The 36-character text form of the 128 bits `high` and `low`, built in one buffer.
    static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for position in 0..<32 {
                if position == 8 || position == 12 || position == 16 || position == 20 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = position < 16 ? high : low
                buffer[index] = digits[Int(word >> UInt64(60 - 4 * (position % 16)) & 0xF)]
                index += 1
            }
            return index
        }
    }
}
