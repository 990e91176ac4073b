"""Month arithmetic and formatting shared by the data layer (months are month-start Timestamps)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
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


_UNITS = ("s", "ms", "us", "ns")


def month_range(first: pd.Timestamp, last: pd.Timestamp, name: str = "date") -> pd.DatetimeIndex:
    """Every month start from ``first`` to ``last`` (inclusive; empty if ``last < first``).

    The same index as ``pd.date_range(first, last, freq="MS", name=name)`` (values, resolution
    and ``freq``), built with numpy: pandas steps month starts one at a time, about 10 ms for
    the century of a long history, and the data layer builds one per series.

    Raises
    ------
    ValueError
        If ``first`` or ``last`` is not a month start (midnight on the 1st).
    """
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    for ts in (first, last):
        if ts != pd.Timestamp(year=ts.year, month=ts.month, day=1):
            raise ValueError(f"month_range needs month starts, got {ts}")
    unit = max(first.unit, last.unit, key=_UNITS.index)
    months = np.arange(
        np.datetime64(f"{first.year:04d}-{first.month:02d}", "M"),
        np.datetime64(f"{last.year:04d}-{last.month:02d}", "M") + np.timedelta64(1, "M"),
        np.timedelta64(1, "M"),
    )
    return pd.DatetimeIndex(months.astype(f"datetime64[{unit}]"), name=name, freq="MS")


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
