"""Structural identification: the impact matrix of named shocks, per posterior draw.

A VAR-X draw's reduced-form innovations are ``u_t = A e_t`` with ``A A' = Sigma`` and ``e_t``
standard normal, one entry per structural shock. The prior file's ``identification.recursive``
names the shocks in causal order (:class:`~fiscalcliff.model.spec.IdentificationSpec`); ``A`` is
the lower Cholesky factor of ``Sigma`` with the variables in that order, rows put back in the
order of ``model.endogenous``. Shock ``j`` then has a zero impact on the variables of shocks
``0..j-1``, in every draw. The columns of ``A`` are in shock order; forecasting code uses ``A``
as the shock loading (``sigma_root``), so "only these shocks adjust" names structural shocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Identification:
    """Named shocks of a model and how their impact matrix is built.

    Attributes
    ----------
    shocks : tuple of str
        Shock names, in causal order (the columns of :meth:`impact`).
    variables : tuple of str
        The variable each shock is ordered at (same order).
    endogenous : tuple of str
        The model's endogenous variables (the rows of :meth:`impact`).
    """

    shocks: tuple[str, ...]
    variables: tuple[str, ...]
    endogenous: tuple[str, ...]

    @classmethod
    def from_spec(cls, spec) -> Identification:
        """From a :class:`~fiscalcliff.model.spec.PriorFile` (default: endogenous order)."""
        endog = tuple(spec.model.endogenous)
        if spec.identification is None:
            return cls(shocks=endog, variables=endog, endogenous=endog)
        rec = spec.identification.recursive
        return cls(shocks=tuple(rec), variables=tuple(rec.values()), endogenous=endog)

    @property
    def scheme(self) -> str:
        """A one-line description (recorded in outputs)."""
        order = ", ".join(
            s if s == v else f"{s} ({v})" for s, v in zip(self.shocks, self.variables, strict=True)
        )
        return f"recursive: {order}"

    @property
    def order(self) -> np.ndarray:
        """Index in ``endogenous`` of each shock's variable."""
        return np.array([self.endogenous.index(v) for v in self.variables], dtype=int)

    def impact(self, sigma: np.ndarray) -> np.ndarray:
        """Impact matrices ``A`` (``A A' = Sigma``) of every draw.

        Parameters
        ----------
        sigma : ndarray, shape (..., K, K)

        Returns
        -------
        ndarray, shape (..., K, K)
            ``A[..., i, j]``: impact of a one-sd shock ``shocks[j]`` on ``endogenous[i]``.
        """
        order = self.order
        permuted = sigma[..., order[:, None], order[None, :]]
        chol = np.linalg.cholesky(permuted)
        out = np.empty_like(chol)
        out[..., order, :] = chol
        return out

    def zero_impacts(self) -> list[tuple[str, str]]:
        """``(shock, variable)`` pairs restricted to a zero impact."""
        return [(shock, self.variables[i]) for j, shock in enumerate(self.shocks) for i in range(j)]


__all__ = ["Identification"]
