"""Pieces both comparison pipelines share: the command line, the rules that are plain Python in
either library (LEI, RFC 3339 grammar, exact number rules, tolerance), the exact VWAP and volume
formatting, the sha16 digests and the summary file. The data-frame work lives in the two scripts.

Every rule here is written down in README.md; the Swift pipeline follows the same text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from fractions import Fraction
from typing import Iterable, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STATUSES = ("CONFIRMED", "PENDING", "CANCELLED", "AMENDED")
FIELDS = (
    "trade_id",
    "counterparty_lei",
    "product_code",
    "delivery_start",
    "delivery_end",
    "volume_mwh",
    "price_usd",
    "status",
    "event_time",
)

# Exclusive magnitude limit for volume_mwh, price_usd and broker_volume_mwh (README "Numbers").
MAX_MAGNITUDE = 1_000_000_000

# RFC 3339 date-time as README "Timestamps" defines it (the profile of ETRMContracts'
# UTCTimestamp(rfc3339:)): T or t, Z or z, seconds required, 1 to 9 fraction digits, an offset of
# ±hh:mm. Ranges (month, day, hour...) are checked after.
RFC3339 = r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
RFC3339_RE = re.compile(RFC3339)
MIN_YEAR = 1900
MAX_YEAR = 2099

LEI_PATTERN = r"[0-9A-Z]{18}[0-9]{2}"
LEI_RE = re.compile(LEI_PATTERN)
_LEI_TABLE = str.maketrans({chr(ord("A") + k): str(10 + k) for k in range(26)})

SUMMARY_KEYS = (
    "input_records",
    "quarantined",
    "quarantine_idx_sha16",
    "valid_records",
    "after_dedup",
    "duplicates_dropped",
    "sorted_order_sha16",
    "aggregate_groups",
    "aggregate_total_volume_mwh",
    "aggregate_sha16",
    "broker_rows",
    "reconciled_matched",
    "trades_without_broker",
    "broker_without_trade",
    "flagged",
    "flagged_ids_sha16",
)


class PipelineError(Exception):
    """A whole-run error: bad document, bad broker file, bad argument. Exit status 1."""


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- command line


def parse_args(prog: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=prog, description="ETRM ingestion pipeline (comparison baseline)")
    p.add_argument("--input", required=True, help="trades.json")
    p.add_argument("--broker", required=True, help="broker.json")
    p.add_argument("--zone", default="America/New_York", help="IANA zone of the settlement cycle")
    p.add_argument("--tolerance", default="0.005", help="variance tolerance, a decimal such as 0.005")
    p.add_argument("--summary-json", dest="summary_json", help="write the summary JSON here")
    args = p.parse_args()
    try:
        args.tolerance_fraction = parse_tolerance(args.tolerance)
    except PipelineError as e:
        fail(str(e))
    check_zone(args.zone)
    return args


TOLERANCE_RE = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")


def parse_tolerance(text: str) -> Fraction:
    """A non-negative decimal, at most 9 digits before and 9 after the point, no exponent."""
    if not TOLERANCE_RE.fullmatch(text):
        raise PipelineError(
            f"--tolerance {text!r} is not a non-negative decimal like 0.005 "
            "(digits, optional point, at most 9 digits on each side)"
        )
    return Fraction(text)


def check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        fail(f"--zone {zone!r} is not a known IANA time zone")


# ---------------------------------------------------------------- files


def read_bytes(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise PipelineError(f"cannot read {what} file {path}: {e.strerror or e}") from None


# ---------------------------------------------------------------- field rules


def lei_ok(value: str) -> bool:
    """ISO 17442: the pattern, then ISO 7064 MOD 97-10 (A=10 .. Z=35) remainder 1."""
    return LEI_RE.fullmatch(value) is not None and int(value.translate(_LEI_TABLE)) % 97 == 1


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def rfc3339_ok(value: str) -> bool:
    """The grammar of README "Timestamps" plus the field ranges; no parsing into an instant."""
    m = RFC3339_RE.fullmatch(value)
    if m is None:
        return False
    y, mo, d, h, mi, s = (int(m.group(k)) for k in range(1, 7))
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo)):
        return False
    if h > 23 or mi > 59 or s > 59:
        return False
    zone = m.group(8)
    if zone not in ("Z", "z") and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return False
    return True


def sub_microsecond_ns(value: str) -> int:
    """Digits 7 to 9 of the fraction (0 when absent): what a microsecond datetime drops."""
    m = RFC3339_RE.fullmatch(value)
    frac = (m.group(7) or ".")[1:] if m else ""
    return int((frac + "000000000")[6:9])


def scaled_exact(value: float | int, scale: int) -> int | None:
    """The integer n with value == n / scale as README "Numbers" defines it, or None.

    A JSON number arrives as an IEEE-754 double (json.load, orjson) or a Python int. It is accepted
    when the double equals the double nearest to n / scale for an integer n, i.e. it has at most
    log10(scale) decimals, and its magnitude is below MAX_MAGNITUDE.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
            return value * scale
        return None
    if not (-MAX_MAGNITUDE < value < MAX_MAGNITUDE):  # also rejects nan
        return None
    n = round(value * scale)
    return n if n / scale == value else None


# ---------------------------------------------------------------- exact results


def format_milli(milli: int) -> str:
    sign = "-" if milli < 0 else ""
    q, r = divmod(abs(milli), 1000)
    return f"{sign}{q}.{r:03d}"


def format_vwap(sum_milli_cents: int, sum_milli: int) -> str:
    """VWAP = Σ(volume × price) / Σ volume in USD, 4 decimals, half to even, never -0.0000.

    sum_milli_cents is Σ(milli-MWh × cents), sum_milli is Σ milli-MWh (> 0). In units of
    1/10000 USD the VWAP is sum_milli_cents × 100 / sum_milli.
    """
    negative = sum_milli_cents < 0
    q, r = divmod(abs(sum_milli_cents) * 100, sum_milli)
    if 2 * r > sum_milli or (2 * r == sum_milli and q % 2 == 1):
        q += 1
    if q == 0:
        negative = False
    whole, frac = divmod(q, 10000)
    return f"{'-' if negative else ''}{whole}.{frac:04d}"


def flagged_exact(broker_milli: int, ours_milli: int, tolerance: Fraction) -> bool:
    """|broker − ours| / ours > tolerance, in integers (ours > 0)."""
    return abs(broker_milli - ours_milli) * tolerance.denominator > tolerance.numerator * ours_milli


def sha16(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def write_summary(path: str | None, summary: dict) -> None:
    assert tuple(summary) == SUMMARY_KEYS, "summary keys out of order"
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


# ---------------------------------------------------------------- timings


class Stages:
    """Stage timings, printed to stderr as `stage  seconds`."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.start = time.perf_counter()
        self.last = self.start
        self.rows: list[tuple[str, float]] = []

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.rows.append((stage, now - self.last))
        self.last = now

    def report(self) -> None:
        self.rows.append(("total", time.perf_counter() - self.start))
        print(f"[{self.tool}] stage timings (s):", file=sys.stderr)
        for stage, secs in self.rows:
            print(f"  {stage:<28}{secs:9.3f}", file=sys.stderr)
