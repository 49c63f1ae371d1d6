import ETRMPipelineCore
import Foundation
import Testing

/// Every case of `Benchmarks/Comparison/fixtures`, run through the program's command line, against the
/// hand-computed expected summary (or the expected whole-run error).
@Suite struct FixtureTests {
    @Test(arguments: Fixtures.cases)
    func summaryMatchesTheHandComputedOne(_ fixture: FixtureCase) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = directory.appendingPathComponent("summary.json").path
        let output = CapturedConsole()
        let status = PipelineCommand.main(try fixture.arguments(summary: summary), console: output.console)
        if fixture.expectsError {
            #expect(status != 0, "expected a whole-run error; stdout: \(output.out)")
            #expect(!FileManager.default.fileExists(atPath: summary), "no summary may be written on an error")
            #expect(output.err.hasPrefix("error: "))
            return
        }
        try #require(status == 0, "exit \(status): \(output.err)")
        let actual = try SummaryText.pairs(Data(contentsOf: URL(fileURLWithPath: summary)))
        let expected = try fixture.expectedSummary()
        #expect(actual.map(\.0) == expected.map(\.0), "keys and their order")
        for ((key, value), (_, wanted)) in zip(actual, expected) {
            #expect(value == wanted, "\(fixture): \(key)")
        }
    }
}
