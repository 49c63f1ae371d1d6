"""Python half of .ci/interop.sh: checks the Arrow IPC files TradeFrame wrote against the exact values it
dumped (swift.json) with pyarrow, polars and DuckDB, then writes the same table with each tool's defaults
for the Swift side to read back. Exits non-zero on the first difference."""
import json
import struct
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

folder = Path(sys.argv[1])
dump = json.loads((folder / "swift.json").read_text())

ARROW_TYPES = {
    "int64": lambda c: pa.int64(),
    "int32": lambda c: pa.int32(),
    "float64": lambda c: pa.float64(),
    "float32": lambda c: pa.float32(),
    "bool": lambda c: pa.bool_(),
    "string": lambda c: pa.string(),
    "categorical": lambda c: pa.dictionary(pa.int32(), pa.string()),
    "timestamp": lambda c: pa.timestamp("ns", tz="UTC"),
}


def expected(column):
    """The dumped values as Python values of the column's type (None for a null row)."""
    kind, values = column["kind"], column["values"]
    convert = {
        "int64": int, "int32": int, "timestamp": int, "float64": float,
        "float32": lambda t: struct.unpack("f", struct.pack("f", float(t)))[0],
        "bool": lambda t: t == "true", "decimal": Decimal,
        "string": str, "categorical": str,
    }[kind]
    return [None if v is None else convert(v) for v in values]


def fail(message):
    print(f"interop: {message}", file=sys.stderr)
    sys.exit(1)


def check_arrow(table, source, parquet=False):
    if table.num_rows != dump["rows"]:
        fail(f"{source}: {table.num_rows} rows, expected {dump['rows']}")
    for column in dump["columns"]:
        name, kind = column["name"], column["kind"]
        array = table.column(name)
        if kind == "decimal":
            if not pa.types.is_decimal128(array.type) or array.type.scale != column["scale"]:
                fail(f"{source}: {name} is {array.type}, expected decimal128(_, {column['scale']})")
        elif parquet and kind == "categorical":
            # Parquet has no categorical type: the column is a dictionary-encoded STRING.
            if array.type not in (pa.string(), pa.dictionary(pa.int32(), pa.string())):
                fail(f"{source}: {name} is {array.type}, expected string")
        elif array.type != ARROW_TYPES[kind](column):
            fail(f"{source}: {name} is {array.type}, expected {ARROW_TYPES[kind](column)}")
        if kind == "timestamp":
            array = array.cast(pa.int64())
        if array.to_pylist() != expected(column):
            fail(f"{source}: the values of {name} differ")


def check_polars(frame, source, parquet=False):
    for column in dump["columns"]:
        name, kind = column["name"], column["kind"]
        series = frame[name]
        if kind == "timestamp":
            if series.dtype != pl.Datetime("ns", "UTC"):
                fail(f"{source}: {name} is {series.dtype}")
            series = series.dt.epoch("ns")
        if kind == "decimal" and (not isinstance(series.dtype, pl.Decimal) or series.dtype.scale != column["scale"]):
            fail(f"{source}: {name} is {series.dtype}")
        if kind == "categorical" and not parquet and series.dtype not in (pl.Categorical, pl.Enum) and not isinstance(
            series.dtype, (pl.Categorical, pl.Enum)
        ):
            fail(f"{source}: {name} is {series.dtype}")
        if series.to_list() != expected(column):
            fail(f"{source}: the values of {name} differ")


def check_duckdb(table, source):
    connection = duckdb.connect()
    if isinstance(table, Path):
        connection.execute(f"CREATE VIEW frame AS SELECT * FROM read_parquet('{table}')")
    else:
        connection.register("frame", table)
    types = dict(connection.execute("SELECT column_name, column_type FROM (DESCRIBE frame)").fetchall())
    for column in dump["columns"]:
        name, kind = column["name"], column["kind"]
        if kind == "timestamp" and not ("TZ" in types[name] or "TIME ZONE" in types[name]):
            fail(f"{source}: DuckDB sees {name} as {types[name]}")
        if kind == "decimal" and not types[name].startswith("DECIMAL"):
            fail(f"{source}: DuckDB sees {name} as {types[name]}")
        query = f'SELECT epoch_ns("{name}") FROM frame' if kind == "timestamp" else f'SELECT "{name}" FROM frame'
        values = [row[0] for row in connection.execute(query).fetchall()]
        want = expected(column)
        if kind == "float32":
            values = [None if v is None else struct.unpack("f", struct.pack("f", v))[0] for v in values]
        if values != want:
            fail(f"{source}: DuckDB reads other values for {name}")


file_table = ipc.open_file(folder / "swift.arrow").read_all()
file_table.validate(full=True)
check_arrow(file_table, "pyarrow file")
stream_table = ipc.open_stream((folder / "swift.arrows").read_bytes()).read_all()
check_arrow(stream_table, "pyarrow stream")
check_polars(pl.read_ipc(folder / "swift.arrow"), "polars file")
check_polars(pl.read_ipc_stream(folder / "swift.arrows"), "polars stream")
check_duckdb(file_table, "duckdb")
for name in ["swift.parquet", "swift.plain.parquet"]:
    check_arrow(pq.read_table(folder / name), f"pyarrow {name}", parquet=True)
    check_polars(pl.read_parquet(folder / name), f"polars {name}", parquet=True)
    check_duckdb(folder / name, f"duckdb {name}")
print(f"interop: pyarrow, polars and DuckDB read {len(dump['columns'])} columns x {dump['rows']} rows identically")

# A Hive-partitioned dataset: DuckDB's GROUP BY equals TradeFrame's group-by (exact sums, nulls as keys).
groups = json.loads((folder / "dataset-groupby.json").read_text())
columns = {c["name"]: c["values"] for c in groups["columns"]}
swift_groups = list(
    (columns["settlement_cycle"][i], columns["market"][i], int(columns["trades"][i]),
     None if columns["quantity"][i] is None else Decimal(columns["quantity"][i]),
     None if columns["price"][i] is None else Decimal(columns["price"][i]))
    for i in range(groups["rows"])
)
duck_groups = duckdb.sql(
    f"""SELECT settlement_cycle, market, count(*), sum(quantity), sum(price)
        FROM read_parquet('{folder}/dataset/**/*.parquet', hive_partitioning = true)
        GROUP BY ALL"""
).fetchall()
duck_groups = list(
    (c, m, n, None if q is None else Decimal(q), None if p is None else Decimal(p)) for c, m, n, q, p in duck_groups
)
key = lambda g: (g[0] or "", g[1] or "")
if sorted(swift_groups, key=key) != sorted(duck_groups, key=key):
    fail(f"DuckDB's GROUP BY over the dataset differs:\n{swift_groups}\n{duck_groups}")
polars_rows = pl.read_parquet(folder / "dataset" / "**" / "*.parquet", hive_partitioning=True).height
if polars_rows != sum(g[2] for g in swift_groups):
    fail(f"polars reads {polars_rows} rows from the dataset")
print(f"interop: DuckDB's GROUP BY over the partitioned dataset equals TradeFrame's ({len(swift_groups)} groups)")

# The other direction: each tool's defaults, except compression, which TradeFrame's IPC reader lacks
# (pyarrow's feather defaults to LZ4; polars to none for IPC).
with ipc.new_file(folder / "pyarrow.from-python.arrow", file_table.schema) as writer:
    writer.write_table(file_table)
with ipc.new_stream(folder / "pyarrow.from-python.arrows", file_table.schema) as writer:
    writer.write_table(file_table)
feather.write_feather(file_table, folder / "feather.from-python.arrow", compression="uncompressed")
pl.read_ipc(folder / "swift.arrow").write_ipc(folder / "polars.from-python.arrow")
# Parquet: pyarrow's defaults (Snappy, dictionary pages, V1 data pages); polars with Snappy, since
# TradeFrame implements no zstd (polars' default codec).
pq.write_table(file_table, folder / "pyarrow.from-python.parquet")
pq.write_table(file_table, folder / "pyarrow-v2.from-python.parquet", data_page_version="2.0")
pl.read_ipc(folder / "swift.arrow").write_parquet(folder / "polars.from-python.parquet", compression="snappy")
print("interop: wrote pyarrow, feather and polars files for Swift")
