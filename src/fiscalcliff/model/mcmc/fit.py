"""Fit the VAR-X by NUTS in PyMC (called by :func:`fiscalcliff.fit` with ``sampler="nuts"``)."""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Callable

import numpy as np

from fiscalcliff.errors import InputError
from fiscalcliff.model.mcmc.blas import default_cores, single_blas_thread
from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning, compute
from fiscalcliff.model.mcmc.inference_data import SAMPLE_STATS, make_tree, provenance
from fiscalcliff.model.mcmc.pymc_model import build_model, inputs_from_problem
from fiscalcliff.model.mcmc.results import MCMCResults


def _check_installed(nuts_sampler: str) -> None:
    module = {"pymc": "pymc", "nutpie": "nutpie", "numpyro": "numpyro"}[nuts_sampler]
    if importlib.util.find_spec(module) is None:
        extra = "pip install 'fiscalcliff[mcmc]'" if module == "pymc" else f"pip install {module}"
        raise InputError(f"the NUTS sampler needs {module}, which is not installed: {extra}")


def saved_variables(inp) -> list[str]:
    """Posterior variables kept in the trace (not the sampler's internal coordinates)."""
    names = ["B", "Sigma", *inp.random_hyper]
    if inp.errors.distribution == "student_t" and inp.errors.nu == "estimate":
        names.append("nu")
    if inp.volatility.kind == "stochastic":
        names += ["sv_persistence", "sv_shock_sd", "h"]
    return names


def initial_values(inp, chains: int, seed: int) -> list[dict]:
    """Dispersed starting points around the conjugate posterior mode, one per chain."""
    rng = np.random.default_rng([seed, 20260101])
    _, m, k = inp.shape
    out = []
    for _ in range(chains):
        start = {
            "B_std": 0.5 * rng.standard_normal((m, k)),
            "sigma_log_diag_std": 0.5 * rng.standard_normal(k),
            "sigma_offdiag_std": 0.5 * rng.standard_normal(k * (k - 1) // 2),
        }
        for name, h in inp.random_hyper.items():
            v = inp.hyper_values[name] * np.exp(0.1 * rng.standard_normal())
            start[name] = float(np.clip(v, h.min * 1.01, h.max * 0.99))
        out.append(start)
    return out


def sample_model(
    inp,
    *,
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    target_accept: float = 0.9,
    nuts_sampler: str = "pymc",
    cores: int | None = None,
    compile_kwargs: dict | None = None,
):
    """Build the PyMC model for ``inp`` and run NUTS; returns ``(idata, seconds)``.

    BLAS is limited to one thread per chain process (:mod:`.blas`); ``cores`` defaults to
    ``min(chains, 2)``. ``nuts_sampler`` is passed explicitly (PyMC would silently prefer
    nutpie when installed).
    """
    import pymc as pm

    _check_installed(nuts_sampler)
    model = build_model(inp)
    cores = default_cores(chains) if cores is None else int(cores)
    kwargs = {}
    if nuts_sampler == "pymc":
        kwargs.update(
            init="adapt_diag",
            initvals=initial_values(inp, chains, seed),
            # one BLAS thread per worker when PyMC starts them with spawn/forkserver; under fork
            # (Linux default) PyMC skips this and single_blas_thread() below does the job
            blas_cores=cores,
            nuts={"target_accept": target_accept},
        )
        if compile_kwargs:
            kwargs["compile_kwargs"] = compile_kwargs
    else:
        kwargs["nuts"] = {"target_accept": target_accept}
    start = time.perf_counter()
    with single_blas_thread(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*The effect of Potentials.*")
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            random_seed=seed,
            model=model,
            nuts_sampler=nuts_sampler,
            progressbar=False,
            quiet=True,
            compute_convergence_checks=False,
            var_names=saved_variables(inp),
            **kwargs,
        )
    return idata, time.perf_counter() - start


def fit_nuts(
    base,
    problem,
    *,
    sample_hyperparameters: bool = False,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    cores: int | None = None,
    compile_kwargs: dict | None = None,
) -> MCMCResults:
    """NUTS posterior of the model in ``base.spec``.

    Parameters
    ----------
    base : BVARResults
        The conjugate fit at the optimised hyperparameters (data, layout, reference posterior).
    problem : fiscalcliff.model.fit._Problem
    sample_hyperparameters : bool
        Treat the hyperparameters with ``estimate: true`` as random (GLP hyperpriors);
        otherwise fix every hyperparameter at ``base.hyperparameters.values``.
    draws, tune, chains : int, optional
        Per chain; default the prior file's ``prior.inference``.
    seed : int
    cores : int, optional
        Chains run in parallel (default ``min(chains, 2)``).
    compile_kwargs : dict, optional
        Passed to PyTensor (e.g. ``{"mode": "FAST_COMPILE"}`` in tests).
    """
    inf = base.spec.prior.inference
    draws = inf.draws if draws is None else int(draws)
    tune = inf.tune if tune is None else int(tune)
    chains = inf.chains if chains is None else int(chains)
    for what, value, low in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if value < low:
            raise InputError(f"{what} must be at least {low} (got {value})")
    if int(seed) < 0:
        raise InputError(f"seed must be a non-negative integer (got {seed})")
    random = tuple(base.hyperparameters.estimated) if sample_hyperparameters else ()
    if sample_hyperparameters and not random:
        raise InputError(
            "hyperparameters: sample, but no hyperparameter has estimate: true; nothing to sample"
        )
    frame = base.panel.frame
    inp = inputs_from_problem(
        problem,
        base.hyperparameters.values,
        random=random,
        regressors=base.regressors,
        dates=tuple(frame.index[base.layout.lags :].to_numpy()),
    )
    if progress:
        progress(f"NUTS: {chains} chain(s) x ({tune} tuning + {draws}) draws")
    idata, seconds = sample_model(
        inp,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=int(seed),
        target_accept=inf.target_accept,
        nuts_sampler=inf.nuts_sampler,
        cores=cores,
        compile_kwargs=compile_kwargs,
    )
    posterior = idata["posterior"].to_dataset()[saved_variables(inp)]
    stats_all = idata["sample_stats"].to_dataset()
    stats = stats_all[[v for v in SAMPLE_STATS if v in stats_all]]
    diverging = stats["diverging"].to_numpy() if "diverging" in stats else None
    diagnostics = compute(posterior, diverging, seconds)
    settings = {
        "nuts_sampler": inf.nuts_sampler,
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "cores": default_cores(chains) if cores is None else cores,
        "seed": int(seed),
        "target_accept": inf.target_accept,
        "random_hyperparameters": list(random),
    }
    notes = tuple(problem.exo.notes)
    if base.spec.prior.errors.distribution == "student_t":
        nu = base.spec.prior.errors.nu
        notes += (f"errors: multivariate Student-t (nu {'sampled' if nu == 'estimate' else nu})",)
    if base.spec.prior.volatility.kind == "stochastic":
        notes += ("volatility: common stochastic volatility factor",)
    attrs = provenance(
        base,
        sampler=f"NUTS ({inf.nuts_sampler})",
        seed=int(seed),
        mcmc=settings,
        max_r_hat=diagnostics.max_r_hat,
        min_ess_bulk=diagnostics.min_ess_bulk,
        min_ess_tail=diagnostics.min_ess_tail,
        divergences=diagnostics.divergences,
        sampling_seconds=seconds,
        notes=list(notes),
    )
    observed = idata["observed_data"].to_dataset()
    trace = make_tree(posterior, stats, observed, attrs)
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    results = MCMCResults(
        **fields, trace=trace, diagnostics=diagnostics, settings=settings, notes=notes
    )
    for message in diagnostics.warnings():
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return results
