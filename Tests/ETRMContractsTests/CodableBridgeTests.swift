import Foundation
import Testing

@testable import ETRMContracts

extension Widget: Decodable {
    init(from decoder: any Decoder) throws { self = try Self.recordSchema.decode(from: decoder) }
}

private struct WidgetFeed: Decodable {
    var widgets: [Widget]
}

@Suite struct CodableBridgeTests {
    /// Records through `JSONDecoder` and through the fast reader, which must agree on every one.
    @Test(arguments: [
        #"{"id": "a", "quantity": 1.5}"#,
        #"{"id": "a", "quantity": "1.5"}"#,
        #"{"id": "a b", "quantity": 0, "count": 11}"#,
        #"{"id": null}"#,
        #"{"id": "a", "quantity": 1, "count": 2.0}"#,
        #"{"id": "a", "quantity": 1, "count": 2.5}"#,
        #"{"id": "a", "quantity": 1e-19}"#,
        #"{"id": "a", "quantity": true, "extra": [1, {"x": null}]}"#,
        #"[1, 2]"#,
        #""just a string""#,
    ])
    func codableAndTheFastReaderGiveTheSameVerdict(_ record: String) throws {
        let fast = try scanWidgets(#"{"widgets": [\#(record)]}"#)
        let viaCodable: Result<Widget, ValidationFailure>
        do {
            viaCodable = .success(try JSONDecoder().decode(Widget.self, from: Data(record.utf8)))
        } catch let failure as ValidationFailure {
            viaCodable = .failure(failure)
        }
        switch viaCodable {
        case .success(let widget):
            #expect(fast.accepted.map(\.record) == [widget])
        case .failure(let failure):
            let fastIssues = try #require(fast.rejected.first?.issues)
            // `JSONDecoder` does not keep key order, so the issues are compared as sets.
            #expect(
                Set(failure.issues.map { "/widgets/0" + $0.path + " " + $0.code.rawValue })
                    == Set(fastIssues.map { $0.path + " " + $0.code.rawValue }))
        }
    }

    @Test func issuesCarryTheDecodersCodingPath() throws {
        let document = #"{"widgets": [{"id": "a", "quantity": 1}, {"id": "b", "quantity": -2}]}"#
        #expect(
            throws: ValidationFailure(issues: [
                ValidationIssue(
                    path: "/widgets/1/quantity", code: .outOfRange, message: "must be greater than 0", value: "-2")
            ])
        ) {
            try JSONDecoder().decode(WidgetFeed.self, from: Data(document.utf8))
        }
    }

    @Test func theUnknownFieldPolicyComesFromUserInfo() throws {
        let record = Data(#"{"id": "a", "quantity": 1, "colour": "red"}"#.utf8)
        #expect(try JSONDecoder().decode(Widget.self, from: record).id == "a")
        let strict = JSONDecoder()
        strict.userInfo[.etrmUnknownFieldPolicy] = UnknownFieldPolicy.reject
        #expect(throws: ValidationFailure.self) { try strict.decode(Widget.self, from: record) }
    }
}
