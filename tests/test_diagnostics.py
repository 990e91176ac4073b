"""Convergence diagnostics shared out over processes equal ArviZ's on the whole posterior."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from fiscalcliff.model.mcmc import diagnostics as diag


def _ar_chains(rng, shape, phi=0.7):
    """AR(1) chains along the draw axis (axis 1): autocorrelated, so ESS < draws."""
    x = rng.standard_normal(shape)
    for t in range(1, shape[1]):
        x[:, t] += phi * x[:, t - 1]
    return x


@pytest.fixture(scope="module")
def posteriors():
    rng = np.random.default_rng(3)
    names = list("abcd")
    main = xr.Dataset(
        {
            "Sigma": (("chain", "draw", "s1", "s2"), _ar_chains(rng, (2, 300, 4, 4))),
            "B": (("chain", "draw", "m", "k"), _ar_chains(rng, (2, 300, 9, 4))),
            "lp": (("chain", "draw"), _ar_chains(rng, (2, 300))),
            # no coordinates: ArviZ labels by position, which a slice must keep
            "latent": (("chain", "draw", "cell"), _ar_chains(rng, (2, 300, 7), phi=0.95)),
        },
        coords={"s1": names, "s2": names, "m": [f"r{i}" for i in range(9)], "k": names},
    )
    main["B"][0, :, 2, 1] = 1.5  # a parameter that never moves: NaN diagnostics
    history = xr.Dataset({"latent": (("chain", "draw", "cell"), _ar_chains(rng, (2, 300, 11)))})
    return [main, history]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_compute_many_equals_compute_on_each_whole_posterior(posteriors, workers):
    expected = [diag.compute(p, seconds=1.5) for p in posteriors]
    got = diag.compute_many(posteriors, seconds=1.5, workers=workers)
    for want, have in zip(expected, got, strict=True):
        assert list(have.table.index) == list(want.table.index)
        np.testing.assert_array_equal(have.table.to_numpy(), want.table.to_numpy())
        assert (have.max_r_hat, have.worst_r_hat, have.worst_ess) == (
            want.max_r_hat,
            want.worst_r_hat,
            want.worst_ess,
        )
        assert (have.draws, have.chains, have.seconds) == (300, 2, 1.5)


def test_split_keeps_every_parameter_once_in_order(posteriors):
    main = posteriors[0]
    pieces = diag._split(main, 2)
    assert len(pieces) == 2
    counts = [sum(v.size // 600 for v in piece.data_vars.values()) for piece in pieces]
    assert sum(counts) == sum(v.size // 600 for v in main.data_vars.values())
    assert abs(counts[0] - counts[1]) <= 16  # cut by rows of at most 16 parameters
    labels = [label for piece in pieces for label in diag._summary_table(piece).index]
    assert labels == list(diag._summary_table(main).index)
