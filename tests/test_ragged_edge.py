"""The ragged edge (issue 10): months where some series have ended are filled per draw by the
model's conditional forecast given everything observed, and forecasts start after them."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.forecasting.ragged import fill_ragged_edge
from fiscalcliff.model.design import LagLayout

ROOT = Path(__file__).resolve().parents[1]

# a known VAR(1) with a constant: y_t = c + A y_{t-1} + C e_t
C0 = np.array([0.5, -0.2])
A = np.array([[0.7, 0.2], [-0.1, 0.5]])
CHOL = np.array([[1.0, 0.0], [0.6, 0.8]])


def _fake_results(tail_values: np.ndarray) -> SimpleNamespace:
    """Just what fill_ragged_edge reads: variables, lag layout and a panel with a tail."""
    index = pd.date_range("2020-01-01", periods=5, freq="MS", name="date")
    frame = pd.DataFrame({"a": [0, 0, 0, 0, 1.0], "b": [0, 0, 0, 0, -1.0]}, index=index)
    tail_index = pd.date_range("2020-06-01", periods=len(tail_values), freq="MS", name="date")
    tail = pd.DataFrame(tail_values, index=tail_index, columns=["a", "b"])
    panel = SimpleNamespace(frame=frame, edge=tail)
    return SimpleNamespace(
        endogenous=("a", "b"), exogenous=(), layout=LagLayout(2, 0, 1, True), panel=panel
    )


def _brute_force(y_last: np.ndarray, tail: np.ndarray):
    """Mean and covariance of the unobserved tail cells given the observed ones, by stacking
    the tail as one Gaussian vector and conditioning it (textbook formulas)."""
    m, k = tail.shape
    mean = np.zeros((m, k))
    prev = y_last
    for t in range(m):
        prev = C0 + A @ prev
        mean[t] = prev
    # y_{T+t} - mean = sum_{s<=t} A^{t-s} C e_s
    load = np.zeros((m * k, m * k))
    for t in range(m):
        for s in range(t + 1):
            load[t * k : (t + 1) * k, s * k : (s + 1) * k] = np.linalg.matrix_power(A, t - s) @ CHOL
    cov = load @ load.T
    flat = tail.reshape(-1)
    obs = np.isfinite(flat)
    mu = mean.reshape(-1)
    s_oo = cov[np.ix_(obs, obs)]
    s_uo = cov[np.ix_(~obs, obs)]
    gain = s_uo @ np.linalg.inv(s_oo)
    cond_mean = mu[~obs] + gain @ (flat[obs] - mu[obs])
    cond_cov = cov[np.ix_(~obs, ~obs)] - gain @ s_uo.T
    return obs, cond_mean, cond_cov


def test_fill_equals_the_brute_force_gaussian_conditional():
    # b observed in the first tail month only; a observed throughout
    tail = np.array([[1.2, -0.4], [1.0, np.nan], [0.6, np.nan]])
    results = _fake_results(tail)
    n = 200_000
    b = np.zeros((n, 3, 2))
    b[:, 0, :] = C0
    b[:, 1:, :] = A.T  # rows: regressors y_{t-1}; columns: equations
    sigma_root = np.broadcast_to(CHOL, (n, 2, 2))
    now = fill_ragged_edge(
        results, b, sigma_root, np.random.default_rng(1), np.random.default_rng(2)
    )
    obs, mean, cov = _brute_force(np.array([1.0, -1.0]), tail)
    flat = now.endogenous.reshape(n, -1)
    # observed cells are the data, exactly, in every draw
    np.testing.assert_array_equal(flat[:, obs], np.broadcast_to(tail.reshape(-1)[obs], (n, 4)))
    filled = flat[:, ~obs]
    se = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(filled.mean(axis=0) - mean) < 4 * se), (filled.mean(axis=0), mean)
    np.testing.assert_allclose(np.cov(filled.T), cov, rtol=0.03, atol=0.01)
    # each draw's history ends with its filled tail
    np.testing.assert_array_equal(now.history[:, -1, :], now.endogenous[:, -1, :])


def test_no_tail_means_the_sample_history_for_every_draw():
    results = _fake_results(np.zeros((0, 2)))
    b = np.zeros((4, 3, 2))
    now = fill_ragged_edge(
        results,
        b,
        np.broadcast_to(CHOL, (4, 2, 2)),
        np.random.default_rng(0),
        np.random.default_rng(0),
    )
    assert now.endogenous.shape == (4, 0, 2)
    np.testing.assert_array_equal(now.history, np.broadcast_to([[1.0, -1.0]], (4, 1, 2)))


@pytest.fixture(scope="module")
def real_forecast():
    import fiscalcliff as fc

    results = fc.fit(
        fc.load_prior_file(ROOT / "priors" / "uncensored.yaml"),
        source=OfflineDirectorySource(SHARED_DATA_DIR),
    )
    return results, results.forecast("2027-06", draws=200, seed=5)


def test_real_data_forecast_starts_after_the_latest_data(real_forecast):
    results, paths = real_forecast
    latest = max(results.panel.last_dates.values())
    assert results.panel.latest == latest
    first = paths["date"].to_index()[0]
    assert first == pd.Timestamp(f"{latest}-01") + pd.offsets.MonthBegin(1)
    summary = json.loads(paths.attrs["ragged_edge"])
    assert set(summary) == set(results.endogenous) | set(results.exogenous)
    for name, text in summary.items():
        assert text.startswith(f"observed to {results.panel.last_dates[name]}")


def test_real_data_nowcast_keeps_observed_months_and_fills_the_rest(real_forecast):
    results, paths = real_forecast
    edge = results.panel.edge
    filled = [v for v in paths.data_vars if str(v).startswith("nowcast_")]
    assert filled, "the shared data end in different months, so something is filled"
    for var in filled:
        name = var.removeprefix("nowcast_")
        values = paths[var].isel(chain=0).to_numpy()  # (draw, nowcast month)
        observed = edge[name].notna().to_numpy()
        assert not observed.all()
        np.testing.assert_array_equal(
            values[:, observed],
            np.broadcast_to(edge[name].to_numpy()[observed], (values.shape[0], observed.sum())),
        )
        assert np.all(values[:, ~observed].std(axis=0) > 0)  # a distribution, not a constant
        assert json.loads(paths[var].attrs["observed_months"]) == [
            f"{m:%Y-%m}" for m in edge.index[observed]
        ]


def test_data_show_lists_every_series_to_its_own_last_month_and_the_fills():
    from conftest import run_cli

    code, out, err = run_cli(
        [
            "data",
            "show",
            "--priors",
            str(ROOT / "priors" / "uncensored.yaml"),
            "--data-dir",
            str(SHARED_DATA_DIR),
        ]
    )
    assert code == 0, err
    listing = out.splitlines()[
        out.splitlines().index(
            next(line for line in out.splitlines() if line.startswith("forecasts start"))
        )
        + 1 :
    ]
    lines = {line.split()[0]: line for line in listing}
    assert len(lines) == 12  # 7 endogenous + 5 exogenous series of the default model
    # from the raw files: TARIFF_ETR_CUSTOMS ends 2026-03, WTREGEN (weekly) fills 2026-08 fully,
    # MSPD (the bill share) ends 2026-05
    assert "observed to 2026-03; 2026-04..2026-09 held at its last value" in lines["tariff_rate"]
    assert "observed to 2026-05; 2026-06..2026-09 held at its last value" in lines["bill_share"]
    assert lines["tga"].split()[3] == "2026-08;"
    assert "forecasts start 2026-10" in out
