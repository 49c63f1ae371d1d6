#!/usr/bin/env python3
"""The ingestion pipeline the way the seeds run it today: json.load, pydantic v2 model_validate per
record, a pandas DataFrame with float32 downcasts and a categorical product code, tz_convert,
drop_duplicates, groupby and merge. Semantics: README.md in this folder (issue #6).

usage: pipeline_pandas.py --input trades.json --broker broker.json [--zone Z] [--tolerance T]
                          [--summary-json PATH]
"""

from __future__ import annotations

import json
import re
import sys
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    StrictFloat,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

import pipeline_common as pc

# ---------------------------------------------------------------- the contract


def _rfc3339_string(value: Any) -> str:
    # pydantic's own datetime parser is laxer than RFC 3339 (a space for T, no seconds, a number of
    # seconds, years before 1900); the grammar and the ranges of README "Timestamps" are checked
    # here, then pydantic makes the aware datetime.
    if type(value) is not str:
        raise ValueError("a timestamp must be a JSON string")
    if not pc.rfc3339_ok(value):
        raise ValueError("not an RFC 3339 date-time with a zone, or out of range")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_string)]


class TradeRecord(BaseModel):
    trade_id: StrictStr
    counterparty_lei: StrictStr
    product_code: StrictStr
    delivery_start: Timestamp
    delivery_end: Timestamp
    volume_mwh: StrictFloat  # a JSON number: int or float, never a string or a bool
    price_usd: StrictFloat
    status: Literal["CONFIRMED", "PENDING", "CANCELLED", "AMENDED"]
    event_time: Timestamp

    @field_validator("counterparty_lei")
    @classmethod
    def _lei(cls, v: str) -> str:
        if not pc.lei_ok(v):
            raise ValueError("LEI fails ISO 17442 (pattern or MOD 97-10 check digits)")
        return v

    @field_validator("volume_mwh")
    @classmethod
    def _volume(cls, v: float) -> float:
        milli = pc.scaled_exact(v, 1000)
        if milli is None or milli <= 0:
            raise ValueError("volume_mwh must be > 0 with at most 3 decimals, below 1e9")
        return v

    @field_validator("price_usd")
    @classmethod
    def _price(cls, v: float) -> float:
        if pc.scaled_exact(v, 100) is None:
            raise ValueError("price_usd must have at most 2 decimals, magnitude below 1e9")
        return v

    @model_validator(mode="wrap")
    @classmethod
    def _end_after_start(cls, data: Any, handler: Any) -> "TradeRecord":
        model = handler(data)
        # datetimes hold microseconds; RFC 3339 fractions go to nanoseconds.
        end, start = model.delivery_end, model.delivery_start
        if end < start or (
            end == start
            and pc.sub_microsecond_ns(data["delivery_end"]) <= pc.sub_microsecond_ns(data["delivery_start"])
        ):
            raise ValueError("delivery_end must be after delivery_start")
        return model


# ---------------------------------------------------------------- loading


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def load_json(path: str, what: str) -> Any:
    raw = pc.read_bytes(path, what)
    try:
        text = raw.decode("utf-8")
        # 1e400 is JSON (a value out of range, for the record's rules to reject); NaN is not
        doc = json.loads(text, parse_constant=_reject_constant)
        if _SURROGATE_ESCAPE.search(text):
            # a lone surrogate escape decodes to a str that is not Unicode text
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError) as e:
        raise pc.PipelineError(f"{what} file {path} is not valid JSON: {e}") from None
    return doc


def load_broker(path: str) -> pd.DataFrame:
    doc = load_json(path, "broker")
    rows = doc.get("broker_volumes") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise pc.PipelineError(f"broker file {path} has no \"broker_volumes\" array")
    ids: list[str] = []
    milli: list[int] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        tid = row.get("trade_id") if isinstance(row, dict) else None
        vol = row.get("broker_volume_mwh") if isinstance(row, dict) else None
        m = pc.scaled_exact(vol, 1000) if type(vol) in (int, float) else None
        if type(tid) is not str or m is None or m < 0:
            raise pc.PipelineError(
                f"broker file {path}: broker_volumes[{i}] is malformed (needs a string trade_id "
                "and a JSON number broker_volume_mwh >= 0 with at most 3 decimals, below 1e9)"
            )
        if tid in seen:
            raise pc.PipelineError(f"broker file {path}: duplicate trade_id {tid!r} (broker_volumes[{i}])")
        seen.add(tid)
        ids.append(tid)
        milli.append(m)
    return pd.DataFrame({"trade_id": pd.Series(ids, dtype=object), "broker_milli": np.array(milli, dtype=np.int64)})


# ---------------------------------------------------------------- exact integer helpers


def _int_columns_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a * b elementwise, in int64 when every product and their sum fit, else in Python ints."""
    if len(a) == 0:
        return a.astype(np.int64)
    bound = int(np.abs(a).max()) * int(np.abs(b).max()) * len(a)
    if bound < 2**63:
        return a.astype(np.int64) * b.astype(np.int64)
    return a.astype(object) * b.astype(object)


def run(args: Any) -> dict:
    st = pc.Stages("pandas")

    doc = load_json(args.input, "trades")
    trades = doc.get("trades") if isinstance(doc, dict) else None
    if not isinstance(trades, list):
        raise pc.PipelineError(f"trades file {args.input} has no \"trades\" array")
    st.done("load")

    quarantined: list[int] = []
    rows: list[tuple] = []
    validate = TradeRecord.model_validate
    for idx, rec in enumerate(trades):
        if not isinstance(rec, dict):
            quarantined.append(idx)
            continue
        try:
            m = validate(rec)
        except ValidationError:
            quarantined.append(idx)
            continue
        rows.append(
            (
                idx,
                m.trade_id,
                m.counterparty_lei,
                m.product_code,
                rec["delivery_start"],  # the strings: pandas parses them to nanoseconds
                rec["delivery_end"],
                m.volume_mwh,
                m.price_usd,
                m.status,
                rec["event_time"],
            )
        )
    st.done("validate")

    df = pd.DataFrame(
        rows,
        columns=[
            "idx", "trade_id", "counterparty_lei", "product_code", "delivery_start", "delivery_end",
            "volume_mwh", "price_usd", "status", "event_time",
        ],
    )
    df["idx"] = df["idx"].astype(np.int64)
    vol = df["volume_mwh"].to_numpy(dtype=np.float64)
    price = df["price_usd"].to_numpy(dtype=np.float64)
    # exact integers for every number in the summary; the float32 columns are for display only
    df["vol_milli"] = np.rint(vol * 1000).astype(np.int64)
    df["price_cents"] = np.rint(price * 100).astype(np.int64)
    df["volume_mwh"] = pd.to_numeric(df["volume_mwh"], downcast="float")
    df["price_usd"] = pd.to_numeric(df["price_usd"], downcast="float")
    df["product_code"] = df["product_code"].astype("category")
    df["status"] = df["status"].astype("category")
    for col in ("delivery_start", "delivery_end", "event_time"):
        # pandas' ISO 8601 parser wants upper-case T and Z; they are the only letters in a valid value
        df[col] = pd.to_datetime(df[col].str.upper(), format="ISO8601", utc=True)
    st.done("frame build/downcast/category")

    valid_records = len(df)
    df = df.sort_values(["event_time", "idx"], kind="stable").drop_duplicates("trade_id", keep="last")
    after_dedup = len(df)
    st.done("dedup")

    local = df["delivery_start"].dt.tz_convert(ZoneInfo(args.zone))
    df["settlement_cycle"] = local.dt.strftime("%Y-%m").astype(object)
    st.done("zone conversion")

    df = df.sort_values(["settlement_cycle", "trade_id"], kind="stable")
    order_lines = (df["settlement_cycle"] + "|" + df["trade_id"]).tolist()
    st.done("sort")

    df["vp"] = _int_columns_product(df["vol_milli"].to_numpy(), df["price_cents"].to_numpy())
    groups = df.groupby(["settlement_cycle", "product_code"], observed=True, sort=False).agg(
        vol=("vol_milli", "sum"), vp=("vp", "sum")
    )
    agg_lines = sorted(
        f"{cycle}|{product}|{pc.format_milli(int(v))}|{pc.format_vwap(int(vp), int(v))}"
        for (cycle, product), v, vp in zip(groups.index, groups["vol"], groups["vp"])
    )
    total_milli = int(sum(int(v) for v in groups["vol"]))
    st.done("aggregate")

    broker = load_broker(args.broker)
    merged = df[["trade_id", "vol_milli"]].merge(broker, on="trade_id", how="inner")
    tol = args.tolerance_fraction
    diff = np.abs(merged["broker_milli"].to_numpy() - merged["vol_milli"].to_numpy())
    ours = merged["vol_milli"].to_numpy()
    if len(merged) and int(diff.max()) * tol.denominator < 2**63 and tol.numerator * int(ours.max()) < 2**63:
        flag = diff * tol.denominator > tol.numerator * ours
    else:
        flag = diff.astype(object) * tol.denominator > ours.astype(object) * tol.numerator
    flagged_ids = sorted(merged["trade_id"][np.asarray(flag, dtype=bool)].tolist())
    matched = len(merged)
    st.done("reconcile")

    summary = {
        "input_records": len(trades),
        "quarantined": len(quarantined),
        "quarantine_idx_sha16": pc.sha16(str(i) for i in quarantined),
        "valid_records": valid_records,
        "after_dedup": after_dedup,
        "duplicates_dropped": valid_records - after_dedup,
        "sorted_order_sha16": pc.sha16(order_lines),
        "aggregate_groups": len(agg_lines),
        "aggregate_total_volume_mwh": pc.format_milli(total_milli),
        "aggregate_sha16": pc.sha16(agg_lines),
        "broker_rows": len(broker),
        "reconciled_matched": matched,
        "trades_without_broker": after_dedup - matched,
        "broker_without_trade": len(broker) - matched,
        "flagged": len(flagged_ids),
        "flagged_ids_sha16": pc.sha16(flagged_ids),
    }
    st.report()
    return summary


def main() -> None:
    args = pc.parse_args("pipeline_pandas.py")
    try:
        summary = run(args)
    except pc.PipelineError as e:
        pc.fail(str(e))
    pc.write_summary(args.summary_json, summary)
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
