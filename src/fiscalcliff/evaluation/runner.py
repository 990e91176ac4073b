"""Rolling-origin backtests: every model re-estimated at every origin, scored against what happened.

One task per (model, origin), run in this process (``serial=True``), on a local Dask
``distributed`` cluster sized to the machine (the default), or on an existing cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError
from fiscalcliff.evaluation.origins import month_after, parse_origins
from fiscalcliff.evaluation.scores import QUANTILES, SCORE_FIELDS
from fiscalcliff.evaluation.tasks import BENCHMARKS, Task, TaskResult, run_task

#: seconds to wait for a named Dask scheduler before giving up
CONNECT_TIMEOUT = 10
#: environment variable naming a Dask scheduler to run on (like ``--scheduler``)
SCHEDULER_ENV = "FISCALCLIFF_DASK_SCHEDULER"
#: the shipped plain Minnesota BVAR, relative to the repository root
MINNESOTA_PRIOR = Path(__file__).resolve().parents[3] / "priors" / "minnesota.yaml"


def realised_values(names: Sequence[str], source) -> pd.DataFrame:
    """Monthly values of each series to its own last month (what happened), one column each."""
    from fiscalcliff.data import load_panel

    cols = {}
    for name in dict.fromkeys(names):
        cols[name] = load_panel([name], source=source).frame[name]
    return pd.DataFrame(cols)


def _model_list(priors: Sequence[str | os.PathLike], benchmarks: Sequence[str]):
    from fiscalcliff.model.spec import load_prior_file

    if not priors:
        raise InputError("backtest needs at least one prior file (--priors FILE)")
    unknown = [b for b in benchmarks if b not in BENCHMARKS]
    if unknown:
        raise InputError(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    specs = [load_prior_file(p) for p in priors]
    models = []
    for path, spec in zip(priors, specs, strict=True):
        models.append((Path(path).stem, "bvar", spec))
    reference = specs[0]
    for name in benchmarks:
        if name == "minnesota":
            if not MINNESOTA_PRIOR.is_file():
                raise InputError(
                    f"benchmark 'minnesota' needs {MINNESOTA_PRIOR} (priors/minnesota.yaml of "
                    "the repository, next to an editable install); pass it as --priors instead"
                )
            models.append(("minnesota", "bvar", load_prior_file(MINNESOTA_PRIOR)))
        else:
            models.append((name, name, reference))
    labels = [m[0] for m in models]
    dups = sorted({x for x in labels if labels.count(x) > 1})
    if dups:
        raise InputError(f"two models would be labelled {', '.join(dups)}; rename a prior file")
    return models, reference


def _check_origins(origins: Sequence[str], models, actual: pd.DataFrame) -> None:
    """Every model needs data for all its series up to the latest origin."""
    latest = origins[-1]
    for label, _, spec in models:
        names = [*spec.model.endogenous, *spec.model.exogenous]
        last = {n: f"{actual[n].last_valid_index():%Y-%m}" for n in names}
        short = sorted((m, n) for n, m in last.items() if m < latest)
        if short:
            month, name = short[0]
            raise InputError(
                f"origin {latest}: model '{label}' has no data for {name} after {month}; "
                f"the latest origin it can use is {month}"
            )


def _variables(spec) -> tuple[str, ...]:
    return tuple(spec.model.endogenous) + tuple(spec.identities)


def build_tasks(
    priors: Sequence[str | os.PathLike],
    *,
    benchmarks: Sequence[str] = ("rw", "ols", "minnesota"),
    origins: str | Sequence[str] = "2022-06:2025-11",
    horizons: int = 12,
    draws: int = 2000,
    seed: int = 0,
    condition_on: Sequence[str] = (),
    treasury_cash: float | None = None,
    stability: str = "report",
    source=None,
) -> tuple[list[Task], dict]:
    """The task list of a backtest and the settings it records (see :func:`backtest`)."""
    from fiscalcliff.data import default_source
    from fiscalcliff.forecasting.core import check_draws_seed
    from fiscalcliff.model.identities import parse_identities

    check_draws_seed(draws, seed)
    treasury_cash = check_treasury_cash(treasury_cash)
    if stability not in ("report", "filter"):
        raise InputError(f"stability must be 'report' or 'filter' (got {stability!r})")
    if isinstance(horizons, bool) or not isinstance(horizons, int) or not 1 <= horizons <= 60:
        raise InputError(f"horizons must be a whole number of months from 1 to 60 (got {horizons})")
    origin_list = parse_origins(origins) if isinstance(origins, str) else list(origins)
    source = source or default_source()
    models, reference = _model_list(priors, benchmarks)
    variables = _variables(reference)
    condition_on = tuple(dict.fromkeys(condition_on))
    known = set(variables)
    for _, _, spec in models:
        known |= set(spec.model.exogenous) | set(spec.model.endogenous)
    unknown = [c for c in condition_on if c not in known]
    if unknown:
        raise InputError(
            f"--condition-on {', '.join(unknown)}: not a variable of any model "
            f"(known: {', '.join(sorted(known))})"
        )
    endog = list(reference.model.endogenous)
    model_vars = [v for _, _, s in models for v in (*s.model.endogenous, *s.model.exogenous)]
    needed = list(
        dict.fromkeys(
            endog + model_vars + [c for c in condition_on if c not in reference.identities]
        )
    )
    actual = realised_values(needed, source)
    _check_origins(origin_list, models, actual)
    idents = parse_identities(reference.identities, endog, reference.model.exogenous)
    for ident in idents:
        actual[ident.target] = ident.on_frame(actual).reindex(actual.index)
    tasks = []
    for origin in origin_list:
        dates = pd.date_range(f"{month_after(origin)}-01", periods=horizons, freq="MS")
        future = actual.reindex(dates)
        observed = future[list(variables)].to_numpy(float)
        h = horizons
        condition = {}
        if condition_on:
            known_months = future[list(condition_on)].notna().all(axis=1).to_numpy()
            h = int(np.argmin(known_months)) if not known_months.all() else horizons
            if h == 0:
                raise InputError(
                    f"origin {origin}: no realised values of {', '.join(condition_on)} after it "
                    "to condition on; end the origins earlier"
                )
            condition = {c: future[c].to_numpy(float)[:h] for c in condition_on}
        for label, kind, spec in models:
            tasks.append(
                Task(
                    model=label,
                    kind=kind,
                    spec=spec,
                    origin=origin,
                    horizons=h,
                    draws=draws,
                    seed=seed,
                    source=source,
                    variables=variables,
                    observed=observed[:h],
                    condition=dict(condition) if kind != "rw" else {},
                    treasury_cash=treasury_cash if kind != "rw" else None,
                    stability=stability,
                )
            )
    settings = {
        "models": [m[0] for m in models],
        "model_kinds": {m[0]: m[1] for m in models},
        "prior_files": {m[0]: m[2].source or "" for m in models},
        "prior_sha256": {m[0]: m[2].source_sha256 or "" for m in models},
        "benchmarks": {b: BENCHMARKS[b] for b in benchmarks},
        "origins": origin_list,
        "horizons": horizons,
        "draws": draws,
        "seed": seed,
        "condition_on": list(condition_on),
        # announced: policy inputs a prior file marks `announced` follow the policy announced by the
        # origin; other exogenous inputs are held at their last value
        "mode": "realised" if condition_on else "announced",
        # Treasury's announced end-of-quarter cash balances as soft TGA conditions (sd, $bn)
        "treasury_cash": "off" if treasury_cash is None else f"sd {treasury_cash:g}",
        # filter: BVAR forecasts from stable posterior draws; explosive_share is then the share
        # of all draws made that were explosive
        "stability": stability,
        "variables": list(variables),
        "data_source": source.describe(),
        "data_last_dates": {c: f"{actual[c].last_valid_index():%Y-%m}" for c in actual},
        "vintage": "final (today's data truncated at each origin), not real-time vintages",
    }
    return tasks, settings


def check_treasury_cash(sd, name: str = "treasury_cash") -> float | None:
    """``None``, or a positive finite standard deviation in $bn; errors call it ``name``."""
    if sd is None:
        return None
    if isinstance(sd, bool) or not isinstance(sd, int | float) or not 0 < sd <= 1e5:
        raise InputError(
            f"{name} must be a standard deviation in $bn above 0 and at most 100000, "
            f"e.g. 100 (got {sd!r})"
        )
    return float(sd)


def run_tasks(
    tasks: Sequence[Task],
    *,
    serial: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    """Run tasks in this process or on Dask; results in task order.

    ``scheduler`` (or ``$FISCALCLIFF_DASK_SCHEDULER``) is the address of an existing Dask
    scheduler whose workers have fiscalcliff installed and can read the data source; without it
    a local cluster of ``workers`` processes (default: the CPU count), one thread each, is started
    and shut down.
    """
    if serial:
        out = []
        for t in tasks:
            out.append(run_task(t))
            if on_result:
                on_result(out[-1])
        return out
    from distributed import Client, LocalCluster, as_completed

    named = "--scheduler" if scheduler else f"${SCHEDULER_ENV}"
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError, TimeoutError) as exc:
            raise InputError(
                f"{named} {scheduler!r}: cannot connect to a Dask scheduler there ({exc}); give "
                "the address of a running scheduler, e.g. tcp://HOST:8786, or leave it unset to "
                "start a local cluster"
            ) from None
    else:
        import logging

        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        futures = client.map(run_task, list(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[TaskResult | None] = [None] * len(futures)
        for fut in as_completed(futures):
            res = fut.result()
            out[index[fut.key]] = res
            if on_result:
                on_result(res)
        return out  # type: ignore[return-value]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def assemble(tasks: Sequence[Task], results: Sequence[TaskResult], settings: dict):
    """The backtest Dataset: scores with dims (model, origin, variable, horizon)."""
    import xarray as xr

    from fiscalcliff.provenance import provenance_attrs

    models, origins = settings["models"], settings["origins"]
    variables, horizons = settings["variables"], settings["horizons"]
    shape = (len(models), len(origins), len(variables), horizons)
    arrays = {name: np.full(shape, np.nan) for name in SCORE_FIELDS}
    quant = np.full((*shape, len(QUANTILES)), np.nan)
    explosive = np.full(shape[:2], np.nan)
    seconds = np.full(shape[:2], np.nan)
    notes, hyper = {}, {}
    for r in results:
        i, j = models.index(r.model), origins.index(r.origin)
        h = r.quantiles.shape[0]
        for name in SCORE_FIELDS:
            arrays[name][i, j, :, :h] = r.scores[name].T
        quant[i, j, :, :h] = np.moveaxis(r.quantiles, 1, 2).transpose(1, 0, 2)
        explosive[i, j], seconds[i, j] = r.explosive_share, r.seconds
        notes.setdefault(r.model, sorted(set(r.notes)))
        if r.hyperparameters:
            hyper.setdefault(r.model, {})[r.origin] = r.hyperparameters
    dims4 = ("model", "origin", "variable", "horizon")
    ds = xr.Dataset(
        {name: (dims4, arr) for name, arr in arrays.items()}
        | {
            "quantiles": ((*dims4, "quantile"), quant),
            "explosive_share": (("model", "origin"), explosive),
            "seconds": (("model", "origin"), seconds),
        },
        coords={
            "model": models,
            "origin": origins,
            "variable": variables,
            "horizon": np.arange(1, horizons + 1),
            "quantile": list(QUANTILES),
        },
    )
    observed = np.full((len(origins), len(variables), horizons), np.nan)
    for t in tasks:
        observed[origins.index(t.origin), :, : t.horizons] = t.observed.T
    ds["observed"] = (("origin", "variable", "horizon"), observed)
    ds.attrs = provenance_attrs(
        kind="backtest",
        **settings,
        notes=notes,
        hyperparameters=hyper,
        scores="crps: scoringrules.crps_ensemble; log_score: scoringrules.logs_ensemble "
        "(Gaussian KDE, Silverman bandwidth; lower is better); pit; cover50/cover90: in the "
        "central band; bias and abs_error of the median",
    )
    return ds


def backtest(
    priors: Sequence[str | os.PathLike],
    *,
    benchmarks: Sequence[str] = ("rw", "ols", "minnesota"),
    origins: str | Sequence[str] = "2022-06:2025-11",
    horizons: int = 12,
    draws: int = 2000,
    seed: int = 0,
    condition_on: Sequence[str] = (),
    treasury_cash: float | None = None,
    stability: str = "report",
    source=None,
    serial: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
):
    """Rolling-origin backtest of prior files against built-in benchmarks.

    Every model is re-estimated at every origin on data cut at that origin (every series,
    exogenous ones included; hyperparameters re-estimated) and forecasts ``horizons`` months.

    Parameters
    ----------
    priors : sequence of path
        Prior files to evaluate; the first is the reference whose variables (endogenous and
        identities) are scored and whose variables, lags and sample ``rw`` and ``ols`` use.
    benchmarks : sequence of {"rw", "ols", "minnesota"}
        ``rw``: no-change forecast, ensemble = last value + every h-month change from the
        sample start to the origin. ``ols``: statsmodels VAR, same variables/lags/sample,
        Gaussian shocks, no parameter uncertainty. ``minnesota``: ``priors/minnesota.yaml``.
    origins : str or sequence of str
        ``"START:END"``, ``"START:END:STEP"``, a comma list, or a list of ``YYYY-MM``.
    horizons : int
        Months ahead, 1..horizons.
    draws : int
        Posterior draws (paths) per model and origin.
    seed : int
        Task seeds derive from (seed, model, origin): any subset of tasks, run anywhere,
        gives the same numbers.
    condition_on : sequence of str
        Realised-policy mode: the realised future of these variables is imposed (paths for
        exogenous variables, hard conditions for endogenous ones and identities). Horizons
        past the last month they are observed are not scored. ``rw`` is never conditioned.
    treasury_cash : float, optional
        Standard deviation ($bn) of soft conditions that put Treasury's end-of-quarter cash
        balances announced by each origin (``policy/treasury-cash-balance.yaml``) on the
        quarter-end months' TGA, delivered by the model's ``tga`` shock where it has one, as in
        the shipped baseline (``policy: {treasury_cash: {sd: 100}}``). ``None`` (default): not
        imposed. Not applied to ``rw``, nor when ``tga`` is in ``condition_on``.
    stability : {"report", "filter"}
        ``report`` (default): every posterior draw is used and the explosive share reported.
        ``filter``: the BVARs forecast from stable draws only (largest companion root at most
        one; explosive draws are discarded and redrawn), and ``explosive_share`` is the share
        of all draws made that were explosive.
    source : Source, optional
        Data source (default: ``$FISCALCLIFF_DATA_DIR`` or live FRED).
    serial, scheduler, workers
        See :func:`run_tasks`.
    on_result : callable, optional
        Called with each finished :class:`~fiscalcliff.evaluation.tasks.TaskResult`.

    Returns
    -------
    BacktestResult
    """
    from fiscalcliff.evaluation.result import BacktestResult

    tasks, settings = build_tasks(
        priors,
        benchmarks=benchmarks,
        origins=origins,
        horizons=horizons,
        draws=draws,
        seed=seed,
        condition_on=condition_on,
        treasury_cash=treasury_cash,
        stability=stability,
        source=source,
    )
    results = run_tasks(
        tasks, serial=serial, scheduler=scheduler, workers=workers, on_result=on_result
    )
    return BacktestResult(assemble(tasks, results, settings))
