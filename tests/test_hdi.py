"""hdi_nearest (compare's tables) against ArviZ's hdi, the reference it replaces for speed."""

from __future__ import annotations

import arviz_stats as az
import numpy as np
import pytest
import xarray as xr

from fiscalcliff.forecasting.summary import hdi_nearest


def _draws(rng, shape, kind):
    if kind == "skewed":
        return rng.lognormal(0.0, 1.0, shape)
    if kind == "ties":  # many equal widths: the first narrowest interval must be the one chosen
        return rng.integers(0, 6, shape).astype(float)
    return rng.standard_normal(shape)


@pytest.mark.parametrize("kind", ["normal", "skewed", "ties"])
@pytest.mark.parametrize("prob", [0.5, 0.9, 0.94])
@pytest.mark.parametrize("draws", [2, 7, 1000])
def test_hdi_nearest_equals_arviz(kind, prob, draws):
    rng = np.random.default_rng([draws, int(prob * 100), len(kind)])
    da = xr.DataArray(
        _draws(rng, (3, 2, draws, 4), kind),
        dims=("scenario", "chain", "draw", "quarter"),
        coords={"scenario": ["a", "b", "c"], "quarter": ["q1", "q2", "q3", "q4"]},
    )
    ours = hdi_nearest(da, prob, ("chain", "draw"))
    ref = az.hdi(da, prob=prob)
    xr.testing.assert_equal(
        ours.transpose(*ref.dims), ref.drop_vars(set(ref.coords) - set(ours.coords))
    )


def test_hdi_nearest_holds_the_mass_and_is_narrowest():
    """Independent of ArviZ: the interval holds floor(prob n) + 1 draws, and no interval between
    two draws that holds as many is narrower (brute force over every pair)."""
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, size=200)
    da = xr.DataArray(x[None, :], dims=("chain", "draw"))
    lo, hi = hdi_nearest(da, 0.8, ("chain", "draw")).to_numpy()
    inside = np.sum((x >= lo) & (x <= hi))
    assert inside == int(np.floor(0.8 * 200)) + 1
    s = np.sort(x)
    k = int(np.floor(0.8 * 200))
    assert hi - lo == pytest.approx(min(s[i + k] - s[i] for i in range(200 - k)), abs=0)


@pytest.mark.parametrize("prob", [0.0, 1.0, -0.1, 1.5])
def test_hdi_nearest_rejects_a_probability_outside_0_1(prob):
    da = xr.DataArray(np.arange(10.0)[None], dims=("chain", "draw"))
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        hdi_nearest(da, prob, ("chain", "draw"))
