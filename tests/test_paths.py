"""Forecast path simulation and stability checks against plain references."""

from __future__ import annotations

import numpy as np

from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model.design import LagLayout, lagged_regressors
from fiscalcliff.model.stability import max_root_modulus


def test_vectorised_paths_equal_a_plain_loop():
    rng = np.random.default_rng(0)
    layout = LagLayout(n_endogenous=3, n_exogenous=2, lags=2, constant=True)
    n, h = 5, 7
    b = rng.standard_normal((n, layout.n_regressors, 3)) * 0.3
    root = np.tril(rng.standard_normal((n, 3, 3)))
    history = rng.standard_normal((2, 3))
    xf = rng.standard_normal((h, 2))
    z = rng.standard_normal((n, h, 3))
    got = simulate_paths(b, root, history, xf, z, layout)
    for d in range(n):
        c, a1, a2 = b[d, 0], b[d, 1:4].T, b[d, 4:7].T
        g = b[d, 7:9].T
        ylag1, ylag2 = history[1], history[0]
        for s in range(h):
            y = c + a1 @ ylag1 + a2 @ ylag2 + g @ xf[s] + root[d] @ z[d, s]
            np.testing.assert_allclose(got[d, s], y, rtol=1e-12, atol=1e-12)
            ylag2, ylag1 = ylag1, y


def test_paths_are_consistent_with_the_regression_layout():
    """Feeding simulated paths back through lagged_regressors reproduces y = X B + e."""
    rng = np.random.default_rng(1)
    layout = LagLayout(2, 1, 3, True)
    b = rng.standard_normal((1, layout.n_regressors, 2)) * 0.2
    root = np.eye(2)[None]
    history = rng.standard_normal((3, 2))
    xf = rng.standard_normal((10, 1))
    z = rng.standard_normal((1, 10, 2))
    paths = simulate_paths(b, root, history, xf, z, layout)[0]
    full = np.vstack([history, paths])
    exog = np.vstack([np.zeros((3, 1)), xf])
    y, x = lagged_regressors(full, exog, 3)
    np.testing.assert_allclose(y - x @ b[0], z[0], atol=1e-12)


def test_ar1_forecast_variance_matches_closed_form():
    a, sigma, h, n = 0.8, 1.5, 6, 200_000
    layout = LagLayout(1, 0, 1, True)
    b = np.broadcast_to(np.array([[0.0], [a]]), (n, 2, 1))
    root = np.full((n, 1, 1), sigma)
    z = np.random.default_rng(2).standard_normal((n, h, 1))
    paths = simulate_paths(b, root, np.array([[2.0]]), np.zeros((h, 0)), z, layout)[:, :, 0]
    steps = np.arange(1, h + 1)
    np.testing.assert_allclose(paths.mean(0), 2.0 * a**steps, atol=4 * sigma * 3 / np.sqrt(n))
    expected_var = sigma**2 * (1 - a ** (2 * steps)) / (1 - a**2)
    np.testing.assert_allclose(paths.var(0), expected_var, rtol=0.02)


def test_max_root_of_known_companion():
    layout = LagLayout(2, 0, 2, False)
    # y_t = A1 y_{t-1} + A2 y_{t-2} with diagonal A's: roots solve z^2 - a1 z - a2 = 0 per variable.
    a1, a2 = np.diag([0.5, 1.1]), np.diag([0.2, 0.05])
    b = np.vstack([a1.T, a2.T])[None]
    roots = [np.abs(np.roots([1, -a1[i, i], -a2[i, i]])).max() for i in range(2)]
    np.testing.assert_allclose(max_root_modulus(b, layout), [max(roots)], rtol=1e-12)
