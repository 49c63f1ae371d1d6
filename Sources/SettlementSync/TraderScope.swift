/// The caller's authority, read from the `X-Trader-Scope` header: which desk is asking and which contracts
/// it may settle.
///
/// The header is set by the service's authentication layer (from a token's claims), never trusted from the
/// open internet. Its grammar:
///
/// ```
/// X-Trader-Scope: <desk>; contracts=<pattern>[,<pattern>...]
/// X-Trader-Scope: DESK-07; contracts=DEBY*,NLPK-2026-Q1
/// ```
///
/// - `desk`: 1 to 64 of `A-Z a-z 0-9 _ - .`; it partitions the rate limiter and scopes idempotency keys, so
///   two desks' keys never meet.
/// - a pattern is an exact contract id, a prefix followed by `*`, or `*` (every contract); 1 to 32
///   characters of `A-Z a-z 0-9 _ : -` before the optional `*`.
/// - spaces around `;`, `=` and `,` are ignored; parameters other than `contracts` are ignored.
public struct TraderScope: Hashable, Sendable, CustomStringConvertible {
    /// The desk (trader) the request comes from.
    public let desk: String
    /// The contract patterns the desk may settle.
    public let contractPatterns: [String]

    /// Parses an `X-Trader-Scope` value.
    ///
    /// - Parameter headerValue: The header value.
    /// - Throws: ``SettlementSyncError/Code/invalidScope`` naming what is wrong.
    public init(headerValue: String) throws(SettlementSyncError) {
        let parts = headerValue.split(separator: ";", omittingEmptySubsequences: false).map(Self.trim)
        let desk = parts[0]
        guard (1...64).contains(desk.utf8.count), desk.utf8.allSatisfy(Self.isDeskByte) else {
            throw SettlementSyncError(
                code: .invalidScope,
                message: "X-Trader-Scope must start with a desk of 1 to 64 of A-Z a-z 0-9 _ - . (got '\(desk)')")
        }
        var patterns: [String]?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(Self.trim)
            guard pair.count == 2 else {
                throw SettlementSyncError(
                    code: .invalidScope, message: "X-Trader-Scope parameter '\(parameter)' is not name=value")
            }
            guard pair[0] == "contracts" else { continue }
            patterns = try pair[1].split(separator: ",", omittingEmptySubsequences: false).map(Self.trim).map {
                (pattern) throws(SettlementSyncError) -> String in
                try Self.checkPattern(pattern)
                return pattern
            }
        }
        guard let patterns else {
            throw SettlementSyncError(code: .invalidScope, message: "X-Trader-Scope has no contracts=… parameter")
        }
        self.desk = desk
        self.contractPatterns = patterns
    }

    /// Creates a scope from its parts.
    ///
    /// - Parameters:
    ///   - desk: The desk.
    ///   - contractPatterns: Exact ids, prefixes ending in `*`, or `*`.
    /// - Throws: ``SettlementSyncError/Code/invalidScope`` for a malformed desk or pattern.
    public init(desk: String, contractPatterns: [String]) throws(SettlementSyncError) {
        try self.init(headerValue: desk + "; contracts=" + contractPatterns.joined(separator: ","))
    }

    /// Whether the scope covers `contractID`.
    ///
    /// - Parameter contractID: The instruction's contract id.
    /// - Returns: `true` when a pattern matches it exactly or by prefix.
    public func allows(contractID: String) -> Bool {
        contractPatterns.contains { pattern in
            if pattern.hasSuffix("*") { return contractID.hasPrefix(pattern.dropLast()) }
            return contractID == pattern
        }
    }

    /// The header form of the scope.
    public var description: String { desk + "; contracts=" + contractPatterns.joined(separator: ",") }

    private static func checkPattern(_ pattern: String) throws(SettlementSyncError) {
        let stem = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
        let isValid =
            stem.isEmpty
            ? pattern == "*"
            : stem.utf8.count <= 32 && stem.utf8.allSatisfy(isContractByte)
        guard isValid else {
            throw SettlementSyncError(
                code: .invalidScope,
                message:
                    "X-Trader-Scope contract pattern '\(pattern)' must be a contract id, a prefix followed by *, or *")
        }
    }

    private static func trim(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private static func isDeskByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isContractByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
