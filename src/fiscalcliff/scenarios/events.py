"""Events to report, e.g. ``reserves < 2700 any 2026`` or ``yield_10y - bill_3m < 0``.

Grammar::

    <expression> <op> <number> [any|all [<period>]] | [at <YYYY-MM>]

``<expression>`` is a sum of series names and numbers with ``+``, ``-`` and parentheses;
``<op>`` one of ``<``, ``<=``, ``>``, ``>=``; ``<period>`` a year (``2026``), a month or
``YYYY-MM..YYYY-MM``.
Without a quantifier the event is ``any`` month of the horizon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fiscalcliff.data.formula import Formula, FormulaError
from fiscalcliff.errors import InputError

_EVENT = re.compile(
    r"^\s*(?P<expr>.+?)\s*(?P<op><=|>=|<|>)\s*(?P<value>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
    r"\s*(?:(?P<quant>any|all)(?:\s+(?P<period>\S+))?|at\s+(?P<at>\d{4}-\d{2}))?\s*$"
)
_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


@dataclass(frozen=True)
class Event:
    """A parsed event."""

    label: str
    text: str
    expression: Formula
    op: str
    threshold: float
    quantifier: str
    first: pd.Timestamp | None
    last: pd.Timestamp | None

    def describe_period(self) -> str:
        """Human-readable months the event looks at."""
        if self.first is None:
            return "any month of the horizon" if self.quantifier == "any" else "every month"
        span = f"{self.first:%Y-%m}..{self.last:%Y-%m}"
        return f"{self.quantifier} of {span}"


def _period(text: str, label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        if re.fullmatch(r"\d{4}", text):
            return pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-01")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            ts = pd.Timestamp(f"{text}-01")
            return ts, ts
        a, sep, b = text.partition("..")
        if sep:
            return pd.Timestamp(f"{a}-01"), pd.Timestamp(f"{b}-01")
    except ValueError:
        pass
    raise InputError(f"events.{label}: period '{text}' should be YYYY, YYYY-MM or YYYY-MM..YYYY-MM")


def parse_event(label: str, text: str, variables: Sequence[str]) -> Event:
    """Parse one event expression; names must be among ``variables``."""
    match = _EVENT.match(text)
    if not match:
        raise InputError(
            f"events.{label}: cannot read '{text}'; write e.g. 'reserves < 2700 any 2026', "
            "'yield_10y - bill_3m < 0' or 'rrp < 100 at 2026-12'"
        )
    try:
        formula = Formula.parse(match.group("expr"))
    except FormulaError as exc:
        raise InputError(f"events.{label}: {exc}") from None
    unknown = [n for n in formula.names if n not in variables]
    if unknown:
        raise InputError(
            f"events.{label}: unknown series {', '.join(repr(n) for n in unknown)} "
            f"(available: {', '.join(variables)})"
        )
    from fiscalcliff.config_types import MAX_LEVEL

    threshold = float(match.group("value"))
    if not abs(threshold) <= MAX_LEVEL:
        raise InputError(
            f"events.{label}: threshold {match.group('value')} is not a finite number of at most "
            f"{MAX_LEVEL:.0e} in size"
        )
    first = last = None
    quant = match.group("quant") or "any"
    if match.group("at"):
        first, last = _period(match.group("at"), label)
    elif match.group("period"):
        first, last = _period(match.group("period"), label)
    return Event(label, text, formula, match.group("op"), threshold, quant, first, last)


def event_indicator(
    event: Event, values: dict[str, np.ndarray], dates: pd.DatetimeIndex
) -> np.ndarray:
    """Per-draw truth of an event.

    Parameters
    ----------
    event : Event
    values : dict of ndarray
        Series name -> array whose last axis is ``dates``.
    dates : DatetimeIndex

    Returns
    -------
    ndarray of bool
        The input shape without the date axis.
    """
    mask = np.ones(len(dates), bool)
    if event.first is not None:
        mask = (dates >= event.first) & (dates <= event.last)
        if not mask.any():
            raise InputError(
                f"events.{event.label}: {event.describe_period()} is outside the horizon "
                f"{dates[0]:%Y-%m}..{dates[-1]:%Y-%m}"
            )
    total = np.asarray(event.expression.evaluate(values), dtype=float)
    hit = _OPS[event.op](total[..., mask], event.threshold)
    return hit.any(axis=-1) if event.quantifier == "any" else hit.all(axis=-1)
