import Foundation

/// The JSON object of one line of a dead-letter file.
///
/// ```json
/// {"batch_id":"b1","issues":[{"code":"invalid_lei","message":"…","path":"/counterparty_lei","value":"…"}],
///  "quarantined_at":"2025-03-30T01:15:00Z","raw_base64":"eyJ0cmFkZV9pZCI6…","raw_text":"{\"trade_id\":…",
///  "record_index":12,"sha256":"9f…","source":"etrm-vendor-a"}
/// ```
///
/// `raw_base64` holds the bytes exactly; `raw_text` repeats them as text for people and `grep` when they are
/// valid UTF-8, and is absent otherwise.
struct DeadLetterLine: Codable {
    struct Issue: Codable {
        var path: String
        var code: String
        var message: String
        var value: String?
    }

    var sha256: String
    var recordIndex: Int
    var source: String
    var batchID: String
    var quarantinedAt: UTCTimestamp
    var issues: [Issue]
    var rawBase64: String
    var rawText: String?

    enum CodingKeys: String, CodingKey {
        case sha256, source, issues
        case recordIndex = "record_index"
        case batchID = "batch_id"
        case quarantinedAt = "quarantined_at"
        case rawBase64 = "raw_base64"
        case rawText = "raw_text"
    }

    init(_ letter: DeadLetter) {
        sha256 = letter.sha256
        recordIndex = letter.recordIndex
        source = letter.sourceName
        batchID = letter.batchID
        quarantinedAt = letter.quarantinedAt
        issues = letter.issues.map {
            Issue(path: $0.path, code: $0.code.rawValue, message: $0.message, value: $0.value)
        }
        rawBase64 = Data(letter.rawBytes).base64EncodedString()
        rawText = String(validating: letter.rawBytes, as: UTF8.self)
    }

    /// The letter, with its bytes checked against the recorded SHA-256.
    func letter() throws(DeadLetterError) -> DeadLetter {
        guard let raw = Data(base64Encoded: rawBase64) else {
            throw DeadLetterError(code: .corruptRecord, message: "raw_base64 is not valid base64")
        }
        let letter = DeadLetter(
            rawBytes: raw,
            recordIndex: recordIndex,
            issues: issues.map {
                ValidationIssue(path: $0.path, code: .init($0.code), message: $0.message, value: $0.value)
            },
            sourceName: source,
            batchID: batchID,
            quarantinedAt: quarantinedAt
        )
        guard letter.sha256 == sha256 else {
            throw DeadLetterError(code: .corruptRecord, message: "the raw bytes do not match their recorded SHA-256")
        }
        return letter
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
