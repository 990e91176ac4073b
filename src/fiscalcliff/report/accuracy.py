"""The docs site's "Forecast accuracy" page, from a stored backtest directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fiscalcliff.report import pages as md

#: variables shown first (the ones the mission is about), in this order
KEY_VARIABLES = ("reserves", "tga", "rrp", "fed_assets", "policy_rate", "bill_3m", "yield_10y")
PAGE = "accuracy"


def _num(x: float, digits: int = 2) -> str:
    return "–" if not np.isfinite(x) else f"{x:+.{digits}f}"


def _scored(ds, model: str, variable: str) -> bool:
    """Whether the backtest scored ``model`` on ``variable`` (not every model has every series)."""
    crps = ds["crps"].sel(model=model, variable=variable).values
    return bool(np.isfinite(crps).any())


def _ordered(variables) -> list[str]:
    present = [str(v) for v in variables]
    return [v for v in KEY_VARIABLES if v in present] + [
        v for v in present if v not in KEY_VARIABLES
    ]


def accuracy_page(result, backtest_dir: str | Path) -> tuple[str, dict]:
    """Markdown of the page and its figures ``{file stem: (fig, axes)}``.

    The page states the settings, the skill of every model against the random walk by horizon
    group, where the first prior file loses (to ``rw`` and to ``minnesota``), coverage,
    Diebold–Mariano tests and the explosive share, with figures.
    """
    from fiscalcliff.evaluation import plots

    s = result.settings
    ds = result.dataset
    main = s["models"][0]
    variables = _ordered(ds["variable"].values)
    skill = result.skill()
    groups = [c for c in skill.columns]
    lines = [
        f"({PAGE})=",
        "# Forecast accuracy",
        "",
        "How good are the forecasts? Every model below was re-estimated at every origin on data "
        "cut at that origin (every series, exogenous ones included; hyperparameters "
        "re-estimated), and its forecast ensemble scored against what happened. The data are "
        "today's final vintage truncated at each origin, not the vintages published at the "
        "time. Skill is `1 - CRPS / CRPS_rw`: above 0 the model beats a no-change random "
        "walk, below 0 it loses.",
        "",
        md.table(
            ["setting", "value"],
            [
                ["origins", f"{s['origins'][0]} .. {s['origins'][-1]} ({len(s['origins'])})"],
                ["horizons", f"1-{s['horizons']} months"],
                ["draws per model and origin", f"{s['draws']:,}"],
                ["seed", s["seed"]],
                [
                    "mode",
                    _mode_text(s)
                    + (
                        ""
                        if s["condition_on"]
                        else ": the prior file's announced inputs (model.announced) follow the "
                        "policy announced by each origin, other exogenous variables are held at "
                        "their last value"
                        if s["mode"] == "announced"
                        else ": exogenous variables held at their last value"
                    ),
                ],
                ["models", ", ".join(f"`{m}`" for m in s["models"])],
                ["stored backtest", f"`{md.display_path(backtest_dir)}`"],
                ["command", f"`{s.get('command', '')}`"],
            ],
        ),
        "Benchmarks: " + "; ".join(f"`{k}`: {v}" for k, v in s.get("benchmarks", {}).items()) + ".",
        "",
        "## Where the default model loses",
        "",
    ]
    lines += _losses(skill, main, variables, groups)
    lines += ["", "## CRPS skill against the random walk", ""]
    rows = []
    for var in variables:
        for model in [m for m in s["models"] if m != "rw" and _scored(ds, m, var)]:
            rows.append([var, model, *[_num(skill.loc[(model, var), g]) for g in groups]])
    lines += [md.table(["variable", "model", *groups], rows)]
    figs = {f"skill_{v}": plots.skill_by_horizon(result, v) for v in variables[:7]}
    lines += [
        "```{image} figures/accuracy/skill_" + v + ".png\n:alt: skill of every model "
        f"against the random walk by horizon, {v}\n:width: 48%\n```"
        for v in variables[:7]
    ]
    lines += [
        "",
        "## Calibration",
        "",
        "Coverage is the share of outcomes inside the central 90% (50%) band, pooled over "
        "origins and horizons; a calibrated model covers about 0.90 (0.50). PIT values of "
        "a calibrated model are uniform (flat histograms).",
        "",
    ]
    cov = result.coverage()
    rows = [
        [
            var,
            m,
            f"{cov.loc[(m, var), 'cover90 all']:.2f}",
            f"{cov.loc[(m, var), 'cover50 all']:.2f}",
        ]
        for var in variables
        for m in s["models"]
        if _scored(ds, m, var)
    ]
    lines += [md.table(["variable", "model", "90% band", "50% band"], rows)]
    figs["coverage"] = plots.coverage_chart(result)
    figs["pit"] = plots.pit_histograms(result)
    lines += [
        "```{image} figures/accuracy/coverage.png\n:alt: coverage of the 90% bands\n```",
        "",
        "```{image} figures/accuracy/pit.png\n:alt: PIT histograms\n```",
        "",
    ]
    lines += [
        "## Diebold–Mariano tests against the random walk",
        "",
        "CRPS loss differential per origin (averaged over the group's horizons), long-run "
        "variance with rectangular weights up to the group's longest horizon minus one, "
        "Harvey–Leybourne–Newbold correction, Student-t p-values. Negative statistics "
        "favour the model.",
        "",
    ]
    dm = result.diebold_mariano()
    rows = [
        [var, m, g, _num(dm.loc[(m, var, g), "dm_stat"]), f"{dm.loc[(m, var, g), 'p_value']:.3f}"]
        for var in variables
        for m in s["models"]
        if m != "rw" and _scored(ds, m, var)
        for g in groups
        if g != "all"
    ]
    lines += [md.table(["variable", "model", "horizons", "DM statistic", "p-value"], rows)]
    ex = result.explosive()
    lines += [
        "## Explosive draws",
        "",
        "Share of posterior draws whose largest companion root exceeds one, over origins "
        "(reported, never filtered).",
        "",
        md.table(
            ["model", "min", "median", "max"],
            [
                [m, *[f"{ex.loc[m, c]:.3f}" for c in ("min", "median", "max")]]
                for m in s["models"]
                if m != "rw"
            ],
        ),
        "Seconds per (model, origin), mean: "
        + ", ".join(f"`{m}` {float(ds.seconds.sel(model=m).mean()):.1f}" for m in s["models"])
        + ".",
        "",
    ]
    return "\n".join(lines), figs


def _losses(skill, main: str, variables, groups) -> list[str]:
    out = []
    lose_rw = [
        f"{v} ({g}: {skill.loc[(main, v), g]:+.2f})"
        for v in variables
        for g in groups
        if g != "all" and skill.loc[(main, v), g] < 0
    ]
    n_cells = len(variables) * len([g for g in groups if g != "all"])
    out.append(
        f"`{main}` is worse than the random walk in {len(lose_rw)} of {n_cells} variable × "
        "horizon-group cells" + (": " + "; ".join(lose_rw) + "." if lose_rw else ".")
    )
    others = [m for m in dict.fromkeys(skill.index.get_level_values(0)) if m not in (main, "rw")]
    for other in others:
        cells = [
            (v, g)
            for v in variables
            for g in groups
            if g != "all" and (other, v) in skill.index and np.isfinite(skill.loc[(other, v), g])
        ]
        beat = [
            f"{v} ({g})" for v, g in cells if skill.loc[(other, v), g] > skill.loc[(main, v), g]
        ]
        label = "The plain Minnesota BVAR" if other == "minnesota" else f"`{other}`"
        out += [
            "",
            f"{label} beats `{main}` in {len(beat)} of {len(cells)} cells it is scored in"
            + (": " + ", ".join(beat) + "." if beat else "."),
        ]
    return out


def _mode_text(s: dict) -> str:
    if s["condition_on"]:
        return f"{s['mode']} (conditioned on {', '.join(s['condition_on'])})"
    return s["mode"]


def further_section(result, backtest_dir: str | Path) -> list[str]:
    """Markdown of one further backtest (e.g. the realised-policy mode): skill and coverage."""
    s = result.settings
    variables = _ordered(result.dataset["variable"].values)
    skill = result.skill()
    groups = list(skill.columns)
    models = [m for m in s["models"] if m != "rw"]
    cov = result.coverage()
    lines = [
        f"### {', '.join(f'`{m}`' for m in models)}: mode {_mode_text(s)}",
        "",
        f"Stored in `{md.display_path(backtest_dir)}`: origins {s['origins'][0]} .. "
        f"{s['origins'][-1]} ({len(s['origins'])}), horizons 1-{s['horizons']}, "
        f"{s['draws']:,} draws, seed {s['seed']}; command `{s.get('command', '')}`. Horizons "
        "past the last observed month of a conditioning variable are not scored.",
        "",
    ]
    rows = [
        [
            var,
            m,
            *[_num(skill.loc[(m, var), g]) for g in groups],
            f"{cov.loc[(m, var), 'cover90 all']:.2f}",
        ]
        for var in variables
        for m in models
        if _scored(result.dataset, m, var)
    ]
    lines += [md.table(["variable", "model", *groups, "90% band"], rows), ""]
    return lines


def write_accuracy(
    tmp: Path, backtest_dir: str | Path, further: tuple[str | Path, ...] = ()
) -> tuple[Path, list[Path]]:
    """Write ``accuracy.md`` and ``figures/accuracy/*.png`` into the report directory.

    ``backtest_dir`` gives the full page; each directory in ``further`` (e.g. the same models
    in realised-policy mode) adds a section with its skill and coverage table.
    """
    from fiscalcliff.evaluation import BacktestResult, plots

    result = BacktestResult.read(backtest_dir)
    text, figs = accuracy_page(result, backtest_dir)
    if further:
        extra = ["", "## Other modes and models", ""]
        for directory in further:
            extra += further_section(BacktestResult.read(directory), directory)
        text += "\n".join(extra)
    fig_dir = tmp / "figures" / PAGE
    fig_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (fig, _) in figs.items():
        path = fig_dir / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plots.close(fig)
        paths.append(path)
    page = tmp / f"{PAGE}.md"
    page.write_text(text)
    return page, paths
