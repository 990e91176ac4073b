"""Label posterior draws with named dims (xarray)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fiscalcliff import dims

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults, PosteriorSample


def posterior_to_dataset(results: BVARResults, sample: PosteriorSample) -> xr.Dataset:
    """``B`` and ``Sigma`` draws as a Dataset with a single chain (draws are i.i.d.)."""
    import xarray as xr

    eq = list(results.endogenous)
    return xr.Dataset(
        {
            "B": ((dims.CHAIN, dims.DRAW, dims.REGRESSOR, dims.EQUATION), sample.b[None]),
            "Sigma": ((dims.CHAIN, dims.DRAW, dims.EQUATION, dims.EQUATION_2), sample.sigma[None]),
        },
        coords={
            dims.CHAIN: [0],
            dims.DRAW: range(sample.n_draws),
            dims.REGRESSOR: list(results.regressors),
            dims.EQUATION: eq,
            dims.EQUATION_2: eq,
        },
        attrs={"sampler": "exact conjugate NIW (i.i.d. draws)"},
    )
