// etrm-pipeline: the package's main job. Validate a trade feed, quarantine what is bad, de-duplicate
// re-sends, build the TradeFrame, derive settlement cycles in the market's zone, aggregate, reconcile against
// the broker and flag breaches.
//
//     swift run -c release etrm-pipeline [--report report.html]  # 100,000 sample trades, in memory
//     etrm-pipeline generate --trades N --seed S --out DIR       # DIR/trades.json, DIR/broker.json
//     etrm-pipeline run --input trades.json --broker broker.json [--zone America/New_York]
//                       (--input may be repeated and may name a folder of trades*.json files)
//                       [--tolerance 0.005] [--dead-letters PATH] [--out DIR] [--summary-json PATH]
//                       [--report report.html] [--quiet]
//     etrm-pipeline run --url http://HOST:PORT --token T [--concurrency 4] [--page-size 1000]
//                       [--checkpoint DIR] [the run options above but --input/--broker]
//
// The logic lives in the ETRMPipelineCore target, which the tests share.

import ETRMPipelineCore
import Foundation

ProcessMemory.returnLargeBuffersToTheSystem()
exit(PipelineCommand.main(Array(CommandLine.arguments.dropFirst())))
