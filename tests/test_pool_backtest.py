"""The prediction-pool evaluation script (docs/scripts/pool_backtest.py): weights and mixing."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

ROOT = Path(__file__).resolve().parents[1]
POOL = runpy.run_path(str(ROOT / "docs" / "scripts" / "pool_backtest.py"))


def test_two_model_weights_match_a_continuous_optimiser():
    # Geweke-Amisano objective for two models, maximised independently by scipy on [0, 1]
    rng = np.random.default_rng(0)
    log_dens = rng.normal(size=(40, 2)) + np.array([0.0, -0.3])
    w = POOL["optimal_weights"](log_dens, step=0.001)

    def minus(a):
        return -np.log(a * np.exp(log_dens[:, 0]) + (1 - a) * np.exp(log_dens[:, 1])).sum()

    best = minimize_scalar(minus, bounds=(0, 1), method="bounded", options={"xatol": 1e-8}).x
    assert w.sum() == pytest.approx(1.0)
    assert w[0] == pytest.approx(best, abs=1e-3)


def test_a_model_that_is_always_better_takes_all_the_weight_and_no_history_is_equal():
    log_dens = np.column_stack([np.zeros(10), np.full(10, -2.0), np.full(10, -5.0)])
    np.testing.assert_allclose(POOL["optimal_weights"](log_dens), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(POOL["optimal_weights"](np.empty((0, 3))), [1 / 3] * 3)


def test_each_pooled_draw_comes_from_one_model_at_every_horizon_and_variable():
    m, h, d, v = 3, 4, 50, 2
    stack = np.empty((m, h, d, v))
    for model in range(m):  # the value encodes (model, horizon, draw, variable)
        stack[model] = (
            1000 * model
            + 100 * np.arange(h)[:, None, None]
            + np.arange(d)[None, :, None] / 100
            + 10 * np.arange(v)[None, None, :]
        )
    pick = np.random.default_rng(1).integers(0, m, size=d)
    out = POOL["pool_members"](stack, pick)
    assert out.shape == (h, d, v)
    for i in range(d):
        np.testing.assert_array_equal(out[:, i, :], stack[pick[i], :, i, :])
