"""Schema of the announcement files in ``policy/`` (see ``policy/README.md`` for every field).

Two kinds of entry, each a pydantic model that rejects unknown keys:

* :class:`FedDecision`: one FOMC (or Board / Desk) decision that sets the path of the Fed's
  securities holdings from an ``effective`` month, optionally ``until`` a month;
* :class:`CashBalanceAssumption`: Treasury's assumed end-of-quarter cash balance from one
  quarterly marketable-borrowing release.

A file is a top-level YAML list of entries (:class:`FedFile`, :class:`TreasuryFile`). Checks made
here are those one entry can fail on its own (months, enums, finite non-negative amounts, a
non-empty quote and at least one source, ``until >= effective``, kind/basis/amounts that agree);
checks across entries and files (unique ids) are in :mod:`fiscalcliff.policy.loader`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from fiscalcliff.config_types import CONFIG, Real

__all__ = [
    "BASES",
    "DIRECTIONS",
    "FED_KINDS",
    "CashBalanceAssumption",
    "FedDecision",
    "FedFile",
    "FedSource",
    "MonthlyAmounts",
    "ProgrammeTotals",
    "TreasuryFile",
    "TreasurySource",
]

FedKind = Literal[
    "purchases",
    "reinvestment",
    "runoff caps",
    "end of runoff",
    "reserve management purchases",
    "other",
]
Direction = Literal["increase", "decrease", "flat", "none"]
Basis = Literal[
    "cap",
    "at_least",
    "approximately",
    "pace",
    "up_to_total",
    "total",
    "at_least_total",
    "amounts_needed",
    "none",
]
FedQuality = Literal["primary", "faithful_copy", "mixed", "secondary"]
TreasuryQuality = Literal["primary", "primary_other_document", "secondary_repository_fixture"]
Horizon = Literal["current", "next"]
BorrowingConcept = Literal[
    "net marketable borrowing",
    "marketable borrowing (SOMA redemptions excluded from April 2008)",
    "privately-held net marketable borrowing",
]

#: the values of ``kind`` in a Fed decision
FED_KINDS: tuple[str, ...] = FedKind.__args__
#: the values of ``direction``
DIRECTIONS: tuple[str, ...] = Direction.__args__
#: the values of ``basis``
BASES: tuple[str, ...] = Basis.__args__
#: bases whose numbers are monthly amounts (``monthly_bn``)
MONTHLY_BASES = frozenset({"cap", "at_least", "approximately", "pace"})
#: bases whose numbers are programme totals (``totals_bn``)
TOTAL_BASES = frozenset({"up_to_total", "total", "at_least_total"})

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_ID = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]*$")

#: a non-empty line of text (surrounding white space removed)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: an amount in $bn that cannot be negative (a purchase pace, a cap, a total, a balance)
Amount = Annotated[Real, Field(ge=0, le=1e6)]


def _month(value: str | None) -> str | None:
    if value is not None and not _MONTH.match(value):
        raise ValueError(f"'{value}' is not a month; write YYYY-MM in quotes, e.g. \"2025-12\"")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(**CONFIG)


class MonthlyAmounts(_Strict):
    """Monthly amounts in $bn under the entry's ``basis`` (``null`` = not stated)."""

    treasuries: Amount | None = None
    agency: Amount | None = Field(None, description="agency debt + agency MBS combined")
    bills: Amount | None = Field(None, description="Treasury bill purchases (RMPs)")

    def stated(self) -> bool:
        """Whether any amount is given."""
        return any(v is not None for v in (self.treasuries, self.agency, self.bills))


class ProgrammeTotals(_Strict):
    """Programme totals in $bn where the statement gives totals rather than a monthly pace."""

    treasuries: Amount | None = None
    agency_mbs: Amount | None = None
    agency_debt: Amount | None = None

    def stated(self) -> bool:
        """Whether any total is given."""
        return any(v is not None for v in (self.treasuries, self.agency_mbs, self.agency_debt))


class FedSource(_Strict):
    """Where a Fed entry was read: a URL or ``owner/repo @ commit: path``, and what it is."""

    where: Text
    what: Text


class FedDecision(_Strict):
    """One decision that sets or changes the path of the Fed's securities holdings."""

    id: Text = Field(description="unique key, <announced>-<short name>")
    announced: dt.date = Field(description="date the decision became public")
    effective: str | None = Field(description="first month it applies, YYYY-MM; null = a plan")
    until: str | None = Field(None, description="last month it applies, when the entry bounds it")
    kind: FedKind
    action: Text
    issuer: Text = "FOMC"
    direction: Direction
    basis: Basis
    monthly_bn: MonthlyAmounts = Field(default_factory=MonthlyAmounts)
    totals_bn: ProgrammeTotals | None = None
    agency_to_treasuries_max_bn: Amount | None = None
    reinvestment: Text | None = None
    quote: Text
    note: Text | None = None
    source_quality: FedQuality
    sources: tuple[FedSource, ...] = Field(min_length=1)

    _months = field_validator("effective", "until")(_month)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"'{value}' is not an id of the form <announced>-<short-name>, e.g. "
                "2025-12-10-reserve-management-purchases (lower case, digits and '-')"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FedDecision:
        announced = self.announced.isoformat()
        if not self.id.startswith(announced + "-"):
            raise ValueError(f"id '{self.id}' does not start with its announced date {announced}")
        if self.until is not None and self.effective is None:
            raise ValueError("'until' needs an 'effective' month")
        if self.until is not None and self.effective is not None and self.until < self.effective:
            raise ValueError(f"until ({self.until}) is before effective ({self.effective})")
        if self.effective is not None and self.effective < announced[:7]:
            raise ValueError(
                f"effective ({self.effective}) is before the month it was announced ({announced})"
            )
        if (self.kind == "runoff caps") != (self.basis == "cap"):
            raise ValueError("runoff caps are stated with basis 'cap', and 'cap' only with them")
        if self.kind == "runoff caps" and self.direction != "decrease":
            raise ValueError("runoff caps have direction 'decrease'")
        if self.kind in ("end of runoff", "reinvestment") and self.direction != "flat":
            raise ValueError(f"'{self.kind}' keeps holdings flat: direction 'flat'")
        if self.basis in MONTHLY_BASES and not self.monthly_bn.stated():
            raise ValueError(f"basis '{self.basis}' needs a monthly amount in monthly_bn")
        if self.basis in TOTAL_BASES and (self.totals_bn is None or not self.totals_bn.stated()):
            raise ValueError(f"basis '{self.basis}' needs a programme total in totals_bn")
        return self


class TreasurySource(_Strict):
    """Where a Treasury entry was read: the copy read and (when known) the release's URL."""

    url: Text | None = None
    read_in: Text
    cross_checked: Text | None = None


class CashBalanceAssumption(_Strict):
    """Treasury's assumed end-of-quarter cash balance, from one borrowing-estimates release."""

    announced: dt.date = Field(description="date of the marketable borrowing estimates release")
    quarter: str = Field(description="calendar quarter, e.g. 2025Q4")
    quarter_end: dt.date
    horizon: Horizon
    cash_balance_bn: Amount
    sfp_included_bn: Amount | None = None
    borrowing_bn: Real | None = Field(None, ge=-1e6, le=1e6)
    borrowing_concept: BorrowingConcept
    quote: Text
    note: Text | None = None
    source_quality: TreasuryQuality
    sources: tuple[TreasurySource, ...] = Field(min_length=1)

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        if not _QUARTER.match(value):
            raise ValueError(f"'{value}' is not a quarter; write YYYYQn, e.g. 2025Q4")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CashBalanceAssumption:
        year, q = (int(g) for g in _QUARTER.match(self.quarter).groups())
        end_month = 3 * q
        last_day = (dt.date(year + end_month // 12, end_month % 12 + 1, 1)) - dt.timedelta(days=1)
        if self.quarter_end != last_day:
            raise ValueError(f"quarter_end of {self.quarter} is {last_day}, not {self.quarter_end}")
        a = self.announced
        current = (a.year, (a.month - 1) // 3 + 1)
        expected = current if self.horizon == "current" else _next_quarter(*current)
        if (year, q) != expected:
            raise ValueError(
                f"horizon '{self.horizon}' of a release of {a} is {expected[0]}Q{expected[1]}, "
                f"not {self.quarter}"
            )
        if self.sfp_included_bn is not None and self.sfp_included_bn > self.cash_balance_bn:
            raise ValueError(
                f"sfp_included_bn ({self.sfp_included_bn}) exceeds cash_balance_bn "
                f"({self.cash_balance_bn})"
            )
        return self

    @property
    def tga_bn(self) -> float:
        """The assumed balance without the Supplementary Financing Program part (if any)."""
        return float(self.cash_balance_bn) - float(self.sfp_included_bn or 0.0)


def _next_quarter(year: int, q: int) -> tuple[int, int]:
    return (year + 1, 1) if q == 4 else (year, q + 1)


class FedFile(RootModel[tuple[FedDecision, ...]]):
    """A file of Fed decisions: a top-level list (an empty file holds none)."""

    model_config = ConfigDict(frozen=True)


class TreasuryFile(RootModel[tuple[CashBalanceAssumption, ...]]):
    """A file of Treasury cash-balance assumptions: a top-level list."""

    model_config = ConfigDict(frozen=True)
