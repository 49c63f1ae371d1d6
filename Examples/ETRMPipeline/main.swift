// etrm-pipeline: the package's main job. Validate a trade feed, quarantine what is bad, de-duplicate
// re-sends, build the TradeFrame, derive settlement cycles in the market's zone, aggregate, reconcile against
// the broker and flag breaches.
//
//     swift run -c release etrm-pipeline                         # 100,000 sample trades, in memory
//     etrm-pipeline generate --trades N --seed S --out DIR       # DIR/trades.json, DIR/broker.json
//     etrm-pipeline run --input trades.json --broker broker.json [--zone America/New_York]
//                       [--tolerance 0.005] [--dead-letters PATH] [--out DIR] [--summary-json PATH] [--quiet]
//
// The logic lives in the ETRMPipelineCore target, which the tests share.

import ETRMPipelineCore
import Foundation

#if canImport(Glibc)
    import Glibc

    // Large arrays get their own mappings, returned to the system when freed. Without a fixed threshold glibc
    // raises it (up to 32 MiB) after the first large free, and then the per-chunk columns of the parallel parse
    // are carved from the worker threads' heaps, which keep the memory after the chunks are merged: at 1M trades
    // that held about 60 MB of freed chunks in the resident set through the rest of the run.
    // (`mallopt` is in <malloc.h>, which the Glibc module does not export: it is looked up by name.)
    if let mallopt = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        _ = unsafeBitCast(mallopt, to: (@convention(c) (Int32, Int32) -> Int32).self)(mmapThreshold, 256 << 10)
    }
#endif

exit(PipelineCommand.main(Array(CommandLine.arguments.dropFirst())))
