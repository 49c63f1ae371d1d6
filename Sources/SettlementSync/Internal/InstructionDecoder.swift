import ETRMContracts

/// Reads one instruction object from a body, reporting every issue with a JSON pointer into the body.
struct InstructionDecoder: Sendable {
    let reader: RecordReader<SettlementInstruction>

    init(configuration: RecordReaderConfiguration) {
        reader = RecordReader(configuration: configuration)
    }

    /// Decodes `body`, which the caller has already checked to be one well-formed JSON value (its canonical
    /// form exists).
    func decode(_ body: [UInt8]) -> Result<SettlementInstruction, ValidationFailure> {
        // The reader reads batch documents; one instruction is the batch of one. The body was checked to be a
        // single well-formed JSON value before, so wrapping it cannot smuggle a second element in.
        var document = Array(#"{"settlements":["#.utf8)
        document.reserveCapacity(body.count + 18)
        document.append(contentsOf: body)
        document.append(contentsOf: "]}".utf8)
        var instruction: SettlementInstruction?
        var issues: [ValidationIssue] = []
        do {
            let report = try reader.read(
                document, onRecord: { instruction = $1 }, onRejected: { issues.append(contentsOf: $0.issues) })
            issues.append(contentsOf: report.documentIssues)
        } catch let failure as ValidationFailure {
            issues.append(contentsOf: failure.issues)
        } catch {
            issues.append(ValidationIssue(code: .invalidJSON, message: "the body could not be read: \(error)"))
        }
        if let instruction, issues.isEmpty { return .success(instruction) }
        if issues.isEmpty {
            issues.append(ValidationIssue(code: .notAnObject, message: "the body must be one instruction object"))
        }
        return .failure(ValidationFailure(issues: issues.map(Self.rebase)))
    }

    /// Rewrites a pointer into the wrapping batch (`/settlements/0/position_mwh`) as a pointer into the body.
    private static func rebase(_ issue: ValidationIssue) -> ValidationIssue {
        var issue = issue
        for prefix in ["/settlements/0", "/settlements"] where issue.path.hasPrefix(prefix) {
            issue.path = String(issue.path.dropFirst(prefix.count))
            break
        }
        return issue
    }
}
