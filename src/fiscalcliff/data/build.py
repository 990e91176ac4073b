"""Build one catalogue series as monthly values: fetch, aggregate, scale, transform, fill."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from fiscalcliff.data._months import add_months, compress_months, fmt_month, month_range, to_month
from fiscalcliff.data.catalogue import Catalogue, SeriesSpec
from fiscalcliff.data.monthly import COVERAGE_TOLERANCE_DAYS, MonthlyResult, to_monthly
from fiscalcliff.data.raw import RawSeries, Source
from fiscalcliff.data.records import SeriesRecord
from fiscalcliff.errors import DataError

_TRANSFORM_WORDS = {
    "rolling_sum_12": "12-month rolling sum",
    "pct_change_12": "12-month percent change",
    "diff": "change from the previous month",
}


@dataclass(frozen=True)
class BuiltSeries:
    """A finished monthly series.

    Attributes
    ----------
    spec
        Its catalogue entry.
    values
        Float64 on a contiguous month-start index; NaN marks a missing month. The last month
        has a value; so does the first unless `fill_before` is set (then it is the rule's month).
    fill_before
        Value of every month before ``values.index[0]`` (from ``zero_before`` or
        ``backfill_before``, or a formula over such series), or None if there is no data there.
    source_ids, origins
        Raw series behind it and where they came from.
    steps
        What was done, in order.
    notes
        Notes about this series itself.
    inherited_notes
        Notes about the inputs of a formula, prefixed with the input's name.
    """

    spec: SeriesSpec
    values: pd.Series
    fill_before: float | None
    source_ids: tuple[str, ...]
    origins: tuple[str, ...]
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    inherited_notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Catalogue name."""
        return self.spec.name

    @property
    def first(self) -> pd.Timestamp:
        """First month of `values` (its first data month, or the fill rule's month)."""
        return self.values.index[0]

    @property
    def last(self) -> pd.Timestamp:
        """Last month with a value."""
        return self.values.index[-1]

    def materialise(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Values on `index` (month starts), using `fill_before` before the data; NaN elsewhere."""
        out = self.values.reindex(index).to_numpy(dtype=np.float64, copy=True)
        if self.fill_before is not None:
            out[index < self.values.index[0]] = self.fill_before
        return out

    def record(self) -> SeriesRecord:
        """Provenance record for this series."""
        data = self.values.dropna()
        if len(self.origins) == 1 and self.spec.source is not None:
            origin = self.origins[0]
        else:
            origin = "derived (" + "; ".join(self.origins) + ")"
        return SeriesRecord(
            name=self.name,
            source_ids=self.source_ids,
            origin=origin,
            units=self.spec.units,
            first=fmt_month(data.index[0]),
            last=fmt_month(data.index[-1]),
            description=self.spec.description,
            transform=", ".join(self.steps),
            notes=self.notes + self.inherited_notes,
        )


class SeriesBuilder:
    """Build catalogue series from a source, each at most once.

    Parameters
    ----------
    catalogue
        Where names are looked up.
    source
        Where raw series come from.
    """

    def __init__(self, catalogue: Catalogue, source: Source) -> None:
        self.catalogue = catalogue
        self.source = source
        self._built: dict[str, BuiltSeries] = {}
        self._raw: dict[str, RawSeries] = {}

    def build(self, name: str) -> BuiltSeries:
        """Return the finished monthly series `name`.

        Raises
        ------
        DataError
            If `name` is unknown, the source fails, or a rule cannot be applied.
        """
        if name not in self._built:
            spec = self.catalogue.spec(name)
            self._built[name] = (
                self._from_source(spec) if spec.source is not None else self._from_formula(spec)
            )
        return self._built[name]

    def _from_source(self, spec: SeriesSpec) -> BuiltSeries:
        assert spec.source is not None
        if spec.source not in self._raw:
            self._raw[spec.source] = self.source.fetch(spec.source)
        raw = self._raw[spec.source]
        label = f"series '{spec.name}' ({spec.source})"
        monthly = to_monthly(
            raw.observations, aggregate=spec.aggregate, fill=spec.fill, label=label
        )
        notes = list(monthly.notes)
        notes.extend(_dropped_notes(monthly, raw.observations.index[-1], _rule_month(spec)))
        values = monthly.values
        if spec.interpolate:
            values, note = _interpolate(values, spec.interpolate, label=label)
            notes.extend(note)
        first_value = None
        if spec.backfill_before is not None:
            obs = raw.observations
            after = obs[obs.index >= to_month(spec.backfill_before.month)]
            if not after.empty:
                first_value = (float(after.iloc[0]) * spec.scale, after.index[0])
        return _finish(
            spec,
            values,
            fill_before=None,
            backfill_value=first_value,
            steps=[monthly.description],
            notes=notes,
            source_ids=(spec.source,),
            origins=(raw.origin,),
        )

    def _from_formula(self, spec: SeriesSpec) -> BuiltSeries:
        formula = spec.parsed_formula
        assert formula is not None
        inputs = [self.build(dep) for dep in formula.names]
        index = month_range(min(s.first for s in inputs), max(s.last for s in inputs))
        env = {s.name: pd.Series(s.materialise(index), index=index) for s in inputs}
        values = formula.evaluate(env)
        if not isinstance(values, pd.Series):  # a formula without names is rejected earlier
            raise DataError(f"series '{spec.name}': formula {formula.text!r} uses no series")
        fills = [s.fill_before for s in inputs]
        fill_before = (
            float(formula.evaluate({s.name: s.fill_before for s in inputs}))
            if all(f is not None for f in fills)
            else None
        )
        source_ids: list[str] = []
        origins: list[str] = []
        inherited: list[str] = []
        for s in inputs:
            source_ids.extend(i for i in s.source_ids if i not in source_ids)
            origins.extend(o for o in s.origins if o not in origins)
            inherited.extend(f"input {s.name}: {n}" for n in s.notes + s.inherited_notes)
        built = _finish(
            spec,
            values,
            fill_before=fill_before,
            steps=[formula.text],
            notes=[],
            source_ids=tuple(source_ids),
            origins=tuple(origins),
        )
        return replace(built, inherited_notes=tuple(dict.fromkeys(inherited)))


def _rule_month(spec: SeriesSpec) -> pd.Timestamp | None:
    if spec.zero_before is not None:
        return to_month(spec.zero_before)
    if spec.backfill_before is not None:
        return to_month(spec.backfill_before.month)
    return None


def _dropped_notes(
    monthly: MonthlyResult, last_obs: pd.Timestamp, rule_month: pd.Timestamp | None
) -> list[str]:
    if not monthly.dropped:
        return []
    kept = monthly.values.dropna().index
    tolerance = COVERAGE_TOLERANCE_DAYS[monthly.frequency]
    trailing = [m for m in monthly.dropped if m > kept[-1]]
    interior = [
        m
        for m in monthly.dropped
        if kept[0] < m < kept[-1] and (rule_month is None or m >= rule_month)
    ]
    notes = []
    if interior:
        notes.append(
            f"incomplete months left out: {compress_months(interior)} ({monthly.frequency} "
            f"observations must reach within {tolerance} days of both ends of a month)"
        )
    if trailing:
        notes.append(
            f"{compress_months(trailing)} left out as incomplete: the {monthly.frequency} "
            f"observations end {last_obs:%Y-%m-%d}, more than {tolerance} days before the "
            "month's end"
        )
    return notes


def _interpolate(
    values: pd.Series, months: tuple[str, ...], *, label: str
) -> tuple[pd.Series, list[str]]:
    filled = values.interpolate(method="linear", limit_area="inside")
    out = values.copy()
    done: list[pd.Timestamp] = []
    present: list[pd.Timestamp] = []
    for text in months:
        month = to_month(text)
        if month not in values.index or np.isnan(filled.get(month, np.nan)):
            raise DataError(
                f"{label}: cannot interpolate {text}: it is not between two months with data "
                f"({fmt_month(values.index[0])}..{fmt_month(values.index[-1])})"
            )
        if np.isnan(values[month]):
            out[month] = filled[month]
            done.append(month)
        else:
            present.append(month)
    notes = []
    if done:
        notes.append(f"missing in the source, linearly interpolated: {compress_months(done)}")
    if present:
        notes.append(
            f"listed for interpolation but present in the source (kept): {compress_months(present)}"
        )
    return out, notes


def _apply_transform(
    values: pd.Series, fill_before: float | None, kind: str
) -> tuple[pd.Series, float | None]:
    if fill_before is not None:
        pad = pd.date_range(add_months(values.index[0], -13), periods=13, freq="MS", name="date")
        series = pd.concat([pd.Series(fill_before, index=pad), values])
    else:
        series = values
    if kind == "rolling_sum_12":
        out = series.rolling(12, min_periods=12).sum()
    elif kind == "pct_change_12":
        out = 100.0 * (series / series.shift(12) - 1.0)
    elif kind == "diff":
        out = series.diff()
    else:  # pragma: no cover - the catalogue model allows only the kinds above
        raise ValueError(f"unknown transform {kind!r}")
    if fill_before is None:
        return out, None
    return out.iloc[13:], float(out.iloc[12])


def _format_value(value: float, units: str) -> str:
    if units == "percent":
        return f"{value:.2f}%"
    return f"{value:.4g} {units}"


def _finish(
    spec: SeriesSpec,
    values: pd.Series,
    *,
    fill_before: float | None,
    steps: list[str],
    notes: list[str],
    source_ids: tuple[str, ...],
    origins: tuple[str, ...],
    backfill_value: tuple[float, pd.Timestamp] | None = None,
) -> BuiltSeries:
    """Apply scale, transform and the fill rules shared by source and formula series.

    `backfill_value` is the scaled first source observation from the ``backfill_before`` month
    on, and its date.
    """
    label = f"series '{spec.name}'"
    values = values.astype(np.float64)
    if spec.scale != 1:
        values = values * spec.scale
        fill_before = None if fill_before is None else fill_before * spec.scale
        steps.append(f"x {spec.scale:g}")
    if spec.transform is not None:
        values, fill_before = _apply_transform(values, fill_before, spec.transform)
        steps.append(_TRANSFORM_WORDS[spec.transform])
    rule_month = _rule_month(spec)
    if rule_month is not None:
        replaced = int(values[values.index < rule_month].notna().sum())
        index = month_range(rule_month, max(rule_month, values.index[-1]))
        values = values.reindex(index)
        if spec.zero_before is not None:
            fill_before = 0.0
            steps.append(f"0 before {spec.zero_before}")
            note = f"set to 0 before {spec.zero_before}"
        else:
            if backfill_value is None:
                raise DataError(
                    f"{label}: backfill_before {fmt_month(rule_month)}: the source has no "
                    "observation from that month on"
                )
            fill_before, first_date = backfill_value
            steps.append(f"backfilled before {fmt_month(rule_month)}")
            note = (
                f"backfilled before {fmt_month(rule_month)} with first value "
                f"{_format_value(fill_before, spec.units)} (observation of {first_date:%Y-%m-%d})"
            )
        if replaced:
            note += f" ({replaced} earlier monthly values from the source replaced)"
        notes.append(note)
    notes.extend(spec.notes)
    present = np.flatnonzero(values.notna().to_numpy())
    if present.size == 0:
        raise DataError(f"{label}: no data left after its steps ({', '.join(steps)})")
    first_pos = 0 if fill_before is not None else int(present[0])
    values = values.iloc[first_pos : int(present[-1]) + 1]
    values.index = pd.DatetimeIndex(values.index, freq="MS", name="date")
    values.name = spec.name
    return BuiltSeries(
        spec=spec,
        values=values,
        fill_before=fill_before,
        source_ids=source_ids,
        origins=origins,
        steps=tuple(steps),
        notes=tuple(notes),
    )
