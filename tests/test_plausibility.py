"""Scenario plausibility (APR 2021): the conditioned shocks' law and its KL divergence / q.

References: brute-force Gaussian conditioning of the stacked shocks with the stacked-forecast
matrix ``M`` built column by column from simulated unit impulses; Monte Carlo moments of the
package's own conditional sampler; the closed-form KL of two Gaussians with full matrices.
"""

from __future__ import annotations

import numpy as np
import pytest

from fiscalcliff.forecasting.conditional import LinearConditions, condition_shocks, entry_row
from fiscalcliff.forecasting.irf import constraint_loadings
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.forecasting.plausibility import (
    coin_q,
    kl_from_standard,
    scenario_plausibility,
    shock_moments,
)
from fiscalcliff.model.design import LagLayout

H, K = 4, 2
LAYOUT = LagLayout(K, 0, 1, True)


def one_draw(seed: int = 0):
    rng = np.random.default_rng(seed)
    b = np.zeros((1, LAYOUT.n_regressors, K))
    b[0, 0] = [0.5, -0.2]
    b[0, 1:3] = np.array([[0.6, 0.1], [-0.2, 0.5]]).T  # rows: lags of y1, y2
    root = np.array([[[1.0, 0.0], [0.4, 0.8]]])
    history = rng.standard_normal((1, 1, K))
    return b, root, history


def stacked_matrix(b, root, history):
    """``vec(y) = m + M vec(z)`` by simulation: m with zero shocks, M column by column."""
    exog = np.zeros((H, 0))
    mean = simulate_paths(b, root, history, exog, np.zeros((1, H, K)), LAYOUT).reshape(-1)
    cols = []
    for col in range(H * K):
        z = np.zeros((1, H * K))
        z[0, col] = 1.0
        y = simulate_paths(b, root, history, exog, z.reshape(1, H, K), LAYOUT).reshape(-1)
        cols.append(y - mean)
    return mean, np.column_stack(cols)


def conditions(free=None, hard_value=2.0):
    return LinearConditions.build(
        H,
        K,
        hard=[(entry_row(H, K, 1, 0), hard_value, "y1 at 1")],
        soft=[(entry_row(H, K, 3, 1), -1.0, 0.5, "y2 at 3")],
        free_shocks=free,
    )


@pytest.mark.parametrize("adjusting", [None, 0], ids=["all-shocks", "shock-0-only"])
def test_moments_equal_brute_force_gaussian_conditioning(adjusting):
    b, root, history = one_draw()
    mean, big_m = stacked_matrix(b, root, history)
    free = None if adjusting is None else np.tile(np.arange(K) == adjusting, H)
    c = conditions(free)
    rows = np.vstack([c.hard_rows, c.soft_rows])
    f = np.array([2.0, -1.0])
    s = np.array([0.0, 0.25])
    cols = np.ones(H * K, bool) if free is None else free
    # brute force, with M built by simulation: z_free ~ N(0, I) conditioned by the joint
    # Gaussian formula on R y = t, for a target t ~ N(f, diag(s)) (law of total variance)
    rm = rows @ big_m[:, cols]
    cov_zy, cov_yy = rm.T, rm @ rm.T  # Cov(z, R y), Var(R y) under the unconditional law
    gain = cov_zy @ np.linalg.inv(cov_yy)
    mu_bf = gain @ (f - rows @ mean)
    cov_bf = np.eye(cols.sum()) - gain @ cov_zy.T + gain @ np.diag(s) @ gain.T
    g = constraint_loadings(rows, b, root, LAYOUT, H)[0][:, cols]
    np.testing.assert_allclose(g, rm, rtol=1e-12, atol=1e-12)
    mu, cov = shock_moments(g, f - rows @ mean, s)
    np.testing.assert_allclose(mu, mu_bf, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cov, cov_bf, rtol=1e-10, atol=1e-12)


def test_moments_match_the_conditional_sampler():
    b, root, history = one_draw(1)
    n = 40_000
    bb, rr, hh = (np.repeat(a, n, axis=0) for a in (b, root, history))
    rng = np.random.default_rng(5)
    z = rng.standard_normal((n, H, K))
    paths = simulate_paths(bb, rr, hh, np.zeros((H, 0)), z, LAYOUT)
    c = conditions()
    got = condition_shocks(z, paths, bb, rr, LAYOUT, c, np.random.default_rng(6)).shocks
    mean, _ = stacked_matrix(b, root, history)
    rows = np.vstack([c.hard_rows, c.soft_rows])
    g = constraint_loadings(rows, b, root, LAYOUT, H)[0]
    mu, cov = shock_moments(g, np.array([2.0, -1.0]) - rows @ mean, np.array([0.0, 0.25]))
    flat = got.reshape(n, H * K)
    se = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(flat.mean(0) - mu) <= 5 * se + 1e-12)
    np.testing.assert_allclose(np.cov(flat.T), cov, atol=0.03)


def test_kl_without_hard_conditions_is_the_gaussian_closed_form():
    rng = np.random.default_rng(2)
    g = rng.standard_normal((3, 8)) * 0.7
    d = rng.standard_normal(3)
    s = np.array([0.5, 1.0, 2.0])
    mu, cov = shock_moments(g, d, s)
    _, logdet = np.linalg.slogdet(cov)
    want = 0.5 * (np.trace(cov) + mu @ mu - 8 - logdet)
    kl, pinned = kl_from_standard(g, d, s)
    assert pinned == 0
    assert float(kl) == pytest.approx(want, rel=1e-10)


def test_batched_kl_at_a_scenario_size_is_the_gaussian_closed_form():
    # four soft conditions on 15 months x 7 shocks, loadings of very different scales (as a
    # TGA condition in $bn next to a yield in percent), against the closed form per draw
    rng = np.random.default_rng(12)
    g = rng.standard_normal((20, 4, 105)) * np.array([300.0, 1.0, 0.05, 40.0])[:, None]
    d = rng.standard_normal((20, 4)) * np.array([300.0, 1.0, 0.05, 40.0])
    s = np.array([100.0, 0.5, 0.01, 20.0]) ** 2
    kl, pinned = kl_from_standard(g, d, s)
    assert np.all(pinned == 0)
    for i in range(20):
        mu, cov = shock_moments(g[i], d[i], s)
        _, logdet = np.linalg.slogdet(cov)
        want = 0.5 * (np.trace(cov) + mu @ mu - 105 - logdet)
        assert float(kl[i]) == pytest.approx(want, rel=1e-8)


def test_hard_conditions_count_by_their_mean_shift():
    rng = np.random.default_rng(3)
    g = rng.standard_normal((2, 6))
    d = rng.standard_normal(2)
    mu, _ = shock_moments(g, d, np.zeros(2))
    kl, pinned = kl_from_standard(g, d, np.zeros(2))
    assert pinned == 2
    assert float(kl) == pytest.approx(0.5 * mu @ mu, rel=1e-10)


def test_batched_kl_equals_draw_by_draw_and_ignores_redundant_rows():
    rng = np.random.default_rng(4)
    g = rng.standard_normal((6, 3, 9))
    g[:, 2] = g[:, 0] + g[:, 1]  # a redundant third hard condition (the sum of the first two)
    d = rng.standard_normal((6, 3))
    d[:, 2] = d[:, 0] + d[:, 1]  # consistent with them
    s = np.zeros(3)
    kl, pinned = kl_from_standard(g, d, s)
    for i in range(6):
        one, p_one = kl_from_standard(g[i], d[i], s)
        assert float(one) == pytest.approx(float(kl[i]), rel=1e-10) and p_one == pinned[i]
    # the redundant row pins nothing new and shifts nothing: the same as the first two alone
    two, p_two = kl_from_standard(g[:, :2], d[:, :2], s[:2])
    np.testing.assert_allclose(kl, two, rtol=1e-8)
    assert np.all(pinned == 2) and np.all(p_two == 2)


def test_q_is_one_half_for_the_unconditional_mean_path_and_grows_away_from_it():
    b, root, history = one_draw()
    mean, _ = stacked_matrix(b, root, history)
    at_mean = LinearConditions.build(
        H, K, hard=[(entry_row(H, K, s, 0), mean[s * K], f"y1 at {s}") for s in range(H)]
    )
    p = scenario_plausibility(at_mean, b, root, LAYOUT, mean.reshape(1, H, K))
    assert p.kl[0] == pytest.approx(0.0, abs=1e-12) and p.q[0] == pytest.approx(0.5, abs=1e-6)
    assert p.pinned == H
    qs = []
    for shift in (0.5, 2.0, 8.0):
        away = LinearConditions.build(
            H,
            K,
            hard=[(entry_row(H, K, s, 0), mean[s * K] + shift, f"y1 at {s}") for s in range(H)],
        )
        qs.append(scenario_plausibility(away, b, root, LAYOUT, mean.reshape(1, H, K)).q[0])
    assert 0.5 < qs[0] < qs[1] < qs[2] < 1.0


def test_coin_calibration_inverts_the_per_flip_divergence():
    kl = np.array([0.0, 0.3, 5.0, 40.0])
    q = coin_q(kl, 10)
    # KL(fair coin || coin with bias q) per flip = -1/2 ln(4 q (1 - q))
    np.testing.assert_allclose(-0.5 * np.log(4 * q * (1 - q)), kl / 10, rtol=1e-10, atol=1e-15)
    assert q[0] == 0.5 and np.all(np.diff(q) > 0)


def test_mean_paths_by_linearity_equal_the_simulated_mean_paths():
    # a scenario run has the paths simulated with random shocks (plus any set ones); the
    # conditions at the mean paths follow from them and the loadings, with no second simulation
    b, root, history = one_draw(3)
    rng = np.random.default_rng(8)
    exog = np.zeros((H, 0))
    set_shock = np.zeros((1, H, K))
    set_shock[0, 2, 1] = 1.5  # a shock the scenario sets
    random = rng.standard_normal((1, H, K))
    random[0, 2, 1] = 0.0
    paths = simulate_paths(b, root, history, exog, set_shock + random, LAYOUT)
    mean = simulate_paths(b, root, history, exog, set_shock, LAYOUT)
    for free in (None, np.tile(np.arange(K) == 0, H)):
        c = conditions(free)
        direct = scenario_plausibility(c, b, root, LAYOUT, mean, fixed=np.array([1.5]))
        linear = scenario_plausibility(
            c, b, root, LAYOUT, fixed=np.array([1.5]), paths=paths, random_shocks=random
        )
        np.testing.assert_allclose(linear.kl, direct.kl, rtol=1e-12, atol=1e-12)
        assert direct.kl[0] > 0.1  # the conditions are away from the mean: a real comparison
    with pytest.raises(ValueError, match="mean_paths, or paths"):
        scenario_plausibility(conditions(), b, root, LAYOUT)
