"""Replicas on one PostgreSQL database: at-most-once booking under duplicates, conflicts and a killed replica.

Starts an upstream stub that records every booking (it never de-duplicates, so a double booking shows), three
settlement-service processes on one database, and sends REQUESTS requests at CONCURRENCY over all of them:
unique instructions, 20 % duplicates (same key and body, sent to another replica) and 2 % conflicting re-use
(same key, another body). One replica is SIGKILLed mid-run and restarted. A desk retries a request whose
replica died, or that was answered 409 or 503, with the same key on another replica. Afterwards, once the
lease has passed, every key is sent once more. It prints the counts and exits 1 unless:

  - 0 keys booked twice;
  - every 201 has exactly one booking (same upstream reference);
  - every booking was answered 201, or its key replays 201 on a retry;
  - 0 keys in progress after the lease (no retry is answered 409).

Usage: python3 replicas.py --service BIN --postgres-url URL [--requests 3000] [--concurrency 64]
"""
import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

SECRET = "replicas-secret-of-at-least-thirty-two-bytes"
RUN = "SR2026000000REPL"


class Stub:
    """The upstream, keeping the gateway's upstream contract: it de-duplicates on Idempotency-Key (a repeated
    key is answered with its first booking). It records every booking by key and by contract: each planned
    instruction has its own contract, so a contract booked under two keys is a double booking that
    de-duplication could not catch (the gateway sent one instruction under two upstream keys)."""

    def __init__(self):
        self.bookings = {}  # upstream key -> [reference]
        self.by_contract = {}  # contract -> set of upstream keys booked
        self.total = 0
        self.resubmissions = 0

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, key = 0, None
                for line in head.split(b"\r\n"):
                    lower = line.lower()
                    if lower.startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                    elif lower.startswith(b"idempotency-key:"):
                        key = line.split(b":", 1)[1].strip().decode()
                payload = await reader.readexactly(length) if length else b"{}"
                if key in self.bookings:
                    self.resubmissions += 1
                    reference = self.bookings[key][0]
                else:
                    self.total += 1
                    reference = f"TX{self.total}"
                    self.bookings[key] = [reference]
                    contract = json.loads(payload).get("contract_id")
                    self.by_contract.setdefault(contract, set()).add(key)
                body = json.dumps({"transaction_id": reference}).encode()
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass  # the gateway closed its pooled connection, or the run is over
        finally:
            writer.close()


async def http(host, port, method, path, headers, body=b"", timeout=30):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}",
                 "Connection: close"] + [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    fields = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower().decode()] = value.strip().decode()
    return status, fields, payload


def instruction(n, position):
    return json.dumps({"settlement_run_id": RUN, "contract_id": f"DE-REPL-{n:08d}", "position_mwh": position,
                       "settlement_price": 42.5, "timestamp_utc": "2026-01-15T10:00:00Z"}).encode()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", required=True)
    parser.add_argument("--postgres-url", required=True)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--base-port", type=int, default=18300)
    parser.add_argument("--lease-seconds", type=int, default=12)
    args = parser.parse_args()
    random.seed(20260101)
    nonce = f"{int(time.time())}-{os.getpid()}"  # keys of their own, so a second run on one database starts clean

    stub = Stub()
    server = await asyncio.start_server(stub.handle, "127.0.0.1", args.base_port)
    upstream = f"http://127.0.0.1:{args.base_port}/api/v1/settlements/sync"
    ports = [args.base_port + 1 + i for i in range(3)]
    logs = tempfile.mkdtemp(prefix="replicas-")
    processes = {}

    def start(port):
        log = open(os.path.join(logs, f"replica-{port}.log"), "ab")
        processes[port] = subprocess.Popen(
            [args.service, "serve", "--port", str(port), "--postgres-url", args.postgres_url,
             "--upstream-url", upstream, "--jwt-hs256-secret", SECRET, "--desk-rate", "100000",
             "--desk-burst", "100000", "--attempt-timeout-ms", "2000", "--retry-attempts", "3",
             "--retry-budget-seconds", "5", "--lease-seconds", str(args.lease_seconds)],
            stdout=log, stderr=subprocess.STDOUT)

    async def wait_ready(port):
        for _ in range(300):
            try:
                status, _, _ = await http("127.0.0.1", port, "GET", "/health", {}, timeout=1)
                if status == 200:
                    return
            except (OSError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.1)
        raise SystemExit(f"replica {port} did not start; see {logs}")

    for port in ports:
        start(port)
    for port in ports:
        await wait_ready(port)
    token = subprocess.run([args.service, "token", "--secret", SECRET, "--desk", "DESK-R", "--contracts", "*"],
                           check=True, capture_output=True, text=True).stdout.strip()

    # The plan: unique instructions, then 20 % duplicates and 2 % conflicts of earlier keys, shuffled.
    unique = int(args.requests / 1.22) + 1
    def key_of(n):
        return f"key-{nonce}-{n}"

    plan = [(key_of(n), instruction(n, n % 9000 + 0.5), "original") for n in range(unique)]
    for _ in range(int(args.requests * 0.20)):
        n = random.randrange(unique)
        plan.append((key_of(n), instruction(n, n % 9000 + 0.5), "duplicate"))
    for _ in range(int(args.requests * 0.02)):
        n = random.randrange(unique)
        plan.append((key_of(n), instruction(n, n % 9000 + 1.5), "conflict"))
    random.shuffle(plan)

    answers = {}  # key -> list of (status, body json)
    booked_body = {}  # key -> the body answered 201 (a conflicting re-use may arrive first and be the one booked)
    counts = {}
    sent = 0
    killed = {"port": None}

    async def send(key, body, kind, first_replica):
        nonlocal sent
        replica = first_replica
        for attempt in range(40):
            port = ports[replica % 3]
            headers = {"Authorization": f"Bearer {token}", "X-Settlement-Run-ID": RUN, "Idempotency-Key": key,
                       "Content-Type": "application/json"}
            try:
                status, fields, payload = await http("127.0.0.1", port, "POST", "/v1/settlements/sync", headers, body)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, IndexError, ValueError):
                counts["connection_error"] = counts.get("connection_error", 0) + 1
                replica += 1
                await asyncio.sleep(0.2)
                continue
            sent += 1
            counts[status] = counts.get(status, 0) + 1
            if kind == "conflict" and status != 201:
                return  # 422 (the key holds the other body) or 409 (in flight): the desk's mistake, not retried
            if status in (409, 503):
                replica += 1
                await asyncio.sleep(min(float(fields.get("retry-after", "1")), 1.0))
                continue
            answers.setdefault(key, []).append((status, json.loads(payload or b"{}")))
            if status == 201:
                booked_body[key] = body
            return
        counts["gave_up"] = counts.get("gave_up", 0) + 1

    queue = asyncio.Queue()
    for index, item in enumerate(plan):
        queue.put_nowait((index, item))

    async def worker():
        while True:
            try:
                index, (key, body, kind) = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await send(key, body, kind, index)

    async def killer():
        while sent < len(plan) // 3:
            await asyncio.sleep(0.05)
        port = ports[1]
        processes[port].send_signal(signal.SIGKILL)
        processes[port].wait()
        killed["port"] = port
        print(f"SIGKILL replica on port {port} after {sent} answers", flush=True)
        await asyncio.sleep(2)
        start(port)
        await wait_ready(port)
        print(f"replica on port {port} restarted", flush=True)

    started = time.monotonic()
    await asyncio.gather(killer(), *[worker() for _ in range(args.concurrency)])
    elapsed = time.monotonic() - started

    # After the lease: every key once more (a key the killed replica held is taken over and finished now).
    await asyncio.sleep(args.lease_seconds + 1)
    in_progress = 0
    replays = {}
    for n in range(unique):
        key = key_of(n)
        headers = {"Authorization": f"Bearer {token}", "X-Settlement-Run-ID": RUN, "Idempotency-Key": key,
                   "Content-Type": "application/json"}
        body = booked_body.get(key, instruction(n, n % 9000 + 0.5))
        status, _, payload = await http("127.0.0.1", ports[n % 3], "POST", "/v1/settlements/sync", headers, body)
        if status == 409:
            in_progress += 1
        replays[key] = (status, json.loads(payload or b"{}"))

    for process in processes.values():
        process.send_signal(signal.SIGTERM)
    clean_exits = sum(1 for process in processes.values() if process.wait(timeout=30) == 0)
    server.close()

    by_hash = stub.bookings
    double = sum(1 for keys in stub.by_contract.values() if len(keys) > 1)
    acknowledged = {}
    for key, results in answers.items():
        for status, body in results:
            if status == 201:
                acknowledged.setdefault(key, set()).add((body.get("idempotency_key_sha256"), body.get("upstream_reference")))
    bad_201 = 0
    for key, pairs in acknowledged.items():
        for key_hash, reference in pairs:
            if by_hash.get(key_hash) != [reference]:
                bad_201 += 1
    answered_hashes = {key_hash for pairs in acknowledged.values() for key_hash, _ in pairs}
    replay_hashes = {body.get("idempotency_key_sha256") for status, body in replays.values() if status == 201}
    lost = sum(1 for key_hash in by_hash if key_hash not in answered_hashes and key_hash not in replay_hashes)
    never = sum(1 for status, _ in replays.values() if status != 201)

    print(f"requests planned {len(plan)} (unique {unique}), answers {sent} in {elapsed:.1f} s at concurrency "
          f"{args.concurrency} over {len(ports)} replicas; replica {killed['port']} killed and restarted")
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))))
    print(f"bookings upstream: {stub.total} over {len(by_hash)} keys; re-submissions of a booked key "
          f"(answered with its booking): {stub.resubmissions}")
    print(f"keys booked twice (an instruction booked under two upstream keys): {double}")
    print(f"201s without exactly one matching booking: {bad_201}")
    print(f"bookings never answered 201 nor replaying 201: {lost}")
    print(f"keys in progress after the lease: {in_progress}")
    print(f"keys not replaying 201 after the run: {never}")
    print(f"replicas exiting 0 on SIGTERM: {clean_exits}/{len(processes)}")
    failed = double or bad_201 or lost or in_progress or never or counts.get("gave_up") or clean_exits != len(processes)
    print("replicas: FAILED" if failed else "replicas: OK")
    return 1 if failed else 0


sys.exit(asyncio.run(main()))
