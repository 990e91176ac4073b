"""Forecast origins of a backtest and the seed of every (model, origin) task."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError

_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
_RANGE = re.compile(rf"^({_MONTH}):({_MONTH})(?::(\d+))?$")


def parse_origins(text: str) -> list[str]:
    """Origins from ``START:END`` (monthly), ``START:END:STEP`` or a comma list of months.

    Parameters
    ----------
    text : str
        E.g. ``"2022-06:2025-11"``, ``"2022-06:2025-11:3"`` (every third month) or
        ``"2023-01,2024-01"``.

    Returns
    -------
    list of str
        Months ``YYYY-MM`` in increasing order.

    Raises
    ------
    InputError
        The text is not one of those forms, the range is empty or a month repeats.
    """
    text = str(text).strip()
    match = _RANGE.match(text)
    if match:
        start, end, step = match.group(1), match.group(2), int(match.group(3) or 1)
        if step < 1:
            raise InputError(f"--origins {text}: the step must be a positive number of months")
        if end < start:
            raise InputError(f"--origins {text}: the end month {end} is before the start {start}")
        months = pd.period_range(start, end, freq="M")[::step]
        return [str(m) for m in months]
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if not re.fullmatch(_MONTH, t)]
    if not items or bad:
        raise InputError(
            f"--origins {text!r}: write START:END[:STEP] or a comma list of months YYYY-MM, "
            "e.g. 2022-06:2025-11 or 2022-06:2025-11:3"
        )
    if len(set(items)) != len(items):
        raise InputError(f"--origins {text!r}: a month is listed twice")
    return sorted(items)


def task_seed(seed: int, model: str, origin: str) -> np.random.SeedSequence:
    """The seed of one (model, origin) task: independent of which other tasks run, and where.

    ``SeedSequence([seed, crc32(model), months since year 0 of origin])``, so any subset of
    origins, run serially or on any cluster, reproduces the same numbers.
    """
    period = pd.Period(origin, freq="M")
    return np.random.SeedSequence(
        [int(seed), zlib.crc32(model.encode()), period.year * 12 + period.month - 1]
    )


def month_after(origin: str, months: int = 1) -> str:
    """``YYYY-MM`` of the month ``months`` after ``origin``."""
    return str(pd.Period(origin, freq="M") + months)
