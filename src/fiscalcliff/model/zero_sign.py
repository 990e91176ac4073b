"""Zero and sign restrictions: rotation draws and importance weights.

Arias, Rubio-Ramirez & Waggoner (2018, Econometrica 86(2), "Inference based on structural
vector autoregressions identified with sign and zero restrictions"), Algorithms 2-3, in the
notation of the paper: the structural model ``y_t' A0 = x_t' A+ + e_t'`` has
``A0 = (L^{-1})' Q`` and ``A+ = B A0`` for a reduced-form draw ``(B, Sigma)`` with
``L = chol(Sigma)`` (lower) and ``Q`` orthogonal; our impact matrix is
``A = inv(A0)' = L Q``.

A zero restriction says that ``w' Psi_h A e_j = 0``: the horizon-``h`` response of a series
(weights ``w`` over the endogenous variables: one variable or an identity) to shock ``j``.
Given ``(B, Sigma)`` it is linear in the column ``q_j``. Shocks are visited in decreasing order
of their number of zero restrictions ``z_j`` and ``q_j`` is drawn uniformly on the unit sphere
of the null space of its restrictions and of the columns already drawn, which needs
``z_j <= K - j`` (``j = 1..K`` in that order, checked when the prior file is read).

The draws are proposals. The posterior under the uniform (Haar) prior on ``Q`` conditional on
the zero restrictions has importance weight (ARRW eq. 13 / Algorithm 3)::

    w = |det A0|^{-(2K + m + 1)} / v_{(g o f_h)|Z}(A0, A+)

where ``m`` is the number of regressors and ``v`` the volume element of the map from the
restricted structural parameters to ``(B, Sigma, w_1..w_K)`` (``w_j``: the coordinates of
``q_j`` in a basis of its null space). We compute ``v`` by central differences, reduced
exactly: the restrictions and ``w_j`` depend on ``A+`` only through the lag blocks
``1..min(h_max, p)``, the other rows enter ``B`` linearly through ``A0^{-1}``, so their block
of the Jacobian contributes exactly ``|det A0|^{-(rows)}`` (block-triangular structure) and only
the ``K^2 (1 + min(h_max, p))`` relevant coordinates are differentiated. Null-space bases are
chosen smoothly around each draw (projection of the draw's own basis), which leaves ``v``
unchanged (a fibre-wise rotation of ``w_j`` has unit volume) and makes the differences accurate
to about 1e-6 in the log weights. Without zero restrictions the weight is constant (ARRW
Theorem 2), which the tests check, as they check the weighted draws against brute-force
conditioning on a thin tube around the restrictions.

ARRW's conditioning is in the structural coordinates, so even zeros that exactly identify a
recursive system carry (mildly) unequal weights; the ``recursive`` scheme is the conventional
Cholesky identification on the reduced-form posterior instead.
"""

from __future__ import annotations

import numpy as np

#: one zero-restriction row: (shock index, series weights (K,), horizon)
ZeroRow = tuple[int, np.ndarray, int]

_CHUNK = 128  # draws per batched Jacobian


def visiting_order(zeros: tuple[ZeroRow, ...], k: int) -> list[int]:
    """Shocks in decreasing number of zero restrictions (ties: the file's order)."""
    count = [sum(1 for j, _, _ in zeros if j == s) for s in range(k)]
    return sorted(range(k), key=lambda s: -count[s])


def _psi(lag_blocks: np.ndarray, top: int) -> list[np.ndarray]:
    """``Psi_0 .. Psi_top`` from lag matrices ``(..., r, K, K)`` (lags ``1..r``)."""
    k = lag_blocks.shape[-1]
    r = lag_blocks.shape[-3]
    psi = [np.broadcast_to(np.eye(k), (*lag_blocks.shape[:-3], k, k))]
    for h in range(1, top + 1):
        psi.append(sum(lag_blocks[..., g - 1, :, :] @ psi[h - g] for g in range(1, min(h, r) + 1)))
    return psi


def _zero_rows_of(zeros, psi, root, shock) -> np.ndarray | None:
    """``w' Psi_h root`` for each zero row of ``shock``: ``(..., z, K)`` (None without)."""
    rows = [np.einsum("k,...kl->...l", w, psi[h] @ root) for j, w, h in zeros if j == shock]
    return np.stack(rows, axis=-2) if rows else None


def _constraints(zeros, psi, chol, q, done, shock) -> np.ndarray | None:
    """Rows column ``shock`` of ``Q`` must be orthogonal to: its zeros (``w' Psi_h chol``) and
    the columns ``done`` drawn before it, ``(..., rows, K)``; None when there are none."""
    blocks = []
    rows = _zero_rows_of(zeros, psi, chol, shock)
    if rows is not None:
        blocks.append(rows)
    if done:
        blocks.append(np.swapaxes(q[..., :, done], -1, -2))
    return np.concatenate(blocks, axis=-2) if blocks else None


def _null_basis(m: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space of full-row-rank ``m`` (SVD), ``(..., K, K - rows)``."""
    _, _, vh = np.linalg.svd(m, full_matrices=True)
    return np.swapaxes(vh[..., m.shape[-2] :, :], -1, -2)


def draw_rotations(
    zeros: tuple[ZeroRow, ...],
    psi: list[np.ndarray],
    chol: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Orthogonal ``Q`` per draw whose impact ``chol Q`` meets every zero restriction.

    Parameters
    ----------
    zeros : tuple of ZeroRow
    psi : list of ndarray, each (n, K, K)
        Reduced-form responses ``Psi_0 .. Psi_H`` (``H``: the largest restricted horizon).
    chol : ndarray, shape (n, K, K)
        Lower Cholesky factors of ``Sigma``.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, K, K)
    """
    n, k = chol.shape[0], chol.shape[-1]
    q = np.zeros((n, k, k))
    done: list[int] = []
    for s in visiting_order(zeros, k):
        m = _constraints(zeros, psi, chol, q, done, s)
        basis = np.broadcast_to(np.eye(k), (n, k, k)) if m is None else _null_basis(m)
        x = rng.standard_normal((n, basis.shape[-1]))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q[:, :, s] = np.einsum("nkd,nd->nk", basis, x)
        done.append(s)
    return q


class _Map:
    """``g o f_h`` and the zero restrictions as functions of the relevant structural
    coordinates ``theta = (vec A0, vec A+_R)`` (``A+_R``: rows of lags ``1..r``)."""

    def __init__(self, zeros: tuple[ZeroRow, ...], k: int, r: int):
        self.zeros, self.k, self.r = zeros, k, r
        self.order = visiting_order(zeros, k)
        self.top = max((h for _, _, h in zeros), default=0)

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.k
        a0 = theta[..., : k * k].reshape(*theta.shape[:-1], k, k)
        plus = theta[..., k * k :].reshape(*theta.shape[:-1], k * self.r, k)
        return a0, plus

    def __call__(self, theta: np.ndarray, bases: list[np.ndarray] | None):
        """``(outputs, restrictions, bases)``; ``bases`` None: compute them (at a draw)."""
        k = self.k
        a0, plus = self.split(theta)
        a0inv = np.linalg.inv(a0)
        sigma = np.swapaxes(a0inv, -1, -2) @ a0inv
        sigma = 0.5 * (sigma + np.swapaxes(sigma, -1, -2))
        chol = np.linalg.cholesky(sigma)
        q = np.swapaxes(chol, -1, -2) @ a0
        impact = np.swapaxes(a0inv, -1, -2)
        b_r = plus @ a0inv  # (..., K r, K): rows (lag, j), columns i
        blocks = np.swapaxes(b_r.reshape(*b_r.shape[:-2], self.r, k, k), -1, -2)
        psi = _psi(blocks, self.top)
        restr = [
            _zero_rows_of(self.zeros, psi, impact[..., :, [s]], s)[..., 0]
            for s in range(k)
            if any(j == s for j, _, _ in self.zeros)
        ]
        restr = np.concatenate(restr, axis=-1) if restr else np.zeros((*theta.shape[:-1], 0))
        coords, out_bases, done = [], [], []
        for i, s in enumerate(self.order):
            m = _constraints(self.zeros, psi, chol, q, done, s)
            done.append(s)
            if m is None:
                coords.append(q[..., :, s])  # basis I
                out_bases.append(None)
                continue
            if bases is None:
                basis = _null_basis(m)
            else:
                # the projection of the draw's basis on this point's null space, orthonormalised
                # (polar factor): smooth in theta and equal to the draw's basis there
                mt = np.swapaxes(m, -1, -2)
                proj = np.eye(k) - mt @ np.linalg.solve(m @ mt, m)
                raw = proj @ bases[i]
                if raw.shape[-1] == 1:
                    basis = raw / np.linalg.norm(raw, axis=-2, keepdims=True)
                else:
                    val, vec = np.linalg.eigh(np.swapaxes(raw, -1, -2) @ raw)
                    inv_sqrt = (vec / np.sqrt(val)[..., None, :]) @ np.swapaxes(vec, -1, -2)
                    basis = raw @ inv_sqrt
            out_bases.append(basis)
            coords.append(np.einsum("...kd,...k->...d", basis, q[..., :, s]))
        lead = theta.shape[:-1]
        outputs = np.concatenate(
            [sigma.reshape(*lead, k * k), b_r.reshape(*lead, -1), *coords], axis=-1
        )
        return outputs, restr, out_bases


def log_weights(
    impact: np.ndarray,
    b: np.ndarray,
    zeros: tuple[ZeroRow, ...],
    *,
    lags: int,
    lag_start: int,
) -> np.ndarray:
    """Log importance weights (up to a constant) of draws with impact matrices ``impact``.

    Parameters
    ----------
    impact : ndarray, shape (n, K, K)
        ``A = L Q`` of each draw (meeting the zero restrictions).
    b : ndarray, shape (n, M, K)
        Coefficient draws (rows: constant, lags ``1..p`` of every variable, exogenous).
    zeros : tuple of ZeroRow
    lags, lag_start : int
        ``p`` and the row of lag 1 in the coefficient layout.

    Returns
    -------
    ndarray, shape (n,)
    """
    n, k = impact.shape[0], impact.shape[-1]
    r = min(max((h for _, _, h in zeros), default=0), lags)
    a0 = np.swapaxes(np.linalg.inv(impact), 1, 2)
    plus = np.zeros((n, 0, k)) if r == 0 else b[:, lag_start : lag_start + k * r, :] @ a0
    theta = np.concatenate([a0.reshape(n, -1), plus.reshape(n, -1)], axis=1)
    fmap = _Map(zeros, k, r)
    dim = theta.shape[1]
    out = np.empty(n)
    eye = np.eye(dim)
    for start in range(0, n, _CHUNK):
        th = theta[start : start + _CHUNK]
        c = th.shape[0]
        _, _, bases = fmap(th, None)
        # central differences, step relative to each coordinate (the coordinates span many
        # orders of magnitude: $bn and percent): about 1e-6 in the log weights
        step = 1e-5 * np.maximum(np.abs(th), 1e-12 * np.abs(th).max(axis=1, keepdims=True))
        shifted = np.concatenate(
            [th[:, None, :] + step[:, :, None] * eye, th[:, None, :] - step[:, :, None] * eye],
            axis=1,
        )  # (c, 2 dim, dim)
        wide = [None if bs is None else bs[:, None] for bs in bases]
        g, z, _ = fmap(shifted, wide)
        dg = np.swapaxes((g[:, :dim] - g[:, dim:]) / (2 * step[:, :, None]), 1, 2)
        dz = np.swapaxes((z[:, :dim] - z[:, dim:]) / (2 * step[:, :, None]), 1, 2)
        if dz.shape[1]:
            dg = dg @ _null_basis(dz)  # on the tangent space
        # log sqrt(det(D'D)) from singular values (D is ill-conditioned, about 1e11)
        logvol = np.log(np.linalg.svd(dg, compute_uv=False)).sum(axis=1)
        _, logdet_a0 = np.linalg.slogdet(a0[start : start + c])
        # |det A0|^-(2K + M + 1) over the volume element, whose rows of A+ beyond lag r
        # contribute |det A0|^-(M - K r) exactly
        out[start : start + c] = -(2 * k + 1 + k * r) * logdet_a0 - logvol
    return out


def importance_resample(log_w: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Multinomial resampling by importance weights: ``(indices, effective sample size)``."""
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    return rng.choice(w.size, size=w.size, p=w), ess


__all__ = ["draw_rotations", "importance_resample", "log_weights", "visiting_order"]
