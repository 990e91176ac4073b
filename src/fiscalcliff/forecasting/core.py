"""Unconditional forecast paths from a fitted BVAR-X, labelled as an xarray Dataset."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from fiscalcliff import dims
from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.censor import censor
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model.stability import EXPLOSIVE_ROOT, parallel_max_root

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults, PosteriorSample

ExogenousPaths = Mapping[str, float | list[float] | np.ndarray | pd.Series]


def check_draws_seed(draws: int, seed: int) -> None:
    """Reject draws outside ``1..1,000,000`` or a seed outside ``0..2**63-1``, clearly."""
    from fiscalcliff.limits import check_draws, check_seed

    check_draws(draws)
    check_seed(seed)


def forecast_dates(last_observed: pd.Timestamp, horizon: str) -> pd.DatetimeIndex:
    """Month-start dates after ``last_observed`` up to and including ``horizon`` (YYYY-MM).

    Raises
    ------
    InputError
        If ``horizon`` is not ``YYYY-MM``, is not after the data, or is more than
        :data:`~fiscalcliff.limits.MAX_HORIZON_MONTHS` months after it (checked on the
        numbers, before any date is built, so ``9999-12`` is a clear error too).
    """
    from fiscalcliff.limits import check_horizon_months

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(horizon)):
        raise InputError(f"horizon '{horizon}' is not a month; write YYYY-MM, e.g. 2026-12")
    year, month = (int(part) for part in str(horizon).split("-"))
    months = (year - last_observed.year) * 12 + (month - last_observed.month)
    if months < 1:
        raise InputError(
            f"horizon {horizon} is not after the last month of data "
            f"({last_observed:%Y-%m}); choose a later month"
        )
    check_horizon_months(months, str(horizon), f"{last_observed:%Y-%m}")
    start = last_observed + pd.offsets.MonthBegin(1)
    return pd.date_range(start, periods=months, freq="MS", name=dims.DATE)


def exogenous_future(
    results: BVARResults, dates: pd.DatetimeIndex, paths: ExogenousPaths | None
) -> tuple[np.ndarray, dict[str, str]]:
    """Future exogenous values ``(h, n_exog)`` and a sentence per variable saying what was assumed.

    Unspecified variables follow the announced policy if the prior file lists them under
    ``model.announced`` (:mod:`fiscalcliff.forecasting.announced`), else they are held at their
    last observed value.
    """
    from fiscalcliff.forecasting.announced import announced_paths

    paths = dict(paths or {})
    announced, announced_notes = announced_paths(results, dates, skip=set(paths))
    unknown = sorted(set(paths) - set(results.exogenous))
    if unknown:
        raise InputError(
            f"exogenous path given for {', '.join(unknown)}, which the model does not have "
            f"(exogenous: {', '.join(results.exogenous) or 'none'})"
        )
    from fiscalcliff.forecasting.ragged import last_exogenous

    latest = last_exogenous(results)
    out = np.empty((len(dates), len(results.exogenous)))
    notes = {}
    for j, name in enumerate(results.exogenous):
        last, when = latest[name]
        if name in announced:
            out[:, j] = announced[name]
            notes[name] = announced_notes[name]
            continue
        path = paths.get(name)
        if path is None:
            out[:, j] = last
            notes[name] = f"held at last observed value {last:.6g} ({when:%Y-%m})"
            continue
        if isinstance(path, pd.Series):
            idx = pd.DatetimeIndex(path.index).to_period("M").to_timestamp()
            missing = dates.difference(idx)
            if len(missing):
                raise InputError(
                    f"exogenous path for {name} lacks {', '.join(missing.strftime('%Y-%m'))}"
                )
            out[:, j] = pd.Series(path.to_numpy(float), index=idx).loc[dates].to_numpy()
        else:
            arr = (
                np.broadcast_to(np.asarray(path, dtype=float), (len(dates),))
                if np.ndim(path) == 0
                else np.asarray(path, dtype=float)
            )
            if arr.shape != (len(dates),):
                raise InputError(
                    f"exogenous path for {name} has {arr.size} values; the horizon has "
                    f"{len(dates)} months ({dates[0]:%Y-%m}..{dates[-1]:%Y-%m})"
                )
            out[:, j] = arr
        if not np.isfinite(out[:, j]).all():
            raise InputError(f"exogenous path for {name} has non-finite values (NaN or inf)")
        notes[name] = "user path"
    return out, notes


def _roots(sample: PosteriorSample, results: BVARResults) -> np.ndarray:
    """Largest companion-root moduli of the sample's draws (looked up when already known)."""
    if sample.max_root is not None:
        return sample.max_root
    return parallel_max_root(sample.b, results.layout)


#: filtering gives up after this many parameter draws per draw it has to keep
MAX_DRAWS_PER_KEPT = 50


def stable_sample(
    results: BVARResults, draws: int, rng: np.random.Generator
) -> tuple[PosteriorSample, np.ndarray, int, int]:
    """Posterior draws whose largest companion root is at most one (explosive ones discarded).

    Draws in batches sized from the stable share seen so far, until ``draws`` are kept.

    Returns
    -------
    sample : PosteriorSample
        ``draws`` stable draws, in the order drawn.
    roots : ndarray, shape (draws,)
        Their largest root moduli.
    drawn : int
        How many draws were made in all.
    explosive : int
        How many of them were explosive (discarded). ``drawn - explosive`` may exceed ``draws``:
        the last batch can overshoot, and its surplus stable draws are not used.
    """
    from fiscalcliff.model.results import PosteriorSample

    parts, roots, kept, drawn, explosive = [], [], 0, 0, 0
    while kept < draws:
        if drawn >= MAX_DRAWS_PER_KEPT * draws:
            raise InputError(
                f"only {kept} of {drawn} posterior draws are stable (largest companion root "
                f"<= {EXPLOSIVE_ROOT}); filtering cannot reach {draws} draws — report the "
                "explosive share instead (stability 'report') or revise the prior"
            )
        rate = max(kept / drawn, 0.05) if drawn else 0.5
        batch = results.sample(min(int(np.ceil(1.2 * (draws - kept) / rate)), 20_000), rng)
        r = _roots(batch, results)
        ok = r <= EXPLOSIVE_ROOT
        parts.append(batch.take(ok))
        roots.append(r[ok])
        kept += int(ok.sum())
        drawn += batch.n_draws
        explosive += int((~ok).sum())
    sample = PosteriorSample.concatenate(parts).take(slice(0, draws))
    return sample, np.concatenate(roots)[:draws], drawn, explosive


def forecast(
    results: BVARResults,
    *,
    horizon: str = "2026-12",
    draws: int = 2000,
    seed: int = 0,
    exogenous: ExogenousPaths | None = None,
    stability: Literal["report", "filter", "skip"] = "report",
) -> xr.Dataset:
    """Draw forecast paths with parameter and shock uncertainty.

    Parameters
    ----------
    results : BVARResults
        A fitted model.
    horizon : str
        Last forecast month, ``YYYY-MM``.
    draws : int
        Number of posterior draws (one path each).
    seed : int
        Seed; parameters and shocks come from independent streams spawned from it.
    exogenous : mapping, optional
        Future exogenous values by name: a scalar, a list/array over the horizon, or a
        pandas Series indexed by month. Unspecified variables are held at their last value.
    stability : {"report", "filter", "skip"}
        ``report``: compute each draw's largest companion root and report the explosive share.
        ``filter``: keep only stable draws (explosive ones are discarded and replaced by new
        draws; how many is recorded in the ``stability`` attribute). ``skip``: no check.

    Returns
    -------
    xarray.Dataset
        One data variable per endogenous series and identity, dims ``(chain, draw, date)``;
        ``exog_<name>`` (date) with the assumed exogenous path; ``max_root`` and ``explosive``
        (chain, draw) unless ``stability="skip"``. Attributes record provenance.
    """

    from fiscalcliff.forecasting.ragged import fill_ragged_edge
    from fiscalcliff.limits import check_path_memory

    check_draws_seed(draws, seed)
    dates = forecast_dates(pd.Timestamp(f"{results.panel.latest}-01"), horizon)
    check_path_memory(draws, len(dates), len(results.endogenous) + len(results.identities), "draws")
    x_future, notes = exogenous_future(results, dates, exogenous)
    if stability not in ("report", "filter", "skip"):
        raise InputError(f"stability must be 'report', 'filter' or 'skip' (got {stability!r})")
    # streams 2 and 3 (the ragged edge) are spawned after the first two, which stay as they were;
    # stream 4 draws the future error scales (Student-t errors, stochastic volatility)
    seqs = np.random.SeedSequence(seed).spawn(5)
    param_seq, shock_seq, edge_shock_seq, edge_cond_seq, scale_seq = seqs
    param_rng = np.random.default_rng(param_seq)
    roots, stability_note = None, "not checked"
    if stability == "filter":
        sample, roots, drawn, explosive = stable_sample(results, draws, param_rng)
        stability_note = (
            f"filtered: kept {draws} stable draws of {drawn} drawn "
            f"({explosive} explosive draws discarded)"
        )
    else:
        sample = results.sample(draws, param_rng)
        if stability == "report":
            roots = _roots(sample, results)
            stability_note = "reported: explosive draws kept"
    shocks = np.random.default_rng(shock_seq).standard_normal(
        (draws, len(dates), len(results.endogenous))
    )
    nowcast = fill_ragged_edge(
        results,
        sample.b,
        sample.sigma_root,
        np.random.default_rng(edge_shock_seq),
        np.random.default_rng(edge_cond_seq),
        sample=sample,
    )
    scale = sample.shock_scale(len(dates), np.random.default_rng(scale_seq))
    shadow = simulate_paths(
        sample.b, sample.sigma_root, nowcast.history, x_future, shocks, results.layout, scale
    )
    paths = censor(results, shadow)
    ds = label_paths(
        results, paths, dates, x_future, notes, roots, seed=seed, stability=stability_note
    )
    add_shadow(ds, results, shadow)
    return add_nowcast(ds, results, nowcast)


def add_shadow(ds: xr.Dataset, results: BVARResults, shadow: np.ndarray) -> None:
    """``shadow_<name>`` for every censored variable: the simulated shadow value (whose
    ``max`` with the bound is the variable), same dims as the variable; in place."""
    endog = list(results.endogenous)
    for name, bound in results.censored.items():
        var = ds[name]
        j = endog.index(name)
        ds[f"shadow_{name}"] = (
            var.dims,
            shadow[..., j].reshape(var.shape),
            {
                "units": var.attrs.get("units", ""),
                "kind": "shadow",
                "description": f"shadow value: {name} = max({bound.lower:g}, shadow)",
            },
        )


def add_nowcast(ds: xr.Dataset, results: BVARResults, nowcast) -> xr.Dataset:
    """Record the ragged edge on a forecast: ``nowcast_<name>`` (chain, draw, nowcast_date) for
    every endogenous series the model filled there, and the ``ragged_edge`` attribute (per
    series: last observed month, months filled and how)."""
    import json

    from fiscalcliff.forecasting.ragged import ragged_edge_summary

    for j, name in enumerate(results.endogenous):
        if len(nowcast.months) and not nowcast.observed[:, j].all():
            ds[f"nowcast_{name}"] = (
                (dims.CHAIN, dims.DRAW, dims.NOWCAST_DATE),
                nowcast.endogenous[None, :, :, j],
                {
                    "units": results.panel.records[name].units,
                    "kind": "nowcast",
                    "observed_months": json.dumps(
                        [f"{m:%Y-%m}" for m in nowcast.months[nowcast.observed[:, j]]]
                    ),
                },
            )
    if len(nowcast.months):
        ds = ds.assign_coords({dims.NOWCAST_DATE: nowcast.months.rename(dims.NOWCAST_DATE)})
    ds.attrs["ragged_edge"] = json.dumps(ragged_edge_summary(results), sort_keys=True)
    return ds


def identity_units(results: BVARResults, ident) -> str:
    """Units of an identity: its variables' units; a difference of rates is in pp."""
    units = {results.panel.records[v].units for v in ident.names}
    unit = units.pop() if len(units) == 1 else "mixed"
    if unit == "percent" and ((ident.weights < 0).any() or (ident.exog_weights < 0).any()):
        return "percentage points"
    return unit


def label_paths(
    results: BVARResults,
    paths: np.ndarray,
    dates: pd.DatetimeIndex,
    x_future: np.ndarray,
    exog_notes: Mapping[str, str],
    roots: np.ndarray | None,
    *,
    seed: int,
    stability: str,
) -> xr.Dataset:
    """Turn ``(n, h, K)`` paths into a Dataset with identities and provenance attributes."""
    import xarray as xr

    from fiscalcliff.provenance import provenance_attrs

    records = results.panel.records
    data_vars = {}
    for j, name in enumerate(results.endogenous):
        data_vars[name] = (
            (dims.CHAIN, dims.DRAW, dims.DATE),
            paths[None, :, :, j],
            {"units": records[name].units, "kind": "endogenous"},
        )
    for ident in results.identities:
        data_vars[ident.target] = (
            (dims.CHAIN, dims.DRAW, dims.DATE),
            ident.apply(paths, x_future)[None],
            {
                "units": identity_units(results, ident),
                "kind": "identity",
                "identity": ident.expression,
            },
        )
    for j, name in enumerate(results.exogenous):
        data_vars[f"exog_{name}"] = (
            (dims.DATE,),
            x_future[:, j],
            {"units": records[name].units, "kind": "exogenous", "assumption": exog_notes[name]},
        )
    attrs = {}
    attrs["stability"] = stability
    if roots is not None:
        data_vars["max_root"] = ((dims.CHAIN, dims.DRAW), roots[None])
        data_vars["explosive"] = ((dims.CHAIN, dims.DRAW), (roots > EXPLOSIVE_ROOT)[None])
        attrs["explosive_share"] = float(np.mean(roots > EXPLOSIVE_ROOT))
    n = paths.shape[0]
    ds = xr.Dataset(
        data_vars,
        coords={dims.CHAIN: [0], dims.DRAW: np.arange(n), dims.DATE: dates},
    )
    spec = results.spec
    ds.attrs = provenance_attrs(
        model=spec.name,
        sampler=getattr(results, "sampler_label", "exact conjugate NIW"),
        seed=seed,
        draws=n,
        horizon=f"{dates[0]:%Y-%m}..{dates[-1]:%Y-%m}",
        sample=f"{results.sample_start}..{results.sample_end}",
        data_sha256=results.panel.data_hash,
        data_last_dates=results.panel.last_dates,
        data_sources={k: r.origin for k, r in records.items()},
        prior_file=spec.source or "",
        prior_sha256=spec.source_sha256 or "",
        prior_spec_sha256=spec.spec_sha256(),
        hyperparameters=results.hyperparameters.values,
        exogenous_assumptions=dict(exog_notes),
        **attrs,
    )
    return ds
