"""Linear accounting identities evaluated in every draw, e.g. ``reserves: fed_assets - tga - rrp``.

Identities are kept linear on purpose: a linear identity is a fixed weight vector over the
endogenous variables, so it holds exactly in every draw and stays linear under conditioning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fiscalcliff.errors import ConfigError

_TERM = re.compile(r"\s*([+-])?\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*\*\s*)?([A-Za-z_]\w*)\s*")


@dataclass(frozen=True)
class Identity:
    """``target = sum_j weights[j] * y_j`` over the endogenous variables."""

    target: str
    expression: str
    weights: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Evaluate on an array whose last axis runs over the endogenous variables."""
        return values @ self.weights


def parse_identity(target: str, expression: str, variables: Sequence[str]) -> Identity:
    """Parse ``"a - b + 2*c"`` into weights over ``variables``.

    Raises
    ------
    ConfigError
        If the expression is not a signed sum of (optionally scaled) variable names, or names a
        variable that is not endogenous.
    """
    weights = np.zeros(len(variables))
    pos = 0
    text = expression.strip()
    if not text:
        raise ConfigError(f"identities.{target}: empty expression")
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None or match.end() == pos or (pos > 0 and match.group(1) is None):
            raise ConfigError(
                f"identities.{target}: cannot read '{text[pos:]}' in '{expression}'; write a sum "
                "of endogenous names with + and -, optionally scaled like 2*name"
            )
        sign = -1.0 if match.group(1) == "-" else 1.0
        coef = float(match.group(2)) if match.group(2) else 1.0
        name = match.group(3)
        if name not in variables:
            raise ConfigError(
                f"identities.{target}: '{name}' is not an endogenous variable "
                f"(endogenous: {', '.join(variables)})"
            )
        weights[list(variables).index(name)] += sign * coef
        pos = match.end()
    return Identity(target=target, expression=expression, weights=weights)


def parse_identities(spec: Mapping[str, str], variables: Sequence[str]) -> tuple[Identity, ...]:
    """Parse every identity of a prior file."""
    return tuple(parse_identity(t, e, variables) for t, e in spec.items())
