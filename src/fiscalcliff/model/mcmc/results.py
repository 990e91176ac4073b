"""Results of a NUTS fit: stored MCMC draws behind the same interface as the exact results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff.model.mcmc.diagnostics import Diagnostics
from fiscalcliff.model.results import BVARResults, PosteriorSample

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr


def flat_draws(trace, name: str) -> np.ndarray:
    """Posterior variable ``name`` of a DataTree with chains concatenated: ``(chain*draw, ...)``."""
    arr = trace["posterior"][name].to_numpy()
    return arr.reshape(-1, *arr.shape[2:])


def resample_indices(available: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``draws`` stored draws out of ``available``, deterministic given ``rng``.

    Fewer than available: a random subset without replacement (random thinning). More: every
    stored draw ``draws // available`` times plus a random subset for the remainder, shuffled.
    """
    if draws <= available:
        return np.sort(rng.choice(available, size=draws, replace=False))
    reps, extra = divmod(draws, available)
    idx = np.concatenate([np.tile(np.arange(available), reps), rng.choice(available, extra, False)])
    return rng.permutation(idx)


@dataclass(frozen=True)
class MCMCResults(BVARResults):
    """A VAR-X fitted by NUTS in PyMC. Create with ``fiscalcliff.fit(spec, sampler="nuts")``.

    Everything :class:`~fiscalcliff.model.results.BVARResults` has, where ``prior``,
    ``posterior``, ``hyperparameters`` and ``log_marginal_likelihood`` describe the *conjugate
    reference* at the fixed (optimised) hyperparameters — the exact sampler's answer, which the
    MCMC posterior equals on the conjugate model — plus the MCMC draws.

    Attributes
    ----------
    trace : xarray.DataTree
        ``posterior``, ``sample_stats``, ``observed_data`` (see
        :mod:`fiscalcliff.model.mcmc.inference_data`), with provenance on the root.
    diagnostics : Diagnostics
    settings : dict
        Sampler, draws, tune, chains, cores, seed, target_accept, random hyperparameters.
    notes : tuple of str
        How non-conjugate settings entered the model.
    """

    trace: xr.DataTree
    diagnostics: Diagnostics
    settings: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def sampler_label(self) -> str:
        """Short description of the sampler (recorded in outputs)."""
        return f"NUTS ({self.settings.get('nuts_sampler', 'pymc')})"

    def _flat(self, name: str) -> np.ndarray:
        return flat_draws(self.trace, name)

    @property
    def n_stored(self) -> int:
        """Stored draws over all chains."""
        post = self.trace["posterior"]
        return int(post.sizes["chain"] * post.sizes["draw"])

    def sample(self, draws: int, seed: int | np.random.Generator | None = 0) -> PosteriorSample:
        """``draws`` draws of ``(B, Sigma)`` taken from the stored MCMC draws.

        Thinned or resampled deterministically with ``seed`` (see :func:`resample_indices`),
        so forecasts and scenarios work unchanged. ``sigma`` is the error scale matrix; with
        Student-t errors or stochastic volatility the draws carry the law of their future error
        scales (:class:`~fiscalcliff.model.error_scales.FutureScales`: ``nu``, and the last
        month's ``h`` with the volatility's persistence and shock sd), from which forecasts draw
        each month's scale.
        """
        from fiscalcliff.model.error_scales import ScaleSettings, future_scales

        rng = np.random.default_rng(seed)
        idx = resample_indices(self.n_stored, int(draws), rng)
        b = self._flat("B")[idx]
        sigma = self._flat("Sigma")[idx]
        settings = ScaleSettings.from_prior(self.spec.prior)
        scales = None
        if settings.active:
            n = len(idx)
            post = self.trace["posterior"]

            def per_draw(name: str, fixed: float) -> np.ndarray:
                return self._flat(name)[idx] if name in post else np.full(n, fixed)

            stochastic = settings.stochastic
            scales = future_scales(
                settings,
                nu=per_draw("nu", settings.nu if settings.nu is not None else np.inf),
                h_last=self._flat("h")[idx, -1] if stochastic else None,
                phi=per_draw("sv_persistence", 0.0) if stochastic else None,
                sd=per_draw("sv_shock_sd", 0.0) if stochastic else None,
            )
        return self.structural_sample(b, sigma, rng, scales=scales)[0]

    def posterior_dataset(self, draws: int | None = None, seed: int = 0) -> xr.Dataset:
        """The stored posterior draws (all chains; ``draws`` and ``seed`` are ignored)."""
        return self.trace["posterior"].to_dataset()

    def inference_data(self, draws: int | None = None, seed: int = 0) -> xr.DataTree:
        """The stored DataTree (``draws``/``seed`` are ignored: MCMC draws are kept as run)."""
        return self.trace

    def __str__(self) -> str:
        base = super().__str__().splitlines()
        base[0] = f"Bayesian VAR-X ({self.sampler_label}) — {self.spec.name}"
        s = self.settings
        random = s.get("random_hyperparameters") or ()
        base = [
            line.replace("  hyperparameters:", "  hyperparameters (conjugate optimum):")
            for line in base
            if "log marginal likelihood" not in line
        ]
        post = self.trace["posterior"]
        for name in random:
            v = post[name]
            base.append(
                f"  {name} (sampled): posterior mean {float(v.mean()):.4g}, sd {float(v.std()):.3g}"
            )
        if "nu" in post:
            base.append(f"  Student-t nu: posterior mean {float(post['nu'].mean()):.3g}")
        if "h" in post:
            last = float(np.exp(post["h"][..., -1]).mean())
            base.append(f"  stochastic volatility: exp(h) in the last month {last:.3g}")
        base += [f"  {note}" for note in self.notes]
        base.append(f"  MCMC: {self.diagnostics}")
        base += [f"  warning: {w}" for w in self.diagnostics.warnings()]
        return "\n".join(base)


__all__ = ["MCMCResults", "resample_indices"]
