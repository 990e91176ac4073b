"""Write a comparison to a directory: NetCDF, CSV and Markdown tables, fan charts, summary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.scenarios.compare import Comparison


#: names of the entries :func:`write_comparison` writes
_OWNED = re.compile(
    r"^(paths\.nc|(levels|differences|events)\.(csv|md)|fan_[A-Za-z0-9_.-]+\.png|summary\.md)$"
)


def owns_comparison_entry(name: str) -> bool:
    """Whether a directory entry is one a comparison writes (so it may be replaced)."""
    return bool(_OWNED.match(name))


def _markdown(frame: pd.DataFrame, digits: int = 2) -> str:
    """A GitHub-style Markdown table (no optional dependency on tabulate)."""
    flat = frame.reset_index()
    header = "| " + " | ".join(map(str, flat.columns)) + " |"
    rule = "|" + "|".join("---" for _ in flat.columns) + "|"
    body = []
    for row in flat.itertuples(index=False):
        cells = [f"{v:,.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *body]) + "\n"


def write_comparison(comparison: Comparison, directory: Path) -> list[Path]:
    """Build everything in a temporary directory and swap it in only when complete.

    Files: ``paths.nc``; ``levels.csv/.md``; ``differences.csv/.md`` (vs the baseline);
    ``events.csv/.md``; ``fan_<variable>.png``; ``summary.md``. The fan charts are drawn in a
    second process while this one computes and writes the tables and the NetCDF file (see
    :func:`_write_in_parallel`).
    """
    from fiscalcliff.atomic import atomic_directory, write_netcdf
    from fiscalcliff.output_targets import check_output_directory

    directory = check_output_directory(
        directory, owns=owns_comparison_entry, kind="comparison", flag="out"
    )
    with atomic_directory(directory, kind="comparison") as tmp:
        tmp = Path(tmp)

        def tables() -> None:
            levels = comparison.levels()
            diffs = comparison.differences()
            events = comparison.event_probabilities()
            write_netcdf(comparison.paths, tmp / "paths.nc")
            for stem, table in (("levels", levels), ("differences", diffs), ("events", events)):
                table.to_csv(tmp / f"{stem}.csv", index=stem != "events")
                (tmp / f"{stem}.md").write_text(_markdown(table, 3 if stem == "events" else 2))
            (tmp / "summary.md").write_text(summary_text(comparison, levels, diffs, events))

        charts = [(var, tmp / f"fan_{var}.png") for var in comparison.variables]
        _write_in_parallel(comparison, tables, charts)
        written = sorted(p.name for p in tmp.iterdir())
    return [directory / name for name in written]


#: the comparison whose charts a forked drawing process draws (set only while one runs)
_DRAWING: Comparison | None = None


def _save_chart(variable: str, path: Path) -> None:
    """Draw one fan chart of the comparison being written (:data:`_DRAWING`) to ``path``."""
    from fiscalcliff.scenarios.plots import fan_data, save_fan

    assert _DRAWING is not None
    save_fan(fan_data(_DRAWING.paths, _DRAWING.results, variable), path)


def can_fork_a_worker() -> bool:
    """Whether a second process may be forked to share the work: more than one core, not a
    daemon process (a Dask worker may not have children), and no other thread running (forking
    a threaded process can deadlock the child, e.g. in a Jupyter kernel)."""
    import multiprocessing
    import os
    import threading

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        (cores or 1) > 1
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )


def _write_in_parallel(comparison: Comparison, main_work, charts) -> None:
    """Run ``main_work()`` here while a forked process draws ``charts`` ((variable, path)
    pairs) in order; when done, this process takes over the charts the other has not started,
    from the end. Any error (here or there) is raised here, after the other process has stopped.

    Drawing is matplotlib's Python code (about 0.25 s a chart on the 2-core machines), so a
    second process halves it, and the tables and NetCDF file overlap with it. The forked
    process has the comparison in memory already: only variable names and paths are sent.
    Sequential when :func:`can_fork_a_worker` says no. The charts are the same bytes either way.
    """
    global _DRAWING
    import multiprocessing

    from fiscalcliff.model.mcmc.blas import single_blas_thread

    _DRAWING = comparison
    try:
        if len(charts) < 2 or not can_fork_a_worker():
            main_work()
            for var, path in charts:
                _save_chart(var, path)
            return
        from concurrent.futures import ProcessPoolExecutor

        with single_blas_thread():
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            try:
                futures = [pool.submit(_save_chart, var, path) for var, path in charts]
                main_work()
                for (var, path), future in zip(reversed(charts), reversed(futures), strict=True):
                    if not future.cancel():  # started there: so have all before it
                        break
                    _save_chart(var, path)
                for future in futures:
                    if not future.cancelled():
                        future.result()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _DRAWING = None


def summary_text(comparison: Comparison, levels, diffs, events) -> str:
    """Readable summary: last-quarter levels and differences, and event probabilities."""
    last_q = levels.index.get_level_values("quarter").max()
    lines = [f"# Scenario comparison (baseline: {comparison.baseline})", ""]
    attrs = comparison.paths.attrs
    lines.append(
        f"Horizon {attrs.get('horizon')}, {attrs.get('draws')} shared draws, "
        f"seed {attrs.get('seed')}, data sample {attrs.get('sample')}."
    )
    lines.append("")
    lines.append(f"## {last_q}: median [90% HDI]; difference from {comparison.baseline}")
    lines.append("")
    lv = levels.xs(last_q, level="quarter")
    df = diffs.xs(last_q, level="quarter")
    scenarios = list(dict.fromkeys(lv.index.get_level_values(0)))
    header = "| series | " + " | ".join(scenarios) + " |"
    lines += [header, "|---|" + "---|" * len(scenarios)]
    for var in comparison.variables:
        cells = []
        for s in scenarios:
            r, d = lv.loc[(s, var)], df.loc[(s, var)]
            cell = f"{r['median']:,.2f} [{r['hdi_lower']:,.2f}, {r['hdi_upper']:,.2f}]"
            if s != comparison.baseline:
                cell += f"; Δ {d['median']:+,.2f} [{d['hdi_lower']:+,.2f}, {d['hdi_upper']:+,.2f}]"
            cells.append(cell)
        lines.append(f"| {var} | " + " | ".join(cells) + " |")
    if len(events):
        lines += ["", "## Event probabilities", ""]
        pivot = events.pivot(index="event", columns="scenario", values="probability")
        pivot = pivot[scenarios]
        lines += ["| event | " + " | ".join(scenarios) + " |", "|---|" + "---|" * len(scenarios)]
        for label, row in pivot.iterrows():
            base = row[comparison.baseline]
            cells = [
                f"{row[s]:.1%}" + ("" if s == comparison.baseline else f" ({row[s] - base:+.1%})")
                for s in scenarios
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
