"""Hierarchical hyperparameters for the exact sampler (GLP 2015; R's BVAR).

Random-walk Metropolis over ``log`` of the estimated hyperparameters (overall tightness
``lambda``, sum-of-coefficients ``mu``, single-unit-root ``delta``). The target is the closed-form
log marginal likelihood ``log p(Y | theta)`` plus the log Gamma hyperpriors (plus the log
Jacobian of the log transform), zero outside ``[min, max]``. The proposal covariance is
``scale^2`` times the inverse negative Hessian at the mode found by the optimiser; ``scale``
starts at ``2.38 / sqrt(d)`` and is tuned during burn-in towards the target acceptance rate,
then frozen. For every retained ``theta``, ``(B, Sigma)`` are exact conjugate draws given
``theta`` — so the joint draws come from ``p(B, Sigma, theta | Y)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff.errors import InputError
from fiscalcliff.model.hyper import log_hyperprior
from fiscalcliff.model.mcmc.results import resample_indices
from fiscalcliff.model.results import BVARResults, PosteriorSample

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr


@dataclass(frozen=True)
class MetropolisRun:
    """Retained Metropolis draws of the hyperparameters.

    Attributes
    ----------
    names : tuple of str
        Sampled hyperparameters (columns of ``values``).
    values : ndarray, shape (n, d)
        Draws on the natural (not log) scale.
    log_target : ndarray, shape (n,)
        Log marginal likelihood + log hyperprior at each draw (natural-scale density).
    acceptance_rate : float
        Share of accepted proposals after burn-in.
    scale : float
        Proposal scale after burn-in tuning.
    proposal_cov : ndarray, shape (d, d)
        Inverse negative Hessian of the log target (log scale) at the mode.
    burn, thin : int
    """

    names: tuple[str, ...]
    values: np.ndarray
    log_target: np.ndarray
    acceptance_rate: float
    scale: float
    proposal_cov: np.ndarray
    burn: int
    thin: int


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-2) -> np.ndarray:
    d = x.size
    h = np.zeros((d, d))
    f0 = f(x)
    for i in range(d):
        for j in range(i, d):
            ei, ej = np.eye(d)[i] * step, np.eye(d)[j] * step
            if i == j:
                h[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / step**2
            else:
                h[i, j] = h[j, i] = (
                    f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
                ) / (4 * step**2)
    return h


def metropolis(
    problem,
    hyper,
    *,
    draws: int,
    burn: int,
    thin: int,
    scale: float | None,
    target_acceptance: float,
    rng: np.random.Generator,
    progress: Callable[[str], None] | None = None,
) -> MetropolisRun:
    """Random-walk Metropolis over log hyperparameters (see the module docstring).

    Parameters
    ----------
    problem : fiscalcliff.model.fit._Problem
    hyper : HyperparameterFit
        The optimiser's result: its mode is the start and its ``estimated`` names are sampled.
    """
    from threadpoolctl import threadpool_limits

    from fiscalcliff.model.fit import SOC, SUR, TIGHTNESS

    spec = problem.spec
    specs = {TIGHTNESS: spec.prior.minnesota.tightness}
    if spec.prior.sum_of_coefficients is not None:
        specs[SOC] = spec.prior.sum_of_coefficients
    if spec.prior.single_unit_root is not None:
        specs[SUR] = spec.prior.single_unit_root
    names = tuple(hyper.estimated)
    if not names:
        raise InputError(
            "hyperparameters: sample, but no hyperparameter has estimate: true; nothing to sample"
        )
    lo = np.log([specs[n].min for n in names])
    hi = np.log([specs[n].max for n in names])
    fixed = dict(hyper.values)

    def values_at(theta: np.ndarray) -> dict[str, float]:
        return {**fixed, **{n: float(np.exp(t)) for n, t in zip(names, theta, strict=True)}}

    def natural_target(theta: np.ndarray) -> float:
        vals = values_at(theta)
        out = problem.log_ml(vals) + sum(log_hyperprior(vals[n], specs[n]) for n in names)
        return float(out) if np.isfinite(out) else -np.inf

    def target(theta: np.ndarray) -> float:
        if np.any(theta < lo) or np.any(theta > hi):
            return -np.inf
        return natural_target(theta) + float(np.sum(theta))  # + log Jacobian of exp

    d = len(names)
    theta = np.log([hyper.values[n] for n in names])
    theta = np.clip(theta, lo + 1e-6, hi - 1e-6)
    with threadpool_limits(limits=1):
        hess = _hessian(target, theta)
        try:
            cov = np.linalg.inv(-hess)
            np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            cov = np.diag(1.0 / np.maximum(-np.diag(hess), 1.0))
        chol = np.linalg.cholesky(cov)
        log_scale = np.log(scale if scale is not None else 2.38 / np.sqrt(d))
        adapt = scale is None
        current = target(theta)
        total = burn + draws * thin
        kept = np.empty((draws, d))
        kept_lp = np.empty(draws)
        accepted_after_burn = 0
        window = 0
        for it in range(total):
            prop = theta + np.exp(log_scale) * (chol @ rng.standard_normal(d))
            lp = target(prop)
            accept = np.log(rng.uniform()) < lp - current
            if accept:
                theta, current = prop, lp
            if it < burn:
                window += accept
                if adapt and (it + 1) % 50 == 0:
                    log_scale += (window / 50 - target_acceptance) * 2.0
                    window = 0
            else:
                accepted_after_burn += accept
                j = it - burn
                if j % thin == thin - 1:
                    kept[j // thin] = np.exp(theta)
                    kept_lp[j // thin] = current - float(np.sum(theta))
            if progress and (it + 1) % 2000 == 0:
                progress(f"Metropolis over hyperparameters: {it + 1}/{total}")
    return MetropolisRun(
        names=names,
        values=kept,
        log_target=kept_lp,
        acceptance_rate=accepted_after_burn / max(draws * thin, 1),
        scale=float(np.exp(log_scale)),
        proposal_cov=cov,
        burn=burn,
        thin=thin,
    )


@dataclass(frozen=True)
class HierarchicalResults(BVARResults):
    """Exact conjugate draws of ``(B, Sigma)`` inside Metropolis draws of the hyperparameters.

    ``prior``, ``posterior``, ``hyperparameters`` and ``log_marginal_likelihood`` describe the
    conjugate fit at the posterior mode of the hyperparameters (the optimiser's answer);
    :meth:`sample` integrates over the hyperparameters' posterior.

    Attributes
    ----------
    problem : fiscalcliff.model.fit._Problem
        Recomputes the conjugate posterior for each hyperparameter draw.
    chain : MetropolisRun
    """

    problem: object
    chain: MetropolisRun

    @property
    def sampler_label(self) -> str:
        """Short description of the sampler (recorded in outputs)."""
        return "exact conjugate NIW given Metropolis draws of the hyperparameters"

    def sample_with_hyperparameters(
        self, draws: int, seed: int | np.random.Generator | None = 0
    ) -> tuple[PosteriorSample, np.ndarray]:
        """Joint draws: ``(B, Sigma)`` and the index of the Metropolis draw each one used."""
        from threadpoolctl import threadpool_limits

        rng = np.random.default_rng(seed)
        n = int(draws)
        idx = resample_indices(len(self.chain.values), n, rng)
        m, k = self.layout.n_regressors, len(self.endogenous)
        b = np.empty((n, m, k))
        sigma = np.empty((n, k, k))
        fixed = dict(self.hyperparameters.values)
        with threadpool_limits(limits=1):
            for j in np.unique(idx):
                where = np.flatnonzero(idx == j)
                vals = {**fixed, **dict(zip(self.chain.names, self.chain.values[j], strict=True))}
                bj, sj, _ = self.problem.posterior(vals).sample(where.size, rng)
                b[where], sigma[where] = bj, sj
        sample, picks = self.structural_sample(b, sigma, rng)
        return sample, idx if picks is None else idx[picks]

    def sample(self, draws: int, seed: int | np.random.Generator | None = 0) -> PosteriorSample:
        """Draws of ``(B, Sigma)`` from the posterior integrated over the hyperparameters.

        Metropolis draws are thinned/resampled deterministically with ``seed``; each gets
        exact conjugate draws of ``(B, Sigma)``.
        """
        return self.sample_with_hyperparameters(draws, seed)[0]

    def inference_data(self, draws: int = 1000, seed: int = 0) -> xr.DataTree:
        """Common layout; the posterior also holds each draw's hyperparameters and ``lp`` is the
        log joint posterior density (up to a constant) of ``(B, Sigma, log theta)``."""
        import xarray as xr

        from fiscalcliff import dims
        from fiscalcliff.model.mcmc.inference_data import (
            make_tree,
            niw_log_density,
            observed_data,
            provenance,
        )
        from fiscalcliff.model.posterior_xr import posterior_to_dataset

        sample, idx = self.sample_with_hyperparameters(draws, seed)
        post = posterior_to_dataset(self, sample)
        post.attrs["sampler"] = self.sampler_label
        from threadpoolctl import threadpool_limits

        lp = np.empty(len(idx))
        fixed = dict(self.hyperparameters.values)
        with threadpool_limits(limits=1):
            for j in np.unique(idx):
                where = np.flatnonzero(idx == j)
                vals = {**fixed, **dict(zip(self.chain.names, self.chain.values[j], strict=True))}
                post_j = self.problem.posterior(vals)
                cond = niw_log_density(post_j, sample.b[where], sample.sigma[where])
                lp[where] = cond + self.chain.log_target[j] + np.log(self.chain.values[j]).sum()
        for i, name in enumerate(self.chain.names):
            post[name] = ((dims.CHAIN, dims.DRAW), self.chain.values[idx, i][None])
        stats = xr.Dataset(
            {"lp": ((dims.CHAIN, dims.DRAW), lp[None])},
            coords={dims.CHAIN: [0], dims.DRAW: np.arange(len(idx))},
        )
        attrs = provenance(
            self,
            sampler=self.sampler_label,
            seed=seed,
            metropolis={
                "retained": len(self.chain.values),
                "burn": self.chain.burn,
                "thin": self.chain.thin,
                "acceptance_rate": self.chain.acceptance_rate,
                "scale": self.chain.scale,
            },
        )
        return make_tree(post, stats, observed_data(self), attrs)

    def __str__(self) -> str:
        lines = super().__str__().splitlines()
        lines[0] = (
            f"Bayesian VAR-X (conjugate NIW, hierarchical hyperparameters) — {self.spec.name}"
        )
        lines = [
            line.replace("  hyperparameters:", "  hyperparameters (posterior mode):")
            for line in lines
        ]
        c = self.chain
        for i, name in enumerate(c.names):
            v = c.values[:, i]
            q05, q95 = np.quantile(v, [0.05, 0.95])
            lines.append(
                f"  {name} (sampled): posterior mean {v.mean():.4g}, 90% interval "
                f"[{q05:.4g}, {q95:.4g}]"
            )
        lines.append(
            f"  Metropolis: {len(c.values)} retained draws (burn {c.burn}, thin {c.thin}), "
            f"acceptance rate {c.acceptance_rate:.1%}, proposal scale {c.scale:.3g}"
        )
        if not 0.15 <= c.acceptance_rate <= 0.6:
            lines.append(
                "  warning: Metropolis acceptance rate outside 15-60%: set "
                "prior.inference.metropolis.scale or lengthen burn"
            )
        return "\n".join(lines)


def sample_hyperparameters(
    base: BVARResults,
    problem,
    *,
    draws: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> HierarchicalResults:
    """Run the Metropolis sampler for ``base``'s model (see the module docstring).

    Parameters
    ----------
    base : BVARResults
        The conjugate fit at the optimised hyperparameters.
    problem : fiscalcliff.model.fit._Problem
    draws : int, optional
        Retained Metropolis draws (default ``prior.inference.metropolis.draws``).
    seed : int
    """
    settings = base.spec.prior.inference.metropolis
    draws = settings.draws if draws is None else int(draws)
    if draws < 1:
        raise InputError(f"draws must be a positive integer (got {draws})")
    if int(seed) < 0:
        raise InputError(f"seed must be a non-negative integer (got {seed})")
    chain = metropolis(
        problem,
        base.hyperparameters,
        draws=draws,
        burn=settings.burn,
        thin=settings.thin,
        scale=settings.scale,
        target_acceptance=settings.target_acceptance,
        rng=np.random.default_rng([int(seed), 4]),
        progress=progress,
    )
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    return HierarchicalResults(**fields, problem=problem, chain=chain)


__all__ = ["HierarchicalResults", "MetropolisRun", "metropolis", "sample_hyperparameters"]
