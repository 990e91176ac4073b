"""Conditional forecasts against independent references.

The references never use the package's impulse responses: the stacked mean ``mu`` and loading
matrix ``M`` of one parameter draw are built by pushing unit shocks through ``simulate_paths``, and
conditional moments come from the textbook Gaussian formulas or from rejection sampling.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.conditional import (
    LinearConditions,
    condition_shocks,
    constraint_loadings,
    entry_row,
    impulse_responses,
    truncated_normal,
)
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model.design import LagLayout


def make_var(rng, n, k, p, n_exog=0):
    """Random stable-ish VAR draws: (layout, b, sigma_root, history, exog_future-maker)."""
    layout = LagLayout(k, n_exog, p, True)
    b = np.zeros((n, layout.n_regressors, k))
    b[:, 0] = rng.normal(0.0, 0.5, (n, k))
    b[:, layout.lag_slice] = rng.normal(0.0, 0.35 / (p * np.sqrt(k)), (n, p * k, k))
    b[:, 1 : 1 + k] += 0.5 * np.eye(k)
    if n_exog:
        b[:, layout.exog_slice] = rng.normal(0.0, 0.5, (n, n_exog, k))
    root = np.tril(rng.normal(0.0, 0.3, (n, k, k)), -1)
    root += np.eye(k) * rng.uniform(0.5, 1.5, (n, 1, k))
    history = rng.normal(0.0, 1.0, (p, k))
    return layout, b, root, history


def brute_force_moments(b1, root1, history, xf, layout, h):
    """Stacked mean ``mu`` and loading ``M`` of one draw from unit shocks through simulate_paths."""
    k = layout.n_endogenous
    width = h * k
    reps = width + 1
    bb = np.broadcast_to(b1, (reps, *b1.shape))
    cc = np.broadcast_to(root1, (reps, k, k))
    shocks = np.concatenate([np.zeros((1, width)), np.eye(width)]).reshape(reps, h, k)
    out = simulate_paths(bb, cc, history, xf, shocks, layout).reshape(reps, width)
    mu = out[0]
    return mu, (out[1:] - mu).T  # column j: response of vec(y) to unit z_j


def run(b, root, history, xf, layout, conditions, z, seed=0, **kw):
    """Unconditional paths, conditional shocks, re-simulated conditional paths."""
    paths = simulate_paths(b, root, history, xf, z, layout)
    res = condition_shocks(z, paths, b, root, layout, conditions, np.random.default_rng(seed), **kw)
    cond = simulate_paths(b, root, history, xf, res.shocks, layout)
    return paths, res, cond


def stacked(paths):
    return paths.reshape(paths.shape[0], -1)


def test_impulse_responses_and_loadings_match_unit_shock_simulation():
    rng = np.random.default_rng(1)
    h, k, p = 5, 3, 2
    layout, b, root, history = make_var(rng, 4, k, p, n_exog=1)
    xf = rng.normal(size=(h, 1))
    psi = impulse_responses(b, layout, h)
    rows = rng.normal(size=(4, h * k))
    rows[0] = entry_row(h, k, 4, 2)
    loadings = constraint_loadings(rows, b, root, layout, h)
    early = rows.copy()
    early[:, 3 * k :] = 0.0  # no condition after date 2: the loadings use Psi_0..Psi_2 only
    early_loadings = constraint_loadings(early, b, root, layout, h)
    for d in range(b.shape[0]):
        _, m = brute_force_moments(b[d], np.eye(k), history, xf, layout, h)
        # the response at date j to a unit innovation at date 0 is Psi_j
        for j in range(h):
            np.testing.assert_allclose(psi[d, j], m[j * k : (j + 1) * k, :k], atol=1e-12)
        _, m_c = brute_force_moments(b[d], root[d], history, xf, layout, h)
        np.testing.assert_allclose(loadings[d], rows @ m_c, atol=1e-12)
        np.testing.assert_allclose(early_loadings[d], early @ m_c, atol=1e-12)


def test_hard_conditions_hold_in_every_draw_after_resimulation():
    rng = np.random.default_rng(2)
    n, h, k, p = 300, 6, 3, 2
    layout, b, root, history = make_var(rng, n, k, p, n_exog=1)
    xf = rng.normal(size=(h, 1))
    identity = entry_row(h, k, 4, 0) - entry_row(h, k, 4, 1) + 2.0 * entry_row(h, k, 4, 2)
    per_draw = rng.normal(3.0, 1.0, n)
    hard = [(entry_row(h, k, 2, 0), 1.5, "y0@2")]
    hard += [(entry_row(h, k, s, 1), 0.1 * s, f"y1@{s}") for s in range(4)]
    hard += [(identity, 0.7, "identity@4"), (entry_row(h, k, 5, 2), per_draw, "y2@5 per draw")]
    conditions = LinearConditions.build(h, k, hard=hard)
    z = rng.standard_normal((n, h, k))
    _, res, cond = run(b, root, history, xf, layout, conditions, z)
    assert res.shocks.shape == z.shape
    got = stacked(cond) @ conditions.hard_rows.T
    want = np.broadcast_to(conditions.hard_values, got.shape)
    assert np.abs(got - want).max() < 1e-8
    assert res.diagnostics["max_hard_residual"] < 1e-8
    np.testing.assert_allclose(got[:, -1], per_draw, atol=1e-8)


def test_hard_conditional_moments_match_textbook_gaussian_conditioning():
    rng = np.random.default_rng(3)
    h, k, p, n = 4, 2, 2, 100_000
    layout, b, root, history = make_var(rng, 1, k, p)
    xf = np.zeros((h, 0))
    mu, m = brute_force_moments(b[0], root[0], history, xf, layout, h)
    hard = [
        (entry_row(h, k, 1, 0), 1.0, "y0@1"),
        (entry_row(h, k, 2, 1), -0.5, "y1@2"),
        (entry_row(h, k, 3, 0) + entry_row(h, k, 3, 1), 0.3, "sum@3"),
    ]
    conditions = LinearConditions.build(h, k, hard=hard)
    a, r = conditions.hard_rows, conditions.hard_values
    mean_ref, cov_ref, _ = gaussian_conditional(mu, m @ m.T, a, r)
    bb = np.broadcast_to(b, (n, *b.shape[1:]))
    cc = np.broadcast_to(root, (n, k, k))
    z = rng.standard_normal((n, h, k))
    _, _, cond = run(bb, cc, history, xf, layout, conditions, z)
    y = stacked(cond)
    sd = np.sqrt(np.clip(np.diag(cov_ref), 0.0, None))
    assert np.all(np.abs(y.mean(0) - mean_ref) <= 5 * sd / np.sqrt(n) + 1e-9)
    cov_tol = 5 * np.sqrt(2) * np.outer(sd, sd) / np.sqrt(n) + 1e-9
    assert np.all(np.abs(np.cov(y.T) - cov_ref) <= cov_tol)


def test_restricted_shocks_meet_conditions_and_leave_other_shocks_alone():
    rng = np.random.default_rng(4)
    n, h, k, p = 200, 5, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    xf = np.zeros((h, 0))
    free = np.zeros((h, k), dtype=bool)
    free[:, 1] = True  # only variable 1's shocks adjust
    hard = [(entry_row(h, k, 2, 0), 0.8, "y0@2"), (entry_row(h, k, 3, 0), 1.2, "y0@3")]
    conditions = LinearConditions.build(h, k, hard=hard, free_shocks=free.ravel())
    z = rng.standard_normal((n, h, k))
    _, res, cond = run(b, root, history, xf, layout, conditions, z)
    np.testing.assert_allclose(cond[:, 2, 0], 0.8, atol=1e-8)
    np.testing.assert_allclose(cond[:, 3, 0], 1.2, atol=1e-8)
    np.testing.assert_array_equal(res.shocks[:, :, 0], z[:, :, 0])
    # shocks dated after the last condition cannot help and are left unchanged as well
    np.testing.assert_allclose(res.shocks[:, 3:, 1], z[:, 3:, 1], atol=1e-12)
    assert np.abs(res.shocks[:, :3, 1] - z[:, :3, 1]).max() > 1e-3


def test_soft_conditions_have_the_requested_distribution():
    rng = np.random.default_rng(5)
    n, h, k, p = 60_000, 4, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    xf = np.zeros((h, 0))
    soft = [
        (entry_row(h, k, 1, 0), 1.0, 0.3, "y0@1"),
        (entry_row(h, k, 3, 1) - entry_row(h, k, 3, 0), -0.5, 0.1, "spread@3"),
    ]
    hard = [(entry_row(h, k, 0, 1), 0.2, "y1@0")]
    conditions = LinearConditions.build(h, k, hard=hard, soft=soft)
    z = rng.standard_normal((n, h, k))
    _, res, cond = run(b, root, history, xf, layout, conditions, z)
    y = stacked(cond)
    np.testing.assert_allclose(y @ conditions.hard_rows.T, 0.2, atol=1e-8)
    vals = y @ conditions.soft_rows.T
    np.testing.assert_allclose(vals, res.soft_targets, atol=1e-8)
    assert np.all(np.abs(vals.mean(0) - conditions.soft_means) < 4 * conditions.soft_sds / n**0.5)
    np.testing.assert_allclose(vals.std(0), conditions.soft_sds, rtol=0.03)
    assert abs(np.corrcoef(vals.T)[0, 1]) < 4 / np.sqrt(n)


def test_soft_conditional_moments_match_textbook_formula():
    rng = np.random.default_rng(6)
    h, k, p, n = 4, 2, 2, 100_000
    layout, b, root, history = make_var(rng, 1, k, p)
    xf = np.zeros((h, 0))
    mu, m = brute_force_moments(b[0], root[0], history, xf, layout, h)
    conditions = LinearConditions.build(
        h,
        k,
        hard=[(entry_row(h, k, 0, 1), 0.2, "y1@0")],
        soft=[(entry_row(h, k, 2, 0), 1.0, 0.3, "y0@2")],
    )
    a = np.vstack([conditions.hard_rows, conditions.soft_rows])
    target_mean = np.array([0.2, 1.0])
    target_cov = np.diag([0.0, 0.09])
    mean_ref, cov_ref, gain = gaussian_conditional(mu, m @ m.T, a, target_mean)
    cov_ref = cov_ref + gain @ target_cov @ gain.T
    bb = np.broadcast_to(b, (n, *b.shape[1:]))
    cc = np.broadcast_to(root, (n, k, k))
    _, _, cond = run(bb, cc, history, xf, layout, conditions, rng.standard_normal((n, h, k)))
    y = stacked(cond)
    sd = np.sqrt(np.clip(np.diag(cov_ref), 0.0, None))
    assert np.all(np.abs(y.mean(0) - mean_ref) <= 5 * sd / np.sqrt(n) + 1e-9)
    cov_tol = 5 * np.sqrt(2) * np.outer(sd, sd) / np.sqrt(n) + 1e-9
    assert np.all(np.abs(np.cov(y.T) - cov_ref) <= cov_tol)


@pytest.mark.parametrize("chunk", [4096, 700], ids=["one-chunk", "chunked"])
def test_bounds_hold_in_every_draw_and_no_draw_is_dropped(chunk, monkeypatch):
    import fiscalcliff.forecasting.conditional as conditional

    monkeypatch.setattr(conditional, "CHUNK_DRAWS", chunk)
    rng = np.random.default_rng(7)
    n, h, k, p = 3000, 6, 3, 2
    layout, b, root, history = make_var(rng, n, k, p, n_exog=1)
    xf = rng.normal(size=(h, 1))
    z = rng.standard_normal((n, h, k))
    base = stacked(simulate_paths(b, root, history, xf, z, layout))
    spread = entry_row(h, k, 5, 0) - entry_row(h, k, 5, 2)
    bounds = [
        (entry_row(h, k, s, 0), np.median(base[:, s * k]), np.inf, f"y0@{s}>=") for s in (2, 3, 4)
    ]
    bounds += [(entry_row(h, k, 5, 2), -np.inf, np.median(base[:, 5 * k + 2]), "y2@5<=")]
    bounds += [(spread, -0.5, 0.5, "spread@5")]
    hard = [(entry_row(h, k, 1, 1), 0.3, "y1@1")]
    soft = [(entry_row(h, k, 3, 1), 0.0, 0.5, "y1@3")]
    conditions = LinearConditions.build(h, k, hard=hard, soft=soft, bounds=bounds)
    _, res, cond = run(b, root, history, xf, layout, conditions, z)
    assert res.shocks.shape == z.shape and np.all(np.isfinite(res.shocks))
    vals = stacked(cond) @ conditions.bound_rows.T
    assert np.all(vals >= conditions.lower - 1e-8) and np.all(vals <= conditions.upper + 1e-8)
    np.testing.assert_allclose(cond[:, 1, 1], 0.3, atol=1e-8)
    np.testing.assert_allclose(cond[:, 3, 1], res.soft_targets[:, 0], atol=1e-8)
    assert res.diagnostics["bound_draws_resampled"] > n // 2
    assert res.diagnostics["max_bound_violation"] < 1e-8
    assert res.diagnostics["bound_sampler"].startswith("exact accept-reject")
    assert 0 <= res.diagnostics["bound_draws_tilted"] <= res.diagnostics["bound_draws_resampled"]


def test_draws_already_inside_the_bounds_are_unchanged():
    rng = np.random.default_rng(8)
    n, h, k, p = 500, 4, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    xf = np.zeros((h, 0))
    z = rng.standard_normal((n, h, k))
    paths = simulate_paths(b, root, history, xf, z, layout)
    conditions = LinearConditions.build(h, k, bounds=[(entry_row(h, k, 3, 0), 0.0, np.inf, "y")])
    res = condition_shocks(z, paths, b, root, layout, conditions, np.random.default_rng(0))
    inside = paths[:, 3, 0] >= 0
    np.testing.assert_array_equal(res.shocks[inside], z[inside])
    assert res.diagnostics["bound_draws_resampled"] == int((~inside).sum())


def gaussian_conditional(mu, cov, a, r):
    """Textbook conditional of ``N(mu, cov)`` given ``a x = r``: mean, covariance and the gain
    ``cov a' (a cov a')^-1``."""
    gain = cov @ a.T @ np.linalg.inv(a @ cov @ a.T)
    return mu + gain @ (r - a @ mu), cov - gain @ a @ cov, gain


def gaussian_draws(mean, cov, n, rng):
    """``n`` draws of ``N(mean, cov)`` for a (possibly singular) covariance."""
    val, vec = np.linalg.eigh((cov + cov.T) / 2)
    return mean + rng.standard_normal((n, mean.size)) @ (vec * np.sqrt(np.clip(val, 0.0, None))).T


def rejection_moments(samples, rows, lower, upper):
    keep = np.all((samples @ rows.T >= lower) & (samples @ rows.T <= upper), axis=1)
    return samples[keep]


def assert_moments_close(got, ref, label):
    """Means within MC error of both samples; variances within a few standard errors."""
    se = np.sqrt(got.var(0) / got.shape[0] + ref.var(0) / ref.shape[0])
    assert np.all(np.abs(got.mean(0) - ref.mean(0)) < 5 * se + 1e-12), label
    # var of a sample variance ~ 2 sigma^4 / n (normal-ish); bounded laws are lighter-tailed
    var_se = np.sqrt(2 * got.var(0) ** 2 / got.shape[0] + 2 * ref.var(0) ** 2 / ref.shape[0])
    assert np.all(np.abs(got.var(0) - ref.var(0)) < 5 * var_se + 1e-12), label


def test_bounded_sampler_matches_rejection_sampling():
    h, k, n = 3, 1, 100_000
    layout = LagLayout(1, 0, 1, True)
    b = np.broadcast_to(np.array([[0.1], [0.7]]), (n, 2, 1))
    root = np.ones((n, 1, 1))
    history = np.array([[0.0]])
    xf = np.zeros((h, 0))
    bounds = [
        (entry_row(h, k, 1, 0), 0.5, np.inf, "y@1"),
        (entry_row(h, k, 2, 0), 0.5, np.inf, "y@2"),
    ]
    conditions = LinearConditions.build(h, k, bounds=bounds)
    rng = np.random.default_rng(9)
    z = rng.standard_normal((n, h, k))
    _, _, cond = run(b, root, history, xf, layout, conditions, z)
    got = stacked(cond)
    ref_n = 500_000
    b_ref, root_ref = np.broadcast_to(b[:1], (ref_n, 2, 1)), np.ones((ref_n, 1, 1))
    z_ref = rng.standard_normal((ref_n, h, k))
    ref_paths = simulate_paths(b_ref, root_ref, history, xf, z_ref, layout)
    ref = rejection_moments(stacked(ref_paths), conditions.bound_rows, 0.5, np.inf)
    assert ref.shape[0] > 50_000
    assert np.all(got[:, 1:] >= 0.5 - 1e-10)
    assert_moments_close(got, ref, "bounds only")


def test_hard_condition_plus_bounds_match_rejection_sampling():
    rng = np.random.default_rng(10)
    h, k, p, n = 3, 2, 1, 100_000
    layout, b, root, history = make_var(rng, 1, k, p)
    xf = np.zeros((h, 0))
    mu, m = brute_force_moments(b[0], root[0], history, xf, layout, h)
    hard = [(entry_row(h, k, 1, 0), 1.0, "y0@1")]
    bounds = [
        (entry_row(h, k, 2, 1), mu[5] + 0.3, np.inf, "y1@2>="),
        (entry_row(h, k, 2, 0), -np.inf, 1.0, "y0@2<="),
    ]
    conditions = LinearConditions.build(h, k, hard=hard, bounds=bounds)
    bb = np.broadcast_to(b, (n, *b.shape[1:]))
    cc = np.broadcast_to(root, (n, k, k))
    z = rng.standard_normal((n, h, k))
    _, _, cond = run(bb, cc, history, xf, layout, conditions, z)
    got = stacked(cond)
    # reference: exact Gaussian conditional on the hard row, then rejection on the bounds
    mean_c, cov_c, _ = gaussian_conditional(mu, m @ m.T, conditions.hard_rows, 1.0)
    ref = gaussian_draws(mean_c, cov_c, 600_000, rng)
    ref = rejection_moments(ref, conditions.bound_rows, conditions.lower, conditions.upper)
    assert ref.shape[0] > 50_000
    np.testing.assert_allclose(got[:, 2], 1.0, atol=1e-8)
    assert np.all(got @ conditions.bound_rows.T >= conditions.lower - 1e-8)
    assert np.all(got @ conditions.bound_rows.T <= conditions.upper + 1e-8)
    assert_moments_close(got, ref, "hard plus bounds")


def test_conditioning_given_month_scales_matches_textbook_and_rejection_sampling():
    """Student-t / stochastic-volatility forecasts: month s's innovation is C sqrt(v_s) z_s.
    With the scales given (here the same in every draw), the loadings are those of unit shocks
    through simulate_paths with the scales, the hard condition holds after re-simulation with
    them, and hard condition plus bound match the textbook Gaussian conditional with covariance
    M diag(v) M' followed by rejection sampling."""
    rng = np.random.default_rng(12)
    h, k, p, n = 3, 2, 1, 100_000
    layout, b, root, history = make_var(rng, 1, k, p)
    xf = np.zeros((h, 0))
    scale = np.array([0.3, 4.0, 1.5])
    mu, m = brute_force_moments(b[0], root[0], history, xf, layout, h)
    m_v = m * np.sqrt(np.repeat(scale, k))[None, :]  # unit z at date s moves by sqrt(v_s) C
    rows = rng.normal(size=(2, h * k))
    loadings = constraint_loadings(rows, b, root, layout, h, shock_scale=scale[None])
    np.testing.assert_allclose(loadings[0], rows @ m_v, atol=1e-12)
    hard = [(entry_row(h, k, 1, 0), 1.0, "y0@1")]
    bounds = [(entry_row(h, k, 2, 1), mu[5] + 0.3, np.inf, "y1@2>=")]
    conditions = LinearConditions.build(h, k, hard=hard, bounds=bounds)
    bb = np.broadcast_to(b, (n, *b.shape[1:]))
    cc = np.broadcast_to(root, (n, k, k))
    v = np.broadcast_to(scale, (n, h))
    z = rng.standard_normal((n, h, k))
    paths = simulate_paths(bb, cc, history, xf, z, layout, v)
    res = condition_shocks(
        z, paths, bb, cc, layout, conditions, np.random.default_rng(0), shock_scale=v
    )
    got = stacked(simulate_paths(bb, cc, history, xf, res.shocks, layout, v))
    np.testing.assert_allclose(got[:, 2], 1.0, atol=1e-8)
    assert np.all(got @ conditions.bound_rows.T >= conditions.lower - 1e-8)
    mean_c, cov_c, _ = gaussian_conditional(mu, m_v @ m_v.T, conditions.hard_rows, 1.0)
    ref = gaussian_draws(mean_c, cov_c, 600_000, rng)
    ref = rejection_moments(ref, conditions.bound_rows, conditions.lower, conditions.upper)
    assert ref.shape[0] > 50_000
    assert_moments_close(got, ref, "hard plus bounds given the month scales")


def test_far_tail_bound_is_sampled_exactly():
    """A bound 8 sd above the mean: every draw moves, and the law is the univariate truncation."""
    n, h, k = 20_000, 1, 1
    layout = LagLayout(1, 0, 1, True)
    b = np.broadcast_to(np.array([[0.0], [0.5]]), (n, 2, 1))
    root = np.full((n, 1, 1), 2.0)
    conditions = LinearConditions.build(h, k, bounds=[(entry_row(h, k, 0, 0), 16.0, 17.0, "tail")])
    rng = np.random.default_rng(11)
    z = rng.standard_normal((n, h, k))
    _, _, cond = run(b, root, np.array([[0.0]]), np.zeros((h, 0)), layout, conditions, z)
    y = cond[:, 0, 0]
    assert np.all((y >= 16.0 - 1e-10) & (y <= 17.0 + 1e-10))
    ref = stats.truncnorm(8.0, 8.5, loc=0.0, scale=2.0)
    assert abs(y.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(n)
    np.testing.assert_allclose(y.std(), ref.std(), rtol=0.03)


@pytest.mark.parametrize(
    ("lower", "upper"),
    [(-np.inf, -40.0), (30.0, 31.0), (-1.0, 2.0), (2.0, np.inf), (-np.inf, np.inf), (-3.0, -2.9)],
)
def test_univariate_truncated_normal_matches_scipy(lower, upper):
    rng = np.random.default_rng(12)
    n = 200_000
    x = truncated_normal(0.0, 1.0, lower, upper, 1.0 - rng.random(n))
    assert np.all((x >= lower) & (x <= upper))
    ref = stats.truncnorm(lower, upper)
    assert abs(x.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(n)
    np.testing.assert_allclose(x.std(), ref.std(), rtol=0.02)


def test_truncated_normal_degenerate_interval_and_location_scale():
    x = truncated_normal(np.array([1.0, 3.0]), np.array([2.0, 0.5]), 5.0, 5.0, np.array([0.3, 1.0]))
    np.testing.assert_array_equal(x, [5.0, 5.0])
    # location/scale: quantile u of N(3, 2^2) truncated to [3, inf) is 3 + 2 * ndtri((1 + u) / 2)
    u = np.array([0.1, 0.5, 0.9])
    got = truncated_normal(3.0, 2.0, 3.0, np.inf, u)
    np.testing.assert_allclose(got, 3.0 + 2.0 * stats.norm.ppf((1 + u) / 2), rtol=1e-10)


def test_common_random_numbers_and_empty_conditions():
    rng = np.random.default_rng(13)
    n, h, k, p = 50, 3, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    z = rng.standard_normal((n, h, k))
    xf = np.zeros((h, 0))
    _, res, _ = run(b, root, history, xf, layout, LinearConditions.empty(h, k), z)
    np.testing.assert_array_equal(res.shocks, z)
    soft = [(entry_row(h, k, 2, 0), 0.0, 1.0, "s")]
    bounds = [(entry_row(h, k, 1, 1), 0.0, np.inf, "b")]
    cond = LinearConditions.build(h, k, soft=soft, bounds=bounds)
    _, first, _ = run(b, root, history, xf, layout, cond, z, seed=5)
    _, second, _ = run(b, root, history, xf, layout, cond, z, seed=5)
    np.testing.assert_array_equal(first.shocks, second.shocks)


def test_lower_and_upper_bounds_given_as_separate_rows_are_merged():
    rng = np.random.default_rng(14)
    n, h, k, p = 2000, 4, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    xf = np.zeros((h, 0))
    row = entry_row(h, k, 3, 1)
    bounds = [(row, 0.0, np.inf, "floor"), (2.0 * row, -np.inf, 1.0, "cap (doubled)")]
    conditions = LinearConditions.build(h, k, bounds=bounds)
    _, _, cond = run(b, root, history, xf, layout, conditions, rng.standard_normal((n, h, k)))
    assert np.all((cond[:, 3, 1] >= -1e-10) & (cond[:, 3, 1] <= 0.5 + 1e-10))


# --- contradictions -------------------------------------------------------------------------------


@pytest.fixture
def small_var():
    rng = np.random.default_rng(15)
    n, h, k, p = 20, 4, 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    z = rng.standard_normal((n, h, k))
    paths = simulate_paths(b, root, history, np.zeros((h, 0)), z, layout)
    return h, k, layout, b, root, z, paths


def impose(small_var, conditions):
    _, _, layout, b, root, z, paths = small_var
    return condition_shocks(z, paths, b, root, layout, conditions, np.random.default_rng(0))


def test_two_hard_values_for_one_entry_are_rejected_naming_both(small_var):
    h, k = small_var[:2]
    row = entry_row(h, k, 2, 0)
    cond = LinearConditions.build(h, k, hard=[(row, 1.0, "tga-june"), (row, 2.0, "tga-again")])
    with pytest.raises(InputError, match=r"tga-june.*tga-again"):
        impose(small_var, cond)


def test_consistent_duplicate_hard_conditions_are_accepted(small_var):
    h, k = small_var[:2]
    a, c = entry_row(h, k, 2, 0), entry_row(h, k, 2, 1)
    hard = [(a, 1.0, "a"), (c, 2.0, "c"), (a + c, 3.0, "a+c"), (a, 1.0, "a again")]
    res = impose(small_var, LinearConditions.build(h, k, hard=hard))
    assert res.diagnostics["redundant_conditions"] == ("a+c", "a again")
    assert res.diagnostics["max_hard_residual"] < 1e-8


def test_inconsistent_identity_is_rejected_naming_all_three(small_var):
    h, k = small_var[:2]
    a, c = entry_row(h, k, 2, 0), entry_row(h, k, 2, 1)
    hard = [(a, 1.0, "reserves"), (c, 2.0, "rrp"), (a + c, 4.0, "liabilities")]
    with pytest.raises(InputError) as err:
        impose(small_var, LinearConditions.build(h, k, hard=hard))
    assert all(name in str(err.value) for name in ("reserves", "rrp", "liabilities"))


def test_hard_value_outside_a_bound_on_the_same_entry_is_rejected(small_var):
    h, k = small_var[:2]
    row = entry_row(h, k, 3, 1)
    cond = LinearConditions.build(
        h, k, hard=[(row, -1.0, "rrp-path")], bounds=[(row, 0.0, np.inf, "rrp-floor")]
    )
    with pytest.raises(InputError, match=r"rrp-floor.*rrp-path"):
        impose(small_var, cond)
    ok = LinearConditions.build(
        h, k, hard=[(row, 0.0, "rrp-path")], bounds=[(row, 0.0, np.inf, "rrp-floor")]
    )
    assert impose(small_var, ok).diagnostics["fixed_bounds"] == ("rrp-floor",)


def test_condition_the_free_shocks_cannot_move_is_rejected(small_var):
    h, k = small_var[:2]
    free = np.zeros((h, k), dtype=bool)
    free[:, 1] = True
    # variable 0 is first in the lower-triangular C: at date 0 only its own shock moves it
    cond = LinearConditions.build(
        h, k, hard=[(entry_row(h, k, 0, 0), 1.0, "y0-now")], free_shocks=free.ravel()
    )
    with pytest.raises(InputError, match=r"y0-now.*cannot be moved"):
        impose(small_var, cond)


def test_conditions_the_free_shocks_can_only_move_together_are_rejected(small_var):
    h, k = small_var[:2]
    free = np.zeros((h, k), dtype=bool)
    free[0, 1] = True  # a single free shock
    hard = [(entry_row(h, k, 1, 0), 1.0, "first"), (entry_row(h, k, 2, 0), 1.0, "second")]
    with pytest.raises(InputError, match=r"first.*second"):
        impose(small_var, LinearConditions.build(h, k, hard=hard, free_shocks=free.ravel()))


def test_soft_condition_dependent_on_a_hard_one_is_rejected(small_var):
    h, k = small_var[:2]
    row = entry_row(h, k, 1, 0)
    cond = LinearConditions.build(
        h, k, hard=[(row, 1.0, "hard-y")], soft=[(row, 1.0, 0.1, "soft-y")]
    )
    with pytest.raises(InputError, match=r"hard-y.*soft-y"):
        impose(small_var, cond)


def test_bounds_with_an_empty_intersection_are_rejected(small_var):
    h, k = small_var[:2]
    row = entry_row(h, k, 2, 0)
    bounds = [(row, 2.0, np.inf, "at least two"), (row, -np.inf, 1.0, "at most one")]
    with pytest.raises(InputError, match=r"at least two.*at most one"):
        impose(small_var, LinearConditions.build(h, k, bounds=bounds))


def test_malformed_conditions_are_rejected_on_construction():
    h, k = 3, 2
    row = entry_row(h, k, 0, 0)
    with pytest.raises(InputError, match="'bad bound'"):
        LinearConditions.build(h, k, bounds=[(row, 2.0, 1.0, "bad bound")])
    with pytest.raises(InputError, match="'bad sd'"):
        LinearConditions.build(h, k, soft=[(row, 0.0, 0.0, "bad sd")])
    with pytest.raises(InputError, match="'zero row'"):
        LinearConditions.build(h, k, hard=[(0.0 * row, 1.0, "zero row")])


def test_bound_on_a_soft_conditioned_quantity_or_dependent_bounds_are_rejected(small_var):
    h, k = small_var[:2]
    a, c = entry_row(h, k, 2, 0), entry_row(h, k, 2, 1)
    cond = LinearConditions.build(
        h, k, soft=[(a, 0.0, 1.0, "soft-a")], bounds=[(a, 0.0, np.inf, "a-floor")]
    )
    with pytest.raises(InputError, match=r"a-floor.*soft-a"):
        impose(small_var, cond)
    bounds = [(a, 0.0, np.inf, "a>=0"), (c, 0.0, np.inf, "c>=0"), (a + c, -np.inf, 1.0, "a+c<=1")]
    with pytest.raises(InputError, match=r"'a>=0', 'c>=0', 'a\+c<=1'"):
        impose(small_var, LinearConditions.build(h, k, bounds=bounds))


def test_chunked_conditioning_reports_counts_per_chunk_and_draws_from_the_start(monkeypatch):
    import fiscalcliff.forecasting.conditional as conditional

    monkeypatch.setattr(conditional, "CHUNK_DRAWS", 10)
    rng = np.random.default_rng(3)
    n, h, k, p = 30, 3, 2, 1
    layout, b, root, history = make_var(rng, n, k, p)
    z = rng.standard_normal((n, h, k))
    paths = simulate_paths(b, root, history, np.zeros((h, 0)), z, layout)
    # draw 25 has a shock loading matrix with a zero column: variable 1's own shock
    root = root.copy()
    root[25] = np.diag([1.0, 0.0])
    hard = [(entry_row(h, k, 0, 1), 0.5, "y1@0")]
    conditions = LinearConditions.build(h, k, hard=hard, free_shocks=_only_shock(h, k, 1))
    with pytest.raises(InputError, match="in 1 of 10 draws"):
        condition_shocks(z, paths, b, root, layout, conditions, rng)
    shifted = conditional._shift_draw_numbers(InputError("x (posterior draw 3); y"), 20)
    assert str(shifted) == "x (posterior draw 23); y"


def _only_shock(h, k, variable):
    free = np.zeros(h * k, dtype=bool)
    free[variable::k] = True
    return free
