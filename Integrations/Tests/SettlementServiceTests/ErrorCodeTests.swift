import Foundation
import JWTKit
import SettlementAuth
import SettlementService
import Testing

@Suite struct ErrorCodeTests {
    @Test func serviceErrorCodesAreDistinctAndKeepTheirNames() {
        let expected: [(SettlementServiceError.Code, String)] = [
            (.invalidConfiguration, "invalid_configuration"), (.storeUnavailable, "store_unavailable"),
        ]
        #expect(SettlementServiceError.Code.all == expected.map(\.0))
        #expect(expected.map(\.0.description) == expected.map(\.1))
    }

    @Test func authErrorCodesAreDistinctAndKeepTheirNames() {
        let expected: [(SettlementAuthError.Code, String)] = [
            (.missingToken, "missing_token"), (.invalidToken, "invalid_token"), (.expiredToken, "expired_token"),
            (.invalidClaims, "invalid_claims"), (.invalidKey, "invalid_key"),
        ]
        #expect(SettlementAuthError.Code.all == expected.map(\.0))
        #expect(expected.map(\.0.description) == expected.map(\.1))
    }

    @Test func aForgedTokenCarriesTheJWTErrorAsCause() async throws {
        let authenticator = try await SettlementAuthenticator(
            hs256Secret: String(repeating: "s", count: 32), es256PublicKeyPEM: nil)
        await #expect {
            try await authenticator.scope(authorization: "Bearer not.a.jwt")
        } throws: { error in
            guard let error = error as? SettlementAuthError else { return false }
            return error.code == .invalidToken && error.cause is JWTError
        }
    }

    @Test func anUnparsableKeyCarriesTheParserErrorAsCause() async {
        await #expect {
            try await SettlementAuthenticator(hs256Secret: nil, es256PublicKeyPEM: "not a PEM")
        } throws: { error in
            guard let error = error as? SettlementAuthError else { return false }
            return error.code == .invalidKey && error.cause != nil
        }
    }

    @Test func equalityIgnoresTheCause() {
        struct Down: Error {}
        let caused = SettlementServiceError(code: .storeUnavailable, message: "PostgreSQL db:5432", cause: Down())
        #expect(caused == SettlementServiceError(code: .storeUnavailable, message: "PostgreSQL db:5432"))
        #expect(caused.description == "store_unavailable: PostgreSQL db:5432 (cause: Down())")
    }
}
