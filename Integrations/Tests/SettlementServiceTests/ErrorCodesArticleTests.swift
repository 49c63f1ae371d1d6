import Foundation
import SettlementAuth
import SettlementService
import Testing
import VendorSimulator

/// Each error type's codes against its module's DocC article of error codes: every code the type declares is
/// listed under its stable name, and the article lists no other.
@Suite struct ErrorCodesArticleTests {
    /// The names in the `Name` column of `Sources/<module>/<module>.docc/ErrorCodes.md`, whose rows read
    /// "| ``Type/Code/member`` | `snake_name` | meaning |".
    static func listedNames(module: String) throws -> [String] {
        let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/\(module)/\(module).docc/ErrorCodes.md")
        return try String(contentsOf: article, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("| ``") }
            .compactMap { row in
                let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                return cells.count >= 2 ? cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")) : nil
            }
    }

    @Test(arguments: [
        ("SettlementAuth", SettlementAuthError.Code.all.map(\.description)),
        ("SettlementService", SettlementServiceError.Code.all.map(\.description)),
        ("VendorSimulator", VendorSimulatorError.Code.all.map(\.description)),
    ])
    func everyDeclaredCodeIsListedOnceAndNoOther(module: String, declared: [String]) throws {
        let listed = try Self.listedNames(module: module)
        #expect(listed.sorted() == declared.sorted(), "\(module)'s ErrorCodes.md lists \(listed)")
        #expect(Set(listed).count == listed.count)
    }
}
