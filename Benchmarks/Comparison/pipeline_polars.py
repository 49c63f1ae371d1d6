#!/usr/bin/env python3
"""The same ingestion pipeline, as fast as we can make it correct in polars: orjson to load (polars'
own JSON reader cannot tell the string "12.5" from the number 12.5, and a non-object element breaks
its schema), one list comprehension per field to split the records into typed columns, then
validation, de-dup, zone conversion, sort, group-by and the broker join in polars. Semantics: README.md.

usage: pipeline_polars.py --input trades.json --broker broker.json [--zone Z] [--tolerance T]
                          [--summary-json PATH]
"""

from __future__ import annotations

import gc
import json
from typing import Any

import numpy as np
import orjson
import polars as pl

import pipeline_common as pc

STRING_FIELDS = ("trade_id", "counterparty_lei", "product_code", "delivery_start", "delivery_end", "status", "event_time")
NUMBER_FIELDS = ("volume_mwh", "price_usd")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
RFC3339_ANCHORED = "^" + pc.RFC3339 + "$"
_EMPTY: dict = {}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(path: str, what: str) -> Any:
    raw = pc.read_bytes(path, what)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        if "number is infinity" not in str(e):
            raise pc.PipelineError(f"{what} file {path} is not valid JSON: {e}") from None
    # orjson refuses a number beyond the double range (1e400) although it is JSON; the record rules
    # reject it as out of range, so read such a document with the standard parser instead.
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeError) as e:
        raise pc.PipelineError(f"{what} file {path} is not valid JSON: {e}") from None


def string_column(values: list) -> pl.Series:
    """Strings stay, anything else (missing, null, number, bool, object) becomes null."""
    try:
        return pl.Series(values, dtype=pl.String, strict=True)
    except (TypeError, pl.exceptions.PolarsError):
        return pl.Series([v if type(v) is str else None for v in values], dtype=pl.String)


def number_column(values: list) -> pl.Series:
    """JSON numbers as doubles; anything else (strings, bools, null) null. Numbers outside the
    accepted magnitude (1e30, 1e400 read as inf) become null: they are invalid either way."""
    lim = pc.MAX_MAGNITUDE
    return pl.Series(
        [
            v if type(v) is float and -lim < v < lim else (float(v) if type(v) is int and -lim < v < lim else None)
            for v in values
        ],
        dtype=pl.Float64,
    )


def ts_valid(col: str) -> pl.Expr:
    """README "Timestamps": grammar, field ranges; day-of-month is left to the parser (null)."""
    s = pl.col(col)
    year = s.str.slice(0, 4).cast(pl.Int32, strict=False)
    zone = s.str.slice(-6, 6)
    offset_ok = s.str.ends_with("Z") | s.str.ends_with("z") | (
        (zone.str.slice(1, 2).cast(pl.Int32, strict=False) <= 23)
        & (zone.str.slice(4, 2).cast(pl.Int32, strict=False) <= 59)
    )
    return (
        s.str.contains(RFC3339_ANCHORED)
        & year.is_between(pc.MIN_YEAR, pc.MAX_YEAR)
        & (s.str.slice(17, 2).cast(pl.Int32, strict=False) <= 59)  # chrono accepts a leap second 60
        & offset_ok
    )


def ts_parse(col: str) -> pl.Expr:
    return (
        pl.col(col)
        .str.to_uppercase()  # t and z are the only letters in a valid value; the format wants T
        .str.replace(r"Z$", "+00:00")
        .str.to_datetime(TS_FORMAT, time_unit="ns", time_zone="UTC", strict=False)
    )


def scaled(values: pl.Series, scale: int) -> pl.Series:
    """README "Numbers": the integer n with value == n / scale as doubles, else null.

    In numpy, not in a polars expression: polars' optimiser may rewrite `n / scale == v` as
    `n == v * scale`, which is not the same test in floating point.
    """
    v = values.to_numpy()  # nulls become nan
    with np.errstate(invalid="ignore"):
        in_range = np.abs(v) < pc.MAX_MAGNITUDE  # False for nan
        n = np.rint(np.where(in_range, v, 0.0) * scale)
        ok = in_range & (n / scale == v)
    return pl.Series(n.astype(np.int64)).set(pl.Series(~ok), None)


def load_broker(path: str) -> pl.DataFrame:
    doc = load_json(path, "broker")
    rows = doc.get("broker_volumes") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise pc.PipelineError(f"broker file {path} has no \"broker_volumes\" array")
    recs = [r if type(r) is dict else _EMPTY for r in rows]
    df = pl.DataFrame(
        {
            "trade_id": string_column([r.get("trade_id") for r in recs]),
            "broker_milli": scaled(number_column([r.get("broker_volume_mwh") for r in recs]), 1000),
        }
    )
    bad = df.with_row_index("i").filter(pl.col("trade_id").is_null() | pl.col("broker_milli").is_null() | (pl.col("broker_milli") < 0))
    if bad.height:
        raise pc.PipelineError(
            f"broker file {path}: broker_volumes[{bad['i'][0]}] is malformed (needs a string trade_id "
            "and a JSON number broker_volume_mwh >= 0 with at most 3 decimals, below 1e9)"
        )
    dup = df.with_row_index("i").filter(pl.col("trade_id").is_duplicated())
    if dup.height:
        first = dup.sort("i")
        raise pc.PipelineError(f"broker file {path}: duplicate trade_id {first['trade_id'][0]!r}")
    return df.select("trade_id", "broker_milli")


def run(args: Any) -> dict:
    st = pc.Stages("polars")

    doc = load_json(args.input, "trades")
    trades = doc.get("trades") if isinstance(doc, dict) else None
    if not isinstance(trades, list):
        raise pc.PipelineError(f"trades file {args.input} has no \"trades\" array")
    del doc
    n = len(trades)
    st.done("load")

    recs = trades if all(type(r) is dict for r in trades) else [r if type(r) is dict else _EMPTY for r in trades]
    cols: dict[str, pl.Series] = {}
    for f in STRING_FIELDS:
        cols[f] = string_column([r.get(f) for r in recs])
    for f in NUMBER_FIELDS:
        cols[f] = number_column([r.get(f) for r in recs])
    cols["vol_milli"] = scaled(cols["volume_mwh"], 1000)
    cols["price_cents"] = scaled(cols["price_usd"], 100)
    del recs, trades
    raw = pl.DataFrame(cols).with_row_index("idx")
    del cols

    leis = raw["counterparty_lei"].drop_nulls().unique()
    good_leis = pl.Series([v for v in leis.to_list() if pc.lei_ok(v)], dtype=pl.String)

    checked = (
        raw.lazy()
        .with_columns(
            start_ok=ts_valid("delivery_start"),
            end_ok=ts_valid("delivery_end"),
            event_ok=ts_valid("event_time"),
            delivery_start=ts_parse("delivery_start"),
            delivery_end=ts_parse("delivery_end"),
            event_time=ts_parse("event_time"),
        )
        .with_columns(
            valid=(
                pl.all_horizontal(pl.col(f).is_not_null() for f in ("trade_id", "product_code", "status"))
                & pl.col("counterparty_lei").is_in(good_leis.implode())
                & pl.col("status").is_in(pc.STATUSES)
                & pl.col("start_ok") & pl.col("end_ok") & pl.col("event_ok")
                & pl.all_horizontal(pl.col(f).is_not_null() for f in ("delivery_start", "delivery_end", "event_time"))
                & (pl.col("delivery_end") > pl.col("delivery_start"))
                & (pl.col("vol_milli") > 0)
                & pl.col("price_cents").is_not_null()
            ).fill_null(False)
        )
        .collect()
    )
    del raw
    quarantined = checked.filter(~pl.col("valid"))["idx"]
    valid = checked.filter(pl.col("valid")).drop("valid", "start_ok", "end_ok", "event_ok")
    del checked
    st.done("validate")

    frame = valid.with_columns(
        volume_mwh=pl.col("volume_mwh").cast(pl.Float32),
        price_usd=pl.col("price_usd").cast(pl.Float32),
        product_code=pl.col("product_code").cast(pl.Categorical),
        status=pl.col("status").cast(pl.Categorical),
    )
    del valid
    valid_records = frame.height
    st.done("frame build/downcast/category")

    deduped = frame.lazy().sort("event_time", "idx").unique("trade_id", keep="last").collect()
    after_dedup = deduped.height
    del frame
    st.done("dedup")

    local = pl.col("delivery_start").dt.convert_time_zone(args.zone)
    with_cycle = deduped.with_columns(cycle_key=local.dt.year() * 100 + local.dt.month())
    st.done("zone conversion")

    # "YYYY-MM" strings order as the integer YYYYMM (years 1899-2100 have four digits), so the sort
    # runs on an integer and the cycle text is made once per distinct cycle.
    ordered = with_cycle.sort("cycle_key", "trade_id")
    keys = ordered["cycle_key"].unique().sort()
    ordered = ordered.with_columns(
        settlement_cycle=pl.col("cycle_key").replace_strict(
            keys, [f"{k // 100:04d}-{k % 100:02d}" for k in keys.to_list()], return_dtype=pl.String
        )
    )
    order_lines = ordered.select(pl.concat_str("settlement_cycle", pl.lit("|"), "trade_id"))[:, 0].to_list()
    st.done("sort")

    groups = (
        ordered.lazy()
        .group_by("settlement_cycle", pl.col("product_code").cast(pl.String))
        .agg(
            vol=pl.col("vol_milli").sum(),
            vp=(pl.col("vol_milli").cast(pl.Int128) * pl.col("price_cents").cast(pl.Int128)).sum(),
        )
        .collect()
    )
    agg_lines = sorted(
        f"{cycle}|{product}|{pc.format_milli(v)}|{pc.format_vwap(vp, v)}"
        for cycle, product, v, vp in groups.iter_rows()
    )
    total_milli = sum(groups["vol"].to_list())
    st.done("aggregate")

    broker = load_broker(args.broker)
    tol = args.tolerance_fraction
    merged = (
        ordered.lazy()
        .select("trade_id", "vol_milli")
        .join(broker.lazy(), on="trade_id", how="inner")
        .with_columns(
            flag=(pl.col("broker_milli") - pl.col("vol_milli")).abs().cast(pl.Int128) * tol.denominator
            > pl.col("vol_milli").cast(pl.Int128) * tol.numerator
        )
        .collect()
    )
    matched = merged.height
    flagged_ids = sorted(merged.filter(pl.col("flag"))["trade_id"].to_list())
    st.done("reconcile")

    summary = {
        "input_records": n,
        "quarantined": quarantined.len(),
        "quarantine_idx_sha16": pc.sha16(str(i) for i in quarantined.to_list()),
        "valid_records": valid_records,
        "after_dedup": after_dedup,
        "duplicates_dropped": valid_records - after_dedup,
        "sorted_order_sha16": pc.sha16(order_lines),
        "aggregate_groups": len(agg_lines),
        "aggregate_total_volume_mwh": pc.format_milli(total_milli),
        "aggregate_sha16": pc.sha16(agg_lines),
        "broker_rows": broker.height,
        "reconciled_matched": matched,
        "trades_without_broker": after_dedup - matched,
        "broker_without_trade": broker.height - matched,
        "flagged": len(flagged_ids),
        "flagged_ids_sha16": pc.sha16(flagged_ids),
    }
    st.report()
    return summary


def main() -> None:
    # A batch run that builds a million dicts: the cyclic collector would walk them again and again
    # while orjson creates them, and nothing here makes reference cycles.
    gc.disable()
    args = pc.parse_args("pipeline_polars.py")
    try:
        summary = run(args)
    except pc.PipelineError as e:
        pc.fail(str(e))
    pc.write_summary(args.summary_json, summary)
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
