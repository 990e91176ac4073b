"""Results of a censored VAR-X fit: Gibbs draws of ``(B, Sigma)`` and of the shadow values.

Created by :func:`fiscalcliff.fit` when the prior file lists ``model.censored`` variables. The
sample is the estimation sample plus the ragged edge (the months after it where some series are
observed): missing cells there are latent too, so the Gibbs sampler fills the ragged edge and the
observed months of the edge inform the parameters. See :mod:`fiscalcliff.model.censored`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff import dims
from fiscalcliff.model.error_scales import FutureScales
from fiscalcliff.model.mcmc.diagnostics import Diagnostics
from fiscalcliff.model.mcmc.results import flat_draws, resample_indices
from fiscalcliff.model.results import BVARResults, PosteriorSample

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr


@dataclass(frozen=True)
class CensoredResults(BVARResults):
    """A VAR-X with censored variables, fitted by data augmentation.

    Everything :class:`~fiscalcliff.model.results.BVARResults` has, where ``prior`` and
    ``hyperparameters`` are those chosen on the observed data (censored values taken as
    observed) and held fixed, and ``posterior`` is the conjugate posterior on the observed data
    (a reference only), plus the Gibbs draws.

    Attributes
    ----------
    trace : xarray.DataTree
        ``posterior`` (``B``, ``Sigma`` and ``shadow_<name>`` (chain, draw, time) per censored
        variable), ``sample_stats`` (``lp``: log likelihood of the shadow-completed data),
        ``observed_data``; provenance on the root.
    diagnostics : Diagnostics or None
        r_hat and ESS (ArviZ) over what forecasts use: ``Sigma``, ``B`` and the latent cells of
        the last ``p`` months (the shadow values paths start from). A ConvergenceWarning is
        raised from these, as for NUTS. None when the fit was told not to compute them
        (``fit(..., diagnostics=False)``, as the backtest does) and sampled afresh.
    history_diagnostics : Diagnostics or None
        The same over the latent cells of earlier months (the shadow history, e.g. the shadow
        rate of 2009-15): reported, not warned about, since forecasts see the history only
        through ``B`` and ``Sigma``. None when every latent cell is recent.
    months : pandas.DatetimeIndex
        Months of the completed data (pre-sample, sample and ragged edge).
    completed : ndarray, shape (n_stored, N, K)
        The data with every latent cell filled, per stored draw (chains concatenated).
    n_sample_months : int
        Months up to the end of the estimation sample (the rest is the ragged edge).
    settings : dict
    stored_max_roots : ndarray, shape (n_stored,)
        Largest companion-root modulus of each stored draw of ``B`` (chains concatenated):
        forecasts resample the stored draws, so their stability check is a lookup
        (:attr:`PosteriorSample.max_root`).
    stored_scales : FutureScales or None
        With Student-t errors or stochastic volatility, each stored draw's law of future error
        scales (:attr:`PosteriorSample.scales`).
    """

    trace: xr.DataTree = None
    diagnostics: Diagnostics | None = None
    history_diagnostics: Diagnostics | None = None
    months: pd.DatetimeIndex = None
    completed: np.ndarray = None
    n_sample_months: int = 0
    settings: dict = field(default_factory=dict)
    stored_max_roots: np.ndarray = None
    stored_scales: FutureScales | None = None

    @property
    def sampler_label(self) -> str:
        """Short description of the sampler (recorded in outputs)."""
        return "Gibbs sampler with data augmentation of censored values (shadow VAR)"

    @property
    def n_stored(self) -> int:
        """Stored draws over all chains."""
        return int(self.completed.shape[0])

    def _flat(self, name: str) -> np.ndarray:
        return flat_draws(self.trace, name)

    def sample(self, draws: int, seed: int | np.random.Generator | None = 0) -> PosteriorSample:
        """``draws`` stored draws (thinned or resampled with ``seed``), each with its shadow
        history: the last ``p`` months (ragged edge included) from which forecasts start."""
        rng = np.random.default_rng(seed)
        return self._sample(self._indices(draws, rng), rng)[0]

    def sample_with_data(
        self, draws: int, seed: int | np.random.Generator | None = 0
    ) -> tuple[PosteriorSample, np.ndarray]:
        """:meth:`sample` (the same draws for the same seed) and each draw's shadow-completed
        data, shape (draws, N, K): pre-sample, sample and ragged edge."""
        rng = np.random.default_rng(seed)
        idx = self._indices(draws, rng)
        sample, picks = self._sample(idx, rng)
        return sample, self.completed[idx if picks is None else idx[picks]]

    def _indices(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        return resample_indices(self.n_stored, int(draws), rng)

    def _sample(
        self, idx: np.ndarray, rng: np.random.Generator
    ) -> tuple[PosteriorSample, np.ndarray | None]:
        b = self._flat("B")[idx]
        sigma = self._flat("Sigma")[idx]
        p = self.layout.lags
        first = min(self.n_sample_months, self.completed.shape[1] - p)
        recent = self.completed[:, first:][idx]  # only the months forecasts need
        return self.structural_sample(
            b,
            sigma,
            rng,
            history=recent[:, -p:, :],
            edge=recent[:, self.n_sample_months - first :, :],
            max_root=None if self.stored_max_roots is None else self.stored_max_roots[idx],
            scales=None if self.stored_scales is None else self.stored_scales.take(idx),
        )

    def shadow(self) -> xr.Dataset:
        """Shadow values of the censored variables, ``(chain, draw, time)``."""
        post = self.trace["posterior"].to_dataset()
        return post[[f"shadow_{n}" for n in self.spec.model.censored]]

    def posterior_dataset(self, draws: int | None = None, seed: int = 0) -> xr.Dataset:
        """The stored posterior draws (all chains; ``draws`` and ``seed`` are ignored)."""
        return self.trace["posterior"].to_dataset()

    def inference_data(self, draws: int | None = None, seed: int = 0) -> xr.DataTree:
        """The stored DataTree (``draws``/``seed`` are ignored: Gibbs draws are kept as run)."""
        return self.trace

    def __str__(self) -> str:
        bounds = ", ".join(
            f"{n} >= {b.lower:g} (at the bound when <= {b.threshold:g})"
            for n, b in self.spec.model.censored.items()
        )
        return "\n".join(
            [
                super()
                .__str__()
                .replace("(conjugate NIW)", "(censored, Gibbs)")
                .replace(
                    "  log marginal likelihood:",
                    # the closed form exists only for the conjugate reference the
                    # hyperparameters come from, not for this model
                    "  log marginal likelihood of the conjugate reference (censored cells at "
                    "their observed values, Gaussian errors, no truncation or equation "
                    "factors):",
                ),
                f"  censored: {bounds}",
                f"  latent cells: {self.settings.get('latent_cells', 0)}",
                f"  B, Sigma and the last {self.layout.lags} months: "
                + (str(self.diagnostics) if self.diagnostics is not None else "not diagnosed"),
                *(
                    [f"  shadow history before them: {self.history_diagnostics}"]
                    if self.history_diagnostics is not None
                    else []
                ),
            ]
        )


def fit_censored(
    base: BVARResults,
    problem,
    *,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    diagnose: bool = True,
) -> CensoredResults:
    """Run the Gibbs sampler for a fitted reference ``base`` (hyperparameters fixed there).

    ``diagnose=False``: no convergence diagnostics (``diagnostics`` and ``history_diagnostics``
    None, no warnings) and nothing saved to the fit cache; a cached complete fit is still used,
    with its diagnostics and their warnings.
    """
    import dataclasses

    import pandas as pd

    from fiscalcliff.forecasting.ragged import exogenous_tail
    from fiscalcliff.model import fit_cache
    from fiscalcliff.model.censored import GibbsDraws, LatentCells, complete, gibbs
    from fiscalcliff.model.error_scales import ScaleSettings, future_scales
    from fiscalcliff.model.stability import parallel_max_root

    spec = base.spec
    inference = spec.prior.inference
    draws = inference.draws if draws is None else draws
    tune = inference.tune if tune is None else tune
    chains = inference.chains if chains is None else chains
    endog = list(base.endogenous)
    frame, edge = base.panel.frame, base.panel.edge
    data = pd.concat([frame[endog], edge[endog]]).to_numpy(float)
    exog = None
    if base.exogenous:
        exog = np.vstack([frame[list(base.exogenous)].to_numpy(float), exogenous_tail(base, edge)])
    months = frame.index.append(edge.index)
    thresholds = {endog.index(n): b.threshold for n, b in spec.model.censored.items()}
    cells, start = LatentCells.build(data, thresholds, base.layout.lags)
    scales = ScaleSettings.from_prior(spec.prior)
    values = base.hyperparameters.values
    prior, dummies = problem.prior(values), problem.dummies(values)
    shrinkage = _equation_shrinkage(spec, prior, base.layout, endog)
    recent = len(data) - base.layout.lags  # first row of the months forecasts start from
    names = (list(base.regressors), endog)
    digest = fit_cache.key(
        {
            "data": data,
            "exog": exog,
            "rows": cells.rows,
            "cols": cells.cols,
            "lower": cells.lower,
            "upper": cells.upper,
            "start": start,
            "layout": base.layout,
            "prior_b": prior.b,
            "prior_omega": prior.omega,
            "prior_psi": prior.psi,
            "prior_dof": prior.dof,
            "dummy_y": dummies[0],
            "dummy_x": dummies[1],
            "mcmc": (draws, tune, chains, inference.sweeps, seed, recent),
            **({"stationary": True} if spec.prior.stationary else {}),
            **({"scales": repr(scales)} if scales.active else {}),
            **({"shrinkage": shrinkage.precision} if shrinkage is not None else {}),
        },
        {"regressors": names[0], "endogenous": endog, "months": months.strftime("%Y-%m")},
    )
    cached = fit_cache.load(digest)
    if cached is not None:
        if progress:
            progress("censored Gibbs sampler: draws read from the fit cache")
        run = GibbsDraws(**cached["run"])
        roots = cached["roots"]
        diagnostics = cached["diagnostics"]
        history_diagnostics = cached["history_diagnostics"]
    else:
        t0 = time.perf_counter()
        run = gibbs(
            data,
            exog,
            cells,
            start,
            base.layout,
            prior,
            dummies,
            draws=draws,
            tune=tune,
            chains=chains,
            sweeps=inference.sweeps,
            seed=seed,
            scales=scales,
            progress=progress,
            meanwhile=_import_diagnostics if diagnose else None,
            stationary=spec.prior.stationary,
            shrinkage=shrinkage,
        )
        seconds = time.perf_counter() - t0
        diagnostics = history_diagnostics = None
        if diagnose:
            diagnostics, history_diagnostics = _diagnostics(
                run, cells, names, months, seconds, recent
            )
        roots = parallel_max_root(run.b.reshape(-1, *run.b.shape[2:]), base.layout)
    if cached is None and diagnose:
        fit_cache.save(
            digest,
            {
                "b": run.b,
                "sigma": run.sigma,
                "latent": run.latent,
                "log_likelihood": run.log_likelihood,
                **{f"scale_{n}": v for n, v in run.scales.items()},
            },
            roots,
            diagnostics,
            history_diagnostics,
        )
    completed = complete(data, cells, run.latent)  # (C, D, N, K)
    trace = _trace(base, run, completed, months, seed=seed, draws=draws, tune=tune)
    import warnings

    from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning

    for message in diagnostics.warnings() if diagnostics is not None else []:
        for flag in ("draws", "tune", "chains"):  # set in the prior file for this sampler
            message = message.replace(f"--{flag}", f"prior.inference.{flag}")
        warnings.warn(f"censored Gibbs sampler: {message}", ConvergenceWarning, stacklevel=2)
    settings = {
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "sweeps": inference.sweeps,
        "seed": seed,
        **({"stationary": True} if spec.prior.stationary else {}),
        **(
            {"equation_tightness": dict(spec.prior.minnesota.equation_tightness)}
            if shrinkage is not None
            else {}
        ),
        "latent_cells": cells.size,
        **_scale_settings(run),
        "censored_cells": {
            n: int(np.sum(cells.cols[np.isfinite(cells.upper)] == endog.index(n)))
            for n in spec.model.censored
        },
    }
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(BVARResults)}
    return CensoredResults(
        **fields,
        trace=trace,
        diagnostics=diagnostics,
        history_diagnostics=history_diagnostics,
        months=months,
        completed=completed.reshape(-1, *completed.shape[2:]),
        n_sample_months=len(frame),
        settings=settings,
        stored_max_roots=roots,
        stored_scales=None
        if not run.scales
        else future_scales(
            scales,
            nu=run.scales["nu"].reshape(-1),
            h_last=run.scales["h"][..., -1].reshape(-1),
            phi=run.scales["phi"].reshape(-1),
            sd=run.scales["sd"].reshape(-1),
        ),
    )


def _equation_shrinkage(spec, prior, layout, endog: list[str]):
    """The extra prior factor of ``prior.minnesota.equation_tightness``
    (:mod:`fiscalcliff.model.equation_shrinkage`), or None (the conjugate prior alone)."""
    tight = spec.prior.minnesota.equation_tightness
    if not tight:
        return None
    from fiscalcliff.model.equation_shrinkage import EquationShrinkage

    factors = np.array([tight.get(n, np.inf) for n in endog], dtype=float)
    return EquationShrinkage.build(prior, layout, factors)


def _trace(base, run, completed, months, **extra) -> xr.DataTree:
    import xarray as xr

    from fiscalcliff.model.mcmc.inference_data import make_tree, observed_data, provenance

    c, d = run.b.shape[:2]
    endog = list(base.endogenous)
    coords = {
        dims.CHAIN: np.arange(c),
        dims.DRAW: np.arange(d),
        dims.REGRESSOR: list(base.regressors),
        dims.EQUATION: endog,
        dims.EQUATION_2: endog,
        "time": months.to_numpy(),
    }
    data_vars = {
        "B": ((dims.CHAIN, dims.DRAW, dims.REGRESSOR, dims.EQUATION), run.b),
        "Sigma": ((dims.CHAIN, dims.DRAW, dims.EQUATION, dims.EQUATION_2), run.sigma),
    }
    for name in base.spec.model.censored:
        data_vars[f"shadow_{name}"] = (
            (dims.CHAIN, dims.DRAW, "time"),
            completed[..., endog.index(name)],
            {"units": base.panel.records[name].units, "kind": "shadow"},
        )
    if run.scales:
        resid_time = months.to_numpy()[base.layout.lags :]
        coords["resid_time"] = resid_time
        names = {"lam": "lambda", "h": "h", "nu": "nu", "phi": "sv_persistence"}
        names |= {"sd": "sv_shock_sd"}
        settings = base.spec.prior
        keep = set()
        if settings.errors.distribution == "student_t":
            keep |= {"lam"} | ({"nu"} if settings.errors.nu == "estimate" else set())
        if settings.volatility.kind == "stochastic":
            keep |= {"h", "phi", "sd"}
        for key in sorted(keep):
            value = run.scales[key]
            dims_ = (dims.CHAIN, dims.DRAW) + (("resid_time",) if value.ndim == 3 else ())
            data_vars[names[key]] = (dims_, value)
    post = xr.Dataset(data_vars, coords=coords)
    stats = xr.Dataset(
        {"lp": ((dims.CHAIN, dims.DRAW), run.log_likelihood)},
        coords={dims.CHAIN: np.arange(c), dims.DRAW: np.arange(d)},
    )
    attrs = provenance(
        base, sampler="Gibbs sampler with data augmentation of censored values", **extra
    )
    return make_tree(post, stats, observed_data(base), attrs)


def _scale_settings(run) -> dict:
    """Acceptance rates of the scale blocks' Metropolis steps (recorded in ``settings``)."""
    if not run.scales:
        return {}
    from fiscalcliff.model.censored import SCALE_BLOCKS

    per_chain = run.scales["accepted"]  # (C, blocks): shares over burn-in and draws
    return {
        "scale_acceptance": {n: float(per_chain[:, i].mean()) for i, n in enumerate(SCALE_BLOCKS)}
    }


def _import_diagnostics() -> None:
    """Import ArviZ's statistics (about 0.6 s) while the chains run in their processes."""
    import arviz_stats  # noqa: F401


def _diagnostics(
    run, cells, names, months, seconds: float, recent: int
) -> tuple[Diagnostics, Diagnostics | None]:
    """r_hat and ESS (ArviZ): over Sigma, B and the latent cells in rows ``>= recent``; and over
    the earlier latent cells (None if there are none). ``names`` = (regressors, endogenous);
    parameters are named as ``B[policy_rate.l1, tga]``, cells as ``bill_3m[2011-10]``."""
    import xarray as xr

    from fiscalcliff.model.mcmc.diagnostics import compute_many

    regressors, endog = names

    cell_names = [
        f"{endog[j]}[{months[t]:%Y-%m}]" for t, j in zip(cells.rows, cells.cols, strict=True)
    ]
    names = np.array(cell_names)
    late = np.asarray(cells.rows) >= recent
    data_vars = {
        "Sigma": ((dims.CHAIN, dims.DRAW, "s1", "s2"), run.sigma),
        "B": ((dims.CHAIN, dims.DRAW, "m", "k"), run.b),
    }
    if run.scales:  # what forecasts use of the error scales (FutureScales)
        for key, name in (("nu", "nu"), ("phi", "sv_persistence"), ("sd", "sv_shock_sd")):
            if np.ptp(run.scales[key]) > 0:  # fixed nu or no volatility: constant, no r_hat
                data_vars[name] = ((dims.CHAIN, dims.DRAW), run.scales[key])
        if np.ptp(run.scales["h"]) > 0:
            data_vars["h_last"] = ((dims.CHAIN, dims.DRAW), run.scales["h"][..., -1])
    if late.any():
        data_vars["latent"] = ((dims.CHAIN, dims.DRAW, "cell"), run.latent[..., late])
    coords = {"cell": names[late], "m": regressors, "k": endog, "s1": endog, "s2": endog}
    posteriors = [xr.Dataset(data_vars, coords=coords)]
    if not late.all():
        posteriors.append(
            xr.Dataset(
                {"latent": ((dims.CHAIN, dims.DRAW, "cell"), run.latent[..., ~late])},
                coords={"cell": names[~late]},
            )
        )
    forecast, *history = compute_many(posteriors, seconds=seconds)
    return forecast, history[0] if history else None


__all__ = ["CensoredResults", "fit_censored"]
