"""Fit the conjugate Bayesian VAR-X: data, prior moments, hyperparameters, closed-form posterior."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from fiscalcliff.errors import ConfigError, DataError, InputError
from fiscalcliff.model import minnesota, niw
from fiscalcliff.model.design import LagLayout, lagged_regressors, regressor_names
from fiscalcliff.model.exogenous_priors import ExogenousPlan, apply_conjugate
from fiscalcliff.model.exogenous_priors import check_exact as check_exact_settings
from fiscalcliff.model.exogenous_priors import plan as exogenous_plan
from fiscalcliff.model.hyper import HyperparameterFit, maximise
from fiscalcliff.model.identities import parse_identities
from fiscalcliff.model.results import BVARResults
from fiscalcliff.model.spec import PriorFile

#: hyperparameter names as they appear in results and output attributes
TIGHTNESS, SOC, SUR = "tightness", "sum_of_coefficients", "single_unit_root"


@dataclass(frozen=True)
class _Problem:
    """Everything the marginal likelihood needs except the hyperparameter values."""

    layout: LagLayout
    y: np.ndarray
    x: np.ndarray
    presample: np.ndarray
    presample_exog_mean: np.ndarray
    psi: np.ndarray
    own_lag_mean: np.ndarray
    exog_scale: np.ndarray
    #: exogenous tightness of each exogenous variable, relative to the tightness
    exog_tightness: np.ndarray
    spec: PriorFile
    #: informative exogenous priors; only Σ-scaled rows enter the conjugate prior
    exo: ExogenousPlan = field(default_factory=ExogenousPlan)

    def prior(self, values: Mapping[str, float]) -> niw.NIWPrior:
        return apply_conjugate(self.minnesota_prior(values), self.exo)

    def minnesota_prior(self, values: Mapping[str, float]) -> niw.NIWPrior:
        """The Minnesota prior without informative exogenous rows."""
        mn = self.spec.prior.minnesota
        return minnesota.minnesota_prior(
            self.layout,
            tightness=values[TIGHTNESS],
            lag_decay=mn.lag_decay,
            psi=self.psi,
            own_lag_mean=self.own_lag_mean,
            exog_scale=self.exog_scale,
            exog_tightness=self.exog_tightness,
            constant_variance=mn.constant_variance,
        )

    @property
    def soc_variables(self) -> np.ndarray | None:
        """Column indices of the variables with a sum-of-coefficients row (``None``: all)."""
        soc = self.spec.prior.sum_of_coefficients
        if soc is None or soc.variables is None:
            return None
        names = list(self.spec.model.endogenous)
        return np.array([names.index(v) for v in soc.variables], dtype=int)

    def dummies(self, values: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        return minnesota.dummy_observations(
            self.layout,
            self.presample,
            self.presample_exog_mean,
            sum_of_coefficients=values.get(SOC),
            single_unit_root=values.get(SUR),
            soc_variables=self.soc_variables,
        )

    def log_ml(self, values: Mapping[str, float]) -> float:
        """log p(Y | hyperparameters): dummies are pseudo-data, so p([Yd; Y]) / p(Yd)."""
        prior = self.prior(values)
        yd, xd = self.dummies(values)
        full = niw.log_marginal_likelihood(np.vstack([yd, self.y]), np.vstack([xd, self.x]), prior)
        if yd.shape[0] == 0:
            return full
        return full - niw.log_marginal_likelihood(yd, xd, prior)

    def posterior(self, values: Mapping[str, float]) -> niw.NIWPosterior:
        yd, xd = self.dummies(values)
        return niw.posterior(np.vstack([yd, self.y]), np.vstack([xd, self.x]), self.prior(values))


def _per_variable(setting: float | Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """A prior setting given once or per variable (variables a mapping leaves out: 1)."""
    if isinstance(setting, Mapping):
        return np.array([setting.get(v, 1.0) for v in names], dtype=float)
    return np.full(len(names), float(setting))


def fit_arrays(
    spec: PriorFile,
    endog: np.ndarray,
    exog: np.ndarray | None,
    *,
    check_exact: bool = True,
) -> tuple[_Problem, HyperparameterFit, niw.NIWPosterior, float]:
    """Fit on plain arrays (no data layer): used by :func:`fit` and by tests.

    With ``check_exact`` (the exact sampler) settings the conjugate prior cannot honour raise an
    :class:`~fiscalcliff.errors.InputError`; without it (the NUTS path) hyperparameters and the
    returned posterior use the conjugate part of the prior only (a reference, and the starting
    point and preconditioner of the MCMC model).

    Returns
    -------
    problem, hyperparameter fit, posterior, log marginal likelihood
    """
    m = spec.model
    mn = spec.prior.minnesota  # cross_tightness is 1: MinnesotaPrior refuses anything else
    k, p = len(m.endogenous), m.lags
    exog = np.zeros((endog.shape[0], 0)) if exog is None else exog
    layout = LagLayout(k, exog.shape[1], p, m.constant)
    y, x = lagged_regressors(endog, exog, p, m.constant)
    if y.shape[0] < 2 * k:
        raise DataError(f"only {y.shape[0]} observations after {p} lags; widen the sample")
    psi = (
        minnesota.ar_residual_variance(endog, p)
        if mn.psi == "auto"
        else np.array([mn.psi[v] for v in m.endogenous])
    )
    own_mean = _per_variable(mn.own_lag_mean, m.endogenous)
    exog_tight = _per_variable(mn.exogenous_tightness, m.exogenous)
    est = exog[p:]
    scale = est.std(axis=0, ddof=1) if est.shape[1] else np.zeros(0)
    scale = np.where(scale > 0, scale, 1.0)
    problem = _Problem(
        layout=layout,
        y=y,
        x=x,
        presample=endog[:p],
        presample_exog_mean=exog[:p].mean(axis=0),
        psi=psi,
        own_lag_mean=own_mean,
        exog_scale=scale,
        exog_tightness=exog_tight,
        spec=spec,
        exo=exogenous_plan(spec, layout, psi, k + 2.0),
    )
    if check_exact:
        check_exact_settings(spec, problem.exo)
    specs = {TIGHTNESS: mn.tightness}
    if spec.prior.sum_of_coefficients is not None:
        specs[SOC] = spec.prior.sum_of_coefficients
    if spec.prior.single_unit_root is not None:
        specs[SUR] = spec.prior.single_unit_root
    hyper = maximise(problem.log_ml, specs)
    post = problem.posterior(hyper.values)
    return problem, hyper, post, problem.log_ml(hyper.values)


def fit(
    spec: PriorFile,
    *,
    panel=None,
    source=None,
    as_of: str | None = None,
    progress: Callable[[str], None] | None = None,
    sampler: str | None = None,
    hyperparameters: str | None = None,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int = 0,
    diagnostics: bool = True,
) -> BVARResults:
    """Estimate the Bayesian VAR-X described by a prior file on real data.

    Parameters
    ----------
    spec : PriorFile
        Model and prior settings (see :func:`fiscalcliff.model.spec.load_prior_file`); not modified.
    panel : fiscalcliff.data.DataPanel, optional
        Data to use; by default loaded through the data layer from ``source``.
    source : fiscalcliff.data.Source, optional
        Where to read series (default: :func:`fiscalcliff.data.default_source`).
    as_of : str, optional
        Last month of data to use (``YYYY-MM``), e.g. to forecast as if standing in 2025-11.
    progress : callable, optional
        Receives short status messages.
    sampler : {"exact", "nuts"}, optional
        ``exact``: closed-form conjugate posterior (i.i.d. draws). ``nuts``: the same VAR-X in
        PyMC, sampled by NUTS (needs pymc), for what conjugacy cannot do (informative exogenous
        priors, Student-t errors, stochastic volatility). Default: the prior file's
        ``prior.inference.sampler``.
    hyperparameters : {"optimise", "sample"}, optional
        ``optimise``: fix them at the maximum of marginal likelihood times hyperprior.
        ``sample``: treat them as random (GLP 2015) — Metropolis with conjugate draws inside for
        ``exact``, random variables in the PyMC model for ``nuts``. Default: the prior file's.
    draws, tune, chains : int, optional
        MCMC settings (NUTS draws/tuning per chain and chains; for the exact sampler with
        ``hyperparameters="sample"``, ``draws`` is the number of retained Metropolis draws).
        Default: the prior file's ``prior.inference``.
    seed : int
        Seed of the MCMC samplers (the exact sampler draws at :meth:`BVARResults.sample` time).
    diagnostics : bool
        Compute the censored Gibbs sampler's convergence diagnostics (r_hat and ESS by ArviZ,
        1.5-3 s on 2 cores for the default model) and warn from them. False leaves
        ``diagnostics`` and ``history_diagnostics`` None and the draws out of the fit cache
        (which keeps only complete fits; a complete fit found there is used as it is, with its
        diagnostics); the draws are the same. The backtest, which scores
        forecasts and never reads the diagnostics, turns them off. Other samplers ignore it.

    Returns
    -------
    BVARResults
        For NUTS a :class:`~fiscalcliff.model.mcmc.results.MCMCResults`, for sampled
        hyperparameters with the exact sampler a
        :class:`~fiscalcliff.model.hierarchical.HierarchicalResults`; all have the same
        ``sample(draws, seed)``, so forecasts and scenarios work with any of them.
    """
    inference = spec.prior.inference
    sampler = sampler or inference.sampler
    hyperparameters = hyperparameters or inference.hyperparameters
    if sampler not in ("exact", "nuts"):
        raise InputError(f"sampler must be 'exact' or 'nuts' (got {sampler!r})")
    if hyperparameters not in ("optimise", "sample"):
        raise InputError(
            f"hyperparameters must be 'optimise' or 'sample' (got {hyperparameters!r})"
        )
    from fiscalcliff.data import load_panel

    m = spec.model
    names = list(m.endogenous) + list(m.exogenous)
    identities = parse_identities(spec.identities, m.endogenous, m.exogenous)
    end = m.sample.end
    if as_of is not None:
        end = as_of if end is None else min(end, as_of)
    if panel is None:
        if progress:
            progress("loading data")
        panel = load_panel(names, source=source, start=m.sample.start, end=end)
    if as_of is not None and panel.frame.index[-1].strftime("%Y-%m") < as_of:
        raise DataError(
            f"as_of {as_of} is after the last month all the model's series share "
            f"({panel.frame.index[-1]:%Y-%m}); use that month or leave as_of out for the latest"
        )
    frame = panel.frame[names]
    need = m.lags + 2 * len(m.endogenous)
    if len(frame) < need:
        span = f"{frame.index[0]:%Y-%m}..{frame.index[-1]:%Y-%m}" if len(frame) else "none"
        fix = (
            f"choose a later as_of (--as-of, or as_of in the scenario file) than {as_of}"
            if as_of is not None
            else "widen model.sample in the prior file"
        )
        raise DataError(
            f"only {len(frame)} months of data ({span}); {m.lags} lags and "
            f"{len(m.endogenous)} variables need at least {need}: {fix}"
        )
    if progress:
        progress("maximising the marginal likelihood over hyperparameters")
    endog = frame[list(m.endogenous)].to_numpy(dtype=float)
    exog = frame[list(m.exogenous)].to_numpy(dtype=float) if m.exogenous else None
    problem, hyper, post, log_ml = fit_arrays(spec, endog, exog, check_exact=sampler == "exact")
    base = BVARResults(
        spec=spec,
        panel=panel,
        layout=problem.layout,
        regressors=tuple(regressor_names(m.endogenous, m.exogenous, m.lags, m.constant)),
        prior=problem.prior(hyper.values),
        posterior=post,
        hyperparameters=hyper,
        log_marginal_likelihood=log_ml,
        identities=identities,
    )
    mcmc = {"draws": draws, "tune": tune, "chains": chains, "seed": seed, "progress": progress}
    if spec.prior.stationary and not m.censored:
        raise ConfigError(
            f"{spec.source or 'prior file'}: prior.stationary needs a censored model "
            "(model.censored: its Gibbs sampler draws the truncated prior); for other models "
            "forecast from stable draws with --stability filter"
        )
    if spec.prior.minnesota.equation_tightness and not m.censored:
        raise ConfigError(
            f"{spec.source or 'prior file'}: prior.minnesota.equation_tightness needs a "
            "censored model (model.censored: its Gibbs sampler draws the non-conjugate prior "
            "it implies); the closed-form and NUTS paths use the conjugate prior, whose "
            "equations share one tightness"
        )
    if m.censored:
        if sampler != "exact" or hyperparameters != "optimise":
            raise InputError(
                f"{spec.source or 'prior file'}: model.censored needs sampler: exact and "
                "hyperparameters: optimise (the censored model has its own Gibbs sampler, with "
                f"hyperparameters fixed at their optimum); got sampler {sampler!r}, "
                f"hyperparameters {hyperparameters!r}"
            )
        from fiscalcliff.model.censored_results import fit_censored

        if progress:
            progress("sampling the censored model (Gibbs with data augmentation)")
        return fit_censored(base, problem, diagnose=diagnostics, **mcmc)
    if sampler == "nuts":
        from fiscalcliff.model.mcmc.fit import fit_nuts

        return fit_nuts(base, problem, sample_hyperparameters=hyperparameters == "sample", **mcmc)
    if hyperparameters == "sample":
        from fiscalcliff.model.hierarchical import sample_hyperparameters

        return sample_hyperparameters(base, problem, draws=draws, seed=seed, progress=progress)
    return base
