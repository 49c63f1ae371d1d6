import ETRMContracts
import Foundation
import SettlementSync

/// The service's OpenAPI 3.1 document, built from the same rule tables as `schemas/*.schema.json`: the
/// instruction's schema is `JSONSchemaExport.schema(for: SettlementInstruction.self)`, and the run-id header
/// reuses its `settlement_run_id` pattern. `settlement-service openapi` prints it; CI diffs it with the
/// committed `Integrations/openapi.json`.
public enum SettlementOpenAPI {
    /// The document as pretty-printed JSON with sorted keys (stable, so a diff shows real changes).
    public static let document: String = {
        let data = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }()

    /// Each status of `POST /v1/settlements/sync`: what it means and the problem `type` (or nil for 201).
    public static let statuses: [(status: Int, meaning: String, problemType: String?)] = [
        (201, "Booked upstream; replays (with Idempotent-Replayed: true) for 24 h under the same key.", nil),
        (400, "X-Settlement-Run-ID missing or malformed, or a malformed Idempotency-Key.", "missing-header"),
        (401, "Bearer token missing, expired, forged, or with malformed claims.", "unauthenticated"),
        (403, "The token's contract scope does not cover the instruction's contract.", "scope-forbidden"),
        (
            409, "A request with the same key is in progress, or the settlement run is on hold after a drift.",
            "idempotency-in-progress"
        ),
        (413, "The body is over the size limit.", "payload-too-large"),
        (
            422, "The instruction is invalid (every issue listed), or the key was used with another payload.",
            "invalid-instruction"
        ),
        (429, "The desk is over its rate limit; retry after Retry-After seconds.", "rate-limited"),
        (
            502, "The upstream ETRM rejected the instruction; stored and replayed under the same key.",
            "upstream-rejected"
        ),
        (
            503, "The upstream or the store is unavailable; the key was released, retry after Retry-After seconds.",
            "upstream-unavailable"
        ),
    ]

    /// A valid instruction, the request body's example.
    public static let exampleInstruction =
        #"{"settlement_run_id":"SR2025060100000A","contract_id":"DE-BASE:2025-06","position_mwh":-2500.125,"settlement_price":87.35,"timestamp_utc":"2025-06-01T12:00:00Z"}"#

    static var instructionSchema: [String: Any] {
        let text = JSONSchemaExport.schema(for: SettlementInstruction.self)
        var schema = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        schema["$schema"] = nil
        schema["$id"] = nil
        return schema
    }

    static var object: [String: Any] {
        let instruction = instructionSchema
        let runIDPattern =
            ((instruction["properties"] as? [String: Any])?["settlement_run_id"] as? [String: Any])?["pattern"]
            ?? "^[A-Z0-9]{16}$"
        let example = (try? JSONSerialization.jsonObject(with: Data(exampleInstruction.utf8))) ?? [:]
        var responses: [String: Any] = [:]
        for entry in statuses {
            responses[String(entry.status)] = response(entry.status, entry.meaning, entry.problemType)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Settlement service",
                "version": "1.0.0",
                "description":
                    "Books desks' settlement instructions with the upstream ETRM at most once, however often a desk "
                    + "retries. Send an Idempotency-Key (or let the service derive one from the run id and body); a "
                    + "retry with the same key and body replays the stored answer. Every error is an RFC 9457 "
                    + "problem document (application/problem+json).",
            ],
            "servers": [["url": "http://127.0.0.1:8080"]],
            "security": [["bearerAuth": [String]()]],
            "paths": [
                "/v1/settlements/sync": [
                    "post": [
                        "operationId": "syncSettlement",
                        "summary": "Book a settlement instruction with the upstream ETRM",
                        "parameters": [
                            header(
                                "X-Settlement-Run-ID", required: true, "The settlement run; must equal the body's.",
                                ["type": "string", "pattern": runIDPattern], example: "SR2025060100000A"),
                            header(
                                "Idempotency-Key", required: false,
                                "The desk's key for this instruction (1 to 255 printable ASCII characters); derived "
                                    + "from the run id and body when absent.",
                                ["type": "string", "pattern": "^[!#-\\[\\]-~]{1,255}$"], example: "desk7-run1-0001"),
                            header(
                                "X-Request-ID", required: false, "Echoed on the response and in the log line.",
                                ["type": "string", "pattern": "^[!-~]{1,128}$"], example: "req-0001"),
                        ],
                        "requestBody": [
                            "required": true,
                            "content": [
                                "application/json": [
                                    "schema": ["$ref": "#/components/schemas/SettlementInstruction"],
                                    "example": example,
                                ]
                            ],
                        ],
                        "responses": responses,
                    ]
                ],
                "/health": operation(
                    "health", "Liveness: 200 while the process serves.", public: true,
                    ["200": jsonResponse("Alive.", "Health")]),
                "/ready": operation(
                    "ready", "Readiness: the store is reachable and the breaker not open.", public: true,
                    ["200": jsonResponse("Ready.", "Readiness"), "503": jsonResponse("Not ready.", "Readiness")]),
                "/metrics": operation(
                    "metrics", "Prometheus metrics.", public: true,
                    [
                        "200": [
                            "description": "Prometheus text format.",
                            "content": ["text/plain": ["schema": ["type": "string"]]],
                        ]
                    ]),
                "/openapi.json": operation(
                    "openapi", "This document.", public: true,
                    [
                        "200": [
                            "description": "The OpenAPI document.",
                            "content": ["application/json": ["schema": ["type": "object"]]],
                        ]
                    ]),
                "/docs": operation(
                    "docs", "This document as an HTML page.", public: true,
                    ["200": ["description": "HTML.", "content": ["text/html": ["schema": ["type": "string"]]]]]),
            ],
            "components": [
                "securitySchemes": [
                    "bearerAuth": [
                        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                        "description":
                            "HS256 or ES256. Claims: sub, exp, desk (1 to 64 of A-Z a-z 0-9 _ - .) and contracts (exact "
                            + "contract ids, prefixes ending in *, or *).",
                    ]
                ],
                "schemas": [
                    "SettlementInstruction": instruction,
                    "Accepted": [
                        "type": "object",
                        "required": [
                            "status", "settlement_run_id", "contract_id", "position_mwh", "acknowledged_position_mwh",
                            "upstream_reference", "idempotency_key_sha256",
                        ],
                        "properties": [
                            "status": ["const": "accepted"],
                            "settlement_run_id": ["type": "string"],
                            "contract_id": ["type": "string"],
                            "position_mwh": ["type": "number"],
                            "acknowledged_position_mwh": ["type": "number"],
                            "upstream_reference": ["type": "string"],
                            "idempotency_key_sha256": ["type": "string", "pattern": "^[0-9a-f]{64}$"],
                        ],
                    ],
                    "Problem": [
                        "type": "object",
                        "description": "RFC 9457 problem details.",
                        "required": ["type", "title", "status", "detail"],
                        "properties": [
                            "type": ["type": "string", "description": "urn:etrm:problem:<name>"],
                            "title": ["type": "string"],
                            "status": ["type": "integer"],
                            "detail": ["type": "string"],
                            "idempotency_key": ["type": "string"],
                            "upstream_code": ["type": "string"],
                            "issues": [
                                "type": "array",
                                "items": [
                                    "type": "object", "required": ["pointer", "code", "message"],
                                    "properties": [
                                        "pointer": ["type": "string"], "code": ["type": "string"],
                                        "message": ["type": "string"], "value": ["type": "string"],
                                    ],
                                ],
                            ],
                        ],
                    ],
                    "Health": [
                        "type": "object", "required": ["status"], "properties": ["status": ["const": "alive"]],
                    ],
                    "Readiness": [
                        "type": "object", "required": ["status", "store", "breaker", "last_processed_at"],
                        "properties": [
                            "status": ["enum": ["ready", "not_ready"]],
                            "store": ["enum": ["reachable", "unreachable"]],
                            "breaker": ["type": "string"],
                            "last_processed_at": ["type": ["string", "null"]],
                        ],
                    ],
                ],
            ],
        ]
    }

    private static func header(
        _ name: String, required: Bool, _ description: String, _ schema: [String: Any], example: String
    ) -> [String: Any] {
        [
            "name": name, "in": "header", "required": required, "description": description, "schema": schema,
            "example": example,
        ]
    }

    private static func operation(
        _ id: String, _ summary: String, public: Bool, _ responses: [String: Any]
    ) -> [String: Any] {
        ["get": ["operationId": id, "summary": summary, "security": [[String: Any]](), "responses": responses]]
    }

    private static func jsonResponse(_ description: String, _ schema: String) -> [String: Any] {
        [
            "description": description,
            "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]],
        ]
    }

    private static func response(_ status: Int, _ meaning: String, _ problemType: String?) -> [String: Any] {
        var headers: [String: Any] = [
            "X-Request-ID": ["description": "The request id.", "schema": ["type": "string"]]
        ]
        switch status {
        case 429, 503:
            headers["Retry-After"] = [
                "required": true, "description": "Seconds to wait before retrying.",
                "schema": ["type": "string", "pattern": "^[0-9]+$"],
            ]
        case 409:
            headers["Retry-After"] = [
                "description": "Seconds to wait before retrying, while the key is in progress.",
                "schema": ["type": "string", "pattern": "^[0-9]+$"],
            ]
        case 401:
            headers["WWW-Authenticate"] = ["required": true, "schema": ["type": "string"]]
        default: break
        }
        if status == 201 || status == 502 || status == 409 || status == 422 {
            headers["Idempotent-Replayed"] = [
                "description": "true on a replay of a stored answer.", "schema": ["enum": ["true"]],
            ]
        }
        guard let problemType else {
            return [
                "description": meaning, "headers": headers,
                "content": [
                    "application/json": [
                        "schema": ["$ref": "#/components/schemas/Accepted"],
                        "example": [
                            "status": "accepted", "settlement_run_id": "SR2025060100000A",
                            "contract_id": "DE-BASE:2025-06", "position_mwh": -2500.125,
                            "acknowledged_position_mwh": -2500.125, "upstream_reference": "TX1",
                            "idempotency_key_sha256": String(repeating: "0a", count: 32),
                        ],
                    ]
                ],
            ]
        }
        return [
            "description": meaning, "headers": headers,
            "content": [
                "application/problem+json": [
                    "schema": ["$ref": "#/components/schemas/Problem"],
                    "example": [
                        "type": "urn:etrm:problem:\(problemType)", "title": "…", "status": status, "detail": meaning,
                    ],
                ]
            ],
        ]
    }
}
