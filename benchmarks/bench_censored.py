"""Benchmark: the censored default model (priors/default.yaml): Gibbs fit and censored paths.

Run from the repository root (needs the real data beside it, see README):

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_censored.py

Targets (issue 11, 2 cores): the fit with 2,000 retained draws (2 chains x 1,000, after 500
burn-in each) in <= 30 s, with the fit cache off; 10,000 censored forecast paths in <= 0.3 s
after the fit (posterior draws, shadow histories, simulation in shadow space and censoring; the
stability check is timed separately, as in bench_spine). Prints best of ``--repeat`` runs and
the diagnostics.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from fiscalcliff.forecasting.censor import censor
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model import fit_cache
from fiscalcliff.model.fit import fit
from fiscalcliff.model.spec import load_prior_file

PRIORS = str(Path(__file__).resolve().parents[1] / "priors" / "default.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priors", default=PRIORS)
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--horizon", type=int, default=15, help="months")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = load_prior_file(args.priors)

    fits = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        with fit_cache.disabled():  # time the sampler, not a read of the fit cache
            results = fit(spec)
        fits.append(time.perf_counter() - t0)
    d = results.diagnostics
    print(f"fit: best {min(fits):.1f} s of {', '.join(f'{t:.1f}' for t in fits)}  (target <= 30 s)")
    print(f"  sampling {d.seconds:.1f} s; latent cells {results.settings['latent_cells']}")
    print(f"  B, Sigma, last {results.layout.lags} months: {d} (worst {d.worst_r_hat})")
    h = results.history_diagnostics
    if h is not None:
        print(f"  shadow history: {h} (worst {h.worst_r_hat})")

    n, h = args.paths, args.horizon
    exog = np.broadcast_to(results.panel.frame[list(results.exogenous)].to_numpy()[-1], (h, 5))
    times = []
    for rep in range(args.repeat):
        t0 = time.perf_counter()
        sample = results.sample(n, rep)
        z = np.random.default_rng(rep).standard_normal((n, h, len(results.endogenous)))
        shadow = simulate_paths(
            sample.b, sample.sigma_root, sample.history, exog, z, results.layout
        )
        paths = censor(results, shadow)
        times.append(time.perf_counter() - t0)
    print(
        f"{n} censored paths x {h} months: best {min(times):.3f} s of "
        f"{', '.join(f'{t:.3f}' for t in times)}  (target <= 0.3 s)"
    )
    low = {
        name: float(paths[..., results.endogenous.index(name)].min()) for name in results.censored
    }
    print(f"  smallest value of each censored variable: {low}")


if __name__ == "__main__":
    main()
