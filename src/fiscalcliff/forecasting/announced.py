"""Baseline paths of policy inputs from the policy announced by the forecast's data month.

A prior file lists, under ``model.announced``, exogenous policy inputs whose baseline future is the
announced policy rather than their last value: today the Fed's Treasury and MBS holdings
(``fed_treasuries``, ``fed_mbs``), from :func:`fiscalcliff.policy.fed_holdings_path` with the
announcements dated on or before the latest month of data (real time: a forecast made with data
to 2025-11 knows the end of runoff announced on 2025-10-29, not the bill purchases announced on
2025-12-10). The path starts from each input's last observed value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.model.results import BVARResults

__all__ = ["HOLDINGS", "announced_paths", "holdings_paths", "recent_mbs_paydowns"]

#: exogenous variable -> column of fiscalcliff.policy.fed_holdings_path
_COLUMNS = {"fed_treasuries": "treasuries", "fed_mbs": "mbs"}
#: the exogenous holdings an announced path needs the last values of
HOLDINGS = tuple(_COLUMNS)


#: months of MBS holdings over which the paydown rate is averaged
PAYDOWN_MONTHS = 6


def recent_mbs_paydowns(mbs: pd.Series, months: int = PAYDOWN_MONTHS) -> float | None:
    """Average monthly decline of the Fed's MBS holdings over the last ``months`` months ($bn).

    While MBS run off (under a cap, or after the end of runoff with principal reinvested in
    Treasury bills) the decline is the principal paid down, which ran far below the $35bn cap
    (about $15bn a month in 2022-25). None when the holdings did not decline (purchases) or
    there are too few months: the announced path then takes the cap.

    Parameters
    ----------
    mbs : Series
        Monthly MBS holdings ($bn) up to the forecast's data month, oldest first (gaps dropped).
    months : int
    """
    values = pd.Series(mbs, dtype=float).dropna().to_numpy()
    if values.size < months + 1:
        return None
    decline = float(values[-months - 1] - values[-1]) / months
    return decline if decline > 0 else None


def holdings_paths(
    as_of: str,
    dates: pd.DatetimeIndex,
    last: dict[str, float],
    policy=None,
    *,
    mbs_history: pd.Series | None = None,
) -> tuple[dict[str, np.ndarray], str]:
    """Announced Treasury and MBS holdings over ``dates`` ($bn), and a sentence saying so.

    Parameters
    ----------
    as_of : str
        ``YYYY-MM``: announcements dated after this month are not used.
    dates : DatetimeIndex
        The forecast months (month starts, consecutive).
    last : dict
        Holdings in the month before ``dates[0]``: ``{"fed_treasuries": x, "fed_mbs": y}``.
    policy : fiscalcliff.policy.Policy, optional
        Default: :func:`fiscalcliff.policy.load_policy` (the repository's ``policy/``).
    mbs_history : Series, optional
        MBS holdings up to ``as_of``: MBS then run off at :func:`recent_mbs_paydowns` (at most
        the cap) instead of at the cap.
    """
    from fiscalcliff.policy import fed_holdings_path, load_policy

    policy = policy or load_policy()
    paydowns = None if mbs_history is None else recent_mbs_paydowns(mbs_history)
    path = fed_holdings_path(
        policy,
        as_of,
        f"{dates[0]:%Y-%m}",
        len(dates),
        {"treasuries": last["fed_treasuries"], "mbs": last["fed_mbs"]},
        mbs_runoff_bn=paydowns,
    )
    out = {name: path[col].to_numpy(float) for name, col in _COLUMNS.items()}
    ids = re.findall(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]*[a-z0-9]", str(path["rule"].iloc[0]))
    first_rule = ", ".join(dict.fromkeys(ids)) or str(path["rule"].iloc[0])
    digests = ", ".join(f"{f.path.name} sha256 {f.sha256[:12]}" for f in policy.files)
    mbs_text = (
        "MBS caps"
        if paydowns is None
        else f"MBS paydowns at their last {PAYDOWN_MONTHS} months' pace ({paydowns:.1f} $bn a "
        "month, at most the cap)"
    )
    note = (
        f"announced policy as of {as_of} (first month by {first_rule}; {digests}); Treasury runoff "
        f"caps taken as the monthly decline; {mbs_text}"
    )
    return out, note


def announced_paths(
    results: BVARResults, dates: pd.DatetimeIndex, skip: set[str]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Paths for the prior file's ``model.announced`` inputs not in ``skip`` (user-given)."""
    from fiscalcliff.forecasting.ragged import last_exogenous, observed_exogenous

    wanted = [n for n in results.spec.model.announced if n not in skip]
    if not wanted:
        return {}, {}
    latest = last_exogenous(results)
    last = {name: latest[name][0] for name in _COLUMNS if name in latest}
    if set(last) != set(_COLUMNS):
        missing = sorted(set(_COLUMNS) - set(last))
        from fiscalcliff.errors import ConfigError

        raise ConfigError(
            f"model.announced needs both fed_treasuries and fed_mbs as exogenous variables "
            f"(missing: {', '.join(missing)})"
        )
    mbs = observed_exogenous(results, "fed_mbs")
    paths, note = holdings_paths(results.panel.latest, dates, last, mbs_history=mbs)
    return {n: paths[n] for n in wanted}, {n: note for n in wanted}
