"""Sum-of-coefficients dummy observations, for every variable or only for chosen ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fiscalcliff.errors import ConfigError
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.minnesota import dummy_observations
from fiscalcliff.model.spec import load_prior_file

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = LagLayout(n_endogenous=3, n_exogenous=1, lags=2, constant=True)
PRESAMPLE = np.array([[2.0, 0.0, 5.0], [4.0, 0.0, 7.0]])  # means 3, 0, 6


def _expected_row(i: int, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """Doan-Litterman-Sims: y = x = y0_i / mu on variable i in every lag, nothing else."""
    y0 = PRESAMPLE.mean(axis=0)[i]
    y = np.zeros(3)
    y[i] = y0 / mu
    x = np.zeros(LAYOUT.n_regressors)  # constant, lag 1 (3), lag 2 (3), exogenous
    x[1 + i] = x[4 + i] = y0 / mu
    return y, x


def test_every_variable_with_a_nonzero_presample_mean_gets_a_row():
    yd, xd = dummy_observations(
        LAYOUT, PRESAMPLE, np.zeros(1), sum_of_coefficients=0.5, single_unit_root=None
    )
    assert yd.shape == (2, 3) and xd.shape == (2, LAYOUT.n_regressors)  # variable 1: mean 0
    for row, i in enumerate((0, 2)):
        y, x = _expected_row(i, 0.5)
        np.testing.assert_array_equal(yd[row], y)
        np.testing.assert_array_equal(xd[row], x)


def test_chosen_variables_only():
    yd, xd = dummy_observations(
        LAYOUT,
        PRESAMPLE,
        np.zeros(1),
        sum_of_coefficients=2.0,
        single_unit_root=None,
        soc_variables=np.array([2]),
    )
    y, x = _expected_row(2, 2.0)
    np.testing.assert_array_equal(yd, y[None])
    np.testing.assert_array_equal(xd, x[None])


def _prior_with(tmp_path, soc: str) -> Path:
    text = (ROOT / "priors" / "default.yaml").read_text(encoding="utf-8")
    assert text.count("  sum_of_coefficients: null\n") == 1
    path = tmp_path / "soc.yaml"
    path.write_text(
        text.replace("  sum_of_coefficients: null\n", f"  sum_of_coefficients: {soc}\n")
    )
    return path


def test_prior_file_names_the_chosen_variables(tmp_path):
    soc = "{value: 1.0, mode: 1.0, sd: 1.0, estimate: false, variables: [yield_10y, tga]}"
    spec = load_prior_file(_prior_with(tmp_path, soc))
    assert spec.prior.sum_of_coefficients.variables == ("yield_10y", "tga")


def test_a_variable_that_is_not_endogenous_is_a_config_error(tmp_path):
    soc = "{value: 1.0, mode: 1.0, sd: 1.0, estimate: false, variables: [yield_10y, reserves]}"
    with pytest.raises(ConfigError) as info:
        load_prior_file(_prior_with(tmp_path, soc))
    message = str(info.value)
    assert "sum_of_coefficients.variables: 'reserves' is not endogenous" in message
    assert "soc.yaml" in message


def test_the_fit_adds_rows_for_the_chosen_variables_only(tmp_path):
    from fiscalcliff.model.fit import fit_arrays

    soc = "{value: 1.0, mode: 1.0, sd: 1.0, estimate: false, variables: [yield_10y]}"
    spec = load_prior_file(_prior_with(tmp_path, soc))
    rng = np.random.default_rng(0)
    k, n_exog = len(spec.model.endogenous), len(spec.model.exogenous)
    endog = 3.0 + rng.standard_normal((80, k)).cumsum(axis=0) * 0.1
    problem, _, _, _ = fit_arrays(spec, endog, rng.standard_normal((80, n_exog)), check_exact=False)
    yd, _ = problem.dummies({"tightness": 0.2, "sum_of_coefficients": 1.0})
    column = spec.model.endogenous.index("yield_10y")
    assert yd.shape == (1, k)
    assert yd[0, column] == pytest.approx(endog[: spec.model.lags, column].mean())
    assert np.count_nonzero(yd) == 1
