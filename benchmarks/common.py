"""Shared set-up of the benchmark scripts: the prior file, its data panel, best-of timing."""

from __future__ import annotations

import time
from pathlib import Path

from fiscalcliff.data import DataPanel, default_source, load_panel
from fiscalcliff.model.spec import PriorFile, load_prior_file

ROOT = Path(__file__).resolve().parents[1]
#: the exact (conjugate) sampler's model: the default without censoring, 12 lags
EXACT_PRIORS = str(ROOT / "priors" / "uncensored.yaml")


def load_model(priors: str) -> tuple[PriorFile, DataPanel]:
    """The prior file and its panel from the default source (``FISCALCLIFF_DATA_DIR``)."""
    spec = load_prior_file(priors)
    m = spec.model
    panel = load_panel(
        list(m.endogenous) + list(m.exogenous),
        source=default_source(),
        start=m.sample.start,
        end=m.sample.end,
    )
    return spec, panel


def best_of(repeat: int, fn) -> tuple[float, list[float]]:
    """Best and all wall times of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def fmt_best(best: float, runs: list[float]) -> str:
    """``"0.42 s (0.50, 0.42, 0.45)"``: the best time and every run's."""
    return f"{best:.2f} s ({', '.join(f'{t:.2f}' for t in runs)})"


def machine_speed() -> float:
    """Seconds for a pure-Python loop of 10 million additions at module level (global names, as
    ``python -c`` runs it; the README's earlier figures were taken so): how fast this machine is
    right now (0.8–2.2 s on the 2-core machines over a day), printed beside timings."""
    code = "s = 0\nfor i in range(10_000_000):\n    s += i\n"
    start = time.perf_counter()
    exec(code, {})  # a fresh module namespace: the loop's names are globals there
    return time.perf_counter() - start
