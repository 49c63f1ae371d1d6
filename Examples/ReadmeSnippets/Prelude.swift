// The free names README.md's quick-start snippets use, so that Snippets.swift compiles. Not API.
import ETRMContracts

/// A trade feed's bytes, as a service would have received them.
let feedBytes: [UInt8] = Array(#"{"trades": []}"#.utf8)
/// Request headers and body of a settlement submission.
let headers: [String: String] = ["Idempotency-Key": "4f1c2a"]
let body: [UInt8] = Array(#"{"settlement_run_id": "RUN0000000000001"}"#.utf8)
/// Trades accepted by the reader.
let acceptedTrades: [TradeRecord] = []

/// One page of an upstream's trades.
func fetchPage(_ number: Int) async throws -> [UInt8] { [] }
/// The upstream call a settlement gateway protects.
func submitToETRM(_ body: [UInt8]) async throws -> [UInt8] { body }
