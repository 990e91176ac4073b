"""Benchmark (issue 13): the shipped scenarios, `compare`, the README `forecast` and `run` memory.

Run from the repository root with the real data beside it:

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_shipped.py

Rows (best of ``--repeat`` runs; the issue's targets on 2 cores in brackets):

* each shipped scenario (``scenarios/*.yaml``) at 10,000 draws after the fit [<= 0.5 s];
* ``fiscalcliff compare`` of every shipped scenario that shares the latest data at 10,000 draws,
  wall time of the CLI command including fit, tables, figures and writing [<= 6 s];
* the README ``forecast`` command at 10,000 draws with the stability report, CLI wall [<= 1.5 s].

Both CLI rows are timed twice: *cold*, each run with an empty fit cache (the censored Gibbs
sampler runs), and *warm*, after one untimed run has filled it (the draws are read back: the
same numbers, see ``fiscalcliff.model.fit_cache``). The benchmark uses its own temporary cache
directories, never the user's. The CLI processes run with Python's default of keeping compiled
bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped from their environment).
* peak resident memory of ``fiscalcliff run scenarios/baseline.yaml`` at 50,000 draws
  [<= 1.5 GiB].
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import best_of, fmt_best, machine_speed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def cli(*args: str, cache: str | None = None) -> None:
    """Run the ``fiscalcliff`` CLI in a fresh process (output discarded), with the fit cache in
    ``cache`` (default: this benchmark's)."""
    env = dict(os.environ)
    # as on a user's machine: Python keeps compiled bytecode (CI sets PYTHONDONTWRITEBYTECODE,
    # which makes every process compile the package's modules again, ~0.1 s)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache is not None:
        env["FISCALCLIFF_FIT_CACHE"] = cache
    subprocess.run(
        [sys.executable, "-m", "fiscalcliff.cli.main", *args],
        check=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def child_peak_rss(*args: str) -> float:
    """Peak resident set size (GiB) of one CLI run in a child process."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "fiscalcliff.cli.main", *args],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip()) / 2**20  # KiB -> GiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-draws", type=int, default=50_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["scenarios", "cli", "rss"])
    args = parser.parse_args()
    if "FISCALCLIFF_DATA_DIR" not in os.environ:
        parser.error("set FISCALCLIFF_DATA_DIR (e.g. ../shared/data)")
    own_cache = tempfile.mkdtemp(prefix="fiscalcliff-bench-fit-cache-")
    os.environ["FISCALCLIFF_FIT_CACHE"] = own_cache  # never the user's cache

    from fiscalcliff.data import default_source
    from fiscalcliff.model.fit import fit
    from fiscalcliff.model.spec import load_prior_file
    from fiscalcliff.scenarios.loader import load_scenario
    from fiscalcliff.scenarios.runner import run_scenarios

    speed_before = machine_speed()
    rows: list[tuple[str, str, str]] = []
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    scenarios = [load_scenario(f) for f in files]
    if "scenarios" not in args.skip:
        fits = {}
        for s in scenarios:
            key = (str(s.priors_path), s.spec.as_of)
            if key not in fits:
                fits[key] = fit(
                    load_prior_file(s.priors_path), source=default_source(), as_of=s.spec.as_of
                )
            res = fits[key]
            best, times = best_of(
                args.repeat, lambda s=s, res=res: run_scenarios([s], results=res, draws=args.draws)
            )
            rows.append(
                (
                    f"scenario {s.name}, {args.draws:,} draws after the fit",
                    fmt_best(best, times),
                    "<= 0.5 s",
                )
            )
    if "cli" not in args.skip:
        latest = [
            str(f.relative_to(ROOT))
            for f, s in zip(files, scenarios, strict=True)
            if s.spec.as_of is None
        ]
        compare = [
            "compare",
            *latest,
            "--baseline",
            "baseline",
            "--draws",
            str(args.draws),
        ]
        forecast = [
            "forecast",
            "--priors",
            "priors/default.yaml",
            "--horizon",
            "2027-12",  # the README's quick start
            "--draws",
            str(args.draws),
            "--stability",
            "report",
        ]
        commands = [
            (compare, "cmp", f"compare {len(latest)} shipped scenarios", "<= 6 s"),
            (forecast, "f.nc", "README forecast, stability report", "<= 1.5 s"),
        ]
        with tempfile.TemporaryDirectory() as tmp:
            for command, out, label, target in commands:
                argv = [*command, "--out", str(Path(tmp) / out)]
                best, times = best_of(
                    args.repeat,
                    lambda argv=argv: cli(*argv, cache=tempfile.mkdtemp(dir=tmp)),
                )
                rows.append(
                    (f"{label}, {args.draws:,} draws (CLI, cold)", fmt_best(best, times), target)
                )
                warm = tempfile.mkdtemp(dir=tmp)
                cli(*argv, cache=warm)  # fills the cache, untimed
                best, times = best_of(
                    args.repeat,
                    lambda argv=argv, warm=warm: cli(*argv, cache=warm),
                )
                rows.append(
                    (f"{label}, {args.draws:,} draws (CLI, warm)", fmt_best(best, times), target)
                )
    if "rss" not in args.skip:
        gib = child_peak_rss("run", "scenarios/baseline.yaml", "--draws", str(args.rss_draws))
        rows.append(
            (f"peak RSS of run baseline, {args.rss_draws:,} draws", f"{gib:.2f} GiB", "<= 1.5 GiB")
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}} | {'best (runs)':<28} | target")
    print("-" * (width + 45))
    for name, value, target in rows:
        print(f"{name:<{width}} | {value:<28} | {target}")
    shutil.rmtree(own_cache, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"(peak RSS of this benchmark process: {own:.2f} GiB)")
    print(
        f"(machine speed: a 10-million-addition Python loop took {speed_before:.2f} s before "
        f"and {machine_speed():.2f} s after: read the timings with it)"
    )


if __name__ == "__main__":
    main()
