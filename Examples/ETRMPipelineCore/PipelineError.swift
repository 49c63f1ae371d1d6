/// A whole-run error of the pipeline: a file that cannot be read, a document that is not a feed, a broker file
/// with a bad row or a repeated trade id, a bad command-line argument. The program prints ``message`` and
/// exits with ``exitStatus``.
package struct PipelineError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; an open set.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(_ rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// A command-line usage error (exit status 2).
        package static let usage = Code("usage")
        /// A file that is missing or cannot be read or written.
        package static let ioFailure = Code("io_failure")
        /// The trades document cannot be read as a whole.
        package static let badDocument = Code("bad_document")
        /// The broker document, one of its rows, or a repeated trade id.
        package static let badBroker = Code("bad_broker")
        /// A bad `--zone` or `--tolerance`.
        package static let badArgument = Code("bad_argument")
        /// A failure of a module call that the inputs should never cause.
        package static let internalFailure = Code("internal_failure")
    }

    /// The kind of failure.
    package let code: Code
    /// What went wrong, for a person.
    package let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What went wrong.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The process exit status: 2 for usage errors, 1 otherwise.
    package var exitStatus: Int32 { code == .usage ? 2 : 1 }

    package var description: String { "error: \(message)" }
}
