"""multigammaln without scipy, against scipy.special.multigammaln."""

from __future__ import annotations

import math

import pytest
from scipy import special

from fiscalcliff.model.gamma import multigammaln


@pytest.mark.parametrize("d", [1, 2, 3, 10, 27])
@pytest.mark.parametrize("offset", [1e-6, 0.3, 1.0, 17.5, 250.0])
def test_multigammaln_matches_scipy(d, offset):
    a = 0.5 * (d - 1) + offset
    assert multigammaln(a, d) == pytest.approx(special.multigammaln(a, d), rel=1e-13, abs=1e-12)


def test_multigammaln_of_dimension_one_is_lgamma():
    assert multigammaln(4.25, 1) == math.lgamma(4.25)


@pytest.mark.parametrize(("a", "d"), [(1.0, 3), (0.5, 2), (2.0, 0), (2.0, 1.5)])
def test_multigammaln_rejects_arguments_outside_its_domain(a, d):
    with pytest.raises(ValueError, match="multigammaln"):
        multigammaln(a, d)
