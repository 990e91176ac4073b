"""Benchmark: exact conjugate sampler vs NUTS (PyMC) — effective samples per second.

Run from the repository root (needs the real data beside it, see README):

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_samplers.py

Both samplers fit the default model (K=7, p=12, 87 regressors per equation) with the same fixed
(optimised) hyperparameters. ESS is ArviZ's bulk and tail ESS over every coefficient of ``B``
and every element of ``Sigma``; for the exact sampler (i.i.d. draws) it is close to the number
of draws. Time for the exact sampler covers fit + draws; for NUTS it covers model building,
(warm) compilation, tuning and sampling — what a user waits for. A first NUTS run compiles the
model with Numba (~20 s, cached under ~/.pytensor); ``--warmup`` (default on) runs a short NUTS
fit first so the timed run is warm.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from common import EXACT_PRIORS, load_model

from fiscalcliff.model.fit import fit
from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning, compute


def _ess(posterior) -> tuple[float, float, float]:
    """(min bulk, median bulk, min tail) ESS over B and Sigma."""
    table = compute(posterior[["B", "Sigma"]]).table
    return (
        float(table["ess_bulk"].min()),
        float(table["ess_bulk"].median()),
        float(table["ess_tail"].min()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priors", default=EXACT_PRIORS)
    parser.add_argument("--exact-draws", type=int, default=4000)
    parser.add_argument("--nuts-draws", type=int, default=1000, help="per chain")
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    args = parser.parse_args()

    spec, panel = load_model(args.priors)
    m = spec.model
    k, p = len(m.endogenous), m.lags
    print(
        f"model: K={k}, {len(m.exogenous)} exogenous, p={p}, "
        f"T={len(panel.frame) - p}; parameters: {(1 + k * p + len(m.exogenous)) * k} in B, "
        f"{k * k} in Sigma"
    )

    # exact
    t0 = time.perf_counter()
    exact = fit(spec, panel=panel)
    t1 = time.perf_counter()
    ds = exact.posterior_dataset(args.exact_draws, args.seed)
    t2 = time.perf_counter()
    exact_time = t2 - t0
    e_min, e_med, e_tail = _ess(ds)

    # NUTS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.warmup:
            w0 = time.perf_counter()
            fit(spec, panel=panel, sampler="nuts", draws=50, tune=50, chains=args.chains, seed=0)
            print(f"NUTS warm-up (compilation + 100 iterations): {time.perf_counter() - w0:.1f} s")
        n0 = time.perf_counter()
        nuts = fit(
            spec,
            panel=panel,
            sampler="nuts",
            draws=args.nuts_draws,
            tune=args.tune,
            chains=args.chains,
            seed=args.seed,
        )
        nuts_time = time.perf_counter() - n0
    n_min, n_med, n_tail = _ess(nuts.posterior_dataset())
    d = nuts.diagnostics

    rows = [
        ("draws kept", f"{args.exact_draws}", f"{args.chains} x {args.nuts_draws}"),
        ("wall time (s)", f"{exact_time:.3f}", f"{nuts_time:.1f}"),
        ("  of which fit / sampling", f"{t1 - t0:.3f} / {t2 - t1:.3f}", f"- / {d.seconds:.1f}"),
        ("ESS bulk: min", f"{e_min:.0f}", f"{n_min:.0f}"),
        ("ESS bulk: median", f"{e_med:.0f}", f"{n_med:.0f}"),
        ("ESS tail: min", f"{e_tail:.0f}", f"{n_tail:.0f}"),
        ("min ESS / s", f"{e_min / exact_time:.0f}", f"{n_min / nuts_time:.1f}"),
        ("median ESS / s", f"{e_med / exact_time:.0f}", f"{n_med / nuts_time:.1f}"),
        ("max r_hat / divergences", "- / -", f"{d.max_r_hat:.4f} / {d.divergences}"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{'':<{width}}{'exact (conjugate)':>20}{'NUTS (pymc)':>20}")
    for name, a, b in rows:
        print(f"{name:<{width}}{a:>20}{b:>20}")
    ratio_min = (e_min / exact_time) / (n_min / nuts_time)
    ratio_med = (e_med / exact_time) / (n_med / nuts_time)
    print(
        f"\nexact / NUTS effective samples per second: {ratio_min:.0f}x (min ESS), "
        f"{ratio_med:.0f}x (median ESS)"
    )
    print(f"NUTS: {d}")
    assert np.isfinite([ratio_min, ratio_med]).all()


if __name__ == "__main__":
    main()
