#!/usr/bin/env python3
"""pandas' memory for the trade frame that TradeFrameBenchmarks builds, per row.

The same five columns as the Swift benchmark's memory line: trade_id ("TRD-" + 10 digits), product (40 values),
delivery_start (UTC timestamps), volume_mwh and price. Two pandas layouts are printed: as the seeds load it
(object strings, float64) and pandas at its most frugal (category product, float32 numbers). Figures are
memory_usage(deep=True) divided by the row count.

    pip install pandas
    python3 Benchmarks/Comparison/frame_memory.py [--rows 1000000] [--swift-bytes-per-row 39.0]
"""
import argparse
import random

import numpy as np
import pandas as pd


def build(rows: int, seed: int = 20251121) -> pd.DataFrame:
    rng = random.Random(seed)
    kinds = ["BASE", "PEAK", "OFFPEAK", "H"]
    products = [f"DE-{kinds[i % 4]}-{i // 4 + 1}M" for i in range(40)]
    first = 1_704_067_200
    return pd.DataFrame(
        {
            "trade_id": [f"TRD-{1_000_000_000 + (row * 7919) % rows}" for row in range(rows)],
            "product": [products[rng.randrange(40)] for _ in range(rows)],
            "delivery_start": pd.to_datetime(
                np.array([first + rng.randrange(3 * 365 * 24) * 3600 for _ in range(rows)], dtype="int64"),
                unit="s",
                utc=True,
            ),
            "volume_mwh": np.array([rng.randrange(1_000_000) / 1000 for _ in range(rows)], dtype="float64"),
            "price": np.array([rng.randrange(20_000) / 100 - 20 for _ in range(rows)], dtype="float64"),
        }
    )


def report(label: str, frame: pd.DataFrame) -> float:
    usage = frame.memory_usage(deep=True, index=False)
    rows = len(frame)
    per_row = usage.sum() / rows
    columns = ", ".join(f"{name}={value / rows:.2f}" for name, value in usage.items())
    print(f"pandas {pandas_version} {label}: {per_row:.2f} bytes/row over {rows} rows ({columns})")
    return per_row


pandas_version = pd.__version__

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--swift-bytes-per-row", type=float, default=None,
                        help="TradeFrame's figure from the benchmark's memory line, to print the ratio")
    args = parser.parse_args()
    frame = build(args.rows)
    loaded = report("as loaded (object strings, float64)", frame)
    frugal = frame.astype({"product": "category", "volume_mwh": "float32", "price": "float32"})
    best = report("category + float32", frugal)
    if args.swift_bytes_per_row:
        swift = args.swift_bytes_per_row
        print(f"TradeFrame {swift:.2f} bytes/row: {swift / loaded:.3f} of pandas as loaded, "
              f"{swift / best:.3f} of pandas category + float32 (target: at most 0.333 of pandas)")
