"""Fit priors/censored.yaml on ../shared/data and draw the shadow policy rate and ON RRP.

Writes docs/concepts/shadow-policy-rate.png, shadow-rrp.png and shadow-rates.csv (posterior
median and 90% band per month), which the docs page "Censored variables" shows. Run from the
repository root::

    FISCALCLIFF_DATA_DIR=../shared/data python docs/scripts/shadow_rates.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import fiscalcliff as fc
from fiscalcliff.report.figures import shadow_figure

OUT = Path("docs/concepts")


def main() -> None:
    results = fc.fit(fc.load_prior_file("priors/censored.yaml"), seed=0)
    print(results)
    shadow = results.shadow()
    observed = pd.concat([results.panel.frame, results.panel.edge])
    rows = {}
    for name, title, units, file in [
        (
            "policy_rate",
            "Shadow federal funds rate (EFFR at or below 0.25% censored)",
            "percent",
            "shadow-policy-rate.png",
        ),
        ("rrp", "Shadow ON RRP (at or below 5 $bn censored)", "$bn", "shadow-rrp.png"),
    ]:
        draws = shadow[f"shadow_{name}"]
        fig = shadow_figure(draws, observed[name], title=title, units=units)
        fig.savefig(OUT / file, dpi=110)
        q = draws.quantile([0.05, 0.5, 0.95], dim=("chain", "draw")).to_numpy()
        for label, values in zip(("p05", "median", "p95"), q, strict=True):
            rows[f"{name}_{label}"] = values
        rows[name] = observed[name].to_numpy()
    table = pd.DataFrame(rows, index=draws["time"].to_index().strftime("%Y-%m"))
    table.index.name = "month"
    table.round(3).to_csv(OUT / "shadow-rates.csv")
    print(table.loc["2009-01":"2015-12", ["policy_rate", "policy_rate_median"]].iloc[::12])


if __name__ == "__main__":
    main()
