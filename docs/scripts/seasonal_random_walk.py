"""Would monthly seasonal terms help? The random walk with and without month-of-year means.

A quick measurement for docs "Why this default" (section "Not tried yet") before building
seasonal dummies into the model: at each origin of the backtest grid (2022-06..2025-11) the
no-change forecast ``y_T`` is compared with ``y_T`` plus the month-of-year mean changes of the
months ahead (means of the monthly changes from 2015-01 to the origin, centred to sum to zero
over the year, so only the seasonal pattern is added). Only data up to each origin are used.
Mean absolute errors by horizon group; a ratio below one means the seasonal pattern helps.
Run from the repository root with the real data::

    FISCALCLIFF_DATA_DIR=../shared/data python docs/scripts/seasonal_random_walk.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fiscalcliff.data import load_panel

SERIES = ["tga", "reserves", "other_absorbing", "fed_other_assets"]
ORIGINS = pd.period_range("2022-06", "2025-11", freq="M")
GROUPS = {"1-3": range(1, 4), "4-6": range(4, 7), "7-12": range(7, 13)}
SEASONS_FROM = pd.Period("2015-01", "M")


def errors(series: pd.Series) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """Forecast errors by horizon of the random walk and of the seasonal random walk."""
    plain: dict[int, list[float]] = {h: [] for h in range(1, 13)}
    seasonal: dict[int, list[float]] = {h: [] for h in range(1, 13)}
    for origin in ORIGINS:
        changes = series[:origin].diff()
        changes = changes[changes.index >= SEASONS_FROM]
        means = changes.groupby(changes.index.month).mean()
        means -= means.mean()
        for h in range(1, 13):
            target = origin + h
            if target not in series.index:
                continue
            shift = sum(means[(origin + j).month] for j in range(1, h + 1))
            miss = series[target] - series[origin]
            plain[h].append(miss)
            seasonal[h].append(miss - shift)
    return plain, seasonal


def main() -> None:
    frame = load_panel(SERIES, start="2009-01").frame
    rows = []
    for name in SERIES:
        series = pd.Series(frame[name].to_numpy(float), index=frame.index.to_period("M"))
        plain, seasonal = errors(series)
        cells = []
        for hs in GROUPS.values():
            a = np.mean([abs(e) for h in hs for e in plain[h]])
            b = np.mean([abs(e) for h in hs for e in seasonal[h]])
            cells.append(f"{a:.0f} / {b:.0f} ({b / a:.2f})")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    print("| series | " + " | ".join(f"{g} months" for g in GROUPS) + " |")
    print("|---|" + "---|" * len(GROUPS))
    print("\n".join(rows))
    print(
        f"\nmean absolute error ($bn): random walk / with month-of-year means (ratio); "
        f"{frame.index[-1]:%Y-%m} is the last month of data"
    )


if __name__ == "__main__":
    main()
