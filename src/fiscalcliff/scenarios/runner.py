"""Run scenarios on shared posterior draws and common random numbers.

Every scenario of one run uses the same posterior draws of ``(B, Sigma)``, the same standard
normal shocks and the same random stream for soft conditions and bounds.  A difference between
two scenarios is therefore a draw-by-draw difference caused only by what the scenarios say.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fiscalcliff import dims
from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.censor import censor, shadow_conditions
from fiscalcliff.forecasting.core import (
    add_nowcast,
    add_shadow,
    check_draws_seed,
    exogenous_future,
    forecast_dates,
    identity_units,
)
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.forecasting.ragged import fill_ragged_edge
from fiscalcliff.scenarios import policy_knobs
from fiscalcliff.scenarios.conditions import build_conditions
from fiscalcliff.scenarios.events import Event, event_indicator, parse_event
from fiscalcliff.scenarios.loader import Scenario
from fiscalcliff.scenarios.paths import build_path

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults


@dataclass(frozen=True)
class RunSettings:
    """Settings shared by every scenario of a run (they must agree, or be overridden)."""

    priors: str
    as_of: str | None
    horizon_end: str
    draws: int
    seed: int


def shared_settings(
    scenarios: Sequence[Scenario], draws: int | None = None, seed: int | None = None
) -> RunSettings:
    """Check the scenarios can share draws: same prior file, data vintage, horizon, draws, seed."""
    if not scenarios:
        raise InputError("no scenarios given")
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario names must be distinct; repeated: {', '.join(dupes)}")

    def one(attr: str, getter, override=None):
        if override is not None:
            return override
        values = {s.name: getter(s) for s in scenarios}
        if len(set(values.values())) > 1:
            listing = ", ".join(
                f"{n}: {'latest data' if v is None else v}" for n, v in values.items()
            )
            raise InputError(
                f"scenarios compared on shared draws must agree on {attr} ({listing}); "
                "align the files"
                + (f" or pass --{attr}" if attr in ("draws", "seed", "priors") else "")
            )
        return next(iter(values.values()))

    settings = RunSettings(
        priors=one("priors", lambda s: str(s.priors_path)),
        as_of=one("as_of", lambda s: s.spec.as_of),
        horizon_end=one("horizon", lambda s: s.spec.horizon.end),
        draws=one("draws", lambda s: s.spec.draws, draws),
        seed=one("seed", lambda s: s.spec.seed, seed),
    )
    check_draws_seed(settings.draws, settings.seed)
    return settings


def last_observed(results: BVARResults) -> dict[str, float]:
    """Last data value of every model variable and identity, the ragged edge included.

    A series that ended before the latest month gives its own last value; an identity is
    evaluated in the latest month where all its variables are observed.
    """
    combined = pd.concat([results.panel.frame, results.panel.edge])
    last = {name: float(combined[name].dropna().iloc[-1]) for name in combined.columns}
    for ident in results.identities:
        last[ident.target] = float(ident.on_frame(combined).iloc[-1])
    return last


def _segment_note(segments) -> str:
    return "; ".join(
        f"{seg.kind} {getattr(seg, seg.kind)}"
        + (f" from {seg.start}" if seg.start else "")
        + (f" to {seg.end}" if seg.end else "")
        for seg in segments
    )


def _exogenous(
    scenario: Scenario, results: BVARResults, dates, last, source=None
) -> tuple[np.ndarray, dict]:
    """The scenario's exogenous paths: ``exogenous:`` segments, then the ``policy:`` knobs."""
    spec = scenario.spec
    segments = {**spec.exogenous, **policy_knobs.policy_segments(spec.policy)}
    unknown = sorted(set(segments) - set(results.exogenous))
    if unknown:
        raise InputError(
            f"exogenous: {', '.join(unknown)} not exogenous in the model "
            f"(exogenous: {', '.join(results.exogenous) or 'none'})"
        )
    paths = {
        name: build_path(segs, dates, last[name], what=f"exogenous.{name}")
        for name, segs in segments.items()
    }
    x, notes = exogenous_future(results, dates, paths)
    for name in paths:
        notes[name] = "scenario path: " + _segment_note(segments[name])
    names = list(results.exogenous)
    x, fed_notes = policy_knobs.apply_fed_actions(x, names, spec.policy.fed, dates, last)
    notes.update({n: f"{notes.get(n, '')}; then {v}".lstrip("; ") for n, v in fed_notes.items()})
    if spec.policy.financing:
        debt = _marketable_debt(results, source)
        x, fin_notes = policy_knobs.apply_financing(
            x, names, spec.policy.financing, dates, last.get("bill_share", np.nan), debt
        )
        notes.update(fin_notes)
    return x, notes


def _marketable_debt(results: BVARResults, source=None) -> float:
    """Marketable Treasury debt ($bn) in the last month of data up to the forecast's data month."""
    from fiscalcliff.data import load_panel

    source = source if source is not None else results.panel.source
    panel = load_panel(["marketable_debt"], source=source, end=results.panel.latest)
    return float(panel.frame["marketable_debt"].iloc[-1])


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    results: BVARResults | None = None,
    draws: int | None = None,
    seed: int | None = None,
    source=None,
    reporter=None,
) -> xr.Dataset:
    """Forecast every scenario on shared posterior draws and shocks.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Must share prior file, ``as_of`` and horizon end (and draws/seed unless overridden).
    results : BVARResults, optional
        A fitted model to reuse; by default the scenarios' prior file is fitted on data up to
        their ``as_of``.
    draws, seed : int, optional
        Override the scenarios' settings.
    source : fiscalcliff.data.Source, optional
        Data source for fitting.
    reporter : optional
        Progress reporter with ``phase(label)`` (the CLI's).

    Returns
    -------
    xarray.Dataset
        One data variable per series with dims ``(chain, draw, scenario, date)``; ``exog_<name>``
        (scenario, date); ``events`` (chain, draw, scenario, event) booleans; provenance attrs.
    """

    from fiscalcliff.forecasting.conditional import BOUND_SAMPLER, condition_shocks
    from fiscalcliff.provenance import provenance_attrs

    settings = shared_settings(scenarios, draws, seed)
    phase = reporter.phase if reporter is not None else _null_phase
    with _naming_all(scenarios):  # shared settings: an error names every file that set them
        if results is None:
            from fiscalcliff.model.fit import fit
            from fiscalcliff.model.spec import load_prior_file

            with phase("fitting the model (shared by all scenarios)"):
                results = fit(load_prior_file(settings.priors), source=source, as_of=settings.as_of)
        latest = pd.Timestamp(f"{results.panel.latest}-01")
        dates = forecast_dates(latest, settings.horizon_end)
    for s in scenarios:
        start = s.spec.horizon.start
        if start is not None and pd.Timestamp(f"{start}-01") != dates[0]:
            raise InputError(
                f"{s.path.name}: horizon.start {start} must be the month after the last data "
                f"month ({latest:%Y-%m}), i.e. {dates[0]:%Y-%m}; leave it out to use that"
            )
    endog = list(results.endogenous)
    last = last_observed(results)
    series = endog + [i.target for i in results.identities]
    from fiscalcliff.limits import check_path_memory

    check_path_memory(settings.draws * len(scenarios), len(dates), len(series), "--draws")
    events = _collect_events(scenarios, series)

    n, h, k = settings.draws, len(dates), len(endog)
    # streams 3 and 4 (the ragged edge) come after the first three, which stay as they were;
    # stream 5 draws the future error scales of models with Student-t errors or stochastic
    # volatility: the same in every scenario, which conditions its shocks given them (the
    # volatility is part of the draw's state of the world, so comparisons stay paired)
    seqs = np.random.SeedSequence(settings.seed).spawn(6)
    param_seq, shock_seq, cond_seq = seqs[:3]
    with phase(f"drawing {n} posterior draws and shocks"):
        sample = results.sample(n, np.random.default_rng(param_seq))
        z = np.random.default_rng(shock_seq).standard_normal((n, h, k))
        scale = sample.shock_scale(h, np.random.default_rng(seqs[5]))
        nowcast = fill_ragged_edge(
            results,
            sample.b,
            sample.sigma_root,
            np.random.default_rng(seqs[3]),
            np.random.default_rng(seqs[4]),
            sample=sample,
        )
    history = nowcast.history
    responses = _SharedResponses(sample.b, results.layout, h)

    all_paths, exog_rows, notes, cond_notes = [], [], {}, {}
    for s in scenarios:
        with phase(f"scenario {s.name}"), named_errors(s):
            x, notes[s.name] = _exogenous(s, results, dates, last, source)
            fixed, fixed_values = _shock_paths(s, results, dates)
            z_s = z
            if fixed.any():  # named shocks set by the file, the same in every draw
                z_s = z.copy()
                z_s[:, fixed] = fixed_values[fixed]
            paths = simulate_paths(
                sample.b, sample.sigma_root, history, x, z_s, results.layout, scale
            )
            cash, cash_note = policy_knobs.treasury_cash_conditions(
                s.spec.policy, results.panel.latest, dates
            )
            conds = build_conditions(
                {**s.spec.conditions, **cash},
                dates=dates,
                endogenous=endog,
                identities=results.identities,
                last_observed=last,
                adjusting_shocks=s.spec.adjusting_shocks,
                exogenous_path=x,
                shocks=results.shocks,
                shocks_key=s.spec.shocks_key,
            )
            conds, shadow_notes = shadow_conditions(results, conds)
            if fixed.any():  # a shock the file sets does not adjust to other conditions
                free = np.ones(h * k, bool) if conds.free_shocks is None else conds.free_shocks
                conds = dataclasses.replace(conds, free_shocks=free & ~fixed.ravel())
            loadings = _shared_loadings(conds, sample, results.layout, h, responses, scale)
            plausible = _plausibility(
                s.name,
                conds,
                sample,
                paths,
                z_s,
                results.layout,
                (fixed, fixed_values),
                responses,
                scale,
                loadings,
            )
            if not conds.is_empty:
                # the same stream for every scenario: common random numbers
                rng = np.random.default_rng(cond_seq)
                res = condition_shocks(
                    z_s,
                    paths,
                    sample.b,
                    sample.sigma_root,
                    results.layout,
                    conds,
                    rng,
                    psi=responses.get(),
                    shock_scale=scale,
                    loadings=loadings,
                )
                paths = simulate_paths(
                    sample.b, sample.sigma_root, history, x, res.shocks, results.layout, scale
                )
            cond_notes[s.name] = {
                "hard": len(conds.hard_labels),
                "soft": len(conds.soft_labels),
                "bounds": len(conds.bound_labels),
                "adjusting_shocks": [w.describe() for w in s.spec.adjusting_windows or ()]
                or ["all"],
            }
            if cash_note:
                cond_notes[s.name]["treasury_cash"] = cash_note
            if shadow_notes:
                cond_notes[s.name]["censored"] = shadow_notes
            if plausible is not None:
                cond_notes[s.name]["plausibility"] = plausible
            if fixed.any():
                cond_notes[s.name]["shock_paths"] = {
                    shock: {
                        f"{dates[t]:%Y-%m}": float(fixed_values[t, j])
                        for t in np.flatnonzero(fixed[:, j])
                    }
                    for j, shock in enumerate(results.shocks)
                    if fixed[:, j].any()
                }
            all_paths.append(paths)
            exog_rows.append(x)
    shadow = np.stack(all_paths, axis=1)  # (n, S, h, K), shadow values of censored variables
    stacked = censor(results, shadow)
    ds = _dataset(results, stacked, np.stack(exog_rows), dates, scenarios, events)
    add_shadow(ds, results, shadow)
    ds.attrs = provenance_attrs(
        kind="scenario forecast",
        sampler=f"{getattr(results, 'sampler_label', 'exact conjugate NIW')}; "
        "conditional forecasts by exact Gaussian conditioning "
        f"(hard/soft) and {BOUND_SAMPLER} of the truncated Gaussian (bounds)",
        scenarios=[s.name for s in scenarios],
        scenario_files={s.name: str(s.path) for s in scenarios},
        scenario_sha256={s.name: s.sha256 for s in scenarios},
        seed=settings.seed,
        draws=n,
        as_of=settings.as_of or "",
        horizon=f"{dates[0]:%Y-%m}..{dates[-1]:%Y-%m}",
        sample=f"{results.sample_start}..{results.sample_end}",
        data_sha256=results.panel.data_hash,
        data_last_dates=results.panel.last_dates,
        prior_file=results.spec.source or "",
        prior_sha256=results.spec.source_sha256 or "",
        prior_spec_sha256=results.spec.spec_sha256(),
        hyperparameters=results.hyperparameters.values,
        exogenous_assumptions=notes,
        conditions=cond_notes,
        events={e.label: e.text for e in events},
    )
    return add_nowcast(ds, results, nowcast)


def _shock_paths(s: Scenario, results, dates) -> tuple[np.ndarray, np.ndarray]:
    """The file's ``shock_paths``: a (h, K) mask of the (month, shock) entries it sets and
    their values (standard deviations), in the order of ``results.shocks``."""
    names = list(results.shocks)
    h, k = len(dates), len(names)
    fixed, values = np.zeros((h, k), bool), np.zeros((h, k))
    for shock, segments in s.spec.shock_paths.items():
        if shock not in names:
            raise InputError(
                f"shock_paths: {shock} not a shock of the model (its shocks: {', '.join(names)};"
                " named in the prior file's identification)"
            )
        path = build_path(segments, dates, 0.0, what=f"shock_paths.{shock}", hold_last=False)
        j = names.index(shock)
        fixed[:, j] = ~np.isnan(path)
        values[fixed[:, j], j] = path[fixed[:, j]]
    return fixed, values


class _SharedResponses:
    """The draws' impulse responses, computed once for every scenario that needs them.

    Kept only while they fit in :data:`SHARED_RESPONSES_BYTES`; above that (very many draws)
    :meth:`get` returns None and each step computes them chunk by chunk, as memory allows.
    """

    def __init__(self, b: np.ndarray, layout, h: int) -> None:
        self._b, self._layout, self._h = b, layout, h
        self._psi: np.ndarray | None = None

    def get(self) -> np.ndarray | None:
        n, k = self._b.shape[0], self._layout.n_endogenous
        if n * self._h * k * k * 8 > SHARED_RESPONSES_BYTES:
            return None
        if self._psi is None:
            from fiscalcliff.model.dynamics import impulse_responses

            self._psi = impulse_responses(self._b, self._layout, self._h)
        return self._psi


#: impulse responses up to this size are computed once and shared by all scenarios of a run
SHARED_RESPONSES_BYTES = 256 * 2**20


def _shared_loadings(conds, sample, layout, h: int, responses: _SharedResponses, shock_scale):
    """The loadings of a scenario's hard and soft conditions on every shock, computed once for
    its plausibility and its conditioning when they fit in :data:`SHARED_RESPONSES_BYTES`
    (None otherwise, or without such conditions: each step then computes what it needs)."""
    rows = conds.equality_rows
    n, k = sample.b.shape[0], layout.n_endogenous
    if not rows.shape[0] or n * rows.shape[0] * h * k * 8 > SHARED_RESPONSES_BYTES:
        return None
    psi = responses.get()
    if psi is None:
        return None
    from fiscalcliff.forecasting.irf import constraint_loadings

    return constraint_loadings(
        rows, sample.b, sample.sigma_root, layout, h, psi=psi, shock_scale=shock_scale
    )


def _plausibility(
    name,
    conds,
    sample,
    paths,
    shocks,
    layout,
    shock_paths,
    responses: _SharedResponses,
    shock_scale: np.ndarray | None = None,
    loadings: np.ndarray | None = None,
) -> dict | None:
    """APR plausibility of a scenario's hard and soft conditions and of the shocks it sets
    (None without any); warns when the median q is above
    :data:`~fiscalcliff.forecasting.plausibility.Q_WARN`. ``paths`` are the unconditional
    paths simulated with ``shocks`` (the set shocks at their values)."""
    fixed, values = shock_paths  # (h, K) mask and values of the shocks the file sets
    if not (len(conds.hard_labels) or len(conds.soft_labels) or fixed.any()):
        return None
    import warnings

    from fiscalcliff.forecasting import plausibility as pl

    out = pl.scenario_plausibility(
        conds,
        sample.b,
        sample.sigma_root,
        layout,
        fixed=values[fixed],
        psi=responses.get(),
        paths=paths,
        shock_scale=shock_scale,
        random_shocks=np.where(fixed, 0.0, shocks),  # the mean paths: only the set shocks
        loadings=loadings,
    ).summary()
    if out["q"] > pl.Q_WARN:
        warnings.warn(
            f"scenario {name}: plausibility q = {out['q']:.3f} (> {pl.Q_WARN}): the shocks it "
            "needs are far from their unconditional law (KL "
            f"{out['kl']:.1f} over {out['shocks']} shocks); read it as a stress test, or let more "
            "shocks adjust (adjusting_shocks)",
            pl.PlausibilityWarning,
            stacklevel=3,
        )
    return out


def _collect_events(scenarios: Sequence[Scenario], series: Sequence[str]) -> list[Event]:
    """Union of every scenario's events (evaluated for all scenarios so they compare)."""
    events: dict[str, Event] = {}
    for s in scenarios:
        for label, text in s.spec.events.items():
            if label in events and events[label].text != text:
                raise InputError(
                    f"{s.path.name}: event '{label}' means different things in different "
                    f"scenarios: '{events[label].text}' vs '{text}'; rename one"
                )
            with named_errors(s):
                events[label] = parse_event(label, text, series)
    return list(events.values())


@contextmanager
def _naming_all(scenarios: Sequence[Scenario]) -> Iterator[None]:
    """Prefix input errors of the shared stage (fit, horizon) with every scenario's file name."""
    try:
        yield
    except InputError as exc:
        names = list(dict.fromkeys(s.path.name for s in scenarios))
        if any(name in str(exc) for name in names):
            raise
        raise type(exc)(f"{', '.join(names)}: {exc}") from None


@contextmanager
def named_errors(scenario: Scenario) -> Iterator[None]:
    """Prefix input errors raised while handling a scenario with its file name."""
    try:
        yield
    except InputError as exc:
        prefix = f"{scenario.path.name}: "
        if str(exc).startswith(prefix):
            raise
        raise type(exc)(prefix + str(exc)) from None


def _dataset(results, stacked, exog, dates, scenarios, events) -> xr.Dataset:
    import xarray as xr

    endog = list(results.endogenous)
    records = results.panel.records
    core = (dims.CHAIN, dims.DRAW, dims.SCENARIO, dims.DATE)
    data_vars = {}
    values = {}
    for j, name in enumerate(endog):
        values[name] = stacked[..., j]
        data_vars[name] = (
            core,
            stacked[None, ..., j],
            {"units": records[name].units, "kind": "endogenous"},
        )
    for ident in results.identities:
        values[ident.target] = ident.apply(stacked, exog)  # exog (S, h, n_exog) broadcasts
        data_vars[ident.target] = (
            core,
            values[ident.target][None],
            {
                "units": identity_units(results, ident),
                "kind": "identity",
                "identity": ident.expression,
            },
        )
    for j, name in enumerate(results.exogenous):
        data_vars[f"exog_{name}"] = (
            (dims.SCENARIO, dims.DATE),
            exog[..., j],
            {"units": records[name].units, "kind": "exogenous"},
        )
    if events:
        hits = np.stack([event_indicator(e, values, dates) for e in events], axis=-1)
        data_vars["events"] = (
            (dims.CHAIN, dims.DRAW, dims.SCENARIO, "event"),
            hits[None],
            {"description": "per-draw truth of each event"},
        )
    coords = {
        dims.CHAIN: [0],
        dims.DRAW: np.arange(stacked.shape[0]),
        dims.SCENARIO: [s.name for s in scenarios],
        dims.DATE: dates,
    }
    if events:
        coords["event"] = [e.label for e in events]
    return xr.Dataset(data_vars, coords=coords)


class _NullPhase:
    def __enter__(self):
        return lambda amount=1.0: None

    def __exit__(self, *exc):
        return False


def _null_phase(label: str, total=None) -> _NullPhase:
    return _NullPhase()
