import ETRMPipelineCore
import ETRMShared
import Foundation

/// The hand-made fixtures of `Benchmarks/Comparison/fixtures`, with their hand-computed expected files.
enum Fixtures {
    /// `Benchmarks/Comparison/fixtures` in this checkout.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/Comparison/fixtures")

    /// Every case of every fixture.
    static var cases: [FixtureCase] {
        let manager = FileManager.default
        let fixtures = (try? manager.contentsOfDirectory(atPath: root.path)) ?? []
        var result: [FixtureCase] = []
        for fixture in fixtures.sorted() {
            let casesDirectory = root.appendingPathComponent(fixture).appendingPathComponent("cases")
            guard let names = try? manager.contentsOfDirectory(atPath: casesDirectory.path) else { continue }
            for name in names.sorted() { result.append(FixtureCase(fixture: fixture, name: name)) }
        }
        return result
    }

    /// The lines of a sha16 input file (each line ends with `\n`; an empty file has no lines).
    static func lines(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The first 16 hex digits of SHA-256 over `lines` joined with `\n`, computed with the package's SHA-256
    /// directly (not through the pipeline's summary code).
    static func sha16(_ lines: [String]) -> String {
        String(SHA256.hash(Array(lines.joined(separator: "\n").utf8)).hex.prefix(16))
    }
}

/// One case: `<fixture>/cases/<name>`.
struct FixtureCase: Sendable, CustomStringConvertible {
    var fixture: String
    var name: String

    var description: String { "\(fixture)/\(name)" }
    var directory: URL { Fixtures.root.appendingPathComponent(fixture) }
    var caseDirectory: URL { directory.appendingPathComponent("cases").appendingPathComponent(name) }
    var expectsError: Bool {
        FileManager.default.fileExists(atPath: caseDirectory.appendingPathComponent("expected_error.json").path)
    }

    /// The expected summary, as ordered key/value text pairs.
    func expectedSummary() throws -> [(String, String)] {
        try SummaryText.pairs(Data(contentsOf: caseDirectory.appendingPathComponent("expected.json")))
    }

    /// `args.txt`, with relative file arguments made absolute (the runner works in the fixture folder).
    func extraArguments() throws -> [String] {
        let url = caseDirectory.appendingPathComponent("args.txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let lines = try Fixtures.lines(url)
        var result: [String] = []
        var previous = ""
        for line in lines {
            if previous == "--input" || previous == "--broker" {
                result.append(directory.appendingPathComponent(line).path)
            } else {
                result.append(line)
            }
            previous = line
        }
        return result
    }

    /// The command line the fixture runner uses, plus `--summary-json`.
    func arguments(summary: String) throws -> [String] {
        [
            "run", "--input", directory.appendingPathComponent("trades.json").path, "--broker",
            directory.appendingPathComponent("broker.json").path,
        ] + (try extraArguments()) + ["--summary-json", summary, "--quiet"]
    }
}

/// Reads a summary JSON file into ordered (key, value text) pairs, with a tiny parser for the flat object
/// the summaries are, so key order is checked too.
enum SummaryText {
    static func pairs(_ data: Data) throws -> [(String, String)] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("not a JSON object")
        }
        let text = String(decoding: data, as: UTF8.self)
        // Key order from the text: every `"key":` at the top level, in order.
        var keys: [String] = []
        var rest = Substring(text)
        while let quote = rest.firstIndex(of: "\"") {
            let afterQuote = rest.index(after: quote)
            guard let close = rest[afterQuote...].firstIndex(of: "\"") else { break }
            let candidate = String(rest[afterQuote..<close])
            var after = rest.index(after: close)
            while after < rest.endIndex, rest[after] == " " { after = rest.index(after: after) }
            if after < rest.endIndex, rest[after] == ":" { keys.append(candidate) }
            rest = rest[rest.index(after: close)...]
        }
        return keys.compactMap { key in
            guard let value = object[key] else { return nil }
            if let string = value as? String { return (key, "\"" + string + "\"") }
            return (key, "\(value)")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Output captured from a run of the program.
final class CapturedConsole: @unchecked Sendable {
    var out = ""
    var err = ""

    var console: Console {
        Console(out: { self.out += $0 }, err: { self.err += $0 }, errIsTerminal: false)
    }
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("etrm-pipeline-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
