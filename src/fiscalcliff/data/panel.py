"""Assemble requested catalogue series into one checked monthly panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from fiscalcliff.data._months import (
    compress_months,
    fmt_month,
    month_range,
    months_between,
    to_month,
)
from fiscalcliff.data.build import BuiltSeries, SeriesBuilder
from fiscalcliff.data.catalogue import Catalogue, load_catalogue
from fiscalcliff.data.raw import Source
from fiscalcliff.data.records import SeriesRecord
from fiscalcliff.errors import DataError, InputError
from fiscalcliff.provenance import frame_sha256

MonthLike = str | date | pd.Timestamp


@dataclass(frozen=True)
class DataPanel:
    """A monthly panel and its provenance.

    Attributes
    ----------
    frame
        Index: month-start ``DatetimeIndex`` named ``"date"`` (freq ``"MS"``); one float64
        column per requested name, in request order; no NaN.
    records
        Provenance per column.
    data_hash
        SHA-256 hex of a canonical serialisation of `frame` (see
        :func:`fiscalcliff.provenance.frame_sha256`).
    last_dates
        Last month (``"YYYY-MM"``) with data of each series, before trimming to the common end.
    notes
        Human-readable notes: what limits the sample, fills, interpolations, dropped months.
    source
        The source the series were read from (None: the default source); later reads for the
        same forecast (e.g. a scenario's financing mix) use it too.
    tail
        The ragged edge: the months after the sample's last month up to the latest month any
        series has data for (capped at ``end``), with the values observed there and NaN where a
        series has ended. Empty (no rows) when every series ends in the same month. Forecasts
        start after the tail; its NaN cells are filled per posterior draw by the model's
        conditional forecast (:mod:`fiscalcliff.forecasting.ragged`).
    """

    frame: pd.DataFrame
    records: dict[str, SeriesRecord]
    data_hash: str
    last_dates: dict[str, str]
    notes: list[str] = field(default_factory=list)
    tail: pd.DataFrame | None = None
    source: Source | None = field(default=None, repr=False, compare=False)

    @property
    def edge(self) -> pd.DataFrame:
        """:attr:`tail`, or an empty frame with the panel's columns when there is none."""
        if self.tail is not None:
            return self.tail
        index = pd.DatetimeIndex([], freq="MS", name="date")
        return pd.DataFrame(index=index, columns=self.frame.columns, dtype=np.float64)

    @property
    def latest(self) -> str:
        """The latest month with data of any series (the last month of :attr:`tail`, or of the
        sample when there is no tail), ``"YYYY-MM"``: forecasts start the month after."""
        edge = self.edge
        return fmt_month(edge.index[-1]) if len(edge) else self.end

    @property
    def names(self) -> list[str]:
        """Column names, in order."""
        return [str(c) for c in self.frame.columns]

    @property
    def start(self) -> str:
        """First month, ``"YYYY-MM"``."""
        return fmt_month(self.frame.index[0])

    @property
    def end(self) -> str:
        """Last month, ``"YYYY-MM"``."""
        return fmt_month(self.frame.index[-1])


def load_panel(
    names: Sequence[str],
    *,
    source: Source | None = None,
    start: MonthLike | None = None,
    end: MonthLike | None = None,
    catalogue: Catalogue | None = None,
    max_staleness_months: int = 6,
) -> DataPanel:
    """Build a checked monthly panel of catalogue series.

    Parameters
    ----------
    names
        Catalogue names, e.g. ``["fed_assets", "tga", "rrp"]``; the panel's columns, in order.
    source
        Where raw series come from; None means :func:`~fiscalcliff.data.default_source`.
    start
        First month (``"2009-01"``); None means the first month where all series have data.
    end
        Last month allowed (an "as of" month); None means no limit. The sample ends at the
        earliest last month among the series (and `end`).
    catalogue
        None means the bundled catalogue (:func:`~fiscalcliff.data.load_catalogue`).
    max_staleness_months
        A series ending more than this many months before the most recent series (both
        capped at `end`) is an error rather than a silent truncation of the sample.

    Returns
    -------
    DataPanel

    Raises
    ------
    InputError
        Bad arguments (empty or duplicate names, unparseable months).
    DataError
        Unknown name (closest names suggested), unusable source data, a stale series, `start`
        before a series' first month, or a missing month inside the sample.
    SourceUnavailableError
        A remote source cannot be reached and nothing is cached.
    """
    names = _check_names(names)
    if isinstance(max_staleness_months, bool) or not isinstance(max_staleness_months, int):
        raise InputError(f"max_staleness_months must be an integer, got {max_staleness_months!r}")
    if max_staleness_months < 0:
        raise InputError(f"max_staleness_months must be >= 0, got {max_staleness_months}")
    start_month = None if start is None else to_month(start, what="start")
    end_month = None if end is None else to_month(end, what="end")
    if catalogue is None:
        catalogue = load_catalogue()
    unknown = [n for n in names if n not in catalogue]
    if unknown:
        raise DataError(catalogue.unknown_message(unknown))
    if source is None:
        from fiscalcliff.data.defaults import default_source

        source = default_source()

    builder = SeriesBuilder(catalogue, source)
    built = {name: builder.build(name) for name in names}

    effective_last = {
        n: b.last if end_month is None else min(b.last, end_month) for n, b in built.items()
    }
    _check_staleness(built, effective_last, max_staleness_months)
    common_end = min(effective_last.values())
    start_month, start_note = _choose_start(built, start_month)
    if start_month > common_end:
        raise DataError(
            f"empty sample: start {fmt_month(start_month)} is after the last month all series "
            f"share, {fmt_month(common_end)}"
        )
    index = month_range(start_month, common_end)
    columns = {name: b.materialise(index) for name, b in built.items()}
    _check_gaps(built, index, columns)

    frame = pd.DataFrame(columns, index=index, columns=names, dtype=np.float64)
    newest = max(effective_last.values())
    tail_index = pd.date_range(
        common_end + pd.offsets.MonthBegin(1), newest, freq="MS", name="date"
    )
    tail = pd.DataFrame(
        {name: b.materialise(tail_index) for name, b in built.items()},
        index=tail_index,
        columns=names,
        dtype=np.float64,
    )
    notes = [_end_note(built, common_end, end_month), start_note]
    if len(tail):
        notes.insert(1, _tail_note(tail))
    for name, b in built.items():
        notes.extend(f"{name}: {note}" for note in b.notes)
    return DataPanel(
        frame=frame,
        records={name: b.record() for name, b in built.items()},
        data_hash=frame_sha256(frame),
        last_dates={name: fmt_month(b.last) for name, b in built.items()},
        notes=notes,
        tail=tail,
        source=source,
    )


def _tail_note(tail: pd.DataFrame) -> str:
    """Which series the ragged edge fills, and for which months."""
    filled = []
    for name in tail.columns:
        missing = tail.index[tail[name].isna().to_numpy()]
        if len(missing):
            filled.append(f"{name} {compress_months(missing)}")
    return (
        f"ragged edge {fmt_month(tail.index[0])}..{fmt_month(tail.index[-1])}: forecasts start "
        f"{fmt_month(tail.index[-1] + pd.offsets.MonthBegin(1))}; filled per draw by the model's "
        f"conditional forecast (exogenous: held at their last value): {'; '.join(filled)}"
    )


def _check_names(names: Sequence[str]) -> list[str]:
    if isinstance(names, str):
        raise InputError(f"names must be a list of series names, not the string {names!r}")
    out = list(names)
    if not out:
        raise InputError("no series requested")
    bad = [n for n in out if not isinstance(n, str)]
    if bad:
        raise InputError(f"series names must be strings, got {bad!r}")
    duplicates = sorted({n for n in out if out.count(n) > 1})
    if duplicates:
        raise InputError(f"series requested more than once: {', '.join(duplicates)}")
    return out


def _ids(b: BuiltSeries) -> str:
    return ", ".join(b.source_ids)


def _check_staleness(
    built: dict[str, BuiltSeries], effective_last: dict[str, pd.Timestamp], limit: int
) -> None:
    newest = max(effective_last.values())
    problems = []
    for name, last in effective_last.items():
        behind = months_between(last, newest)
        if behind > limit:
            problems.append(
                f"series '{name}' ({_ids(built[name])}) ends {fmt_month(last)}, {behind} months "
                f"behind the others ({fmt_month(newest)}); drop it or raise max_staleness_months"
            )
    if problems:
        raise DataError("\n".join(problems))


def _choose_start(
    built: dict[str, BuiltSeries], start: pd.Timestamp | None
) -> tuple[pd.Timestamp, str]:
    bounded = {n: b for n, b in built.items() if b.fill_before is None}
    if start is not None:
        early = [
            f"series '{n}' ({_ids(b)}) starts {fmt_month(b.first)}; "
            f"start={fmt_month(start)} is earlier"
            for n, b in bounded.items()
            if start < b.first
        ]
        if early:
            raise DataError("\n".join(early))
        return start, f"sample starts {fmt_month(start)} (requested)"
    if not bounded:
        first = min(b.first for b in built.values())
        return first, f"sample starts {fmt_month(first)}: first month with data"
    first = max(b.first for b in bounded.values())
    limiting = [n for n, b in bounded.items() if b.first == first]
    return first, (
        f"sample starts {fmt_month(first)}: first month where all series have data "
        f"(limited by {', '.join(limiting)})"
    )


def _check_gaps(
    built: dict[str, BuiltSeries], index: pd.DatetimeIndex, columns: dict[str, np.ndarray]
) -> None:
    problems = []
    for name, column in columns.items():
        missing = index[np.isnan(column)]
        if len(missing):
            problems.append(
                f"series '{name}' ({_ids(built[name])}) has no value for {compress_months(missing)}"
            )
    if problems:
        span = f"{fmt_month(index[0])}..{fmt_month(index[-1])}"
        raise DataError(
            f"missing months inside the sample {span} (choose another start/end, or drop or "
            "fix the series):\n  - " + "\n  - ".join(problems)
        )


def _span(months: list[pd.Timestamp]) -> str:
    lo, hi = min(months), max(months)
    return fmt_month(lo) if lo == hi else f"{fmt_month(lo)}..{fmt_month(hi)}"


def _end_note(
    built: dict[str, BuiltSeries],
    common_end: pd.Timestamp,
    end: pd.Timestamp | None,
) -> str:
    e = fmt_month(common_end)
    limiting = [n for n, b in built.items() if b.last == common_end]
    reasons = ([f"end={e}"] if end is not None and end == common_end else []) + limiting
    later = [b.last for b in built.values() if b.last > common_end]
    if not later:
        return f"sample ends {e}: limited by {', '.join(reasons)} (every series ends there)"
    who = "others run" if limiting else "series run"
    return f"sample ends {e}: limited by {', '.join(reasons)} ({who} to {_span(later)})"
