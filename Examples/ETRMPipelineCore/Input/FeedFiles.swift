import Foundation
import TradeFrame

/// The files of one feed: its trades split across one or more documents, and the broker document.
///
/// `run --input PATH` takes a trades file or a folder, and may be repeated. A folder contributes its
/// `trades*.json` files in byte order of their names (`trades-01.json`, `trades-02.json`, …); a folder given
/// alone also supplies `broker.json` when `--broker` is not given. The files are read as one feed in the order
/// named: record indices run on from one file to the next, and the de-duplication and reconciliation see all
/// their records together, so a feed split into files gives the summary of the same feed in one file.
package struct FeedFiles: Equatable, Sendable {
    /// The trades documents, in feed order.
    package var trades: [String]
    /// The broker document.
    package var broker: String

    package init(trades: [String], broker: String) {
        self.trades = trades
        self.broker = broker
    }

    /// The files that `--input` values and `--broker` name.
    ///
    /// - Parameters:
    ///   - inputs: The `--input` values, in order: trades files or folders.
    ///   - broker: The `--broker` value, or `nil` to take `broker.json` from the single input folder.
    /// - Throws: ``PipelineError`` with code `io_failure` for a path that cannot be read, `bad_argument` for a
    ///   folder with no `trades*.json` file or a file named twice, `usage` for a missing broker file.
    package static func resolve(inputs: [String], broker: String?) throws(PipelineError) -> FeedFiles {
        let brokerPath: String
        if let broker {
            brokerPath = broker
        } else if inputs.count == 1, (try? kind(of: inputs[0])) == .folder {
            brokerPath = (inputs[0].hasSuffix("/") ? inputs[0] : inputs[0] + "/") + "broker.json"
        } else {
            throw PipelineError(
                .usage,
                "run needs --broker (or a single --input folder holding broker.json)\n\(PipelineCommandLine.usage)")
        }
        var trades: [String] = []
        for input in inputs {
            switch try kind(of: input) {
            case .folder:
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: input)
                } catch {
                    throw PipelineError(.ioFailure, "cannot list folder \(input): \(error.localizedDescription)")
                }
                let found = names.filter { $0.hasPrefix("trades") && $0.hasSuffix(".json") }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    .map { (input.hasSuffix("/") ? input : input + "/") + $0 }
                    .filter { (try? kind(of: $0)) == .file }
                guard !found.isEmpty else {
                    throw PipelineError(.badArgument, "folder \(input) holds no trades file (trades*.json) to read")
                }
                trades += found
            case .file:
                trades.append(input)
            }
        }
        // The same document named twice (two spellings, a folder and one of its files) would count its trades
        // twice; the broker document is no trades file either.
        var seen: [FileIdentity: String] = [:]
        if let identity = FileIdentity(brokerPath) { seen[identity] = brokerPath }
        for path in trades {
            guard let identity = FileIdentity(path) else { continue }
            if let earlier = seen[identity] {
                throw PipelineError(
                    .badArgument,
                    earlier == brokerPath
                        ? "\(path) is the broker file \(brokerPath); it cannot be a trades file too"
                        : "trades file \(path) is named twice (also as \(earlier)); each file is read once")
            }
            seen[identity] = path
        }
        return FeedFiles(trades: trades, broker: brokerPath)
    }

    private enum Kind { case file, folder }

    private static func kind(of path: String) throws(PipelineError) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw PipelineError(.ioFailure, "cannot read trades file \(path): \(String(cString: strerror(errno)))")
        }
        return (status.st_mode & S_IFMT) == S_IFDIR ? .folder : .file
    }

    /// A file's device and inode: equal for two paths of one file.
    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }
}

/// Joins the feeds of consecutive pieces (the files of a split feed, the pages of a network run) into one, as if
/// their records had been one array: record indices of each piece shifted by the records before it, the valid
/// rows concatenated, and each piece's frame released once it is copied.
package struct FeedJoin {
    private var feed = LoadedFeed()
    private var frames: [TradeFrame] = []
    private var shifts: [Int64] = []

    package init() {}

    /// The records of the pieces appended so far: the index the next piece's first record gets.
    package var received: Int { feed.received }

    /// The pieces appended so far and where their records start.
    package private(set) var files: [FeedFile] = []

    /// Appends the next piece; its ``LoadedFeed/quarantinedIndices`` and `input_index` are local to it.
    ///
    /// - Parameters:
    ///   - piece: The piece's feed.
    ///   - source: Its name (a file, a page's batch id).
    package mutating func append(_ piece: LoadedFeed, source: String) {
        let offset = feed.received
        files.append(FeedFile(source: source, firstIndex: offset, records: piece.received))
        feed.received += piece.received
        feed.quarantinedIndices += piece.quarantinedIndices.map { $0 + offset }
        for (code, count) in piece.quarantinedByCode { feed.quarantinedByCode[code, default: 0] += count }
        guard piece.frame.columnCount > 0 else { return }
        frames.append(piece.frame)
        shifts.append(Int64(offset))
    }

    /// The joined feed. A single piece is returned as it is; several are concatenated with
    /// `TradeFrame.concatenating(releasing:)`, so the pieces' frames are freed column by column as they are copied.
    package consuming func finish() throws(PipelineError) -> LoadedFeed {
        if frames.count == 1 && shifts[0] == 0 {
            feed.frame = frames[0]
            return feed
        }
        guard !frames.isEmpty else {
            var empty = FeedColumns(capacity: 0)
            do { feed.frame = try empty.finish() } catch {
                throw PipelineError(.internalFailure, "building an empty frame: \(error)")
            }
            return feed
        }
        do {
            // The input indices are shifted first, into each piece's own column, then everything is concatenated.
            for part in frames.indices where shifts[part] != 0 && frames[part].columnNames.contains("input_index") {
                let shift = shifts[part]
                let local = try frames[part].column("input_index", as: Column<Int64>.self)
                var shifted = ContiguousArray<Int64>()
                shifted.reserveCapacity(local.count)
                local.withUnsafeValues { values in
                    for value in values { shifted.append(value + shift) }
                }
                let names = frames[part].columnNames
                let columns = frames[part].columns
                frames[part] = try TradeFrame(
                    zip(names, columns).map { name, column in
                        (name, name == "input_index" ? Column(shifted) as any ColumnProtocol : column)
                    })
            }
            feed.frame = try TradeFrame.concatenating(releasing: &frames)
        } catch {
            throw PipelineError(.internalFailure, "joining the feed's pieces: \(error)")
        }
        return feed
    }
}

/// Where the records of one file of a feed lie in the feed's record indices.
package struct FeedFile: Sendable, Hashable {
    /// The file, as named on the command line.
    package var source: String
    /// The feed index of its first record.
    package var firstIndex: Int
    /// Its records (elements of its `trades` array).
    package var records: Int

    package init(source: String, firstIndex: Int, records: Int) {
        self.source = source
        self.firstIndex = firstIndex
        self.records = records
    }

    /// The file holding feed record `index` and the record's index within it, or `nil` past the last file.
    package static func locate(_ index: Int, in files: [FeedFile]) -> (source: String, index: Int)? {
        guard let file = files.first(where: { index >= $0.firstIndex && index < $0.firstIndex + $0.records })
        else { return nil }
        return (file.source, index - file.firstIndex)
    }
}
