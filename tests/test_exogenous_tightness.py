"""Exogenous tightness per policy input: the prior variance of each input's coefficients."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fiscalcliff.errors import ConfigError
from fiscalcliff.model.spec import load_prior_file

ROOT = Path(__file__).resolve().parents[1]


def _prior_with(tmp_path: Path, value: str) -> Path:
    text = (ROOT / "priors" / "censored-3-lags.yaml").read_text()  # every input at 1
    assert "    exogenous_tightness: 1.0\n" in text
    path = tmp_path / "exo.yaml"
    path.write_text(
        text.replace("    exogenous_tightness: 1.0\n", f"    exogenous_tightness: {value}\n")
    )
    return path


def _problem(spec, seed=0):
    from fiscalcliff.model.fit import fit_arrays

    rng = np.random.default_rng(seed)
    k, n_exog = len(spec.model.endogenous), len(spec.model.exogenous)
    endog = 3.0 + rng.standard_normal((80, k)).cumsum(axis=0) * 0.1
    exog = rng.standard_normal((80, n_exog)) * np.arange(1, n_exog + 1)
    problem, _, _, _ = fit_arrays(spec, endog, exog, check_exact=False)
    return problem, exog


def test_each_listed_input_gets_its_own_prior_variance(tmp_path):
    spec = load_prior_file(_prior_with(tmp_path, "{tariff_rate: 0.25, bill_share: 0.5}"))
    problem, exog = _problem(spec)
    omega = problem.minnesota_prior({"tightness": 0.2}).omega[problem.layout.exog_slice]
    # Minnesota: (lambda * exogenous_tightness_x)^2 * (d - K - 1) / s_x^2 with d = K + 2, s_x the
    # standard deviation of x over the estimation rows (after the lags)
    s_x = exog[spec.model.lags :].std(axis=0, ddof=1)
    factor = {"tariff_rate": 0.25, "bill_share": 0.5}
    want = [
        (0.2 * factor.get(v, 1.0)) ** 2 / s**2
        for v, s in zip(spec.model.exogenous, s_x, strict=True)
    ]
    np.testing.assert_allclose(omega, want, rtol=1e-12)


def test_a_mapping_giving_every_input_one_value_equals_that_scalar(tmp_path):
    scalar = load_prior_file(_prior_with(tmp_path, "0.3"))
    names = ", ".join(f"{v}: 0.3" for v in scalar.model.exogenous)
    (tmp_path / "m").mkdir()
    mapping = load_prior_file(_prior_with(tmp_path / "m", "{" + names + "}"))
    a = _problem(scalar)[0].minnesota_prior({"tightness": 0.2}).omega
    b = _problem(mapping)[0].minnesota_prior({"tightness": 0.2}).omega
    np.testing.assert_array_equal(a, b)


def test_a_name_that_is_not_an_exogenous_variable_is_refused_with_the_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_prior_file(_prior_with(tmp_path, "{tariff_rate: 0.25, tga: 0.5}"))
    message = str(info.value)
    assert "exogenous_tightness: 'tga' is not exogenous" in message
    assert "fed_treasuries" in message and "exo.yaml" in message


@pytest.mark.parametrize("value", ["0", "-1", "1e5", "lots"])
def test_a_bad_value_for_one_input_is_refused_with_the_file_and_field(tmp_path, value):
    with pytest.raises(ConfigError) as info:
        load_prior_file(_prior_with(tmp_path, "{tariff_rate: " + value + "}"))
    message = str(info.value)
    assert "exo.yaml" in message and "exogenous_tightness" in message
