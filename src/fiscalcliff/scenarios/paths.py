"""Turn path segments into monthly values over the forecast horizon."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError
from fiscalcliff.scenarios.spec import Segment


def _month_index(dates: pd.DatetimeIndex, month: str | None, default: int, what: str) -> int:
    if month is None:
        return default
    ts = pd.Timestamp(f"{month}-01")
    if ts < dates[0] or ts > dates[-1]:
        raise InputError(
            f"{what} {month} is outside the horizon {dates[0]:%Y-%m}..{dates[-1]:%Y-%m}"
        )
    return int(dates.get_loc(ts))


def segment_months(seg: Segment, dates: pd.DatetimeIndex, what: str) -> tuple[int, int]:
    """Horizon positions ``[i0, i1]`` (inclusive) a segment covers."""
    i0 = _month_index(dates, seg.start, 0, f"{what}: 'from'")
    if seg.values is not None:
        i1 = i0 + len(seg.values) - 1
        if i1 >= len(dates):
            raise InputError(
                f"{what}: {len(seg.values)} values from {dates[i0]:%Y-%m} run past the horizon "
                f"end {dates[-1]:%Y-%m}"
            )
        return i0, i1
    return i0, _month_index(dates, seg.end, len(dates) - 1, f"{what}: 'to'")


def build_path(
    segments: Sequence[Segment],
    dates: pd.DatetimeIndex,
    last_observed: float,
    *,
    what: str,
    hold_last: bool = True,
) -> np.ndarray:
    """Monthly values over ``dates`` from segments applied in order (they may not overlap).

    Parameters
    ----------
    segments : sequence of Segment
    dates : DatetimeIndex
        The forecast months.
    last_observed : float
        Value in the last data month (``change`` is relative to it; ramps and ``per_month``
        start from the value before their first month).
    what : str
        Label for error messages (e.g. ``exogenous.tariff_rate``).
    hold_last : bool
        Months no segment covers keep the previous value (exogenous paths); with False they are
        NaN (conditions: unconstrained).

    Returns
    -------
    ndarray, shape (len(dates),)
    """
    path = np.full(len(dates), last_observed if hold_last else np.nan)
    covered: list[tuple[int, int, int]] = []
    for number, seg in enumerate(segments):
        i0, i1 = segment_months(seg, dates, what)
        for other, j0, j1 in covered:
            if i0 <= j1 and j0 <= i1:
                raise InputError(
                    f"{what}[{number}] ({dates[i0]:%Y-%m}..{dates[i1]:%Y-%m}) overlaps "
                    f"{what}[{other}] ({dates[j0]:%Y-%m}..{dates[j1]:%Y-%m}); segments must "
                    "cover separate months — set 'from'/'to' so that each month has one value"
                )
        covered.append((number, i0, i1))
        before = last_observed if i0 == 0 else path[i0 - 1]
        if np.isnan(before):
            before = last_observed
        n = i1 - i0 + 1
        steps = np.arange(1, n + 1)
        if seg.level is not None:
            vals = np.full(n, seg.level)
        elif seg.change is not None:
            vals = np.full(n, last_observed + seg.change)
        elif seg.per_month is not None:
            vals = before + seg.per_month * steps
        elif seg.ramp_to is not None:
            vals = before + (seg.ramp_to - before) * steps / n
        else:
            vals = np.asarray(seg.values, dtype=float)
        path[i0 : i1 + 1] = vals
        if hold_last and i1 + 1 < len(dates):
            path[i1 + 1 :] = vals[-1]
    return path
