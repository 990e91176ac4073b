"""Accounting identities evaluated in every draw, e.g. ``reserves: fed_assets - tga - rrp``.

An identity is an affine combination of endogenous variables (``+``, ``-``, numbers, names and
parentheses, parsed by :class:`fiscalcliff.data.formula.Formula`).  Being affine, it is a fixed
weight vector plus a constant: it holds exactly in every draw and stays linear under
conditioning, so a condition on ``reserves`` is a linear condition on the model's variables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fiscalcliff.data.formula import Formula, FormulaError
from fiscalcliff.errors import ConfigError


@dataclass(frozen=True)
class Identity:
    """``target = constant + sum_j weights[j] * y_j`` over the endogenous variables."""

    target: str
    expression: str
    weights: np.ndarray
    constant: float = 0.0

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Evaluate on an array whose last axis runs over the endogenous variables."""
        return values @ self.weights + self.constant


def parse_identity(target: str, expression: str, variables: Sequence[str]) -> Identity:
    """Parse an identity into weights over ``variables``.

    Raises
    ------
    ConfigError
        If the expression cannot be parsed, names a variable that is not endogenous, or is not
        linear in the variables.
    """
    try:
        formula = Formula.parse(expression)
    except FormulaError as exc:
        raise ConfigError(f"identities.{target}: {exc}") from None
    unknown = [n for n in formula.names if n not in variables]
    if unknown:
        raise ConfigError(
            f"identities.{target}: {', '.join(repr(n) for n in unknown)} not endogenous "
            f"(endogenous: {', '.join(variables)})"
        )
    if not formula.is_linear:
        raise ConfigError(
            f"identities.{target}: {expression!r} is not linear; an identity adds and subtracts "
            "variables, each times a number (products or quotients of variables are not allowed)"
        )
    k = len(variables)
    basis = np.eye(k)
    constant = float(formula.evaluate(dict.fromkeys(variables, 0.0)))
    weights = np.array(
        [
            float(formula.evaluate(dict(zip(variables, basis[j], strict=True)))) - constant
            for j in range(k)
        ]
    )
    return Identity(target=target, expression=expression, weights=weights, constant=constant)


def parse_identities(spec: Mapping[str, str], variables: Sequence[str]) -> tuple[Identity, ...]:
    """Parse every identity of a prior file."""
    return tuple(parse_identity(t, e, variables) for t, e in spec.items())
