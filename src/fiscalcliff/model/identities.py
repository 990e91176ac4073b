"""Accounting identities evaluated in every draw, e.g. ``reserves: fed_assets - tga - rrp``.

An identity is an affine combination of model variables (``+``, ``-``, numbers times names,
names and parentheses, parsed by :class:`fiscalcliff.data.formula.Formula`): endogenous ones and,
where the model states policy as an input, exogenous ones (``fed_assets: fed_securities +
fed_other_assets``). Being affine, it is a fixed weight vector plus a constant plus the exogenous
part, which is known for every date of a forecast: it holds exactly in every draw and stays linear
under conditioning, so a condition on ``reserves`` is a linear condition on the model's variables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fiscalcliff.data.formula import Formula, FormulaError
from fiscalcliff.errors import ConfigError


@dataclass(frozen=True)
class Identity:
    """``target = constant + weights @ y + exog_weights @ x`` (y endogenous, x exogenous)."""

    target: str
    expression: str
    weights: np.ndarray
    constant: float = 0.0
    exog_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    names: tuple[str, ...] = ()

    @property
    def uses_exogenous(self) -> bool:
        """Whether an exogenous variable enters the identity."""
        return bool(np.any(self.exog_weights))

    def apply(self, values: np.ndarray, exog: np.ndarray | None = None) -> np.ndarray:
        """Evaluate on an array whose last axis runs over the endogenous variables.

        ``exog`` (last axis over the exogenous variables, leading axes broadcasting against those
        of ``values`` from the right, e.g. ``(h, n_exog)`` for ``(n, h, K)`` paths) is needed only
        when an exogenous variable enters the identity.
        """
        out = values @ self.weights + self.constant
        if self.uses_exogenous:
            if exog is None:
                raise ValueError(f"identity {self.target} needs the exogenous values")
            out = out + np.asarray(exog, dtype=float) @ self.exog_weights
        return out

    def exogenous_part(self, exog: np.ndarray) -> np.ndarray:
        """The constant plus the exogenous contribution, per row of ``exog`` (e.g. per date)."""
        exog = np.asarray(exog, dtype=float)
        if not self.uses_exogenous:
            return np.full(exog.shape[:-1], self.constant)
        return exog @ self.exog_weights + self.constant

    def on_frame(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate on a table with one column per variable used (rows with a gap dropped)."""
        sub = frame[list(self.names)].dropna()
        formula = Formula.parse(self.expression)
        values = formula.evaluate({n: sub[n].to_numpy(float) for n in self.names})
        return pd.Series(np.asarray(values, dtype=float), index=sub.index, name=self.target)


def parse_identity(
    target: str,
    expression: str,
    variables: Sequence[str],
    exogenous: Sequence[str] = (),
) -> Identity:
    """Parse an identity into weights over the endogenous ``variables`` (and ``exogenous``).

    Raises
    ------
    ConfigError
        If the expression cannot be parsed, names a variable that is not in the model, or is not
        linear in the variables.
    """
    try:
        formula = Formula.parse(expression)
    except FormulaError as exc:
        raise ConfigError(f"identities.{target}: {exc}") from None
    known = [*variables, *exogenous]
    unknown = [n for n in formula.names if n not in known]
    if unknown:
        raise ConfigError(
            f"identities.{target}: {', '.join(repr(n) for n in unknown)} not a model variable "
            f"(endogenous: {', '.join(variables)}; exogenous: {', '.join(exogenous) or 'none'})"
        )
    if not formula.is_linear:
        raise ConfigError(
            f"identities.{target}: {expression!r} is not linear; an identity adds and subtracts "
            "variables, each times a number (products or quotients of variables are not allowed)"
        )
    basis = np.eye(len(known))
    constant = float(formula.evaluate(dict.fromkeys(known, 0.0)))
    coef = np.array(
        [
            float(formula.evaluate(dict(zip(known, basis[j], strict=True)))) - constant
            for j in range(len(known))
        ]
    )
    k = len(variables)
    return Identity(
        target=target,
        expression=expression,
        weights=coef[:k],
        constant=constant,
        exog_weights=coef[k:],
        names=tuple(formula.names),
    )


def parse_identities(
    spec: Mapping[str, str], variables: Sequence[str], exogenous: Sequence[str] = ()
) -> tuple[Identity, ...]:
    """Parse every identity of a prior file."""
    return tuple(parse_identity(t, e, variables, exogenous) for t, e in spec.items())
