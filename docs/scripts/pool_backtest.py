"""A linear prediction pool of the candidate models, scored like the backtest (issue 14, item 2).

Geweke & Amisano (2011, "Optimal prediction pools", J. Econometrics): at each origin ``t`` the
pool's weights maximise the historical log score of the mixture,

    w_t = argmax_w  sum_s log( sum_m w_m p_m(y_{s+1} | data to s) ),   w on the simplex,

over the earlier origins ``s`` whose one-month-ahead outcome is known at ``t`` (``s + 1 <= t``).
``p_m`` is the product of the model's kernel-density marginals (``scoringrules.logs_ensemble``,
as in the backtest) of the ``--weight-series`` (default: the target series but reserves, an
identity of the others, so it is not counted twice). An origin where some model's density is
not finite is left out of the weights' history: a censored model's forecast of a rate at its
floor is a point mass (all draws 0), which has no kernel density (the EFFR and the bill in
2021). The pool's forecast at ``t`` is a mixture drawn *draw by draw*: draw ``i`` of every
horizon and variable comes from the same model, chosen with probability ``w_t``, so a scenario
comparison run on the pool would stay paired. Its CRPS (``scoringrules.crps_ensemble``) is
compared with the random walk's, as in the backtest.

The models' ensembles are the backtest's own (:func:`fiscalcliff.evaluation.tasks.forecast_task`,
same seeds), so on the grid 2022-06..2025-11 each model's CRPS equals its stored full-grid run.
Origins from ``--train-start`` to 2022-05 only train the first weights.

Run from the repository root (2 cores: 18 minutes for the three models below, 54 origins)::

    FISCALCLIFF_DATA_DIR=../shared/data python docs/scripts/pool_backtest.py \
        --priors priors/default.yaml --priors priors/uncensored.yaml \
        --priors priors/censored-6-lags.yaml --out docs/backtests/pool

Writes ``skill.md`` (skill against the random walk, 1-3 / 4-6 / 7-12 months, and 90% coverage,
for the pool, an equal-weight pool and each model) and ``weights.csv`` (the weights per origin).
The ensembles are kept in ``--cache`` (not in the output), so another ``--weight-series`` is
scored in a few minutes without forecasting again.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from fiscalcliff.evaluation.summary import HORIZON_GROUPS

TARGETS = ("reserves", "tga", "rrp", "policy_rate", "bill_3m", "yield_10y")
WEIGHT_SERIES = ("tga", "rrp", "policy_rate", "bill_3m", "yield_10y")  # reserves: an identity
GRID_START = "2022-06"


def _ensemble(task):
    """One task's forecast members as float32 ``(horizons, draws, V)`` (BLAS single-threaded)."""
    from fiscalcliff.evaluation.tasks import forecast_task
    from fiscalcliff.model.mcmc.blas import single_blas_thread

    with single_blas_thread():
        ens = forecast_task(task)
    if task.kind == "rw":  # members differ in size per horizon: keep them as a list
        return [m.astype(np.float32) for m in ens.members]
    return np.stack(ens.members).astype(np.float32)


def run_ensembles(priors, origins: str, draws: int, seed: int, cache: Path):
    """Every (model, origin) ensemble of the backtest's tasks, read from ``cache`` if there."""
    from fiscalcliff.evaluation.runner import build_tasks

    tasks, settings = build_tasks(
        priors, benchmarks=("rw",), origins=origins, horizons=12, draws=draws, seed=seed
    )
    key = json.dumps(
        {
            "priors": [str(p) for p in priors],
            "origins": origins,
            "draws": draws,
            "seed": seed,
            "sha": settings.get("prior_sha256"),
        },
        sort_keys=True,
    )
    if cache.exists():
        with np.load(cache, allow_pickle=True) as z:
            if str(z["key"]) == key:
                return tasks, z["ensembles"].item()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        futures = client.map(_ensemble, tasks, pure=False)
        results = client.gather(futures)
    ensembles = {(t.model, t.origin): r for t, r in zip(tasks, results, strict=True)}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, key=key, ensembles=np.array(ensembles, dtype=object))
    return tasks, ensembles


def optimal_weights(log_dens: np.ndarray, step: float = 0.01) -> np.ndarray:
    """Weights on the simplex maximising ``sum_s log(sum_m w_m exp(log_dens[s, m]))``.

    A grid search with spacing ``step`` (exact enough for two or three models, and free of
    optimiser tolerances); equal weights when there is no history.
    """
    n, k = log_dens.shape
    if n == 0:
        return np.full(k, 1.0 / k)
    ticks = np.round(np.arange(0.0, 1.0 + step / 2, step), 10)
    grid = np.array([w for w in itertools.product(ticks, repeat=k - 1) if sum(w) <= 1 + 1e-12])
    grid = np.column_stack([grid, 1.0 - grid.sum(axis=1)])
    top = log_dens.max(axis=1, keepdims=True)  # log-sum-exp per origin
    score = np.log(np.exp(log_dens - top) @ grid.T + 1e-300).sum(axis=0)
    return grid[int(np.argmax(score))]


def pool_members(stack: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """The mixture's ensemble: draw ``i`` of every horizon and variable from model ``pick[i]``.

    Parameters
    ----------
    stack : ndarray, shape (M, H, D, V)
        Each model's ensemble (M models, H horizons, D draws, V variables).
    pick : ndarray of int, shape (D,)
        The model of each draw.

    Returns
    -------
    ndarray, shape (H, D, V)
    """
    return stack[pick, :, np.arange(stack.shape[2])].transpose(1, 0, 2)


def _scores(ensembles: dict, observed: dict, names: list, grid: list, variables: list):
    """Every candidate's scores as an xarray Dataset in the backtest's layout (model, origin,
    variable, horizon), from :func:`fiscalcliff.evaluation.scores.score_ensemble`, so the
    backtest's summaries apply to it."""
    import xarray as xr

    from fiscalcliff.evaluation.scores import score_ensemble

    fields = ("crps", "cover50", "cover90")
    h, v = observed[grid[0]].shape
    out = {f: np.full((len(names), len(grid), v, h), np.nan) for f in fields}
    for i, name in enumerate(names):
        for j, o in enumerate(grid):
            for s in range(h):
                scored = score_ensemble(ensembles[(name, o)][s], observed[o][s])
                for f in fields:
                    out[f][i, j, :, s] = scored[f]
    dims = ("model", "origin", "variable", "horizon")
    coords = {"model": names, "origin": grid, "variable": variables, "horizon": np.arange(1, h + 1)}
    return xr.Dataset({f: (dims, a) for f, a in out.items()}, coords=coords)


def main() -> None:
    from fiscalcliff.evaluation.scores import score_ensemble
    from fiscalcliff.evaluation.summary import coverage_table, skill_table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--priors", action="append", required=True)
    ap.add_argument("--train-start", default="2021-06")
    ap.add_argument("--end", default="2025-11")
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--weight-series",
        default=",".join(WEIGHT_SERIES),
        help="series whose one-month log scores set the weights (comma-separated)",
    )
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/fiscalcliff-pool/ensembles.npz"))
    args = ap.parse_args()

    tasks, ens = run_ensembles(
        args.priors, f"{args.train_start}:{args.end}", args.draws, args.seed, args.cache
    )
    variables = list(tasks[0].variables)
    models = list(dict.fromkeys(t.model for t in tasks if t.kind != "rw"))
    origins = list(dict.fromkeys(t.origin for t in tasks))
    observed = {t.origin: t.observed for t in tasks}
    wcols = [variables.index(v) for v in args.weight_series.split(",")]

    # one-month-ahead log densities of every model at every origin (weights' history)
    logd = np.full((len(origins), len(models)), np.nan)
    for i, o in enumerate(origins):
        for j, m in enumerate(models):
            scored = score_ensemble(ens[(m, o)][0][:, wcols], observed[o][0, wcols])
            logd[i, j] = -np.sum(scored["log_score"])  # the log score is minus the log density
    grid = [o for o in origins if o >= GRID_START]
    rng = np.random.default_rng(args.seed)
    rows = []
    for o in grid:
        t = origins.index(o)
        w = optimal_weights(logd[:t][np.isfinite(logd[:t]).all(axis=1)])  # s + 1 <= t
        rows.append({"origin": o, **{m: w[j] for j, m in enumerate(models)}})
        pick = rng.choice(len(models), size=args.draws, p=w)  # one model per draw, all horizons
        eq = np.arange(args.draws) % len(models)  # equal weights, same pairing rule
        stack = np.stack([ens[(m, o)] for m in models])  # (M, H, D, V)
        ens[("pool", o)] = pool_members(stack, pick)
        ens[("equal", o)] = pool_members(stack, eq)

    names = ["pool", "equal", *models]
    ds = _scores(ens, observed, [*names, "rw"], grid, variables)
    skill, cover = skill_table(ds), coverage_table(ds)
    lines = ["| series | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for v in TARGETS:
        cells = []
        for name in names:
            sk = " / ".join(
                f"{skill.loc[(name, v), g]:+.2f}".replace("-", "−") for g in HORIZON_GROUPS
            )
            cells.append(f"{sk} ({cover.loc[(name, v), 'cover90 all']:.0%})")
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    weights = pd.DataFrame(rows).set_index("origin")
    args.out.mkdir(parents=True, exist_ok=True)
    weights.round(2).to_csv(args.out / "weights.csv")
    text = "\n".join(lines) + "\n"
    summary = weights.describe().loc[["mean", "min", "max"]].round(2)
    text += "\nPool weights over the grid's origins:\n\n" + summary.to_markdown() + "\n"
    (args.out / "skill.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
