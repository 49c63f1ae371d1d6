// etrm-schema: contract as code. Writes the JSON Schema (2020-12) of each canonical model, generated from the
// same rule tables the validators run, and reports the Swift validator's verdict on example records so that CI
// can compare it with Python's `jsonschema`.
//
//     swift run etrm-schema write [directory]       # writes <directory>/*.schema.json (default: schemas)
//     swift run etrm-schema verdicts [directory]    # one line per example: <path> <accept|reject> <codes>
//
// Examples live in `<directory>/<model file stem>/*.json` (`schemas/examples/trade_record/…`), one record each.

import ETRMContracts
import Foundation

/// The schema file stem and a validator for each model.
let models: [(stem: String, schema: String, verdict: ([UInt8]) -> (Bool, [String]))] = [
    entry(TradeRecord.self), entry(SettlementInstruction.self), entry(Order.self),
]

func entry<Record: ValidatedRecord>(_ type: Record.Type) -> (String, String, ([UInt8]) -> (Bool, [String])) {
    let fileName = JSONSchemaExport.fileName(for: type)
    let stem = String(fileName.dropLast(".schema.json".count))
    return (
        stem, JSONSchemaExport.schema(for: type),
        { bytes in
            let verdict = RecordVerdict<Record>(jsonRecord: bytes)
            return (verdict.isAccepted, verdict.issues.map(\.code.rawValue))
        }
    )
}

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "write"
let directory = arguments.count > 1 ? arguments[1] : "schemas"

switch command {
case "write":
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for model in models {
        let path = "\(directory)/\(model.stem).schema.json"
        try Data(model.schema.utf8).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }
case "verdicts":
    for model in models {
        let folder = "\(directory)/\(model.stem)"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for file in files.sorted() where file.hasSuffix(".json") {
            let path = "\(folder)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else {
                print("etrm-schema: cannot read \(path)")
                exit(2)
            }
            let (accepted, codes) = model.verdict(Array(data))
            print("\(path) \(accepted ? "accept" : "reject") \(codes.joined(separator: ","))")
        }
    }
default:
    print("usage: etrm-schema write [directory] | etrm-schema verdicts [directory]")
    exit(2)
}
