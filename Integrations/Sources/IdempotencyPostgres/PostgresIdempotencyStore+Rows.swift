import Idempotency
import NIOCore
import PostgresNIO

extension PostgresIdempotencyStore {
    /// One claim in a batch: the key's stored bytes, the fingerprint, the lease in microseconds.
    struct ClaimRequest: Sendable {
        var key: [UInt8]
        var fingerprint: [UInt8]
        var lease: Int64
    }

    /// One completion in a batch: the key's stored bytes, the owner's fence, the response, the TTL in
    /// microseconds.
    struct CompleteRequest: Sendable {
        var key: [UInt8]
        var fence: Int64
        var status: Int32
        var headerFields: ByteBuffer
        var body: ByteBuffer
        var ttl: Int64
    }

    /// A claim's row in a batch's result: the acquired fence, or the record the claim met (none when the key had
    /// no row in the statement's snapshot).
    struct ClaimRow: Sendable {
        var acquired: Bool
        var fence: Int64?
        var fingerprint: ByteBuffer?
        var state: String?
        var live: Bool?
        var leaseRemainingMicroseconds: Int64?
        var status: Int32?
        var headerFields: ByteBuffer?
        var body: ByteBuffer?

        /// Decodes a row of ``Statements/claims(_:retention:)``: its request's 1-based position and the row.
        static func decode(_ row: PostgresRow) throws -> (position: Int64, row: ClaimRow) {
            let (position, acquired, fence, fingerprint, state, live, remaining, status, headerFields, body) =
                try row.decode(
                    (Int64, Bool, Int64?, ByteBuffer?, String?, Bool?, Int64?, Int32?, ByteBuffer?, ByteBuffer?).self)
            return (
                position,
                ClaimRow(
                    acquired: acquired, fence: fence, fingerprint: fingerprint, state: state, live: live,
                    leaseRemainingMicroseconds: remaining, status: status, headerFields: headerFields, body: body)
            )
        }

        /// The claim's outcome, or nil when the record changed under the statement (released, expired, or its
        /// lease ended after the insert decided): the claim runs again.
        func outcome(for fingerprint: Fingerprint) throws -> ClaimOutcome? {
            if acquired {
                guard let fence, fence > 0 else {
                    throw IdempotencyError(code: .storeIO, message: "an acquired claim returned no fence")
                }
                return .acquired(OwnerToken(fence: UInt64(fence)))
            }
            guard live == true, state != "released" else { return nil }
            guard let stored = self.fingerprint, stored.readableBytesView.elementsEqual(fingerprint.bytes) else {
                return .fingerprintMismatch
            }
            if state == "completed" {
                guard let status, let headerFields, let body else {
                    throw IdempotencyError(code: .storeIO, message: "a completed record has no response")
                }
                return .completed(
                    StoredResponse(
                        status: Int(status), headerFields: try HeaderFieldCodec.decode(headerFields),
                        body: Array(body.readableBytesView)))
            }
            guard let remaining = leaseRemainingMicroseconds, remaining > 0 else { return nil }
            return .inProgress(leaseRemaining: .microseconds(remaining))
        }
    }

    /// An owner update's row: whether it changed the record and, if not, the record it found.
    struct OwnerVerdict: Sendable {
        var changed: Bool
        var fence: Int64?
        var state: String?
        var live: Bool?

        init(_ row: PostgresRow) throws {
            (changed, fence, state, live) = try row.decode((Bool, Int64?, String?, Bool?).self)
        }

        init(changed: Bool, fence: Int64?, state: String?, live: Bool?) {
            (self.changed, self.fence, self.state, self.live) = (changed, fence, state, live)
        }

        /// Decodes a row of ``Statements/completions(_:)``: its request's 1-based position and the verdict.
        static func decode(_ row: PostgresRow) throws -> (position: Int64, verdict: OwnerVerdict) {
            let (position, changed, fence, state, live) = try row.decode((Int64, Bool, Int64?, String?, Bool?).self)
            return (position, OwnerVerdict(changed: changed, fence: fence, state: state, live: live))
        }

        /// Throws the protocol's error when the update changed nothing (the rules of the package's own stores).
        func check(key: IdempotencyKey, token: OwnerToken) throws(IdempotencyError) {
            if changed { return }
            guard let fence, live == true, state != "released" else {
                throw IdempotencyError(
                    code: .notOwner, message: "\(key) has no record for \(token): it was released or expired")
            }
            guard UInt64(fence) == token.fence else {
                throw IdempotencyError(
                    code: .notOwner,
                    message: "\(key) is owned by fence \(fence), not \(token.fence): the lease was taken over")
            }
            if state == "completed" {
                throw IdempotencyError(code: .alreadyCompleted, message: "\(key) is already completed")
            }
            throw IdempotencyError(
                code: .notOwner, message: "\(key) changed under the update; \(token) no longer owns it")
        }
    }
}

/// Header fields in one `bytea`: per field a big-endian `u16` length and the name's UTF-8 bytes, then the same
/// for the value (a checked field is at most 4,096 bytes).
enum HeaderFieldCodec {
    static func encode(_ fields: [HTTPHeaderField]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for field in fields {
            for text in [field.name, field.value] {
                buffer.writeInteger(UInt16(text.utf8.count))
                buffer.writeString(text)
            }
        }
        return buffer
    }

    static func decode(_ stored: ByteBuffer) throws(IdempotencyError) -> [HTTPHeaderField] {
        var buffer = stored
        var fields: [HTTPHeaderField] = []
        while buffer.readableBytes > 0 {
            guard let nameLength = buffer.readInteger(as: UInt16.self),
                let name = buffer.readString(length: Int(nameLength)),
                let valueLength = buffer.readInteger(as: UInt16.self),
                let value = buffer.readString(length: Int(valueLength))
            else {
                throw IdempotencyError(code: .storeIO, message: "stored header fields are truncated")
            }
            fields.append(HTTPHeaderField(name: name, value: value))
        }
        return fields
    }
}

extension PostgresIdempotencyStore {
    /// An ``IdempotencyError`` with the I/O code for what the client threw, keeping the server's message (and
    /// SQLSTATE) and the client's error as the cause.
    static func storeError(_ operation: String, table: String, _ error: any Error) -> IdempotencyError {
        let what = "\(operation) on \(table)"
        guard let error = error as? PSQLError else {
            return IdempotencyError(code: .storeIO, message: "\(what) failed: \(error)", cause: error)
        }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return IdempotencyError(code: .storeIO, message: "\(what) failed: \(message)\(state)", cause: error)
        }
        let cause = error.underlying.map { ": \($0)" } ?? ""
        return IdempotencyError(code: .storeIO, message: "\(what) failed: \(error.code)\(cause)", cause: error)
    }
}
