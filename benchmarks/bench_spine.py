"""Benchmark: fit + 10,000 exact posterior draws + 24-month paths (uncensored model).

Run from the repository root (needs the real data beside it, see README):

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_spine.py

Prints wall time per step, draws per second and peak memory (tracemalloc for Python/numpy
allocations, and the process's maximum resident set size).  Target (issue 2): fit + draws +
paths under 2 s on 2 cores.  The stability check (eigenvalues of 10,000 84x84 companion
matrices) is timed separately.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
from common import EXACT_PRIORS, load_model

from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model.fit import fit
from fiscalcliff.model.stability import max_root_modulus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priors", default=EXACT_PRIORS)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--horizon", type=int, default=24, help="months")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    spec, panel = load_model(args.priors)
    m = spec.model
    k, p = len(m.endogenous), m.lags
    print(
        f"model: K={k} endogenous, {len(m.exogenous)} exogenous, p={p} lags, "
        f"T={len(panel.frame) - p} observations; {args.draws} draws, {args.horizon}-month paths"
    )

    best = None
    for rep in range(args.repeat):
        tracemalloc.start()
        t0 = time.perf_counter()
        results = fit(spec, panel=panel)
        t1 = time.perf_counter()
        sample = results.sample(args.draws, seed=rep)
        t2 = time.perf_counter()
        hist = panel.frame[list(m.endogenous)].to_numpy(float)[-p:]
        xf = np.repeat(panel.frame[list(m.exogenous)].to_numpy(float)[-1:], args.horizon, axis=0)
        z = np.random.default_rng(rep).standard_normal((args.draws, args.horizon, k))
        simulate_paths(sample.b, sample.sigma_root, hist, xf, z, results.layout)
        t3 = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        times = (t1 - t0, t2 - t1, t3 - t2, t3 - t0, peak)
        print(
            f"  run {rep + 1}: fit {times[0]:.3f} s, draws {times[1]:.3f} s, "
            f"paths {times[2]:.3f} s, total {times[3]:.3f} s, traced peak {peak / 2**20:.0f} MiB"
        )
        if best is None or times[3] < best[3]:
            best = times
    _, t_draw, t_path, total, peak = best
    t0 = time.perf_counter()
    roots = max_root_modulus(sample.b, results.layout)
    t_stab = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"best total (fit + {args.draws} draws + paths): {total:.3f} s  "
        f"[target < 2 s: {'met' if total < 2 else 'NOT met'}]"
    )
    print(
        f"posterior draws/s: {args.draws / t_draw:,.0f}; paths/s: {args.draws / t_path:,.0f}; "
        f"draws+paths/s: {args.draws / (t_draw + t_path):,.0f}"
    )
    print(f"peak memory: traced {peak / 2**20:.0f} MiB, max RSS {rss:.0f} MiB")
    print(
        f"stability check (single thread, {args.draws} companion eigenproblems): {t_stab:.2f} s; "
        f"explosive share {np.mean(roots > 1):.1%}"
    )


if __name__ == "__main__":
    main()
