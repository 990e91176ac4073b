"""Forecast ensembles at one origin: a prior file's BVAR, the OLS VAR and the random walk.

Every function sees the data only through a
:class:`~fiscalcliff.evaluation.truncate.TruncatedSource` cut at the origin, so nothing after
the origin can enter a forecast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fiscalcliff.errors import DataError
from fiscalcliff.evaluation.origins import month_after
from fiscalcliff.evaluation.truncate import TruncatedSource
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.error_scales import FutureScales
from fiscalcliff.model.identities import Identity, parse_identities
from fiscalcliff.model.spec import PriorFile


@dataclass(frozen=True)
class Ensemble:
    """A forecast ensemble per horizon, with what the model reported about itself.

    Attributes
    ----------
    members : list of ndarray
        One ``(m_h, V)`` array per horizon (the random walk's ensemble size varies with h).
    explosive_share : float
        Share of parameter draws whose largest companion root exceeds one (NaN: not a VAR).
    notes : tuple of str
        What was assumed (exogenous paths, conditions, variables not in the model).
    hyperparameters : dict
    """

    members: list[np.ndarray]
    explosive_share: float = float("nan")
    notes: tuple[str, ...] = ()
    hyperparameters: dict[str, float] = field(default_factory=dict)


def origin_panel(spec: PriorFile, source, origin: str):
    """The prior file's variables from its sample start to ``origin``, nothing later."""
    from fiscalcliff.data import load_panel

    m = spec.model
    names = list(m.endogenous) + list(m.exogenous)
    panel = load_panel(
        names, source=TruncatedSource(source, origin), start=m.sample.start, end=origin
    )
    if panel.end != origin:
        raise DataError(
            f"at origin {origin} the series {', '.join(names)} only share data to {panel.end}; "
            "choose origins up to the last month every series has"
        )
    return panel


def scored_values(
    values: np.ndarray,
    endogenous: Sequence[str],
    identities: Sequence[Identity],
    variables: Sequence[str],
    exog: np.ndarray | None = None,
) -> np.ndarray:
    """``variables`` (endogenous series and identities) from values over the endogenous ones.

    ``values`` has the endogenous variables on its last axis, e.g. ``(T, K)`` data or
    ``(n, h, K)`` paths; the result has ``variables`` there instead (NaN for names the model
    does not have). ``exog`` (``(T, n_exog)`` or ``(h, n_exog)``) is needed for identities that
    use an exogenous variable.
    """
    from fiscalcliff.scenarios.conditions import variable_weights

    known = set(endogenous) | {i.target for i in identities}
    cols = []
    for v in variables:
        if v in known:
            weights, constant = variable_weights(v, endogenous, identities, v, exog=exog)
            cols.append(values @ weights + constant)
        else:
            cols.append(np.full(values.shape[:-1], np.nan))
    return np.stack(cols, axis=-1)


def random_walk(
    spec: PriorFile, source, origin: str, horizons: int, variables: Sequence[str]
) -> Ensemble:
    """No-change forecast; the ensemble at horizon h is the last value plus every h-month change
    observed from the sample start to the origin."""
    panel = origin_panel(spec, source, origin)
    m = spec.model
    idents = parse_identities(spec.identities, m.endogenous, m.exogenous)
    endog = m.endogenous
    exog = panel.frame[list(m.exogenous)].to_numpy(float) if m.exogenous else None
    hist = scored_values(
        panel.frame[list(endog)].to_numpy(float), endog, idents, variables, exog=exog
    )
    if hist.shape[0] <= horizons:
        raise DataError(f"origin {origin}: too few months for {horizons}-month changes")
    return Ensemble(
        random_walk_members(hist, horizons),
        notes=(f"random walk: h-month changes {panel.start}..{origin}",),
    )


def random_walk_members(history: np.ndarray, horizons: int) -> list[np.ndarray]:
    """Members of the no-change forecast from ``(T, V)`` levels: at horizon h, the last value
    plus each of the ``T - h`` observed h-month changes."""
    return [history[-1] + (history[h:] - history[:-h]) for h in range(1, horizons + 1)]


@dataclass(frozen=True)
class _VARDraws:
    """Parameter draws of a VAR-X in the package's layout, ready to simulate."""

    b: np.ndarray  # (n, M, K)
    sigma_root: np.ndarray  # (n, K, K)
    layout: LagLayout
    endogenous: tuple[str, ...]
    exogenous: tuple[str, ...]
    identities: tuple[Identity, ...]
    frame: pd.DataFrame  # data to the origin
    #: per-draw shadow history of a censored model (n, p, K); None: the observed data
    history: np.ndarray | None = None
    censored: dict = field(default_factory=dict)
    #: names of the columns of ``sigma_root`` (the prior file's named shocks; reduced form: the
    #: endogenous variables, Cholesky order)
    shocks: tuple[str, ...] = ()
    #: each draw's largest companion-root modulus when the fit already computed it (censored
    #: Gibbs draws); None: computed here
    max_root: np.ndarray | None = None
    #: the law of each draw's future error scales (Student-t errors, stochastic volatility)
    scales: FutureScales | None = None


def _bvar_draws(
    spec: PriorFile, source, origin: str, draws: int, rng, stability: str = "report"
) -> tuple[_VARDraws, dict, float]:
    """Posterior draws at ``origin``, their hyperparameters and the posterior's explosive
    share (``stability="filter"``: only stable draws are kept; the share is of all drawn)."""
    from fiscalcliff.model import fit_cache
    from fiscalcliff.model.fit import fit

    # each origin is fitted once: caching would only fill the disk; convergence diagnostics
    # would cost 1.5-3 s per origin and are never read here
    with fit_cache.disabled():
        results = fit(spec, source=TruncatedSource(source, origin), as_of=origin, diagnostics=False)
    explosive = float("nan")
    if stability == "filter":
        from fiscalcliff.forecasting.core import stable_sample

        sample, _, drawn, discarded = stable_sample(results, draws, rng)
        explosive = discarded / drawn
    else:
        sample = results.sample(draws, rng)
    history = sample.history
    if history is not None and len(results.panel.edge):  # pragma: no cover - a guard
        raise DataError(
            f"origin {origin}: a censored model's backtest needs every series observed to the "
            f"origin (ragged edge {results.panel.edge.index[0]:%Y-%m}..)"
        )
    return (
        _VARDraws(
            b=sample.b,
            sigma_root=sample.sigma_root,
            layout=results.layout,
            endogenous=tuple(results.endogenous),
            exogenous=tuple(results.exogenous),
            identities=tuple(results.identities),
            frame=results.panel.frame,
            history=history,
            censored=results.censored,
            shocks=tuple(results.shocks),
            max_root=sample.max_root,
            scales=sample.scales,
        ),
        dict(results.hyperparameters.values),
        explosive,
    )


def _ols_draws(spec: PriorFile, source, origin: str, draws: int) -> _VARDraws:
    """statsmodels' VAR (OLS per equation) on the same variables, lags and sample; its point
    estimates and residual covariance repeated for every member (no parameter uncertainty)."""
    from statsmodels.tsa.api import VAR

    m = spec.model
    panel = origin_panel(spec, source, origin)
    frame = panel.frame
    endog = frame[list(m.endogenous)]
    exog = frame[list(m.exogenous)] if m.exogenous else None
    fitted = VAR(
        endog.reset_index(drop=True), exog=None if exog is None else exog.reset_index(drop=True)
    ).fit(m.lags, trend="c" if m.constant else "n")
    params = fitted.params  # rows: const, exogenous, L1.<var>, ..., columns: variables
    # statsmodels names the rows const, <exogenous>, L1.<var>, ...; take them in our layout
    sm_names = (
        (["const"] if m.constant else [])
        + [f"L{lag}.{v}" for lag in range(1, m.lags + 1) for v in m.endogenous]
        + list(m.exogenous)
    )
    b = params.loc[sm_names, list(m.endogenous)].to_numpy(float)
    sigma = np.asarray(fitted.sigma_u, dtype=float)
    root = np.linalg.cholesky(sigma)
    layout = LagLayout(len(m.endogenous), len(m.exogenous), m.lags, m.constant)
    return _VARDraws(
        b=np.broadcast_to(b, (draws, *b.shape)),
        sigma_root=np.broadcast_to(root, (draws, *root.shape)),
        layout=layout,
        endogenous=tuple(m.endogenous),
        exogenous=tuple(m.exogenous),
        identities=parse_identities(spec.identities, m.endogenous, m.exogenous),
        frame=frame,
        shocks=tuple(m.endogenous),
    )


def var_ensemble(
    kind: str,
    spec: PriorFile,
    source,
    origin: str,
    horizons: int,
    variables: Sequence[str],
    draws: int,
    seed: np.random.SeedSequence,
    condition: Mapping[str, np.ndarray] | None = None,
    treasury_cash: float | None = None,
    stability: str = "report",
) -> Ensemble:
    """Forecast ensemble of a VAR-X at ``origin``: ``kind`` is ``"bvar"`` (the prior file's
    model, re-estimated on data to the origin, hyperparameters included) or ``"ols"``.

    ``condition`` maps variable names to their realised values over the horizon: exogenous
    variables follow them; endogenous variables and identities are hard conditions met
    exactly in every draw (exact Gaussian conditioning of each draw's shocks, all shocks
    adjusting). Names the model does not have are noted and ignored. Exogenous variables not
    conditioned on are held at their last value (the model's baseline assumption).

    ``treasury_cash`` (a standard deviation in $bn) adds Treasury's end-of-quarter cash balances
    announced by the origin month as soft conditions on the quarter-end months' TGA, as the
    shipped baseline's ``policy: {treasury_cash: ...}`` does; they are delivered by the model's
    shock named ``tga`` when it has one and no hard condition is imposed, else by all shocks.
    """
    from fiscalcliff.forecasting.censor import censor, shadow_conditions
    from fiscalcliff.forecasting.paths import simulate_paths
    from fiscalcliff.model.stability import EXPLOSIVE_ROOT, max_root_modulus

    # the fourth stream draws the future error scales, the fifth their candidates given
    # conditions (the first three stay as they were)
    param_seq, shock_seq, cond_seq, scale_seq, pick_seq = seed.spawn(5)
    hyper: dict[str, float] = {}
    explosive = float("nan")
    if kind == "bvar":
        var, hyper, explosive = _bvar_draws(
            spec, source, origin, draws, np.random.default_rng(param_seq), stability
        )
    elif kind == "ols":
        var = _ols_draws(spec, source, origin, draws)
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(kind)
    condition = dict(condition or {})
    notes = []
    k, h = len(var.endogenous), horizons
    x_future = np.empty((h, len(var.exogenous)))
    dates = pd.date_range(f"{month_after(origin)}-01", periods=h, freq="MS")
    announced = [n for n in spec.model.announced if n not in condition]
    if announced:  # the policy announced by the origin (real time), from the last value
        from fiscalcliff.forecasting.announced import HOLDINGS, holdings_paths

        last = {n: float(var.frame[n].iloc[-1]) for n in HOLDINGS}
        policy_paths, policy_note = holdings_paths(
            origin, dates, last, mbs_history=var.frame["fed_mbs"]
        )
    for j, name in enumerate(var.exogenous):
        if name in condition:
            x_future[:, j] = condition.pop(name)[:h]
            notes.append(f"exogenous {name}: realised path")
        elif name in announced:
            x_future[:, j] = policy_paths[name]
            notes.append(f"exogenous {name}: {policy_note}")
        else:
            x_future[:, j] = var.frame[name].iloc[-1]
            notes.append(f"exogenous {name}: held at its last value")
    history = var.frame[list(var.endogenous)].to_numpy(float)[-var.layout.lags :]
    if var.history is not None:
        history = var.history
    z = np.random.default_rng(shock_seq).standard_normal((draws, h, k))
    scale = None
    if var.scales is not None:
        scale = var.scales.draw(h, np.random.default_rng(scale_seq))
    paths = simulate_paths(var.b, var.sigma_root, history, x_future, z, var.layout, scale)
    if not np.isnan(explosive):  # measured while filtering
        notes.append("stability: explosive posterior draws discarded and redrawn")
    else:
        roots = var.max_root
        if roots is None:
            roots = max_root_modulus(var.b[:1] if kind == "ols" else var.b, var.layout)
        explosive = float((roots > EXPLOSIVE_ROOT).mean())
    hard = _hard_conditions(condition, var, h, notes, x_future)
    soft, free = [], None
    if treasury_cash is not None and "tga" not in condition:
        soft, free = _treasury_cash_conditions(treasury_cash, origin, dates, var, bool(hard))
        notes.extend(_treasury_cash_notes(soft, treasury_cash, free is not None))
    if hard or soft:
        from fiscalcliff.forecasting.conditional import LinearConditions, condition_shocks

        built = LinearConditions.build(h, k, hard=hard, soft=soft, free_shocks=free)
        conds, _ = shadow_conditions(var, built)
        if scale is not None:
            from fiscalcliff.forecasting.conditional_scales import condition_scales

            scale = condition_scales(
                conds.equality_rows,
                np.concatenate([conds.hard_values, conds.soft_means]),
                np.concatenate([np.zeros(len(conds.hard_labels)), conds.soft_sds**2]),
                paths,
                z,
                scale,
                var.scales,
                var.b,
                var.sigma_root,
                var.layout,
                pick_seq,
            ).scale
            paths = simulate_paths(var.b, var.sigma_root, history, x_future, z, var.layout, scale)
        res = condition_shocks(
            z,
            paths,
            var.b,
            var.sigma_root,
            var.layout,
            conds,
            np.random.default_rng(cond_seq),
            shock_scale=scale,
        )
        paths = simulate_paths(
            var.b, var.sigma_root, history, x_future, res.shocks, var.layout, scale
        )
    paths = censor(var, paths)
    values = scored_values(paths, var.endogenous, var.identities, variables, exog=x_future)
    return Ensemble(
        members=[values[:, s] for s in range(h)],
        explosive_share=explosive,
        notes=tuple(notes),
        hyperparameters=hyper,
    )


def _treasury_cash_conditions(
    sd: float, origin: str, dates: pd.DatetimeIndex, var: _VARDraws, has_hard: bool
) -> tuple[list, np.ndarray | None]:
    """Soft conditions on the TGA at the quarter ends with a cash balance announced by
    ``origin``, and the shocks that deliver them (``None``: all)."""
    from fiscalcliff.forecasting.conditional import entry_row
    from fiscalcliff.policy import load_policy, treasury_cash_path

    if "tga" not in var.endogenous:
        return [], None
    h, k = len(dates), len(var.endogenous)
    j = var.endogenous.index("tga")
    path = treasury_cash_path(load_policy(), origin, dates)
    soft = [
        (entry_row(h, k, s, j), float(row["tga"]), float(sd), f"treasury_cash_{row['quarter']}")
        for s, (_, row) in enumerate(path.iterrows())
        if np.isfinite(row["tga"])
    ]
    free = None
    if soft and not has_hard and "tga" in var.shocks:
        mask = np.zeros((h, k), dtype=bool)
        mask[:, var.shocks.index("tga")] = True
        free = mask.ravel()
    return soft, free


def _treasury_cash_notes(soft: list, sd: float, tga_shock: bool) -> list[str]:
    if not soft:
        return ["tga: no Treasury cash balance announced for a quarter end inside the horizon"]
    by = "the tga shock" if tga_shock else "all shocks"
    quarters = ", ".join(
        f"{label.removeprefix('treasury_cash_')} {mean:,.0f}" for _, mean, _, label in soft
    )
    return [f"tga: Treasury's announced cash balances {quarters} $bn (soft, sd {sd:g}, by {by})"]


def _hard_conditions(
    condition: dict[str, np.ndarray],
    var: _VARDraws,
    h: int,
    notes: list[str],
    x_future: np.ndarray,
) -> list:
    from fiscalcliff.forecasting.conditional import entry_row
    from fiscalcliff.scenarios.conditions import variable_weights

    known = set(var.endogenous) | {i.target for i in var.identities}
    k = len(var.endogenous)
    hard = []
    for name, values in condition.items():
        if name not in known:
            notes.append(f"{name}: not in this model, not conditioned on")
            continue
        weights, constant = variable_weights(
            name, var.endogenous, var.identities, name, exog=x_future
        )
        constant = np.broadcast_to(constant, (h,))
        for s in range(h):
            row = sum(entry_row(h, k, s, j, w) for j, w in enumerate(weights) if w)
            hard.append((row, float(values[s]) - constant[s], f"{name}[{s + 1}]"))
        notes.append(f"{name}: realised path imposed (hard condition)")
    return hard
