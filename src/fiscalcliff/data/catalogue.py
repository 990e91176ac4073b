"""The series catalogue: model names mapped to a FRED id or a formula, units and transforms."""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from fiscalcliff.data.formula import Formula, FormulaError
from fiscalcliff.errors import ConfigError, DataError

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


def _month_from_yaml(value: Any) -> Any:
    if isinstance(value, date):  # YAML reads 2025-01-01 as a date
        return f"{value.year:04d}-{value.month:02d}"
    return value


def _check_month(value: str) -> str:
    if not _MONTH_RE.match(value):
        raise ValueError(f"{value!r} is not a month; use YYYY-MM")
    return value


YearMonth = Annotated[str, BeforeValidator(_month_from_yaml), AfterValidator(_check_month)]


class Backfill(BaseModel):
    """Fill the months before `month` with a constant.

    ``method: first`` uses the first source observation dated in or after `month` (e.g. the
    first day of a daily series), times the entry's `scale`: the level at the start of the
    series' history, unaffected by changes later in that month.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    month: YearMonth
    method: Literal["first"] = "first"


class SeriesSpec(BaseModel):
    """One catalogue entry.

    Exactly one of `source` (a source series id) or `formula` (``+``/``-`` over other catalogue
    names, evaluated on their finished monthly values) must be given.

    Attributes
    ----------
    name
        Model name (lower case, digits, ``_``).
    source
        Source series id, e.g. ``WALCL``.
    formula
        E.g. ``fed_assets - reserves - tga - rrp``.
    units
        Units after `scale`, e.g. ``$bn`` or ``percent``.
    description
        One line for humans.
    scale
        Multiplier applied after monthly aggregation (0.001 for $mn -> $bn).
    aggregate
        How daily/weekly observations become a monthly value: ``mean``, ``last`` or ``sum``.
    fill
        ``ffill`` repeats quarterly values over their quarter.
    transform
        ``rolling_sum_12``, ``pct_change_12`` (percent) or ``diff``, applied after `scale`.
    zero_before
        ``YYYY-MM``: months before are 0 (e.g. before a facility existed).
    backfill_before
        ``{month: YYYY-MM, method: first}``: months before ``month`` take the first source
        observation from ``month`` on, times `scale` (for short histories).
    interpolate
        Months (``YYYY-MM``) known to be missing in the source that may be linearly interpolated
        from their neighbours before `scale` and `transform`; each is reported in the notes.
    notes
        Extra notes copied to the series record.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME_PATTERN)
    source: str | None = Field(default=None, pattern=_SOURCE_PATTERN)
    formula: str | None = None
    units: str = Field(min_length=1)
    description: str = ""
    scale: float = 1.0
    aggregate: Literal["mean", "last", "sum"] = "mean"
    fill: Literal["ffill"] | None = None
    transform: Literal["rolling_sum_12", "pct_change_12", "diff"] | None = None
    zero_before: YearMonth | None = None
    backfill_before: Backfill | None = None
    interpolate: tuple[YearMonth, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> SeriesSpec:
        if (self.source is None) == (self.formula is None):
            raise ValueError("give exactly one of 'source' or 'formula'")
        if self.formula is not None:
            try:
                formula = Formula.parse(self.formula)
            except FormulaError as exc:
                raise ValueError(str(exc)) from None
            if not formula.names:
                raise ValueError(f"formula {self.formula!r} uses no series name")
            for key in ("aggregate", "fill", "interpolate"):
                if key in self.model_fields_set:
                    raise ValueError(f"'{key}' applies to source series only, not formulas")
        if not math.isfinite(self.scale) or self.scale == 0:
            raise ValueError("'scale' must be a finite, non-zero number")
        if self.zero_before is not None and self.backfill_before is not None:
            raise ValueError("give at most one of 'zero_before' and 'backfill_before'")
        if self.backfill_before is not None and (self.source is None or self.transform):
            raise ValueError(
                "'backfill_before' with method 'first' needs a source series without 'transform'"
            )
        return self

    @property
    def parsed_formula(self) -> Formula | None:
        """The parsed formula, or None for a source series."""
        return None if self.formula is None else Formula.parse(self.formula)

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Catalogue names this entry's formula uses (empty for a source series)."""
        formula = self.parsed_formula
        return () if formula is None else formula.names


class Catalogue(Mapping[str, SeriesSpec]):
    """A validated, read-only mapping of model name -> :class:`SeriesSpec`.

    Formulas must refer to names in the catalogue, without cycles, and the names added or
    subtracted in one formula must share their units.

    Parameters
    ----------
    specs
        The entries.
    origin
        Where the entries came from, for messages.

    Raises
    ------
    ConfigError
        Listing every problem found.
    """

    def __init__(self, specs: Iterable[SeriesSpec], *, origin: str = "catalogue") -> None:
        self._specs: dict[str, SeriesSpec] = {}
        problems: list[str] = []
        for spec in specs:
            if spec.name in self._specs:
                problems.append(f"'{spec.name}' is defined twice")
            self._specs[spec.name] = spec
        self.origin = origin
        problems.extend(self._check_formulas())
        if problems:
            raise ConfigError(f"invalid {origin}:\n  - " + "\n  - ".join(problems))

    @classmethod
    def from_mapping(cls, data: Any, *, origin: str) -> Catalogue:
        """Build from parsed YAML: ``{"series": {name: {field: value, ...}, ...}}``.

        Raises
        ------
        ConfigError
            Listing every invalid entry and field.
        """
        return cls(_specs_from_mapping(data, origin=origin), origin=origin)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Catalogue:
        """Read a catalogue YAML file (see :meth:`from_mapping`)."""
        return cls.from_mapping(_read_yaml(Path(path)), origin=f"catalogue file {path}")

    def merged(self, other: Catalogue | Iterable[SeriesSpec], *, origin: str = "") -> Catalogue:
        """A new catalogue: these entries, with `other`'s added or replacing same-named ones.

        `other` may refer to names defined here (formulas are checked on the merged result).
        """
        extra = list(other.values()) if isinstance(other, Catalogue) else list(other)
        label = origin or (other.origin if isinstance(other, Catalogue) else "extra entries")
        specs = {**self._specs, **{spec.name: spec for spec in extra}}
        return Catalogue(specs.values(), origin=f"{self.origin} + {label}")

    def __getitem__(self, name: str) -> SeriesSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def spec(self, name: str) -> SeriesSpec:
        """Entry `name`.

        Raises
        ------
        DataError
            If `name` is unknown; the message names the closest catalogue names.
        """
        try:
            return self._specs[name]
        except KeyError:
            raise DataError(self.unknown_message([name])) from None

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Up to `n` catalogue names closest to `name`."""
        return difflib.get_close_matches(str(name), list(self._specs), n=n, cutoff=0.4)

    def unknown_message(self, names: Iterable[str]) -> str:
        """Message for unknown names, suggesting the closest known ones."""
        parts = []
        for name in names:
            close = self.closest(name)
            hint = f" (closest: {', '.join(close)})" if close else ""
            parts.append(f"'{name}'{hint}")
        noun = "series" if len(parts) == 1 else "series names"
        return (
            f"unknown {noun} {'; '.join(parts)} in {self.origin}; "
            f"known series: {', '.join(self._specs)}"
        )

    def source_ids(self, name: str) -> tuple[str, ...]:
        """Source ids that `name` is built from (following formulas), in order."""
        spec = self.spec(name)
        if spec.source is not None:
            return (spec.source,)
        out: list[str] = []
        for dep in spec.dependencies:
            out.extend(i for i in self.source_ids(dep) if i not in out)
        return tuple(out)

    def _check_formulas(self) -> list[str]:
        problems: list[str] = []
        for spec in self._specs.values():
            missing = [d for d in spec.dependencies if d not in self._specs]
            if missing:
                problems.append(f"'{spec.name}': formula uses unknown name(s) {', '.join(missing)}")
                continue
            from fiscalcliff.data.formula import Formula

            units = {self._specs[d].units for d in spec.dependencies}
            # sums and differences must add like to like; a ratio (e.g. a share) states its own
            if len(units) > 1 and Formula.parse(spec.formula or "0").is_linear:
                detail = ", ".join(f"{d} [{self._specs[d].units}]" for d in spec.dependencies)
                problems.append(f"'{spec.name}': formula mixes units: {detail}")
        if not problems:
            problems.extend(self._check_cycles())
        return problems

    def _check_cycles(self) -> list[str]:
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        def visit(name: str, path: list[str]) -> str | None:
            if state.get(name) == 2:
                return None
            if state.get(name) == 1:
                return " -> ".join([*path[path.index(name) :], name])
            state[name] = 1
            for dep in self._specs[name].dependencies:
                cycle = visit(dep, [*path, name])
                if cycle:
                    return cycle
            state[name] = 2
            return None

        for name in self._specs:
            cycle = visit(name, [])
            if cycle:
                return [f"formulas form a cycle: {cycle}"]
        return []

    def __repr__(self) -> str:
        return f"Catalogue({len(self)} series from {self.origin})"


def _read_yaml(path: Path) -> Any:
    from fiscalcliff.yamlconfig import read_yaml

    data, _ = read_yaml(path)  # bounded, safe; ConfigError names the file and line
    return data


def _specs_from_mapping(data: Any, *, origin: str) -> list[SeriesSpec]:
    if (
        not isinstance(data, dict)
        or set(data) != {"series"}
        or not isinstance(data["series"], dict)
    ):
        raise ConfigError(
            f"invalid {origin}: expected a mapping with one key 'series' holding "
            "name: {source|formula: ..., units: ...} entries"
        )
    specs: list[SeriesSpec] = []
    problems: list[str] = []
    for name, entry in data["series"].items():
        if not isinstance(entry, dict):
            problems.append(f"'{name}': expected a mapping of fields, got {entry!r}")
            continue
        if "name" in entry and entry["name"] != name:
            problems.append(f"'{name}': 'name' field {entry['name']!r} differs from the key")
            continue
        try:
            specs.append(SeriesSpec.model_validate({**entry, "name": name}))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                prefix = f"'{name}'" + (f".{where}" if where else "")
                problems.append(f"{prefix}: {err['msg']}")
    if problems:
        raise ConfigError(f"invalid {origin}:\n  - " + "\n  - ".join(problems))
    return specs


@functools.cache
def _bundled() -> Catalogue:
    import yaml

    text = resources.files("fiscalcliff.data").joinpath("catalogue.yaml").read_text("utf-8")
    return Catalogue.from_mapping(yaml.safe_load(text), origin="bundled catalogue")


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load the bundled catalogue, merged with a user file of extra entries if `path` is given.

    Parameters
    ----------
    path
        A YAML file ``series: {name: {...}, ...}``; its entries are added to the bundled ones,
        replacing any of the same name.

    Returns
    -------
    Catalogue

    Raises
    ------
    ConfigError
        If either file is invalid (every problem is listed).
    """
    bundled = _bundled()
    if path is None:
        return bundled
    origin = f"catalogue file {path}"
    extra = _specs_from_mapping(_read_yaml(Path(path)), origin=origin)
    return bundled.merged(extra, origin=origin)
