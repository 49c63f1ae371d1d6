import ETRMPipelineCore
import ETRMSampleFeed
import Foundation
import Testing

/// A feed split across files is one ingestion: the same summary as the feed in one file, dead letters naming
/// the file and the index within it, and structured errors for inputs that cannot be one feed.
@Suite struct FeedFilesTests {
    /// A seeded feed written whole (`one/`) and split into `parts` files (`split/trades-1.json`, …), each folder
    /// with the same `broker.json`. Returns the folders and the records per part.
    private func writeFeed(parts: Int, in directory: URL) throws -> (one: URL, split: URL, counts: [Int]) {
        let generated = try FeedGenerator(configuration: .init(trades: 4_000, seed: 5)).documents()
        let one = directory.appendingPathComponent("one")
        let split = directory.appendingPathComponent("split")
        for folder in [one, split] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(generated.broker).write(to: folder.appendingPathComponent("broker.json"))
        }
        try Data(generated.trades).write(to: one.appendingPathComponent("trades.json"))
        // The generator writes one record a line between `{"trades": [` and `]}`.
        let lines = String(decoding: generated.trades, as: UTF8.self).split(separator: "\n")
        let records = lines.dropFirst().dropLast().map { $0.hasSuffix(",") ? $0.dropLast() : $0 }
        try #require(lines.first == #"{"trades": ["# && lines.last == "]}" && records.count == 4_000)
        var counts: [Int] = []
        let size = (records.count + parts - 1) / parts
        for part in 0..<parts {
            let slice = records[min(records.count, part * size)..<min(records.count, (part + 1) * size)]
            counts.append(slice.count)
            let text = "{\"trades\": [\n" + slice.joined(separator: ",\n") + "\n]}\n"
            try Data(text.utf8).write(to: split.appendingPathComponent("trades-\(part + 1).json"))
        }
        return (one, split, counts)
    }

    private func run(_ arguments: [String]) -> (status: Int32, err: String) {
        let output = CapturedConsole()
        let status = PipelineCommand.main(["run"] + arguments + ["--quiet"], console: output.console)
        return (status, output.err)
    }

    /// `(source, record_index)` of each line of a dead-letter file.
    private func letters(_ path: String) throws -> [(String, Int)] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (try #require(object["source"] as? String), try #require(object["record_index"] as? Int))
        }
    }

    @Test func aFeedSplitIntoFilesHasTheSummaryOfTheFeedInOneFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (one, split, counts) = try writeFeed(parts: 3, in: directory)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let whole = run([
            "--input", one.appendingPathComponent("trades.json").path, "--broker",
            one.appendingPathComponent("broker.json").path, "--summary-json", path("one.json"),
            "--dead-letters", path("one.jsonl"),
        ])
        try #require(whole.status == 0, "\(whole.err)")
        // The folder: its trades*.json files in name order, and its broker.json.
        let folder = run([
            "--input", split.path, "--summary-json", path("folder.json"), "--dead-letters", path("folder.jsonl"),
        ])
        try #require(folder.status == 0, "\(folder.err)")
        // The files one by one.
        let files = (1...3).flatMap { ["--input", split.appendingPathComponent("trades-\($0).json").path] }
        let listed = run(
            files + [
                "--broker", split.appendingPathComponent("broker.json").path, "--summary-json", path("files.json"),
            ])
        try #require(listed.status == 0, "\(listed.err)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: path("one.json")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("folder.json"))) == expected)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("files.json"))) == expected)

        // Each dead letter names its file and its index there: the same records as the whole feed's letters.
        let wholeLetters = try letters(path("one.jsonl"))
        let splitLetters = try letters(path("folder.jsonl"))
        #expect(wholeLetters.count == splitLetters.count && !wholeLetters.isEmpty)
        let firsts = counts.indices.map { counts[..<$0].reduce(0, +) }
        for ((_, index), (source, local)) in zip(wholeLetters, splitLetters) {
            let part = try #require(firsts.lastIndex { $0 <= index })
            #expect(source == split.appendingPathComponent("trades-\(part + 1).json").path)
            #expect(local == index - firsts[part])
        }
    }

    @Test func feedFileLocatesARecordInItsFile() {
        let files = [
            FeedFile(source: "a.json", firstIndex: 0, records: 3),
            FeedFile(source: "empty.json", firstIndex: 3, records: 0),
            FeedFile(source: "b.json", firstIndex: 3, records: 2),
        ]
        #expect(FeedFile.locate(2, in: files)! == ("a.json", 2))
        #expect(FeedFile.locate(3, in: files)! == ("b.json", 0))
        #expect(FeedFile.locate(5, in: files) == nil)
    }

    @Test func inputsThatCannotBeOneFeedAreStructuredErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, split, _) = try writeFeed(parts: 2, in: directory)
        let broker = split.appendingPathComponent("broker.json").path
        let first = split.appendingPathComponent("trades-1.json").path
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let notTrades = directory.appendingPathComponent("trades-x.json")
        try Data(#"{"records": []}"#.utf8).write(to: notTrades)

        // Resolution: the error's code and message.
        let cases: [([String], String?, PipelineError.Code, String)] = [
            ([empty.path], broker, .badArgument, "holds no trades file (trades*.json)"),
            ([empty.path], nil, .badArgument, "holds no trades file (trades*.json)"),
            ([first, first], broker, .badArgument, "is named twice"),
            ([split.path, first], broker, .badArgument, "is named twice"),
            ([split.path + "/../split/trades-2.json", split.path], broker, .badArgument, "is named twice"),
            ([broker], broker, .badArgument, "cannot be a trades file too"),
            ([first, split.path], nil, .usage, "run needs --broker"),
            ([first], nil, .usage, "run needs --broker"),
            ([directory.appendingPathComponent("absent.json").path], broker, .ioFailure, "cannot read trades file"),
        ]
        for (inputs, brokerPath, code, message) in cases {
            let error = #expect(throws: PipelineError.self) {
                try FeedFiles.resolve(inputs: inputs, broker: brokerPath)
            }
            #expect(error?.code == code, "\(inputs)")
            #expect(error?.message.contains(message) == true, "\(inputs): \(error?.message ?? "")")
        }
        #expect(
            try FeedFiles.resolve(inputs: [split.path], broker: nil)
                == FeedFiles(
                    trades: [first, split.appendingPathComponent("trades-2.json").path],
                    broker: split.appendingPathComponent("broker.json").path))

        // A file that is not a trades document fails the run, naming the file.
        let bad = run(["--input", first, "--input", notTrades.path, "--broker", broker])
        #expect(bad.status == 1)
        #expect(bad.err.contains(notTrades.path) && bad.err.contains("no \"trades\" array"), "\(bad.err)")
        let twice = run(["--input", first, "--input", first, "--broker", broker])
        #expect(twice.status == 1 && twice.err.contains("is named twice"), "\(twice.err)")
        let none = run(["--input", empty.path, "--broker", broker])
        #expect(none.status == 1 && none.err.contains("holds no trades file"), "\(none.err)")
    }
}
