"""Aggregate a raw series to calendar months, keeping only months the data fully covers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd

from fiscalcliff.data._months import month_range
from fiscalcliff.errors import DataError

Aggregate = Literal["mean", "last", "sum"]


class Frequency(StrEnum):
    """Observation frequency, inferred from the median spacing of dates."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


#: a month of daily/weekly data counts only if observations reach this close to both month ends
COVERAGE_TOLERANCE_DAYS = {Frequency.DAILY: 4, Frequency.WEEKLY: 6}

_AGGREGATE_WORDS = {"mean": "mean", "last": "last value", "sum": "sum"}


@dataclass(frozen=True)
class MonthlyResult:
    """A series on a contiguous month-start index (NaN where a month is missing).

    Attributes
    ----------
    values
        Float64 series, index ``DatetimeIndex`` (freq ``"MS"``) from the first to the last
        available month.
    frequency
        Frequency of the raw data.
    description
        Human-readable account of the aggregation, e.g. ``"monthly mean of weekly values"``.
    notes
        Facts worth reporting (e.g. forward filling).
    dropped
        Months with observations that were dropped as incompletely covered (daily/weekly data).
    """

    values: pd.Series
    frequency: Frequency
    description: str
    notes: tuple[str, ...] = ()
    dropped: tuple[pd.Timestamp, ...] = ()


def infer_frequency(index: pd.DatetimeIndex, *, label: str) -> Frequency:
    """Infer the frequency of sorted observation dates from their median spacing.

    Raises
    ------
    DataError
        With fewer than two observations, or a spacing that is not daily, weekly, monthly or
        quarterly.
    """
    if len(index) < 2:
        raise DataError(f"{label}: cannot infer the frequency of {len(index)} observation(s)")
    days = np.diff(index.to_numpy().astype("datetime64[D]").astype(np.int64))
    median = float(np.median(days))
    if median <= 4:
        return Frequency.DAILY
    if 5 <= median <= 10:
        return Frequency.WEEKLY
    if 26 <= median <= 35:
        return Frequency.MONTHLY
    if 85 <= median <= 95:
        return Frequency.QUARTERLY
    raise DataError(
        f"{label}: median spacing of {median:g} days is not daily, weekly, monthly or quarterly"
    )


def to_monthly(
    observations: pd.Series,
    *,
    aggregate: Aggregate = "mean",
    fill: Literal["ffill"] | None = None,
    label: str,
) -> MonthlyResult:
    """Convert raw observations to calendar months.

    Daily and weekly data are aggregated (`aggregate`) over the observations dated in each
    month; a month counts only if its first observation is within 4 (daily) / 6 (weekly) days of
    the month's first day and its last observation within as many days of the month's last day.
    Monthly data are kept as published. Quarterly data (FRED dates them by the first day of the
    quarter) appear in the quarter's first month, or in all three months with ``fill="ffill"``.

    Parameters
    ----------
    observations
        Sorted float64 series on a ``DatetimeIndex`` without NaN (a ``RawSeries``).
    aggregate
        ``"mean"``, ``"last"`` or ``"sum"`` of the observations in the month (daily/weekly only).
    fill
        ``"ffill"`` to repeat quarterly values over their quarter.
    label
        Series name for messages.

    Returns
    -------
    MonthlyResult

    Raises
    ------
    DataError
        If the frequency cannot be inferred, monthly/quarterly dates repeat a period, quarterly
        dates are not quarter starts, or no complete month remains.
    """
    frequency = infer_frequency(observations.index, label=label)
    months = observations.index.to_numpy().astype("datetime64[M]")
    values = observations.to_numpy(dtype=np.float64)
    notes: list[str] = []
    dropped: list[pd.Timestamp] = []
    if frequency in COVERAGE_TOLERANCE_DAYS:
        monthly, dropped = _aggregate_days(months, observations.index, values, aggregate, frequency)
        description = f"monthly {_AGGREGATE_WORDS[aggregate]} of {frequency} values"
    else:
        _check_unique_periods(months, label=label, frequency=frequency)
        monthly = pd.Series(values, index=pd.DatetimeIndex(months.astype("datetime64[ns]")))
        description = "monthly values as published"
        if frequency is Frequency.QUARTERLY:
            bad = observations.index[(observations.index.month - 1) % 3 != 0]
            if len(bad):
                raise DataError(
                    f"{label}: quarterly dates must be quarter starts (FRED convention); "
                    f"found {bad[0]:%Y-%m-%d}"
                )
            description = "quarterly values in the first month of their quarter"
    if monthly.empty:
        raise DataError(f"{label}: no complete month of data")
    full = month_range(monthly.index[0], monthly.index[-1])
    if frequency is Frequency.QUARTERLY and fill == "ffill":
        full = month_range(full[0], full[-1] + pd.DateOffset(months=2))
        out = monthly.reindex(full).ffill(limit=2)
        description = "quarterly values repeated over the three months of their quarter"
        notes.append(
            "quarterly values forward-filled within their quarter (each month of a quarter "
            "carries the quarter's value)"
        )
    else:
        out = monthly.reindex(full)
    out = out.astype(np.float64)
    out.name = observations.name
    return MonthlyResult(out, frequency, description, tuple(notes), tuple(dropped))


def _aggregate_days(
    months: np.ndarray,
    index: pd.DatetimeIndex,
    values: np.ndarray,
    aggregate: Aggregate,
    frequency: Frequency,
) -> tuple[pd.Series, list[pd.Timestamp]]:
    days = index.to_numpy().astype("datetime64[D]")
    unique, starts = np.unique(months, return_index=True)
    ends = np.append(starts[1:], len(values)) - 1
    if aggregate == "mean":
        agg = np.add.reduceat(values, starts) / (ends - starts + 1)
    elif aggregate == "sum":
        agg = np.add.reduceat(values, starts)
    else:
        agg = values[ends]
    month_first = unique.astype("datetime64[D]")
    month_last = (unique + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    tolerance = np.timedelta64(COVERAGE_TOLERANCE_DAYS[frequency], "D")
    complete = (days[starts] - month_first <= tolerance) & (month_last - days[ends] <= tolerance)
    month_index = pd.DatetimeIndex(unique.astype("datetime64[ns]"))
    kept = pd.Series(agg[complete], index=month_index[complete])
    dropped = list(month_index[~complete])
    return kept, dropped


def _check_unique_periods(months: np.ndarray, *, label: str, frequency: Frequency) -> None:
    repeated = months[1:][months[1:] == months[:-1]]
    if repeated.size:
        first = pd.Timestamp(repeated[0])
        raise DataError(f"{label}: {frequency} data has more than one observation in {first:%Y-%m}")
