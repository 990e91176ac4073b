"""The scenario file schema (``scenarios/*.yaml``), validated with pydantic.

A scenario names the model (a prior file), the data vintage (``as_of``), the horizon, paths for
exogenous variables, conditions on endogenous variables and events to report.  A file may
``extends:`` another scenario file and override parts of it (see
:mod:`fiscalcliff.scenarios.loader`).

Path segments (used for exogenous paths and for conditions) apply to months ``from``..``to``
(defaults: the horizon's first and last month) and say exactly one of:

=============  ======================================================================
``level``      the value in every month of the segment (a step);
``change``     the last observed value plus this change;
``per_month``  the value before the segment plus ``per_month`` times the months elapsed
               (e.g. asset purchases of $80bn a month);
``ramp_to``    a straight line from the value before the segment to this value at ``to``;
``values``     an explicit list of monthly values starting at ``from``.
=============  ======================================================================
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fiscalcliff.config_types import CONFIG, MAX_LEVEL, Int, Level, Real
from fiscalcliff.limits import MAX_DRAWS, MAX_SEED

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _month(value: str | None) -> str | None:
    if value is not None and not _MONTH.match(str(value)):
        raise ValueError(f"'{value}' is not a month; write YYYY-MM, e.g. 2026-04")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(**CONFIG, populate_by_name=True)


class Segment(_Strict):
    """One piece of a monthly path."""

    start: str | None = Field(None, alias="from", description="first month, YYYY-MM")
    end: str | None = Field(None, alias="to", description="last month, YYYY-MM")
    level: Level | None = None
    change: Level | None = None
    per_month: Level | None = None
    ramp_to: Level | None = None
    values: tuple[Level, ...] | None = Field(None, max_length=1200)

    _months = field_validator("start", "end")(_month)

    @model_validator(mode="after")
    def _one_kind(self) -> Segment:
        kinds = [
            k
            for k in ("level", "change", "per_month", "ramp_to", "values")
            if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                "a path segment needs exactly one of level, change, per_month, ramp_to, values"
                + (f" (got {', '.join(kinds)})" if kinds else "")
            )
        if self.values is not None and self.end is not None:
            raise ValueError("'values' sets its own length; leave out 'to'")
        if self.values is not None and not self.values:
            raise ValueError("'values' is empty")
        if self.ramp_to is not None and self.end is None:
            pass  # ramps to the horizon end by default
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    @property
    def kind(self) -> str:
        """Which of level/change/per_month/ramp_to/values this segment uses."""
        return next(
            k
            for k in ("level", "change", "per_month", "ramp_to", "values")
            if getattr(self, k) is not None
        )


class Condition(_Strict):
    """A condition on an endogenous variable or identity (e.g. ``reserves``).

    Give ``path`` for a hard condition (met exactly in every draw), ``path`` with ``sd`` for a
    soft one (the variable is normal around the path with that standard deviation), or
    ``floor``/``ceiling`` for bounds over ``from``..``to``.
    """

    variable: str
    path: tuple[Segment, ...] | None = None
    sd: Real | None = Field(None, gt=0, le=MAX_LEVEL)
    floor: Level | None = None
    ceiling: Level | None = None
    start: str | None = Field(None, alias="from", description="bounds: first month")
    end: str | None = Field(None, alias="to", description="bounds: last month")

    _months = field_validator("start", "end")(_month)

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        has_path = self.path is not None
        has_bound = self.floor is not None or self.ceiling is not None
        if has_path == has_bound:
            raise ValueError("a condition needs either 'path' (hard/soft) or 'floor'/'ceiling'")
        if self.sd is not None and not has_path:
            raise ValueError("'sd' makes a path soft; it needs 'path'")
        if has_path and (self.start or self.end):
            raise ValueError("'from'/'to' are for bounds; a path's segments carry their months")
        if self.floor is not None and self.ceiling is not None and self.floor >= self.ceiling:
            raise ValueError(f"floor ({self.floor}) must be below ceiling ({self.ceiling})")
        return self

    @property
    def kind(self) -> Literal["hard", "soft", "bound"]:
        """``hard``, ``soft`` or ``bound``."""
        if self.path is None:
            return "bound"
        return "hard" if self.sd is None else "soft"


class FedAction(_Strict):
    """One change to the Fed's securities holdings over ``from``..``to`` (policy knob).

    Exactly one of ``purchases`` (net purchases, $bn a month: holdings rise by this much each
    month), ``runoff_cap`` (holdings fall by this much each month: runoff at the cap) or
    ``reinvest: true`` (holdings flat: maturing securities reinvested). ``of`` says which
    holdings: ``treasuries`` (coupons and bills, the ``fed_treasuries`` variable), ``bills``
    (Treasury bills, also ``fed_treasuries``) or ``mbs`` (``fed_mbs``). In its months the action
    replaces the monthly change of the baseline path; other months keep the baseline's changes.
    """

    of: Literal["treasuries", "bills", "mbs"]
    purchases: Real | None = Field(None, ge=0, le=MAX_LEVEL, description="$bn a month")
    runoff_cap: Real | None = Field(None, ge=0, le=MAX_LEVEL, description="$bn a month")
    reinvest: bool | None = None
    start: str = Field(..., alias="from", description="first month, YYYY-MM")
    end: str | None = Field(None, alias="to", description="last month (default: horizon end)")

    _months = field_validator("start", "end")(_month)

    @model_validator(mode="after")
    def _one_kind(self) -> FedAction:
        kinds = [k for k in ("purchases", "runoff_cap", "reinvest") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a Fed action needs exactly one of purchases, runoff_cap, reinvest"
                + (f" (got {', '.join(kinds)})" if kinds else "")
            )
        if self.reinvest is False:
            raise ValueError("'reinvest: false' says nothing; give purchases or runoff_cap")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    @property
    def monthly_change(self) -> float:
        """The holdings' change each month of the action, $bn."""
        if self.purchases is not None:
            return float(self.purchases)
        if self.runoff_cap is not None:
            return -float(self.runoff_cap)
        return 0.0

    @property
    def variable(self) -> str:
        """The exogenous model variable the action moves."""
        return "fed_mbs" if self.of == "mbs" else "fed_treasuries"


class Financing(_Strict):
    """Treasury's financing mix over ``from``..``to``: the share of new borrowing in bills.

    New borrowing each month is taken as one twelfth of the 12-month deficit (``deficit_12m``,
    the scenario's path); ``bill_share`` of it is issued as bills, the rest as coupons. The
    knob sets the path of the bill share of marketable debt (``bill_share``, percent).
    """

    bill_share: Real = Field(..., ge=0, le=1, description="share of new borrowing in bills")
    start: str = Field(..., alias="from", description="first month, YYYY-MM")
    end: str | None = Field(None, alias="to", description="last month (default: horizon end)")

    _months = field_validator("start", "end")(_month)

    @model_validator(mode="after")
    def _order(self) -> Financing:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self


class TreasuryCash(_Strict):
    """Treasury's announced end-of-quarter cash balances as soft conditions on the TGA.

    The balances announced by the data month (``policy/treasury-cash-balance.yaml``) for the
    quarter ends inside the horizon are imposed on the quarter-end month's TGA with standard
    deviation ``sd`` ($bn; the TGA is a monthly average, the announcement an end-of-quarter
    balance).
    """

    announced: Literal[True] = True
    sd: Real = Field(..., gt=0, le=MAX_LEVEL, description="$bn")


class PolicySpec(_Strict):
    """Policy knobs in a researcher's words; each becomes a path of a policy input."""

    fed: tuple[FedAction, ...] = Field(default=(), max_length=100)
    financing: tuple[Financing, ...] = Field(default=(), max_length=100)
    deficit: tuple[Segment, ...] | None = Field(
        None, description="path of the 12-month deficit (deficit_12m), $bn"
    )
    tariff_rate: tuple[Segment, ...] | None = Field(
        None, description="path of the realised effective tariff rate (tariff_rate), percent"
    )
    treasury_cash: TreasuryCash | None = None


class Horizon(_Strict):
    """Forecast months; ``start`` defaults to the month after the last data month."""

    start: str | None = None
    end: str

    _months = field_validator("start", "end")(_month)


class ShockWindow(_Strict):
    """A structural shock that may adjust only in months ``from``..``to`` (inclusive).

    An entry of ``adjusting_shocks``: ``{shock: tga, from: 2027-10, to: 2027-12}``. ``from`` and
    ``to`` default to the horizon's first and last month; several windows may name one shock.
    Outside its windows the shock keeps its unconditional law (Antolin-Diaz, Petrella &
    Rubio-Ramirez 2021 restrict which shocks deviate, and in which periods).
    """

    shock: str = Field(..., min_length=1)
    start: str | None = Field(None, alias="from", description="first month, YYYY-MM")
    end: str | None = Field(None, alias="to", description="last month, YYYY-MM")

    _months = field_validator("start", "end")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> ShockWindow:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    def describe(self) -> str:
        """``tga`` or ``tga (2027-10 to 2027-12)``, for run records."""
        if self.start is None and self.end is None:
            return self.shock
        return f"{self.shock} ({self.start or 'start'} to {self.end or 'end'})"


class ScenarioSpec(_Strict):
    """The validated contents of a scenario file (after ``extends``)."""

    name: str
    description: str = Field(..., min_length=1)
    extends: str | None = Field(None, description="base scenario file, relative to this file")
    priors: str = Field("../priors/default.yaml", description="prior file, relative to this file")
    as_of: str | None = Field(None, description="last month of data used, YYYY-MM")
    horizon: Horizon
    draws: Int = Field(2000, ge=1, le=MAX_DRAWS)
    seed: Int = Field(0, ge=0, le=MAX_SEED)
    exogenous: dict[str, tuple[Segment, ...]] = Field(default_factory=dict)
    conditions: dict[str, Condition] = Field(default_factory=dict)
    adjusting_shocks: tuple[str | ShockWindow, ...] | None = Field(
        None,
        description="the structural shocks that may move to meet hard/soft conditions "
        "(default: all), each a name (every month) or {shock, from, to} (only those months); "
        "the others keep their unconditional law",
    )
    shocks_key: Literal["shocks", "adjusting_shocks"] = Field(
        "adjusting_shocks",
        exclude=True,
        description="how the file spells the key of adjusting_shocks (for messages only)",
    )
    shock_paths: dict[str, tuple[Segment, ...]] = Field(
        default_factory=dict,
        description="named structural shocks set to these values (in standard deviations, "
        "'level' segments) in every draw, e.g. tga: [{from: 2027-10, to: 2027-10, level: 2}]",
    )
    events: dict[str, str] = Field(default_factory=dict)
    policy: PolicySpec = Field(default_factory=PolicySpec)
    sources: tuple[str, ...] = Field(
        default=(), description="where the scenario's numbers come from, one line each"
    )

    _as_of = field_validator("as_of")(_month)

    @model_validator(mode="before")
    @classmethod
    def _short_shocks(cls, data: Any) -> Any:
        """``shocks=`` is the short name of ``adjusting_shocks=``."""
        if isinstance(data, dict) and "shocks" in data:
            if "adjusting_shocks" in data:
                raise ValueError(
                    "'shocks' is the short name of 'adjusting_shocks'; set one, not both"
                )
            data = {("adjusting_shocks" if k == "shocks" else k): v for k, v in data.items()}
            data.setdefault("shocks_key", "shocks")
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"'{value}': use letters, digits, '-', '_' or '.' (no spaces)")
        return value

    @property
    def adjusting_windows(self) -> tuple[ShockWindow, ...] | None:
        """``adjusting_shocks`` with every bare name as a whole-horizon window."""
        if self.adjusting_shocks is None:
            return None
        return tuple(
            ShockWindow(shock=a) if isinstance(a, str) else a for a in self.adjusting_shocks
        )

    @model_validator(mode="after")
    def _one_place_per_input(self) -> ScenarioSpec:
        for knob, name in (("deficit", "deficit_12m"), ("tariff_rate", "tariff_rate")):
            if getattr(self.policy, knob) is not None and name in self.exogenous:
                raise ValueError(f"policy.{knob} and exogenous.{name} set the same path; keep one")
        for shock, segments in self.shock_paths.items():
            if any(seg.level is None for seg in segments):
                raise ValueError(
                    f"shock_paths.{shock}: a shock path takes 'level' segments only (the shock's "
                    "value in standard deviations, e.g. {from: 2027-10, to: 2027-11, level: 2})"
                )
        return self
