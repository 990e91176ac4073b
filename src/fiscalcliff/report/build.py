"""Run every scenario group and write the MyST pages and figures of the docs' forecasts section.

One page per scenario file, named after the scenario (``print-money.md``), figures under
``figures/<scenario>/`` and a section index (``index.md``). The directory is built aside and
swapped in only when complete (:func:`fiscalcliff.atomic.atomic_directory`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from fiscalcliff import dims
from fiscalcliff.errors import InputError
from fiscalcliff.report import pages as md
from fiscalcliff.report.groups import ScenarioGroup, find_scenario_files, group_scenarios
from fiscalcliff.scenarios.loader import load_scenarios

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.scenarios.compare import Comparison
    from fiscalcliff.scenarios.loader import Scenario

#: series drawn as fan charts on every page, in this order
REPORT_SERIES = ("reserves", "tga", "rrp", "bill_3m", "yield_10y", "term_spread")
#: draws per group unless overridden: enough for the pages, quick for a docs build
DEFAULT_DRAWS = 1000
#: months of observed history before the forecast on the fan charts
HISTORY_MONTHS = 36
FIGURES = "figures"


def owns_report_entry(name: str) -> bool:
    """Whether an entry of an output directory without a manifest is one a report writes."""
    return name == FIGURES or name.endswith(".md")


@dataclass(frozen=True)
class ReportPage:
    """One written scenario page.

    Attributes
    ----------
    name : str
        Scenario name (also the page's file stem).
    path : Path
        The Markdown file, in its final place.
    figures : tuple of Path
        PNG files the page shows, in their final place.
    baseline : str
        The scenario it is compared with.
    """

    name: str
    path: Path
    figures: tuple[Path, ...]
    baseline: str


@dataclass
class _GroupRun:
    group: ScenarioGroup
    comparison: Comparison
    observed: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def build_report(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    draws: int | None = DEFAULT_DRAWS,
    seed: int | None = None,
    source=None,
    history_months: int = HISTORY_MONTHS,
    reporter=None,
    command: str | None = None,
    backtest: str | Path | Sequence[str | Path] | None = None,
) -> list[ReportPage]:
    """Forecast every scenario file and write one MyST page per scenario into ``out``.

    Parameters
    ----------
    inputs : sequence of str or Path
        Scenario files and directories of them (``scenarios/``).
    out : str or Path
        Output directory (``docs/forecasts``); replaced as a whole when everything succeeded.
    draws : int or None
        Shared draws per group (default 1000); None uses the scenario files' setting.
    seed : int, optional
        Override the scenario files' seed.
    source : fiscalcliff.data.Source, optional
        Data source for fits and observed values (default: ``$FISCALCLIFF_DATA_DIR`` or FRED).
    history_months : int
        Months of history on the fan charts.
    reporter : optional
        Progress reporter with ``phase(label)`` (the CLI's).
    command : str, optional
        The command line to quote on the pages.
    backtest : str, Path or sequence of them, optional
        Stored ``fiscalcliff backtest`` directories; the first gives the "Forecast accuracy"
        page (``accuracy.md``, linked from the index), each further one a section of it (e.g.
        the realised-policy mode).

    Returns
    -------
    list of ReportPage
        Scenario pages in section order (``index.md`` is written too).
    """
    from fiscalcliff.atomic import atomic_directory
    from fiscalcliff.report.actuals import observed_values
    from fiscalcliff.scenarios.compare import compare
    from fiscalcliff.scenarios.runner import _null_phase

    phase = reporter.phase if reporter is not None else _null_phase
    out = Path(out)
    if isinstance(backtest, (str, Path)):
        backtest = [backtest]
    backtests = tuple(backtest or ())
    if backtests:
        from fiscalcliff.evaluation.output import MARKER

        for directory in backtests:
            if not (Path(directory) / MARKER).is_file():
                raise InputError(
                    f"--backtest {directory}: no {MARKER} there; give a `fiscalcliff backtest "
                    "--out` directory"
                )
    groups = group_scenarios(load_scenarios(find_scenario_files(inputs)))
    runs = []
    for g in groups:
        cmp = compare(
            list(g.scenarios),
            baseline=g.baseline,
            draws=draws,
            seed=seed,
            source=source,
            reporter=reporter,
        )
        run = _GroupRun(group=g, comparison=cmp)
        if g.as_of is not None:
            with phase(f"observed values after {g.as_of}"):
                run.observed, run.notes = observed_values(
                    cmp.results, cmp.variables, source=source, start=g.as_of
                )
        runs.append(run)

    written: list[ReportPage] = []
    with phase(f"writing pages and figures to {out}"), atomic_directory(out, kind="report") as tmp:
        for run in runs:
            for scenario in run.group.scenarios:
                page, figures = _write_scenario(
                    Path(tmp), run, scenario, runs, history_months, command
                )
                written.append(
                    ReportPage(
                        name=scenario.name,
                        path=out / page.name,
                        figures=tuple(out / f.relative_to(tmp) for f in figures),
                        baseline=run.group.baseline,
                    )
                )
        if backtests:
            from fiscalcliff.report.accuracy import write_accuracy

            page, figures = write_accuracy(Path(tmp), backtests[0], backtests[1:])
            written.append(
                ReportPage(
                    name="accuracy",
                    path=out / page.name,
                    figures=tuple(out / f.relative_to(tmp) for f in figures),
                    baseline="rw",
                )
            )
        (Path(tmp) / "index.md").write_text(_index_page(runs, command, bool(backtests)))
    return written


def _units(cmp: Comparison) -> dict[str, str]:
    return {v: str(cmp.paths[v].attrs.get("units", "")) for v in cmp.variables}


def _escape(text: str) -> str:
    """Plain text as Markdown (no accidental emphasis, links, HTML or roles)."""
    return re.sub(r"([\\`*_\[\]<>{}|#$])", r"\\\1", " ".join(text.split()))


def _first_sentence(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return textwrap.shorten(m.group(1) if m else text, limit, placeholder=" …")


def _page_of(runs: Sequence[_GroupRun], path: Path) -> str | None:
    for run in runs:
        for s in run.group.scenarios:
            if s.path == path.resolve():
                return s.name
    return None


def _write_scenario(
    tmp: Path,
    run: _GroupRun,
    scenario: Scenario,
    runs: Sequence[_GroupRun],
    history_months: int,
    command: str | None,
) -> tuple[Path, list[Path]]:
    import matplotlib.pyplot as plt
    import yaml

    from fiscalcliff.report.actuals import actual_vs_forecast
    from fiscalcliff.report.figures import difference_figure, fan_figure
    from fiscalcliff.scenarios.compare import Comparison

    cmp = run.comparison
    base = run.group.baseline
    name = scenario.name
    is_base = name == base
    keep = [base] if is_base else [base, name]
    sub = Comparison(paths=cmp.paths.sel({dims.SCENARIO: keep}), baseline=base, results=cmp.results)
    units = _units(cmp)
    attrs = cmp.paths.attrs
    fig_dir = tmp / FIGURES / name
    fig_dir.mkdir(parents=True)
    figures: list[Path] = []
    series = [v for v in REPORT_SERIES if v in cmp.paths]

    lines = [f"(forecast-{name})=", f"# {name}", "", _escape(scenario.spec.description), ""]
    sample_end = cmp.results.sample_end
    exog = md.attr_json(attrs, "exogenous_assumptions", {}).get(name, {})
    conds = md.attr_json(attrs, "conditions", {}).get(name, {})
    others = [s for s in run.group.names if s != name]
    latest = cmp.results.panel.latest
    data_line = f"data to {latest}" + (
        f" (each series to its own last month; the ragged edge after {sample_end} is filled per "
        "draw)"
        if latest != sample_end
        else ""
    )
    if run.group.as_of:
        data_line += f" (the scenario's `as_of: {run.group.as_of}`)"
    lines += [
        f"- **Data:** {data_line}; estimation sample {attrs.get('sample', '')}.",
        f"- **Forecast:** {attrs.get('horizon', '')}, {attrs.get('draws', '')} draws, "
        f"seed {attrs.get('seed', '')}.",
    ]
    if is_base:
        if others:
            links = ", ".join(f"[{o}]({o}.md)" for o in others)
            lines.append(
                f"- **Reference for:** {links}, which run on the same posterior draws and shocks."
            )
    else:
        lines.append(
            f"- **Compared with:** [{base}]({base}.md), on the same posterior draws and shocks, "
            "so every difference below is taken draw by draw."
        )
    for var, how in exog.items():
        lines.append(f"- **Exogenous `{var}`:** {_escape(str(how))}.")
    if conds:
        lines.append(
            f"- **Conditions:** {conds.get('hard', 0)} hard, {conds.get('soft', 0)} soft and "
            f"{conds.get('bounds', 0)} bound conditions (counted month by month); shocks that "
            f"move to meet them: {', '.join(conds.get('adjusting_shocks', []))}."
        )
        if conds.get("treasury_cash"):
            lines.append(f"- **Treasury cash balance:** {_escape(str(conds['treasury_cash']))}.")
        plaus = conds.get("plausibility")
        if plaus:
            lo, hi = plaus["q_5_95"]
            lines.append(
                f"- **Plausibility:** q = {plaus['q']:.2f} (5–95% over draws {lo:.2f}–{hi:.2f}; "
                f"KL {plaus['kl']:.2f} over {plaus['shocks']} shocks). 0.5 means as likely as "
                "the unconditional forecast; about 0.83 is unlikely but not implausible "
                "(Antolín-Díaz, Petrella & Rubio-Ramírez 2021)."
            )
    lines.append("")

    # fan charts
    lines += ["## Fan charts", ""]
    what = "this scenario" if is_base else f"this scenario and of [{base}]({base}.md)"
    lines.append(
        f"Black line: the last {history_months} months of observed data. Coloured: the median "
        f"forecast with 50% and 90% equal-tailed bands across draws, of {what}."
    )
    if run.observed is not None:
        lines.append(
            f"Black dots: values observed after the data cut-off ({sample_end}), which the fit "
            "never saw."
        )
    lines.append("")
    for var in series:
        observed = None
        if run.observed is not None and var in run.observed:
            observed = run.observed[var].dropna()
        fig = fan_figure(sub, var, history_months=history_months, observed=observed)
        png = fig_dir / f"fan_{var}.png"
        fig.savefig(png, dpi=100)
        plt.close(fig)
        figures.append(png)
        title = md.SERIES_TITLES.get(var, var)
        lines += [
            f"### {title}",
            "",
            f"![Fan chart of {var} ({units.get(var, '')}) for {', '.join(keep)}]"
            f"({FIGURES}/{name}/{png.name})",
            "",
        ]

    # differences
    if not is_base:
        lines += ["## Difference from the baseline", ""]
        lines.append(
            f"{name} minus {base} in every draw (same parameters, same shocks), then summarised: "
            "the chart shows monthly medians with 50% and 90% bands, the table quarterly "
            "averages as median [90% highest-density interval]."
        )
        lines.append("")
        fig = difference_figure(cmp.paths, base, name, series)
        png = fig_dir / "differences.png"
        fig.savefig(png, dpi=100)
        plt.close(fig)
        figures.append(png)
        lines += [f"![Differences from {base} by month]({FIGURES}/{name}/{png.name})", ""]
        lines.append(md.summary_table(cmp.differences(), name, cmp.variables, units, sign=True))

    # levels
    lines += ["## Quarterly levels", ""]
    lines.append(
        "Each draw's quarterly average, summarised as median [90% highest-density interval]; "
        "a quarter only partly inside the horizon averages its forecast months."
    )
    lines += ["", md.summary_table(cmp.levels(), name, cmp.variables, units)]

    # events
    lines += ["## Event probabilities", ""]
    lines.append(
        "The share of draws in which each event happens, with its Monte Carlo standard error"
        + (
            ""
            if is_base
            else f"; the difference from {base} is the mean of draw-by-draw differences of the "
            "event's indicator"
        )
        + "."
    )
    lines += ["", md.event_table(cmp.event_probabilities(), name, base)]

    # what happened
    if run.observed is not None:
        lines += ["## What actually happened", ""]
        avf = actual_vs_forecast(cmp.paths, run.observed, name, cmp.variables)
        if len(avf):
            lines.append(
                f"The fit used data to {sample_end} only. Below, every later month with data is "
                "held against the forecast: the observed monthly value, the forecast median and "
                "the 90% equal-tailed interval across draws. Observed values come from the same "
                "data layer as the fit, each series to its own last complete month."
            )
            lines += ["", md.coverage_table(avf, units), "", md.actuals_table(avf, units)]
        else:
            lines.append("No observations after the data cut-off are available yet.")
        for note in run.notes:
            lines += ["", f"Note: {_escape(note)}"]
        lines.append("")

    # the scenario file
    rel = md.display_path(scenario.path)
    lines += ["## Scenario file", "", f"`{rel}`:", "", "```yaml", scenario.text.rstrip(), "```", ""]
    raw = yaml.safe_load(scenario.text) or {}
    if isinstance(raw, dict) and raw.get("extends"):
        parent = _page_of(runs, scenario.path.parent / str(raw["extends"]))
        base_file = md.display_path(scenario.path.parent / str(raw["extends"]))
        target = f"[{parent}]({parent}.md)" if parent else f"`{base_file}`"
        lines += [
            f"It extends {target}: everything not set here is inherited from that file.",
            "",
        ]

    # provenance
    lines += ["## Provenance", ""]
    if command:
        lines += ["Generated by:", "", "```bash", command, "```", ""]
    lines.append(md.provenance_table(attrs, scenario.sha256, scenario.spec.draws))
    lines += ["Last month of each series in the data source:", ""]
    lines.append(md.last_dates_table(attrs))

    page = tmp / f"{name}.md"
    page.write_text("\n".join(lines))
    return page, figures


def _index_page(runs: Sequence[_GroupRun], command: str | None, accuracy: bool = False) -> str:
    names = [s.name for run in runs for s in run.group.scenarios]
    if accuracy:
        names.append("accuracy")
    lines = [
        "(forecasts)=",
        "# 2026 scenarios",
        "",
        "One page per scenario file in `scenarios/`: fan charts of reserves, the TGA, ON RRP, "
        "the 3-month and 10-year yields and the term spread against recent history; the "
        "draw-by-draw difference from the baseline; event probabilities; the scenario file "
        "itself; and provenance. Scenarios that share a prior file, data vintage and horizon "
        "run together on the same posterior draws and shocks, so their differences are taken "
        "draw by draw (see {doc}`../concepts/shared-draws`).",
        "",
    ]
    if command:
        lines += ["These pages were generated by:", "", "```bash", command, "```", ""]
    lines += ["```{toctree}", ":maxdepth: 1", "", *names, "```", ""]
    for run in runs:
        cmp = run.comparison
        attrs = cmp.paths.attrs
        g = run.group
        title = f"Backtest: data to {g.as_of}" if g.as_of else f"Data to {cmp.results.sample_end}"
        lines += [f"## {title}", ""]
        lines.append(
            f"Forecast {attrs.get('horizon', '')}, {attrs.get('draws', '')} shared draws, seed "
            f"{attrs.get('seed', '')}; reference scenario [{g.baseline}]({g.baseline}.md)."
        )
        lines.append("")
        lines.append(
            md.table(
                ["scenario", "in one sentence"],
                [
                    [f"[{s.name}]({s.name}.md)", _escape(_first_sentence(s.spec.description))]
                    for s in g.scenarios
                ],
            )
        )
        levels = cmp.levels()
        last_q = levels.index.get_level_values("quarter").max()
        units = _units(cmp)
        rows = []
        for var in cmp.variables:
            rows.append(
                [f"{var} ({units[var]})"]
                + [md.fmt(levels.loc[(s, var, last_q), "median"], units[var]) for s in g.names]
            )
        lines += [f"Median of {last_q} averages:", "", md.table(["series", *g.names], rows)]
        events = cmp.event_probabilities()
        if len(events):
            pivot = events.pivot(index="event", columns="scenario", values="probability")
            rows = [
                [f"`{label}`"] + [f"{pivot.loc[label, s]:.0%}" for s in g.names]
                for label in dict.fromkeys(events["event"])
            ]
            lines += ["Event probabilities:", "", md.table(["event", *g.names], rows)]
    return "\n".join(lines)
