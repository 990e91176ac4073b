"""Scores of an ensemble forecast against what happened, one horizon at a time.

CRPS and the log score come from ``scoringrules`` (numpy backend); the rest are plain
order statistics of the ensemble. Lower CRPS and log score are better.
"""

from __future__ import annotations

import numpy as np

#: quantiles stored for every (model, origin, variable, horizon)
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: score fields, each an array over (variable,) per horizon
SCORE_FIELDS = ("crps", "log_score", "pit", "cover50", "cover90", "bias", "abs_error")


def score_ensemble(ensemble: np.ndarray, observed: np.ndarray) -> dict[str, np.ndarray]:
    """Score an ensemble of one horizon for several variables.

    Parameters
    ----------
    ensemble : ndarray, shape (m, V)
        ``m`` members (posterior draws) of ``V`` variables.
    observed : ndarray, shape (V,)
        What happened; NaN where not (yet) observed — every score is then NaN.

    Returns
    -------
    dict
        ``crps`` (``scoringrules.crps_ensemble``, quantile-decomposition estimator, exact for
        the ensemble's empirical distribution); ``log_score`` (``scoringrules.logs_ensemble``:
        minus the log density of a Gaussian kernel density estimate with Silverman's
        bandwidth); ``pit`` (share of members below the observation, ties counted half);
        ``cover50`` / ``cover90`` (1.0 if the observation lies in the central 50% / 90% band
        of the ensemble, else 0.0); ``bias`` (median minus observation); ``abs_error``
        (absolute error of the median); ``quantiles`` (shape ``(len(QUANTILES), V)``).
    """
    import scoringrules as sr

    ens = np.asarray(ensemble, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if ens.ndim != 2 or obs.shape != (ens.shape[1],):
        raise ValueError(f"ensemble {ens.shape} and observed {obs.shape} do not match")
    q = np.quantile(ens, QUANTILES, axis=0)  # (Q, V)
    seen = np.isfinite(obs)
    out = {name: np.full(obs.shape, np.nan) for name in SCORE_FIELDS}
    if seen.any():
        e, o = ens[:, seen], obs[seen]
        out["crps"][seen] = sr.crps_ensemble(o, e, m_axis=0, backend="numpy")
        # density 0 far in the tails: log score inf; an ensemble with no spread (a variable
        # met exactly by a condition) has no kernel density: log score NaN
        with np.errstate(divide="ignore", invalid="ignore"):
            out["log_score"][seen] = sr.logs_ensemble(o, e, m_axis=0, backend="numpy")
        out["pit"][seen] = (e < o).mean(axis=0) + 0.5 * (e == o).mean(axis=0)
        qs = q[:, seen]
        out["cover50"][seen] = ((qs[1] <= o) & (o <= qs[3])).astype(float)
        out["cover90"][seen] = ((qs[0] <= o) & (o <= qs[4])).astype(float)
        out["bias"][seen] = qs[2] - o
        out["abs_error"][seen] = np.abs(qs[2] - o)
    out["quantiles"] = q
    return out
