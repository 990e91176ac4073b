"""A scenario's ``policy:`` knobs turned into paths of the model's policy inputs.

Each knob moves one exogenous variable of the prior file (or adds conditions on the TGA):

=====================  ===================  ===================================================
knob                   variable             what it does
=====================  ===================  ===================================================
``fed`` purchases      ``fed_treasuries``   holdings rise by ``purchases`` $bn each month
                       / ``fed_mbs``        ``from``..``to`` (``of: treasuries | bills | mbs``)
``fed`` runoff_cap     same                 holdings fall by ``runoff_cap`` $bn each month
``fed`` reinvest       same                 holdings flat (maturing securities reinvested)
``financing``          ``bill_share``       ``bill_share`` of each month's new borrowing
                                            (deficit_12m / 12) issued as bills
``deficit``            ``deficit_12m``      path segments, as under ``exogenous:``
``tariff_rate``        ``tariff_rate``      path segments, as under ``exogenous:``
``treasury_cash``      ``tga`` (condition)  soft conditions at quarter ends: Treasury's
                                            announced end-of-quarter cash balances
=====================  ===================  ===================================================

A Fed action replaces the monthly change of the baseline path in its months (the baseline is the
announced policy by the data month, or the scenario's own ``exogenous:`` path); months outside
every action keep the baseline's monthly changes. Holdings never go below zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError
from fiscalcliff.scenarios.spec import Condition, FedAction, Financing, PolicySpec, Segment

__all__ = [
    "KNOB_VARIABLES",
    "apply_fed_actions",
    "apply_financing",
    "policy_segments",
    "treasury_cash_conditions",
]

#: knob -> the model variable it moves
KNOB_VARIABLES = {
    "fed": "fed_treasuries / fed_mbs",
    "financing": "bill_share",
    "deficit": "deficit_12m",
    "tariff_rate": "tariff_rate",
    "treasury_cash": "tga",
}


def _window(dates: pd.DatetimeIndex, start: str, end: str | None, what: str) -> slice:
    first, last = pd.Timestamp(f"{start}-01"), pd.Timestamp(f"{end or start}-01")
    if end is None:
        last = dates[-1]
    if last < dates[0] or first > dates[-1]:
        raise InputError(
            f"{what}: {start}..{end or 'horizon end'} is outside the horizon "
            f"{dates[0]:%Y-%m}..{dates[-1]:%Y-%m}"
        )
    if first < dates[0]:
        raise InputError(
            f"{what}: 'from' {start} is before the first forecast month {dates[0]:%Y-%m}; "
            "policy knobs can only change the future"
        )
    i0 = int(dates.get_loc(first))
    i1 = int(dates.get_loc(min(last, dates[-1])))
    return slice(i0, i1 + 1)


def policy_segments(policy: PolicySpec) -> dict[str, tuple[Segment, ...]]:
    """The knobs that are plain path segments, keyed by the variable they set."""
    out = {}
    if policy.deficit is not None:
        out["deficit_12m"] = policy.deficit
    if policy.tariff_rate is not None:
        out["tariff_rate"] = policy.tariff_rate
    return out


def _need(names: Sequence[str], exogenous: Sequence[str], knob: str) -> None:
    missing = [n for n in names if n not in exogenous]
    if missing:
        raise InputError(
            f"policy.{knob} moves {', '.join(missing)}, which the model does not have as an "
            f"exogenous variable (exogenous: {', '.join(exogenous) or 'none'}); use a prior "
            "file with the policy block, e.g. priors/default.yaml"
        )


def apply_fed_actions(
    x: np.ndarray,
    exogenous: Sequence[str],
    actions: Sequence[FedAction],
    dates: pd.DatetimeIndex,
    last: Mapping[str, float],
) -> tuple[np.ndarray, dict[str, str]]:
    """Holdings paths with the actions applied; ``x`` is ``(h, n_exog)``, a copy is returned.

    Parameters
    ----------
    x : ndarray, shape (h, n_exog)
        Baseline exogenous paths.
    exogenous : sequence of str
        Column names of ``x``.
    actions : sequence of FedAction
    dates : DatetimeIndex
        The forecast months.
    last : mapping
        Each holdings variable's value in the month before ``dates[0]``.

    Returns
    -------
    (ndarray, dict)
        The new paths and a sentence per variable moved.
    """
    x = np.array(x, dtype=float, copy=True)
    if not actions:
        return x, {}
    variables = sorted({a.variable for a in actions})
    _need(variables, exogenous, "fed")
    notes: dict[str, list[str]] = {}
    changes = {}
    owner: dict[str, np.ndarray] = {}
    for v in variables:
        j = list(exogenous).index(v)
        changes[v] = np.diff(np.concatenate([[last[v]], x[:, j]]))
        owner[v] = np.full(len(dates), -1)
    for number, action in enumerate(actions):
        v = action.variable
        what = f"policy.fed[{number}]"
        window = _window(dates, action.start, action.end, what)
        clash = owner[v][window]
        if (clash >= 0).any():
            other = int(clash[clash >= 0][0])
            raise InputError(
                f"{what} ({action.of}) overlaps policy.fed[{other}], which moves {v} in the same "
                "months; give each month one action per holdings variable"
            )
        owner[v][window] = number
        changes[v][window] = action.monthly_change
        kind = (
            f"purchases of {action.purchases:g} $bn a month"
            if action.purchases is not None
            else f"runoff at a cap of {action.runoff_cap:g} $bn a month"
            if action.runoff_cap is not None
            else "reinvestment (flat)"
        )
        span = f"{dates[window][0]:%Y-%m}..{dates[window][-1]:%Y-%m}"
        notes.setdefault(v, []).append(f"{kind} of {action.of} {span}")
    out_notes = {}
    for v in variables:
        j = list(exogenous).index(v)
        level = float(last[v])
        path = np.empty(len(dates))
        for t, step in enumerate(changes[v]):
            level = max(level + step, 0.0)
            path[t] = level
        x[:, j] = path
        out_notes[v] = "policy.fed: " + "; ".join(notes[v]) + "; other months as the baseline"
    return x, out_notes


def apply_financing(
    x: np.ndarray,
    exogenous: Sequence[str],
    mixes: Sequence[Financing],
    dates: pd.DatetimeIndex,
    last_share: float,
    marketable_debt: float,
) -> tuple[np.ndarray, dict[str, str]]:
    """The bill share of marketable debt (percent) implied by the financing mix.

    New borrowing in month ``t`` is ``deficit_12m[t] / 12`` (the scenario's deficit path); in a
    month under a ``financing`` entry its ``bill_share`` part is issued as bills, in other
    months new borrowing keeps the bill share of the stock (the share's baseline path: flat).

    Parameters
    ----------
    x : ndarray, shape (h, n_exog)
    exogenous : sequence of str
    mixes : sequence of Financing
    dates : DatetimeIndex
    last_share : float
        Bill share of marketable debt before ``dates[0]``, percent.
    marketable_debt : float
        Marketable debt outstanding then, $bn.
    """
    x = np.array(x, dtype=float, copy=True)
    if not mixes:
        return x, {}
    _need(["bill_share", "deficit_12m"], exogenous, "financing")
    names = list(exogenous)
    deficit = x[:, names.index("deficit_12m")]
    mix = np.full(len(dates), np.nan)
    spans = []
    for number, entry in enumerate(mixes):
        what = f"policy.financing[{number}]"
        window = _window(dates, entry.start, entry.end, what)
        if np.isfinite(mix[window]).any():
            raise InputError(f"{what} overlaps another financing entry; give each month one mix")
        mix[window] = entry.bill_share
        spans.append(
            f"{entry.bill_share:.0%} of new borrowing in bills "
            f"{dates[window][0]:%Y-%m}..{dates[window][-1]:%Y-%m}"
        )
    debt = float(marketable_debt)
    bills = debt * float(last_share) / 100.0
    share = np.empty(len(dates))
    for t in range(len(dates)):
        borrowing = deficit[t] / 12.0
        fraction = mix[t] if np.isfinite(mix[t]) else bills / debt
        bills += fraction * borrowing
        debt += borrowing
        if debt <= 0 or bills < 0:
            raise InputError(
                f"policy.financing: the deficit path pays down more debt than there is by "
                f"{dates[t]:%Y-%m}; check policy.deficit"
            )
        share[t] = 100.0 * bills / debt
    x[:, names.index("bill_share")] = share
    note = (
        "policy.financing: " + "; ".join(spans) + f"; new borrowing = deficit_12m / 12; from "
        f"{last_share:.2f}% of {marketable_debt:,.0f} $bn marketable debt"
    )
    return x, {"bill_share": note}


def treasury_cash_conditions(
    policy: PolicySpec, as_of: str, dates: pd.DatetimeIndex, announcements=None
) -> tuple[dict[str, Condition], str]:
    """Soft TGA conditions at the quarter ends with an announced cash balance.

    Parameters
    ----------
    policy : PolicySpec
    as_of : str
        The data month: releases announced after it are not used.
    dates : DatetimeIndex
        The forecast months.
    announcements : fiscalcliff.policy.Policy, optional
        Default: the repository's ``policy/``.

    Returns
    -------
    (dict, str)
        Conditions keyed ``treasury_cash_<quarter>`` and a sentence saying what was imposed.
    """
    if policy.treasury_cash is None:
        return {}, ""
    from fiscalcliff.policy import load_policy, treasury_cash_path

    announcements = announcements or load_policy()
    path = treasury_cash_path(announcements, as_of, dates)
    conditions = {}
    for date, row in path.iterrows():
        if not np.isfinite(row["tga"]):
            continue
        month = f"{date:%Y-%m}"
        conditions[f"treasury_cash_{row['quarter']}"] = Condition.model_validate(
            {
                "variable": "tga",
                "path": [{"from": month, "to": month, "level": float(row["tga"])}],
                "sd": policy.treasury_cash.sd,
            }
        )
    quarters = ", ".join(
        f"{row['quarter']} {row['tga']:,.0f} (announced {row['announced']})"
        for _, row in path.iterrows()
        if np.isfinite(row["tga"])
    )
    note = (
        f"Treasury's end-of-quarter cash balances announced by {as_of}: "
        + (quarters or "none inside the horizon")
        + f"; soft conditions on tga, sd {policy.treasury_cash.sd:g} $bn"
    )
    return conditions, note
