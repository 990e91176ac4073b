"""Month arithmetic and formatting shared by the data layer (months are month-start Timestamps)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from fiscalcliff.errors import InputError

_MONTH_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def to_month(value: str | date | datetime | pd.Timestamp, *, what: str = "month") -> pd.Timestamp:
    """Return the first day of the month containing `value`.

    Parameters
    ----------
    value
        ``"YYYY-MM"``, ``"YYYY-MM-DD"``, a date or a Timestamp.
    what
        What the value is, for the error message (e.g. ``"start"``).

    Raises
    ------
    InputError
        If `value` is not a recognisable month.
    """
    if isinstance(value, str):
        text = value.strip()
        if not _MONTH_RE.match(text):
            raise InputError(f"{what}={value!r} is not a month; use YYYY-MM (e.g. 2009-01)")
        try:
            ts = pd.Timestamp(text if len(text) > 7 else f"{text}-01")
        except ValueError as exc:
            raise InputError(f"{what}={value!r} is not a valid date: {exc}") from None
    elif isinstance(value, date | datetime | pd.Timestamp):
        ts = pd.Timestamp(value)
    else:
        raise InputError(f"{what}={value!r} is not a month; use YYYY-MM (e.g. 2009-01)")
    if ts is pd.NaT:
        raise InputError(f"{what} must not be NaT")
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def fmt_month(ts: pd.Timestamp) -> str:
    """Format a Timestamp as ``"YYYY-MM"``."""
    return f"{ts.year:04d}-{ts.month:02d}"


def months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    """Number of whole months from `earlier` to `later` (negative if `later` is earlier)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def add_months(ts: pd.Timestamp, n: int) -> pd.Timestamp:
    """Return the month `n` months after `ts` (a month start)."""
    total = ts.year * 12 + (ts.month - 1) + n
    return pd.Timestamp(year=total // 12, month=total % 12 + 1, day=1)


def compress_months(months: Iterable[pd.Timestamp]) -> str:
    """Describe a set of months compactly, runs joined with ``..``.

    Examples
    --------
    >>> import pandas as pd
    >>> compress_months(pd.to_datetime(["2013-02-01", "2013-03-01", "2013-04-01", "2014-01-01"]))
    '2013-02..2013-04, 2014-01'
    """
    ordered = sorted(set(months))
    if not ordered:
        return ""
    runs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    run_start = prev = ordered[0]
    for month in ordered[1:]:
        if months_between(prev, month) != 1:
            runs.append((run_start, prev))
            run_start = month
        prev = month
    runs.append((run_start, prev))
    return ", ".join(fmt_month(a) if a == b else f"{fmt_month(a)}..{fmt_month(b)}" for a, b in runs)
