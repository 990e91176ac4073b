"""Structural identification: the impact matrix of named shocks, per posterior draw.

A VAR-X draw's reduced-form innovations are ``u_t = A e_t`` with ``A A' = Sigma`` and ``e_t``
standard normal, one entry per structural shock
(:class:`~fiscalcliff.model.spec.IdentificationSpec`):

- ``recursive`` names the shocks in causal order; ``A`` is the lower Cholesky factor of
  ``Sigma`` with the variables in that order, rows put back in the order of
  ``model.endogenous``. Shock ``j`` then has a zero impact on the variables of shocks
  ``0..j-1``, in every draw.
- ``signs``: ``A = chol(Sigma) Q`` with ``Q`` drawn uniformly (Haar: QR of a Gaussian matrix,
  ``diag(R) > 0``) and kept when every sign restriction holds, a restricted column flipping sign
  if that makes all its restrictions hold (Rubio-Ramirez, Waggoner & Zha 2010, Algorithm 2). With
  sign restrictions only, the kept draws are exact draws from the posterior under the uniform
  prior on ``Q`` (Arias, Rubio-Ramirez & Waggoner 2018: no importance weights are needed without
  zero restrictions).
- ``signs`` with zero restrictions (``series: 0``, at impact or chosen horizons): the columns of
  ``Q`` are drawn on the null space of their zeros (ARRW Algorithm 2), sign restrictions are
  checked as above, and the kept draws carry ARRW's importance weights, see
  :mod:`fiscalcliff.model.zero_sign`. :meth:`Identification.draw` returns them; the results
  classes resample ``(B, Sigma, A)`` by them (:func:`resampled_impact`).

The columns of ``A`` are in shock order; forecasting code uses ``A`` as the shock loading
(``sigma_root``), so "only these shocks adjust" names structural shocks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


class ImportanceWeightWarning(RuntimeWarning):
    """Few effective draws after importance resampling (zero restrictions)."""


#: effective share of draws below which a resampled sample is flagged
MIN_ESS_SHARE = 0.1


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
    #: sign restrictions: (shock index, series weights (K,), horizons, +1/-1, label) per row
    signs: tuple = ()
    #: zero restrictions: (shock index, series weights (K,), horizon, label, series) per row
    zeros: tuple = ()
    max_tries: int = 2000

    @classmethod
    def from_spec(cls, spec) -> Identification:
        """From a :class:`~fiscalcliff.model.spec.PriorFile` (default: endogenous order)."""
        endog = tuple(spec.model.endogenous)
        if spec.identification is None:
            return cls(shocks=endog, variables=endog, endogenous=endog)
        if spec.identification.signs is None:
            rec = spec.identification.recursive
            return cls(shocks=tuple(rec), variables=tuple(rec.values()), endogenous=endog)
        from fiscalcliff.model.identities import parse_identities

        sign = spec.identification.signs
        shocks = (*sign.restrictions, *sign.unrestricted)
        idents = {
            i.target: i.weights
            for i in parse_identities(spec.identities, spec.model.endogenous, spec.model.exogenous)
        }
        rows, zeros = [], []
        for shock, rules in sign.rules().items():
            for series, rule in rules.items():
                w = idents.get(series)
                if w is None:
                    w = np.eye(len(endog))[endog.index(series)]
                label = f"{shock} -> {series} {rule.sign} at {list(rule.horizons)}"
                if rule.sign == "0":
                    zeros += [(shocks.index(shock), w, h, label, series) for h in rule.horizons]
                    continue
                rows.append(
                    (shocks.index(shock), w, rule.horizons, 1 if rule.sign == "+" else -1, label)
                )
        return cls(
            shocks=shocks,
            variables=(),
            endogenous=endog,
            signs=tuple(rows),
            zeros=tuple(zeros),
            max_tries=sign.max_tries,
        )

    @property
    def scheme(self) -> str:
        """A one-line description (recorded in outputs)."""
        if self.signs or self.zeros:
            labels = [row[4] for row in self.signs]
            labels += list(dict.fromkeys(row[3] for row in self.zeros))
            kind = "zero and sign restrictions" if self.zeros else "sign restrictions"
            return f"{kind}: {'; '.join(labels)}; shocks {', '.join(self.shocks)}"
        order = ", ".join(
            s if s == v else f"{s} ({v})" for s, v in zip(self.shocks, self.variables, strict=True)
        )
        return f"recursive: {order}"

    @property
    def order(self) -> np.ndarray:
        """Index in ``endogenous`` of each shock's variable."""
        return np.array([self.endogenous.index(v) for v in self.variables], dtype=int)

    def impact(
        self,
        sigma: np.ndarray,
        *,
        b: np.ndarray | None = None,
        layout=None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Impact matrices ``A`` (``A A' = Sigma``) of every draw.

        Parameters
        ----------
        sigma : ndarray, shape (..., K, K)
        b : ndarray, shape (n, M, K), optional
            Coefficient draws (sign restrictions beyond impact need them).
        layout : LagLayout, optional
        rng : numpy.random.Generator, optional
            Rotations for sign restrictions (recursive schemes ignore it).

        Returns
        -------
        ndarray, shape (..., K, K)
            ``A[..., i, j]``: impact of a one-sd shock ``shocks[j]`` on ``endogenous[i]``.

        Raises
        ------
        fiscalcliff.errors.InputError
            Sign restrictions that no rotation met within ``max_tries`` for some draw.
        ValueError
            Zero restrictions of a ``signs`` scheme: their draws need importance weights, use
            :meth:`draw`.
        """
        if self.zeros:
            raise ValueError("zero restrictions need importance weights: use Identification.draw")
        return self.draw(sigma, b=b, layout=layout, rng=rng)[0]

    def draw(
        self,
        sigma: np.ndarray,
        *,
        b: np.ndarray | None = None,
        layout=None,
        rng: np.random.Generator | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Impact matrices of every draw and their log importance weights.

        Parameters are those of :meth:`impact`. The weights (ARRW 2018, up to a constant) are
        ``None`` unless the scheme has zero restrictions; :func:`resampled_impact` resamples by
        them.

        Returns
        -------
        impact : ndarray, shape (n, K, K)
        log_weights : ndarray, shape (n,), or None
        """
        if self.signs or self.zeros:
            return self._sign_impact(sigma, b, layout, np.random.default_rng(rng))
        order = self.order
        permuted = sigma[..., order[:, None], order[None, :]]
        chol = np.linalg.cholesky(permuted)
        out = np.empty_like(chol)
        out[..., order, :] = chol
        return out, None

    def _sign_impact(self, sigma, b, layout, rng):
        from fiscalcliff.model import zero_sign

        n, k = sigma.shape[0], sigma.shape[-1]
        chol = np.linalg.cholesky(sigma)
        zeros = tuple((j, w, h) for j, w, h, _, _ in self.zeros)
        top = max([h for row in self.signs for h in row[2]] + [h for _, _, h in zeros])
        if top > 0:
            if b is None or layout is None:
                raise ValueError("sign restrictions beyond impact need the coefficient draws")
            from fiscalcliff.model.dynamics import impulse_responses

            psi = impulse_responses(b, layout, top + 1)  # (n, H, K, K)
        else:
            psi = np.broadcast_to(np.eye(k), (n, 1, k, k))
        out = np.empty_like(chol)
        pending = np.arange(n)
        for _ in range(self.max_tries):
            if not pending.size:
                break
            psi_p = psi[pending]
            if zeros:
                psi_h = [psi_p[:, h] for h in range(top + 1)]
                q = zero_sign.draw_rotations(zeros, psi_h, chol[pending], rng)
            else:
                x = rng.standard_normal((pending.size, k, k))
                q, r = np.linalg.qr(x)
                q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
            a = chol[pending] @ q
            ok = np.ones(pending.size, bool)
            for j in sorted({row[0] for row in self.signs}):
                rules = [row for row in self.signs if row[0] == j]
                # signed responses of every restricted series and horizon of this shock
                resp = np.concatenate(
                    [
                        s * np.einsum("k,nhkl,nl->nh", w, psi_p[:, list(hs)], a[:, :, j])
                        for _, w, hs, s, _ in rules
                    ],
                    axis=1,
                )
                plus, minus = (resp > 0).all(axis=1), (resp < 0).all(axis=1)
                a[minus, :, j] *= -1.0
                ok &= plus | minus
            out[pending[ok]] = a[ok]
            pending = pending[~ok]
        if pending.size:
            from fiscalcliff.errors import InputError

            raise InputError(
                f"identification.signs: no rotation met every sign restriction in "
                f"{self.max_tries} tries for {pending.size} of {n} draws "
                f"({'; '.join(row[4] for row in self.signs)}); relax the restrictions or raise "
                "identification.signs.max_tries"
            )
        if not zeros:
            return out, None
        lags, start = (layout.lags, layout.lag_slice.start) if layout is not None else (0, 0)
        return out, zero_sign.log_weights(out, b, zeros, lags=lags, lag_start=start)

    def zero_impacts(self) -> list[tuple[str, str]]:
        """``(shock, series)`` pairs restricted to a zero impact (horizon 0)."""
        if self.signs or self.zeros:
            return [(self.shocks[j], series) for j, _, h, _, series in self.zeros if h == 0]
        return [(shock, self.variables[i]) for j, shock in enumerate(self.shocks) for i in range(j)]


def resampled_impact(
    identification: Identification,
    b: np.ndarray,
    sigma: np.ndarray,
    *,
    layout=None,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Impact matrices of draws ``(b, sigma)`` and the draws to keep.

    Returns
    -------
    impact : ndarray, shape (n, K, K)
        One per draw given (not yet resampled).
    picks : ndarray of int, shape (n,), or None
        For schemes with zero restrictions: the importance resample (multinomial, by ARRW's
        weights) that the caller must take the impacts, ``b``, ``sigma`` and any per-draw data
        at; ``None`` otherwise (every draw kept as is).

    Warns
    -----
    ImportanceWeightWarning
        When the weights' effective sample size is below ``MIN_ESS_SHARE`` of the draws.
    """
    from fiscalcliff.model.zero_sign import importance_resample

    rng = np.random.default_rng(rng)
    impact, log_w = identification.draw(sigma, b=b, layout=layout, rng=rng)
    if log_w is None:
        return impact, None
    picks, ess = importance_resample(log_w, rng)
    if ess < MIN_ESS_SHARE * len(log_w):
        warnings.warn(
            f"zero restrictions: the importance weights leave an effective {ess:.0f} of "
            f"{len(log_w)} draws; results rest on few distinct draws (draw more)",
            ImportanceWeightWarning,
            stacklevel=3,
        )
    return impact, picks


__all__ = ["Identification", "ImportanceWeightWarning", "resampled_impact"]
