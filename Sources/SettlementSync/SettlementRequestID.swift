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

    static func format(high: UInt64, low: UInt64) -> String {
        func hex(_ value: UInt64, digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
        return hex(high >> 32, digits: 8) + "-" + hex(high >> 16 & 0xFFFF, digits: 4) + "-"
            + hex(high & 0xFFFF, digits: 4) + "-" + hex(low >> 48, digits: 4) + "-"
            + hex(low & 0xFFFF_FFFF_FFFF, digits: 12)
    }
}
