"""Monthly policy paths implied by the announcements known at an as-of month (real time).

**The real-time rule.** A path "as of" month ``T`` uses only entries with ``announced`` on or
before the last day of ``T`` (:func:`announced_by`); an entry announced later cannot change it,
whatever it says.

**Fed securities holdings** (:func:`fed_holdings_path`), in $bn, for two components: Treasuries
(bills included) and agency MBS. For each month and component the *latest-announced* applicable
entry wins: an entry applies in month ``m`` when ``effective <= m`` and (``until`` is null or
``m <= until``); ties between entries announced on the same day go to the one later in the files
(files in name order). An entry governs a component when it states an amount for it, or is a
rule for all holdings (end of runoff, reinvestment, or a purchases entry with no amount at all).
Treatment by ``kind``:

``runoff caps``
    Treasuries fall by ``monthly_bn.treasuries`` a month; MBS fall by ``monthly_bn.agency`` (the
    cap on agency debt + MBS, applied to MBS), or by ``mbs_runoff_bn`` if that is smaller.
    *Caps are ceilings, not amounts*: runoff is ``min(principal received, cap)``. Agency MBS
    paydowns ran below the cap for most of both runoff episodes (about $15bn a month against a
    $35bn cap in March 2025, Perli 2025-03-05), which is why ``mbs_runoff_bn`` exists; Treasury
    runoff can also fall short of the cap in months with few maturities (not modelled).
``end of runoff``
    Total holdings flat from the effective month. MBS keep running off by ``mbs_runoff_bn`` (by
    default the agency cap of the last runoff caps in force before) and the same amount is
    reinvested in Treasuries (from December 2025 in bills; the 2019 rule reinvested at most
    ``agency_to_treasuries_max_bn`` = $20bn a month in Treasuries and the excess in MBS, so MBS
    fall by at most that much).
``reserve management purchases``
    Treasuries rise by ``monthly_bn.bills`` (plus ``monthly_bn.treasuries`` if given) a month.
``purchases``
    With a monthly amount (``pace``, ``at_least``, ``approximately``): holdings rise by it
    (``treasuries`` + ``bills`` for Treasuries, ``agency`` for MBS); "at least" is read as
    exactly. Given only as programme totals (``totals_bn``, 2008-09 and March 2020), a total is
    spread evenly over ``effective``..``until``; a programme total without ``until`` has no
    monthly pace and leaves holdings unchanged, as does a purchases entry with no amount (the
    March 2020 "amounts needed", the end of QE1). Totals restated by later entries of one
    programme (2009) are spread again over the later entry's months, which overstates purchases.
    ``agency_debt`` totals are ignored (agency debt is not part of Treasuries + MBS).
``reinvestment``
    Holdings unchanged (principal reinvested or rolled over).
``other``
    Ignored: maturity extension (size-neutral) and qualitative guidance.

Entries whose ``issuer`` is not a decision-making body (:data:`DECISION_ISSUERS`) are ignored
unless ``decisions_only=False``: the 2026-02-12 entry reports a New York Fed official's speech
("purchases to remain around elevated levels until mid-April"), not an FOMC decision. Entries
with ``effective: null`` are plans without a start month and never apply. Where, after the last
applicable entry ends, no entry applies, holdings stay at their last level. A component never
falls below zero. Amounts are changes of a level: give ``level`` in the convention you want the
path in (the data panel uses monthly averages of Wednesday levels).

**Treasury cash balance** (:func:`treasury_cash_path`): for each quarter-end month, the
end-of-quarter balance assumed in the latest release announced by the as-of month, without its
Supplementary Financing Program part (``sfp_included_bn``, 2008Q4-2011Q2). Assumptions are not
targets; outcomes often differ widely, above all around debt-limit episodes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from numbers import Real as _RealNumber

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError
from fiscalcliff.policy.loader import Policy
from fiscalcliff.policy.schema import FedDecision

__all__ = [
    "COMPONENTS",
    "DECISION_ISSUERS",
    "MAX_MONTHS",
    "announced_by",
    "fed_holdings_path",
    "holdings_rules",
    "parse_month",
    "treasury_cash_path",
]

#: the holdings components of a path, in $bn
COMPONENTS = ("treasuries", "mbs")
#: issuers whose entries are decisions (others, e.g. a speech, are ignored by default)
DECISION_ISSUERS = frozenset({"FOMC", "Federal Reserve Board"})
#: longest path, in months
MAX_MONTHS = 1200
_QUARTER_END_MONTHS = (3, 6, 9, 12)


# ---------------------------------------------------------------------------
# months and arguments
# ---------------------------------------------------------------------------


def parse_month(value: object, what: str) -> pd.Period:
    """Parse a ``YYYY-MM`` month into a monthly ``pandas.Period``; InputError otherwise."""
    text = str(value).strip() if isinstance(value, str) else None
    if text is None or len(text) != 7 or text[4] != "-" or not text.replace("-", "").isdigit():
        raise InputError(f"{what}={value!r} is not a month; use YYYY-MM (e.g. 2025-11)")
    try:
        return pd.Period(text, freq="M")
    except ValueError:
        raise InputError(f"{what}={value!r} is not a month; use YYYY-MM (e.g. 2025-11)") from None


def _month_index(first: pd.Period, n: int) -> pd.DatetimeIndex:
    return pd.date_range(first.to_timestamp(), periods=n, freq="MS", name="date")


def _amount(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, _RealNumber):
        raise InputError(f"{what} must be a number in $bn (got {value!r})")
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise InputError(f"{what} must be finite and >= 0 $bn (got {value!r})")
    return x


def _level(level: Mapping[str, object]) -> dict[str, float]:
    if not isinstance(level, Mapping) or set(level) != set(COMPONENTS):
        got = sorted(map(str, level)) if isinstance(level, Mapping) else type(level).__name__
        raise InputError(
            f"level must be a mapping with keys 'treasuries' and 'mbs' (holdings in $bn in the "
            f"month before start; bills are part of treasuries), got {got}"
        )
    return {c: _amount(level[c], f"level[{c!r}]") for c in COMPONENTS}


def announced_by(policy: Policy, as_of: str) -> Policy:
    """Keep the entries announced on or before the last day of month *as_of*.

    Parameters
    ----------
    policy : Policy
        As returned by :func:`fiscalcliff.policy.load_policy`.
    as_of : str
        ``YYYY-MM``.

    Returns
    -------
    Policy
        The same policy with fewer entries (order kept) and ``as_of`` set.

    Raises
    ------
    InputError
        If *as_of* is not ``YYYY-MM``.
    """
    month = parse_month(as_of, "as_of")
    last_day = month.end_time.date()
    if policy.as_of is not None and policy.as_of < str(month):
        month = parse_month(policy.as_of, "as_of")
    return dataclasses.replace(
        policy,
        fed=tuple(e for e in policy.fed if e.announced <= last_day),
        treasury=tuple(e for e in policy.treasury if e.announced <= last_day),
        as_of=str(month),
    )


# ---------------------------------------------------------------------------
# Fed holdings
# ---------------------------------------------------------------------------


def _covers(e: FedDecision) -> tuple[bool, bool]:
    """Whether entry *e* governs (treasuries, mbs)."""
    m, t = e.monthly_bn, e.totals_bn
    if e.kind == "runoff caps":
        return m.treasuries is not None, m.agency is not None
    if e.kind in ("end of runoff", "reinvestment"):
        return True, True
    # purchases and reserve management purchases
    tsy = (
        m.treasuries is not None
        or m.bills is not None
        or (t is not None and t.treasuries is not None)
    )
    mbs = m.agency is not None or (t is not None and t.agency_mbs is not None)
    if not m.stated() and (t is None or not t.stated()):
        return True, True  # no amount at all: a rule for all holdings (e.g. end of purchases)
    return tsy, mbs


def _purchase(e: FedDecision, component: str) -> tuple[float, str]:
    """Monthly change of *component* under a purchases entry, and how it was read."""
    m, t = e.monthly_bn, e.totals_bn
    if component == "treasuries":
        monthly = [x for x in (m.treasuries, m.bills) if x is not None]
        total = None if t is None else t.treasuries
    else:
        monthly = [m.agency] if m.agency is not None else []
        total = None if t is None else t.agency_mbs
    if monthly:
        x = float(sum(monthly))
        what = "bills" if component == "treasuries" and m.treasuries is None else "a month"
        return x, f"{x:+g} {what}"
    if total is not None and e.until is not None:
        n = (parse_month(e.until, "until") - parse_month(e.effective, "effective")).n + 1
        x = float(total) / n
        return x, f"{x:+.4g} (total {total:g} spread over {n} months)"
    if total is not None:
        return 0.0, f"unchanged (total {total:g} without an end month: no monthly pace)"
    return 0.0, "unchanged (no amount stated)"


def holdings_rules(
    policy: Policy,
    as_of: str,
    start: str,
    months: int,
    *,
    mbs_runoff_bn: float | None = None,
    decisions_only: bool = True,
) -> pd.DataFrame:
    """Which entry sets each month of each component, and the planned monthly change.

    The rules are those of the module docstring; :func:`fed_holdings_path` turns them into
    levels. Arguments are those of :func:`fed_holdings_path`.

    Returns
    -------
    pandas.DataFrame
        Indexed by month start (``"date"``), with for each component ``c`` in
        (``treasuries``, ``mbs``): ``c_entry`` (the id, or ``""`` where none applies),
        ``c_kind``, ``c_change`` (planned change in $bn, before any reinvestment of MBS
        principal and before the floor at zero) and ``c_text``; and ``reinvest`` (the month's
        MBS decline is reinvested in Treasuries: end of runoff).
    """
    first = parse_month(start, "start")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise InputError(f"months must be an integer from 1 to {MAX_MONTHS} (got {months!r})")
    if mbs_runoff_bn is not None:
        mbs_runoff_bn = _amount(mbs_runoff_bn, "mbs_runoff_bn")
    known = announced_by(policy, as_of)
    entries = [
        e
        for e in known.fed
        if e.effective is not None
        and e.kind != "other"
        and (not decisions_only or e.issuer in DECISION_ISSUERS)
    ]
    # latest announced wins; a stable sort keeps file order among entries of the same day
    entries.sort(key=lambda e: e.announced)
    last = first + (months - 1)
    origin = min([first, *(parse_month(e.effective, "effective") for e in entries)])
    timeline = pd.period_range(origin, last, freq="M")
    ordinal = timeline.asi8
    eff = np.array([parse_month(e.effective, "effective").ordinal for e in entries], dtype=np.int64)
    until = np.array(
        [parse_month(e.until, "until").ordinal if e.until else last.ordinal for e in entries],
        dtype=np.int64,
    )
    applies = (eff[:, None] <= ordinal[None, :]) & (ordinal[None, :] <= until[:, None])
    covers = np.array([_covers(e) for e in entries], dtype=bool).reshape(len(entries), 2)
    rank = np.arange(len(entries))

    out: dict[str, object] = {}
    winners = {}
    for j, c in enumerate(COMPONENTS):
        mask = applies & covers[:, j : j + 1]
        best = np.where(mask, rank[:, None], -1).max(axis=0, initial=-1)
        winners[c] = best
    # the agency cap in force, carried forward: MBS runoff after the end of runoff
    caps = np.array(
        [e.monthly_bn.agency if e.kind == "runoff caps" else np.nan for e in entries] + [np.nan],
        dtype=float,
    )
    carried = pd.Series(caps[winners["mbs"]]).ffill().fillna(0.0).to_numpy()

    window = slice(len(timeline) - months, None)
    for c in COMPONENTS:
        change = np.zeros(len(timeline))
        kinds, ids, texts = [], [], []
        for k, w in enumerate(winners[c]):
            if w < 0:
                ids.append("")
                kinds.append("")
                texts.append("held (no entry in force)")
                continue
            e = entries[w]
            ids.append(e.id)
            kinds.append(e.kind)
            x, text = _component_change(e, c, mbs_runoff_bn, carried[k])
            change[k] = x
            texts.append(text)
        out[f"{c}_entry"] = np.array(ids, dtype=object)[window]
        out[f"{c}_kind"] = np.array(kinds, dtype=object)[window]
        out[f"{c}_change"] = change[window]
        out[f"{c}_text"] = np.array(texts, dtype=object)[window]
    out["reinvest"] = out["mbs_kind"] == "end of runoff"
    return pd.DataFrame(out, index=_month_index(first, months))


def _component_change(
    e: FedDecision, c: str, mbs_runoff_bn: float | None, carried_cap: float
) -> tuple[float, str]:
    m = e.monthly_bn
    if e.kind == "runoff caps":
        if c == "treasuries":
            return -float(m.treasuries), f"{-float(m.treasuries):+g} (cap)"
        cap = float(m.agency)
        if mbs_runoff_bn is not None and mbs_runoff_bn < cap:
            return -mbs_runoff_bn, f"{-mbs_runoff_bn:+g} (paydowns below the cap of {cap:g})"
        return -cap, f"{-cap:+g} (cap)"
    if e.kind == "end of runoff":
        if c == "treasuries":
            return 0.0, "rolled over"
        r = carried_cap if mbs_runoff_bn is None else mbs_runoff_bn
        if e.agency_to_treasuries_max_bn is not None:
            r = min(r, float(e.agency_to_treasuries_max_bn))
        return -r, f"{-r:+g} reinvested in Treasuries"
    if e.kind == "reinvestment":
        return 0.0, "unchanged (reinvestment)"
    return _purchase(e, c)


def _floored_cumsum(start: float, changes: np.ndarray) -> np.ndarray:
    """``x_t = max(x_{t-1} + changes_t, 0)`` from ``x_0 = start``, without a loop."""
    s = start + np.cumsum(changes)
    return s - np.minimum(0.0, np.minimum.accumulate(s))


def fed_holdings_path(
    policy: Policy,
    as_of: str,
    start: str,
    months: int,
    level: Mapping[str, float],
    *,
    mbs_runoff_bn: float | None = None,
    decisions_only: bool = True,
) -> pd.DataFrame:
    """Fed securities holdings ($bn) month by month, as announced by month *as_of*.

    Parameters
    ----------
    policy : Policy
        All announcements (those announced after *as_of* are dropped here).
    as_of : str
        ``YYYY-MM``: only entries announced by the last day of this month are used.
    start : str
        ``YYYY-MM``, first month of the path (e.g. the month after the last data month).
    months : int
        Length of the path (1..:data:`MAX_MONTHS`).
    level : mapping
        Holdings in $bn in the month before *start*: ``{"treasuries": x, "mbs": y}`` (bills
        are part of treasuries).
    mbs_runoff_bn : float, optional
        Monthly MBS principal paydowns. Under runoff caps MBS fall by
        ``min(cap, mbs_runoff_bn)``; after the end of runoff they fall by this amount (reinvested
        in Treasuries). Default ``None``: the cap (a ceiling; realised paydowns were lower).
    decisions_only : bool, default True
        Ignore entries whose issuer is not the FOMC or the Board (the 2026-02-12 speech).

    Returns
    -------
    pandas.DataFrame
        Indexed by month start (``"date"``, freq ``MS``), columns ``treasuries``, ``mbs``,
        ``total`` ($bn) and ``rule`` (text naming the entry id that set each month and what it
        did to each component). The rules are in the module docstring.

    Raises
    ------
    InputError
        If a month is not ``YYYY-MM``, *months* is out of range, or *level* / *mbs_runoff_bn*
        is not a finite non-negative amount.

    Examples
    --------
    >>> from fiscalcliff.policy import load_policy
    >>> path = fed_holdings_path(load_policy(), "2025-11", "2025-12", 3,
    ...                          {"treasuries": 4200.0, "mbs": 2050.0})
    >>> path["total"].tolist()
    [6250.0, 6250.0, 6250.0]
    """
    start_level = _level(level)
    rules = holdings_rules(
        policy, as_of, start, months, mbs_runoff_bn=mbs_runoff_bn, decisions_only=decisions_only
    )
    mbs = _floored_cumsum(start_level["mbs"], rules["mbs_change"].to_numpy())
    previous = np.concatenate([[start_level["mbs"]], mbs[:-1]])
    reinvested = np.where(rules["reinvest"].to_numpy(), previous - mbs, 0.0)
    treasuries = _floored_cumsum(
        start_level["treasuries"], rules["treasuries_change"].to_numpy() + reinvested
    )
    rule = [
        _rule_text(row, r) for row, r in zip(rules.itertuples(index=False), reinvested, strict=True)
    ]
    return pd.DataFrame(
        {"treasuries": treasuries, "mbs": mbs, "total": treasuries + mbs, "rule": rule},
        index=rules.index,
    )


def _rule_text(row, reinvested: float) -> str:
    t_text = row.treasuries_text
    if reinvested > 0:
        t_text = f"{t_text}, {reinvested:+g} MBS principal reinvested"
    if row.treasuries_entry and row.treasuries_entry == row.mbs_entry:
        return f"{row.treasuries_entry} ({row.treasuries_kind}): treasuries {t_text}; mbs " + (
            row.mbs_text
        )
    parts = []
    for c, text in (("treasuries", t_text), ("mbs", row.mbs_text)):
        entry = getattr(row, f"{c}_entry")
        parts.append(f"{c} {entry}: {text}" if entry else f"{c}: {text}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# Treasury cash balance
# ---------------------------------------------------------------------------


def treasury_cash_path(policy: Policy, as_of: str, months_index: Iterable[object]) -> pd.DataFrame:
    """Treasury's end-of-quarter cash balance (TGA) assumptions in force at month *as_of*.

    Parameters
    ----------
    policy : Policy
        All announcements (releases announced after *as_of* are dropped here).
    as_of : str
        ``YYYY-MM``.
    months_index : iterable
        Months: a ``DatetimeIndex`` (any day of the month) or ``YYYY-MM`` strings.

    Returns
    -------
    pandas.DataFrame
        Indexed like *months_index* (as a month-start ``DatetimeIndex`` named ``"date"``):
        ``tga`` ($bn: the stated balance minus ``sfp_included_bn`` where the release gives
        one, i.e. TGA excluding the Supplementary Financing Program), ``stated`` (the balance
        as stated), ``sfp`` (the part subtracted), ``quarter`` and ``announced`` (the release
        in force: the latest announced by *as_of* for that quarter). Values are NaN (and
        ``quarter``/``announced`` empty) for months that are not quarter ends or have no
        assumption yet.
    """
    known = announced_by(policy, as_of)
    if isinstance(months_index, pd.DatetimeIndex):
        index = months_index.to_period("M").to_timestamp()
    else:
        index = pd.DatetimeIndex(
            [parse_month(m, "month").to_timestamp() for m in months_index], dtype="datetime64[ns]"
        )
    index = pd.DatetimeIndex(index, name="date")
    rows = pd.DataFrame(
        {
            "quarter": [e.quarter for e in known.treasury],
            "announced": [e.announced for e in known.treasury],
            "stated": [float(e.cash_balance_bn) for e in known.treasury],
            "sfp": [float(e.sfp_included_bn or 0.0) for e in known.treasury],
        },
        columns=["quarter", "announced", "stated", "sfp"],
    )
    # latest release wins; among the same date, the later one in the files (stable sort)
    in_force = rows.sort_values("announced", kind="stable").drop_duplicates("quarter", keep="last")
    in_force = in_force.set_index("quarter")
    quarter_end = index.month.isin(_QUARTER_END_MONTHS)
    labels = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in index]
    keys = pd.Index([q if qe else None for q, qe in zip(labels, quarter_end, strict=True)])
    found = in_force.reindex(keys)
    stated = found["stated"].to_numpy(dtype=float)
    sfp = found["sfp"].to_numpy(dtype=float)
    have = ~np.isnan(stated)
    return pd.DataFrame(
        {
            "tga": stated - sfp,
            "stated": stated,
            "sfp": sfp,
            "quarter": np.where(have, keys.to_numpy(dtype=object), ""),
            "announced": np.where(have, found["announced"].to_numpy(dtype=object), None),
        },
        index=index,
    )
