// Hammers a journal store with claims and completions from 32 tasks and prints every acknowledged operation
// to standard output, one line per write(2), until it is killed. The crash test in IdempotencyTests kills it
// with SIGKILL at random moments and checks that every printed operation survived.
//
//   IdempotencyCrashWorker <journal directory> <run id>
//
// Lines: `READY`, `C <key> <fence>` (claim acknowledged), `D <key> <fence>` (completion acknowledged),
// `E <message>` (an unexpected error; the test fails on it). The body stored for key `…-<n>` is empty when
// n % 5 == 0 and `ok:<key>` otherwise; one key in four is left in progress.
import Idempotency

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func emit(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                exit(5)
            }
            offset += written
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    emit("E usage: IdempotencyCrashWorker <journal directory> <run id>")
    exit(2)
}
let run = arguments[2]
let store: JournalIdempotencyStore<WallClock>
let scope: IdempotencyScope
do {
    store = try JournalIdempotencyStore(directory: arguments[1])
    scope = try IdempotencyScope(tenant: "crash", operation: "hammer")
} catch {
    emit("E \(error)")
    exit(1)
}
emit("READY")

await withTaskGroup(of: Void.self) { group in
    for worker in 0..<32 {
        group.addTask {
            var index = 0
            while true {
                do {
                    let key = try IdempotencyKey(headerValue: "r\(run)-w\(worker)-\(index)", scope: scope)
                    let fingerprint = Fingerprint(exactBytes: key.value.utf8)
                    let outcome = try await store.claim(key, fingerprint: fingerprint, lease: .seconds(3600))
                    guard case .acquired(let token) = outcome else {
                        emit("E a fresh key \(key.value) was not acquired: \(outcome)")
                        exit(3)
                    }
                    emit("C \(key.value) \(token.fence)")
                    if index % 4 != 3 {
                        let body = index % 5 == 0 ? [] : Array("ok:\(key.value)".utf8)
                        try await store.complete(
                            key, token: token, response: StoredResponse(status: 201, body: body), ttl: .seconds(86_400))
                        emit("D \(key.value) \(token.fence)")
                    }
                    if worker == 0, index % 8 == 7 { try await store.compact() }
                } catch {
                    emit("E \(error)")
                    exit(4)
                }
                index += 1
            }
        }
    }
}
