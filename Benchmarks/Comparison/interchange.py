"""Python half of interchange.sh (issue 18): times pyarrow writing and reading the same table TradeFrame wrote,
then prints one side-by-side table with TradeFrame's figures (JSON lines from interchange-benchmark) and the
two targets of the issue.

    python3 interchange.py DIR SWIFT_JSONL [REPEATS] [--check]

pyarrow takes its table from DIR/swift.arrow, so both sides handle the same rows and types. pyarrow writes
Parquet with Snappy (its default) and the Arrow IPC file uncompressed (as TradeFrame does; Feather's default
would be LZ4), and reads Parquet with `pq.read_table` and the IPC file through `pa.memory_map`, all with its
default threads. Times are the best of REPEATS, with the file in the page cache. With --check the exit status
is 1 when a target is missed (the read throughput only from 1,000,000 trades up: small files measure overheads).
"""
import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

args = [a for a in sys.argv[1:] if not a.startswith("--")]
check = "--check" in sys.argv
folder, swift_lines = Path(args[0]), Path(args[1])
repeats = int(args[2]) if len(args) > 2 else 3


def best(body):
    fastest = float("inf")
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        body()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest


with pa.memory_map(str(folder / "swift.arrow")) as source:
    table = pa.ipc.open_file(source).read_all()
# pyarrow reads TradeFrame's Parquet file to the same values and types (a categorical column is a dictionary
# in Arrow IPC and a dictionary-encoded string column in Parquet, which pyarrow reads back as plain strings).
from_parquet = pq.read_table(folder / "swift.parquet")
for name in table.column_names:
    column = table[name]
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if from_parquet.schema.field(name).type != column.type or not from_parquet[name].equals(column):
        sys.exit(f"interchange: pyarrow reads column {name} of swift.parquet differently from swift.arrow")

parquet_path, arrow_path = folder / "pyarrow.parquet", folder / "pyarrow.arrow"
rows = {}


def read_parquet():
    rows["parquet"] = pq.read_table(parquet_path).num_rows


def read_arrow():
    with pa.memory_map(str(arrow_path)) as source:
        rows["arrow"] = pa.ipc.open_file(source).read_all().num_rows


results = [json.loads(line) for line in swift_lines.read_text().splitlines() if line.strip()]
results.append({
    "tool": "pyarrow", "format": "parquet",
    "write_s": best(lambda: pq.write_table(table, parquet_path, compression="snappy")),
    "read_s": best(read_parquet), "bytes": parquet_path.stat().st_size,
})
results.append({
    "tool": "pyarrow", "format": "arrow",
    "write_s": best(lambda: feather.write_feather(table, arrow_path, compression="uncompressed")),
    "read_s": best(read_arrow), "bytes": arrow_path.stat().st_size,
})
assert rows == {"parquet": table.num_rows, "arrow": table.num_rows}, rows

trades = results[0]["trades"]
print(f"{trades:,} trades -> {table.num_rows:,} rows x {table.num_columns} columns (the cleaned trade frame), "
      f"best of {repeats}, "
      f"pyarrow {pa.__version__}")
print(f"{'format':<18}{'tool':<10}{'write s':>9}{'read s':>9}{'MB':>9}{'write MB/s':>12}{'read MB/s':>11}")
label = {"parquet": "Parquet (Snappy)", "arrow": "Arrow IPC file"}
by = {}
for r in results:
    by[(r["tool"], r["format"])] = r
    mb = r["bytes"] / 1e6
    print(f"{label[r['format']]:<18}{r['tool']:<10}{r['write_s']:>9.3f}{r['read_s']:>9.3f}{mb:>9.2f}"
          f"{mb / r['write_s']:>12,.0f}{mb / r['read_s']:>11,.0f}")

ratio = by[("swift", "parquet")]["bytes"] / by[("pyarrow", "parquet")]["bytes"]
throughput = by[("swift", "arrow")]["bytes"] / by[("swift", "arrow")]["read_s"] / 1e9
size_ok, speed_ok = ratio <= 1.5, throughput >= 2.0
print(f"target: TradeFrame's Parquet file / pyarrow's Snappy file = {ratio:.2f} (<= 1.5: "
      f"{'met' if size_ok else 'MISSED'})")
print(f"target: TradeFrame's Arrow IPC read of the mapped file = {throughput:.2f} GB/s (>= 2: "
      f"{'met' if speed_ok else 'MISSED'}{'' if trades >= 1_000_000 else ', not gated below 1M trades'})")
if check and (not size_ok or (trades >= 1_000_000 and not speed_ok)):
    sys.exit(1)
