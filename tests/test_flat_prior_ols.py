"""A near-flat conjugate prior gives statsmodels' VAR OLS coefficients (same exogenous terms)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tsa.api import VAR

from fiscalcliff.model.design import regressor_names
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.spec import PriorFile


def flat_prior(endog, exog, lags):
    return PriorFile.model_validate(
        {
            "model": {"endogenous": endog, "exogenous": exog, "lags": lags},
            "prior": {
                "minnesota": {
                    "tightness": {
                        "value": 1e6,
                        "mode": 1.0,
                        "sd": 1.0,
                        "max": 1e7,
                        "estimate": False,
                    },
                    "constant_variance": 1e14,
                    "psi": dict.fromkeys(endog, 1.0),
                },
                "sum_of_coefficients": None,
                "single_unit_root": None,
            },
        }
    )


def statsmodels_params(endog, exog, lags, names_endog, names_exog):
    res = VAR(
        pd.DataFrame(endog, columns=names_endog), exog=pd.DataFrame(exog, columns=names_exog)
    ).fit(lags, trend="c")
    # statsmodels names rows 'const', exog names, 'L1.y', ...; map to ours.
    rename = {f"L{lag}.{v}": f"{v}.l{lag}" for lag in range(1, lags + 1) for v in names_endog}
    return res.params.rename(index=rename)


def test_flat_prior_equals_statsmodels_ols_on_simulated_varx():
    rng = np.random.default_rng(11)
    n, k = 300, 3
    a1 = np.array([[0.5, 0.1, 0.0], [0.0, 0.4, 0.2], [0.1, 0.0, 0.3]])
    a2 = np.array([[0.2, 0.0, 0.0], [0.1, 0.1, 0.0], [0.0, 0.0, 0.2]])
    g = np.array([[1.0, -0.5], [0.0, 0.3], [0.2, 0.0]])
    x = rng.standard_normal((n, 2)).cumsum(0) * 0.1
    y = np.zeros((n, k))
    for t in range(2, n):
        y[t] = 0.3 + a1 @ y[t - 1] + a2 @ y[t - 2] + g @ x[t] + rng.standard_normal(k)
    endog, exog = ["a", "b", "c"], ["x1", "x2"]
    _, _, post, _ = fit_arrays(flat_prior(endog, exog, 2), y, x)
    ours = pd.DataFrame(post.b_mean, index=regressor_names(endog, exog, 2), columns=endog)
    ref = statsmodels_params(y, x, 2, endog, exog).loc[ours.index, endog]
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-8)
