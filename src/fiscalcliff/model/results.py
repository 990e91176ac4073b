"""Results of a conjugate BVAR-X fit: read-only, with posterior draws as xarray."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.error_scales import FutureScales
from fiscalcliff.model.hyper import HyperparameterFit
from fiscalcliff.model.identities import Identity
from fiscalcliff.model.niw import NIWPosterior, NIWPrior
from fiscalcliff.model.spec import PriorFile

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.data import DataPanel
    from fiscalcliff.model.identification import Identification


@dataclass(frozen=True)
class PosteriorSample:
    """I.i.d. draws of ``(B, Sigma)`` from the closed-form posterior.

    Attributes
    ----------
    b : ndarray, shape (n, M, K)
    sigma : ndarray, shape (n, K, K)
    sigma_root : ndarray, shape (n, K, K)
        The structural impact matrix ``A`` with ``A A' = Sigma``: column ``j`` is the impact of
        the model's ``j``-th named shock (``BVARResults.shocks``, what "only these shocks
        adjust" refers to), see :mod:`fiscalcliff.model.identification`. Without an
        ``identification`` section it is the lower Cholesky factor of ``Sigma``.
    history : ndarray, shape (n, p, K), optional
        Per-draw starting history (censored models: the last ``p`` months of each draw's
        shadow data, ragged edge included); ``None``: the observed data.
    edge : ndarray, shape (n, m, K), optional
        Per-draw values of the ragged-edge months (censored models, in shadow units).
    max_root : ndarray, shape (n,), optional
        Largest companion-root modulus of each draw's ``b``, when known already (draws taken
        from stored posterior draws whose roots were computed once); ``None``: not computed.
    scales : FutureScales, optional
        With Student-t errors or stochastic volatility, the law of each draw's future error
        scales ``v_{T+j}`` (the shock of month ``T+j`` is ``sqrt(v_{T+j}) sigma_root u``);
        ``None``: Gaussian errors with covariance ``sigma``.
    """

    b: np.ndarray
    sigma: np.ndarray
    sigma_root: np.ndarray
    history: np.ndarray | None = None
    edge: np.ndarray | None = None
    max_root: np.ndarray | None = None
    scales: FutureScales | None = None

    def shock_scale(self, horizon: int, rng: np.random.Generator) -> np.ndarray | None:
        """A draw of the future months' error scales, ``(n, horizon)``; None without them."""
        return None if self.scales is None else self.scales.draw(horizon, rng)

    def take(self, index: np.ndarray) -> PosteriorSample:
        """The draws at ``index`` (an integer or boolean index over draws)."""

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[index]

        return PosteriorSample(
            b=self.b[index],
            sigma=self.sigma[index],
            sigma_root=self.sigma_root[index],
            history=pick(self.history),
            edge=pick(self.edge),
            max_root=pick(self.max_root),
            scales=None if self.scales is None else self.scales.take(index),
        )

    @staticmethod
    def concatenate(parts: list[PosteriorSample]) -> PosteriorSample:
        """Draws of several samples, in order."""

        def cat(name: str):
            arrays = [getattr(p, name) for p in parts]
            return None if arrays[0] is None else np.concatenate(arrays)

        return PosteriorSample(
            b=cat("b"),
            sigma=cat("sigma"),
            sigma_root=cat("sigma_root"),
            history=cat("history"),
            edge=cat("edge"),
            max_root=cat("max_root"),
            scales=None
            if parts[0].scales is None
            else FutureScales.concatenate([p.scales for p in parts]),
        )

    @property
    def n_draws(self) -> int:
        """Number of draws."""
        return self.b.shape[0]


@dataclass(frozen=True)
class BVARResults:
    """A fitted conjugate BVAR-X. Create with :func:`fiscalcliff.fit`.

    Attributes
    ----------
    spec : PriorFile
        Settings it was fitted with (unchanged by fitting).
    panel : DataPanel
        The data used, with a record per series.
    layout : LagLayout
        Row layout of the coefficient matrix.
    regressors : tuple of str
        Names of the rows of ``B``.
    prior : NIWPrior
        Prior moments at the chosen hyperparameters.
    posterior : NIWPosterior
        Closed-form posterior (dummy observations included).
    hyperparameters : HyperparameterFit
        Chosen hyperparameter values and how they were found.
    log_marginal_likelihood : float
        ``log p(Y)`` at the chosen hyperparameters.
    identities : tuple of Identity
        Derived series evaluated in every forecast draw.
    """

    spec: PriorFile
    panel: DataPanel
    layout: LagLayout
    regressors: tuple[str, ...]
    prior: NIWPrior
    posterior: NIWPosterior
    hyperparameters: HyperparameterFit
    log_marginal_likelihood: float
    identities: tuple[Identity, ...]

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Endogenous variable names (columns of ``B``)."""
        return self.spec.model.endogenous

    @property
    def censored(self) -> dict:
        """Censored variables and their bounds (``model.censored`` of the prior file)."""
        return dict(self.spec.model.censored)

    @property
    def exogenous(self) -> tuple[str, ...]:
        """Exogenous variable names."""
        return self.spec.model.exogenous

    @property
    def n_obs(self) -> int:
        """Observations used for estimation, excluding pre-sample lags and dummies."""
        return len(self.panel.frame) - self.layout.lags

    @property
    def sample_start(self) -> str:
        """First month of the estimation sample (after the pre-sample lags)."""
        return self.panel.frame.index[self.layout.lags].strftime("%Y-%m")

    @property
    def sample_end(self) -> str:
        """Last month of data used."""
        return self.panel.frame.index[-1].strftime("%Y-%m")

    def sample(self, draws: int, seed: int | np.random.Generator | None = 0) -> PosteriorSample:
        """Exact i.i.d. posterior draws.

        Parameters
        ----------
        draws : int
            Number of draws.
        seed : int or Generator
            Same seed, same draws.
        """
        rng = np.random.default_rng(seed)
        b, sigma, _ = self.posterior.sample(draws, rng)
        return self.structural_sample(b, sigma, rng)[0]

    @property
    def sampler_label(self) -> str:
        """Short description of the sampler (recorded in outputs)."""
        return "exact conjugate NIW"

    @property
    def identification(self) -> Identification:
        """The named structural shocks (the prior file's ``identification``)."""
        from fiscalcliff.model.identification import Identification

        return Identification.from_spec(self.spec)

    def shock_impact(
        self, b: np.ndarray, sigma: np.ndarray, rng: np.random.Generator | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Impact matrices of the named shocks for draws ``(b, sigma)`` and, for zero
        restrictions, the importance resample to take them at (``rng``: rotations of
        sign- and zero-identified models; recursive ones ignore it), see
        :func:`~fiscalcliff.model.identification.resampled_impact`."""
        from fiscalcliff.model.identification import resampled_impact

        return resampled_impact(self.identification, b, sigma, layout=self.layout, rng=rng)

    def structural_sample(
        self, b: np.ndarray, sigma: np.ndarray, rng: np.random.Generator | None = None, **per_draw
    ) -> tuple[PosteriorSample, np.ndarray | None]:
        """A :class:`PosteriorSample` of draws ``(b, sigma)`` (and ``per_draw`` fields such as
        ``history``) with their impact matrices, importance-resampled under zero restrictions;
        also the resampling indices (``None``: every draw as given)."""
        root, picks = self.shock_impact(b, sigma, rng)
        sample = PosteriorSample(b=b, sigma=sigma, sigma_root=root, **per_draw)
        return (sample, None) if picks is None else (sample.take(picks), picks)

    @property
    def shocks(self) -> tuple[str, ...]:
        """Structural shock names, in the order of ``PosteriorSample.sigma_root``'s columns."""
        return self.identification.shocks

    def inference_data(self, draws: int = 1000, seed: int = 0) -> xr.DataTree:
        """Posterior as an ArviZ-compatible DataTree: ``posterior`` (``B``, ``Sigma``),
        ``sample_stats`` (``lp``) and ``observed_data`` (``y``) — the layout every sampler saves,
        see :mod:`fiscalcliff.model.mcmc.inference_data`."""
        from fiscalcliff.model.mcmc.inference_data import exact_tree

        return exact_tree(self, draws, seed)

    def posterior_dataset(self, draws: int = 1000, seed: int = 0) -> xr.Dataset:
        """Posterior draws as an xarray Dataset with dims ``(chain, draw, ...)``.

        Variables: ``B`` (chain, draw, regressor, equation) and ``Sigma``
        (chain, draw, equation, equation_2); usable with ``arviz.summary``.
        """
        from fiscalcliff.model.posterior_xr import posterior_to_dataset

        return posterior_to_dataset(self, self.sample(draws, seed))

    def forecast(
        self,
        horizon="2026-12",
        *,
        draws: int | None = None,
        seed: int | None = None,
        exogenous=None,
        stability: str = "report",
    ) -> xr.Dataset:
        """Forecast paths with parameter and shock uncertainty.

        ``horizon`` is a month (``"2026-12"``) for an unconditional forecast — see
        :func:`fiscalcliff.forecasting.core.forecast` — or a
        :class:`~fiscalcliff.scenarios.loader.Scenario` (or a list of them) to run on this fit,
        see :func:`fiscalcliff.scenarios.runner.run_scenarios`; ``draws``/``seed`` then override
        the scenario files' settings.
        """
        from fiscalcliff.scenarios.loader import Scenario

        if isinstance(horizon, Scenario) or (
            isinstance(horizon, list | tuple) and horizon and isinstance(horizon[0], Scenario)
        ):
            from fiscalcliff.scenarios.runner import run_scenarios

            scenarios = [horizon] if isinstance(horizon, Scenario) else list(horizon)
            return run_scenarios(scenarios, results=self, draws=draws, seed=seed)
        from fiscalcliff.forecasting.core import forecast

        draws = 2000 if draws is None else draws
        seed = 0 if seed is None else seed

        return forecast(
            self,
            horizon=horizon,
            draws=draws,
            seed=seed,
            exogenous=exogenous,
            stability=stability,
        )

    def __str__(self) -> str:
        hp = self.hyperparameters
        vals = ", ".join(f"{k}={v:.4g}" for k, v in hp.values.items())
        est = ", ".join(hp.estimated) or "none"
        lines = [
            f"Bayesian VAR-X (conjugate NIW) — {self.spec.name}",
            f"  endogenous ({len(self.endogenous)}): {', '.join(self.endogenous)}",
            f"  exogenous  ({len(self.exogenous)}): {', '.join(self.exogenous) or '-'}",
            f"  lags: {self.layout.lags}   regressors per equation: {self.layout.n_regressors}",
            f"  sample: {self.sample_start} .. {self.sample_end}  ({self.n_obs} observations)",
            f"  hyperparameters: {vals}  (estimated: {est})",
            f"  log marginal likelihood: {self.log_marginal_likelihood:.3f}",
        ]
        if hp.at_bound:
            lines.append(f"  warning: at a bound of the search interval: {', '.join(hp.at_bound)}")
        if not hp.converged:
            lines.append("  warning: hyperparameter optimiser did not report convergence")
        return "\n".join(lines)


__all__ = ["BVARResults", "PosteriorSample"]
