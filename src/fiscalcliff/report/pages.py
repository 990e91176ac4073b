"""MyST Markdown for the scenario pages and the section index (plain strings, no templating)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

#: how the series are called on the pages
SERIES_TITLES = {
    "fed_assets": "Fed total assets",
    "reserves": "Bank reserves",
    "tga": "Treasury General Account (TGA)",
    "rrp": "Overnight reverse repo (ON RRP)",
    "other_absorbing": "Other absorbing factors",
    "policy_rate": "Effective fed funds rate",
    "bill_3m": "3-month Treasury bill yield",
    "yield_10y": "10-year Treasury yield",
    "term_spread": "Term spread (10-year minus 3-month)",
}


def attr_json(attrs: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A provenance attribute that may be stored as JSON text."""
    value = attrs.get(key, default)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def display_path(path: str | os.PathLike[str]) -> str:
    """A path relative to the working directory when inside it (no home directories on pages)."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.name


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-style pipe table (MyST renders these as HTML tables)."""
    lines = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fmt(value: float, units: str, *, sign: bool = False) -> str:
    """A number in the precision its units deserve ($bn: whole, percent: two decimals)."""
    digits = 0 if units.startswith("$") else 2
    return f"{value:{'+' if sign else ''},.{digits}f}"


def interval(row: Mapping[str, float], units: str, *, sign: bool = False) -> str:
    """``median [lower, upper]`` from a summary row."""
    return (
        f"{fmt(row['median'], units, sign=sign)} "
        f"[{fmt(row['hdi_lower'], units, sign=sign)}, {fmt(row['hdi_upper'], units, sign=sign)}]"
    )


def summary_table(
    summary: pd.DataFrame,
    scenario: str,
    variables: Sequence[str],
    units: Mapping[str, str],
    *,
    sign: bool = False,
) -> str:
    """Series by quarter, ``median [90% HDI]`` cells, from ``Comparison.levels()``-like tables."""
    sub = summary.xs(scenario, level="scenario")
    quarters = list(dict.fromkeys(sub.index.get_level_values("quarter")))
    rows = []
    for var in variables:
        if var not in sub.index.get_level_values("variable"):
            continue
        u = units.get(var, "")
        rows.append(
            [f"{var} ({u})"] + [interval(sub.loc[(var, q)], u, sign=sign) for q in quarters]
        )
    return table(["series", *quarters], rows)


def event_table(events: pd.DataFrame, scenario: str, baseline: str) -> str:
    """Event probabilities of one scenario, with the baseline's and the draw-by-draw difference."""
    if not len(events):
        return "No events are defined for this scenario.\n"
    mine = events[events["scenario"] == scenario].set_index("event")
    base = events[events["scenario"] == baseline].set_index("event")
    rows = []
    for label, r in mine.iterrows():
        row = [f"`{label}`", f"`{r['definition']}`", f"{r['probability']:.1%} ± {r['mc_se']:.1%}"]
        if scenario != baseline:
            row += [
                f"{base.loc[label, 'probability']:.1%}",
                f"{r['diff_vs_baseline']:+.1%} ± {r['diff_mc_se']:.1%}",
            ]
        rows.append(row)
    header = ["event", "definition", "probability ± MC s.e."]
    if scenario != baseline:
        header += [f"{baseline}", "difference ± MC s.e."]
    return table(header, rows)


def actuals_table(frame: pd.DataFrame, units: Mapping[str, str]) -> str:
    """Observed value against the forecast median and 90% interval, month by month."""
    rows = []
    for r in frame.itertuples(index=False):
        u = units.get(r.variable, "")
        rows.append(
            [
                r.variable,
                f"{r.date:%Y-%m}",
                fmt(r.actual, u),
                fmt(r.median, u),
                f"[{fmt(r.lower, u)}, {fmt(r.upper, u)}]",
                "yes" if r.inside else "**no**",
            ]
        )
    return table(["series", "month", "actual", "forecast median", "90% interval", "inside"], rows)


def coverage_table(frame: pd.DataFrame, units: Mapping[str, str]) -> str:
    """Per series: months compared, how many fell inside the 90% interval, mean absolute error."""
    rows = []
    for var, sub in frame.groupby("variable", sort=False):
        u = units.get(var, "")
        err = (sub["actual"] - sub["median"]).abs().mean()
        rows.append(
            [
                var,
                len(sub),
                f"{int(sub['inside'].sum())} of {len(sub)}",
                f"{fmt(err, u)} {u}",
            ]
        )
    return table(["series", "months", "inside the 90% interval", "mean absolute error"], rows)


def provenance_table(attrs: Mapping[str, Any], scenario_sha256: str, draws_in_file: int) -> str:
    """Package version, seed, draws, data vintage and hashes of a scenario page."""
    hyper = attr_json(attrs, "hyperparameters", {}) or {}
    rows = [
        ["fiscalcliff version", attrs.get("fiscalcliff_version", "")],
        ["Python", attrs.get("python_version", "")],
        ["created (UTC)", attrs.get("created_utc", "")],
        ["seed", attrs.get("seed", "")],
        ["draws", f"{attrs.get('draws', '')} shared draws (the file asks for {draws_in_file})"],
        ["data as of", attrs.get("as_of") or "all available data"],
        ["estimation sample", attrs.get("sample", "")],
        ["forecast horizon", attrs.get("horizon", "")],
        ["prior file", f"`{display_path(attrs.get('prior_file', ''))}`"],
        ["prior file SHA-256", f"`{attrs.get('prior_sha256', '')}`"],
        ["scenario SHA-256 (with the files it extends)", f"`{scenario_sha256}`"],
        ["data panel SHA-256", f"`{attrs.get('data_sha256', '')}`"],
        [
            "hyperparameters",
            ", ".join(f"{k} = {float(v):.4g}" for k, v in hyper.items()) or "none",
        ],
        ["sampler", attrs.get("sampler", "")],
    ]
    return table(["item", "value"], rows)


def last_dates_table(attrs: Mapping[str, Any]) -> str:
    """Each series' last month in the data source."""
    last = attr_json(attrs, "data_last_dates", {}) or {}
    return table(["series", "last month in the data"], [[k, v] for k, v in sorted(last.items())])
