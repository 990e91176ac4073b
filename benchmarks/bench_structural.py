"""Benchmark: structural analysis of the default model — IRF + FEVD and historical decomposition.

Run from the repository root (needs the real data beside it, see README):

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_structural.py

Times (best of ``--repeat``, 2 cores) impulse responses and variance shares of every named shock
for 10,000 posterior draws and 48 months (one pass, ``impulse_responses(..., with_fevd=True)``:
posterior draws, impact matrices, responses, shares) and the historical decomposition of the
sample with 500 draws. The fit (0.4 s) is timed separately. Issue 12 asks for the IRF+FEVD time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import best_of

from fiscalcliff.model.fit import fit
from fiscalcliff.model.spec import load_prior_file
from fiscalcliff.structural import historical_decomposition, impulse_responses

PRIORS = str(Path(__file__).resolve().parents[1] / "priors" / "default.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priors", default=PRIORS)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    results = fit(load_prior_file(args.priors))
    print(f"fit: {time.perf_counter() - t0:.2f} s ({results.identification.scheme})")
    run = lambda: impulse_responses(  # noqa: E731
        results, horizon=args.months, draws=args.draws, seed=0, with_fevd=True
    )
    low, times = best_of(args.repeat, run)
    print(
        f"IRF + FEVD, {args.draws} draws x {args.months + 1} horizons: best {low:.2f} s of "
        + ", ".join(f"{t:.2f}" for t in times)
    )
    low, times = best_of(args.repeat, lambda: historical_decomposition(results, draws=500))
    print(
        "historical decomposition, 500 draws: best "
        f"{low:.2f} s of " + ", ".join(f"{t:.2f}" for t in times)
    )


if __name__ == "__main__":
    main()
