import Foundation
import JWTKit
import SettlementSync

/// The claims of a settlement bearer token: who the desk is and which contracts it may settle.
///
/// ```json
/// {"sub": "alice", "desk": "DESK-07", "contracts": ["DEBY*", "NLPK-2026-Q1"], "exp": 1893456000}
/// ```
///
/// `contracts` uses the patterns of `TraderScope` (an exact id, a prefix followed by `*`, or `*`).
public struct SettlementClaims: JWTPayload, Equatable {
    /// The subject (the person or system holding the token).
    public var sub: SubjectClaim
    /// The expiry; a token past it is refused.
    public var exp: ExpirationClaim
    /// The desk the token acts for.
    public var desk: String
    /// The contract patterns the desk may settle.
    public var contracts: [String]

    /// Creates claims.
    ///
    /// - Parameters:
    ///   - subject: The subject.
    ///   - expires: The expiry.
    ///   - desk: The desk.
    ///   - contracts: The contract patterns.
    public init(subject: String, expires: Date, desk: String, contracts: [String]) {
        sub = SubjectClaim(value: subject)
        exp = ExpirationClaim(value: expires)
        self.desk = desk
        self.contracts = contracts
    }

    /// Checks the expiry.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Why a request was not authenticated (answered 401), or why the keys are unusable: a ``code``, a message for
/// the problem document's `detail`, and the JWT library's error as ``cause`` where there is one.
///
/// Two errors are equal when their code and message are; the ``cause`` is not compared.
public struct SettlementAuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: a closed set of codes declared by this module, each with a stable `snake_case` name (its
    /// ``description``). New codes may be added in minor releases; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, CaseIterable, Sendable {
            case missingToken = "missing_token"
            case invalidToken = "invalid_token"
            case expiredToken = "expired_token"
            case invalidClaims = "invalid_claims"
            case invalidKey = "invalid_key"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Every code this release declares, for tests and documentation.
        package static let all = Value.allCases.map(Code.init)

        /// The code's stable `snake_case` name.
        public var description: String { value.rawValue }

        /// No `Authorization: Bearer …` header.
        public static let missingToken = Code(.missingToken)
        /// The token's signature, algorithm or shape is not one of the configured keys'.
        public static let invalidToken = Code(.invalidToken)
        /// The token's `exp` has passed.
        public static let expiredToken = Code(.expiredToken)
        /// The claims do not make a valid scope (a malformed desk or contract pattern).
        public static let invalidClaims = Code(.invalidClaims)
        /// The configuration holds no usable key.
        public static let invalidKey = Code(.invalidKey)
    }

    /// What went wrong.
    public var code: Code
    /// What is wrong, for the problem document's `detail`.
    public var message: String
    /// The error that caused this one (the JWT library's, the scope parser's), if any.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: The explanation.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The code's name and the message, and the cause when there is one.
    public var description: String {
        guard let cause else { return "\(code): \(message)" }
        return "\(code): \(message) (cause: \(cause))"
    }

    /// Whether two errors have the same code and message; the causes are not compared.
    public static func == (lhs: SettlementAuthError, rhs: SettlementAuthError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes the code and the message, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}

/// Verifies bearer JWTs (HS256 with a shared secret, ES256 with a public key, or both) and turns their claims
/// into the `TraderScope` the gateway checks instructions against.
public struct SettlementAuthenticator: Sendable {
    private let keys: JWTKeyCollection

    /// Creates an authenticator from the configured keys.
    ///
    /// - Parameters:
    ///   - hs256Secret: The HS256 shared secret, if HS256 tokens are accepted (at least 32 bytes).
    ///   - es256PublicKeyPEM: The PEM of the ES256 public key, if ES256 tokens are accepted.
    /// - Throws: ``SettlementAuthError/Code/invalidKey`` when neither is given, the secret is short, or the PEM
    ///   does not parse.
    public init(hs256Secret: String?, es256PublicKeyPEM: String?) async throws(SettlementAuthError) {
        guard hs256Secret != nil || es256PublicKeyPEM != nil else {
            throw SettlementAuthError(
                code: .invalidKey, message: "configure an HS256 secret, an ES256 public key, or both")
        }
        let keys = JWTKeyCollection()
        if let hs256Secret {
            guard hs256Secret.utf8.count >= 32 else {
                throw SettlementAuthError(code: .invalidKey, message: "the HS256 secret must be at least 32 bytes")
            }
            await keys.add(hmac: HMACKey(from: hs256Secret), digestAlgorithm: .sha256, kid: "hs256")
        }
        if let es256PublicKeyPEM {
            do {
                await keys.add(ecdsa: try ES256PublicKey(pem: es256PublicKeyPEM), kid: "es256")
            } catch {
                throw SettlementAuthError(
                    code: .invalidKey, message: "the ES256 public key PEM does not parse: \(error)", cause: error)
            }
        }
        self.keys = keys
    }

    /// The scope a request's `Authorization` header grants.
    ///
    /// - Parameter authorization: The `Authorization` header value, if any.
    /// - Returns: The desk and its contract patterns from the verified claims.
    /// - Throws: ``SettlementAuthError`` for a missing, forged, expired or malformed token (401).
    public func scope(authorization: String?) async throws(SettlementAuthError) -> TraderScope {
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer "
        else {
            throw SettlementAuthError(code: .missingToken, message: "an Authorization: Bearer <JWT> header is required")
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let claims: SettlementClaims
        do {
            claims = try await keys.verify(token, as: SettlementClaims.self, iteratingKeys: true)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw SettlementAuthError(code: .expiredToken, message: "the token has expired", cause: error)
        } catch {
            throw SettlementAuthError(
                code: .invalidToken, message: "the token is not signed by a configured key or is malformed",
                cause: error)
        }
        do throws(SettlementSyncError) {
            return try TraderScope(desk: claims.desk, contractPatterns: claims.contracts)
        } catch {
            throw SettlementAuthError(code: .invalidClaims, message: error.message, cause: error)
        }
    }
}

/// Signs settlement tokens; for tests, demos and tooling that issues tokens to desks.
public struct SettlementTokenIssuer: Sendable {
    private let keys: JWTKeyCollection
    private let kid: JWKIdentifier

    /// An issuer of HS256 tokens.
    ///
    /// - Parameter hs256Secret: The shared secret.
    public init(hs256Secret: String) async {
        keys = JWTKeyCollection()
        kid = "hs256"
        await keys.add(hmac: HMACKey(from: hs256Secret), digestAlgorithm: .sha256, kid: kid)
    }

    /// An issuer of ES256 tokens.
    ///
    /// - Parameter es256PrivateKeyPEM: The PEM of the private key.
    /// - Throws: ``SettlementAuthError/Code/invalidKey`` when the PEM does not parse.
    public init(es256PrivateKeyPEM: String) async throws(SettlementAuthError) {
        keys = JWTKeyCollection()
        kid = "es256"
        do {
            await keys.add(ecdsa: try ES256PrivateKey(pem: es256PrivateKeyPEM), kid: kid)
        } catch {
            throw SettlementAuthError(
                code: .invalidKey, message: "the ES256 private key PEM does not parse: \(error)", cause: error)
        }
    }

    /// A signed token carrying `claims`.
    ///
    /// - Parameter claims: The claims.
    /// - Returns: The compact JWT.
    /// - Throws: When signing fails.
    public func token(_ claims: SettlementClaims) async throws -> String {
        try await keys.sign(claims, kid: kid)
    }
}
