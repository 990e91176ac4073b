"""The exact box-truncated Gaussian sampler against plain rejection sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from fiscalcliff.forecasting import tmvn
from fiscalcliff.forecasting.tmvn import box_gaussian, log_interval_probability

CASES = {
    "1d two-sided": (np.array([[1.3]]), [-0.2], [0.4]),
    "2d strongly negative": (np.array([[1.0, -0.9], [-0.9, 1.0]]), [0.3, -np.inf], [np.inf, 0.2]),
    "2d tail": (np.array([[1.0, 0.6], [0.6, 2.0]]), [1.5, 1.0], [np.inf, np.inf]),
    "3d mixed": (
        np.array([[1.0, -0.9, 0.5], [-0.9, 1.0, -0.7], [0.5, -0.7, 1.5]]),
        [0.3, -np.inf, -0.5],
        [np.inf, 0.2, 0.8],
    ),
    "3d persistent path floor": (
        np.array([[1.0, 0.9, 0.8], [0.9, 1.81, 1.62], [0.8, 1.62, 2.46]]),
        [0.5, 0.5, 0.5],
        [np.inf, np.inf, np.inf],
    ),
}


def rejection(cov, lower, upper, n, rng):
    """``n`` draws of ``N(0, cov)`` inside the box by plain rejection."""
    chol = np.linalg.cholesky(cov)
    kept, total = [], 0
    while total < n:
        x = rng.standard_normal((400_000, cov.shape[0])) @ chol.T
        x = x[np.all((x >= lower) & (x <= upper), axis=1)]
        kept.append(x)
        total += x.shape[0]
    return np.concatenate(kept)[:n]


def sample(cov, lower, upper, n, seed):
    d = cov.shape[0]
    return box_gaussian(
        np.broadcast_to(cov, (n, d, d)).copy(),
        np.broadcast_to(np.asarray(lower, float), (n, d)).copy(),
        np.broadcast_to(np.asarray(upper, float), (n, d)).copy(),
        np.random.default_rng(seed),
    )


@pytest.mark.parametrize("tilted_only", [False, True], ids=["default", "tilted-only"])
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sampler_matches_rejection_sampling(name, seed, tilted_only, monkeypatch):
    """Two-sample KS per bounded quantity against rejection sampling; bounds hold in every row."""
    if tilted_only:  # every draw through Botev's tilted proposal
        monkeypatch.setattr(tmvn, "PLAIN_ROUNDS", 0)
    cov, lower, upper = CASES[name]
    n = 3000
    got, stats = sample(cov, lower, upper, n, seed)
    assert got.shape == (n, cov.shape[0])
    assert np.all((got >= lower) & (got <= upper))
    assert stats.kept + stats.plain + stats.tilted == n
    if tilted_only and cov.shape[0] > 1:
        assert stats.tilted == n
    ref = rejection(cov, np.asarray(lower), np.asarray(upper), n, np.random.default_rng(100 + seed))
    for j in range(cov.shape[0]):
        p = ks_2samp(got[:, j], ref[:, j]).pvalue
        assert p > 0.01, f"{name}, quantity {j}: KS p = {p:.4f}"


def test_start_draws_inside_the_box_are_kept_and_per_row_laws_differ():
    rng = np.random.default_rng(4)
    n, d = 2000, 2
    scales = rng.uniform(0.5, 3.0, n)
    cov = np.array([[1.0, 0.5], [0.5, 1.0]]) * scales[:, None, None]
    start = np.einsum("nij,nj->ni", np.linalg.cholesky(cov), rng.standard_normal((n, d)))
    lower = np.zeros((n, d))
    upper = np.full((n, d), np.inf)
    got, stats = box_gaussian(cov, lower, upper, rng, start=start)
    inside = np.all(start >= 0, axis=1)
    np.testing.assert_array_equal(got[inside], start[inside])
    assert stats.kept == int(inside.sum())
    assert np.all(got >= 0)
    # the scale of each row's law shows through: E[w | w >= 0] = sd * sqrt(2/pi) marginally
    big = scales > 2.0
    assert got[big].mean() > got[~big].mean()


def test_far_tail_box_uses_the_tilted_proposal_and_stays_exact():
    """A box 6 sd out (probability ~1e-10): plain proposals never land, tilting does."""
    cov = np.array([[1.0, 0.8], [0.8, 1.0]])
    lower, upper = [6.0, 6.0], [np.inf, np.inf]
    got, stats = sample(cov, lower, upper, 4000, 0)
    assert stats.tilted == 4000
    assert np.all(got >= 6.0)
    # the exact law: the minimum sits right above 6 and the excess is roughly exponential
    excess = got.min(axis=1) - 6.0
    assert 0.05 < excess.mean() < 0.2


def test_log_interval_probability_is_accurate_in_both_tails():
    from scipy.stats import norm

    a = np.array([-np.inf, -1.0, 30.0, -40.0, 0.5])
    b = np.array([np.inf, 2.0, 31.0, -39.0, 0.5 + 1e-9])
    want = [0.0, np.log(norm.cdf(2.0) - norm.cdf(-1.0))]
    want.append(norm.logsf(30.0) + np.log1p(-np.exp(norm.logsf(31.0) - norm.logsf(30.0))))
    want.append(norm.logcdf(-39.0) + np.log1p(-np.exp(norm.logcdf(-40.0) - norm.logcdf(-39.0))))
    want.append(np.log(norm.pdf(0.5) * 1e-9))
    np.testing.assert_allclose(log_interval_probability(a, b), want, rtol=1e-6)
