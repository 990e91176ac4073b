"""Structural analysis of the default model (priors/default.yaml) on ../shared/data.

Writes docs/concepts/structural-irf.png, structural-fevd.png, structural-hd.png and
structural-impact.csv (posterior median impact of each shock), which the docs page "Structural
analysis" shows. Run from the repository root::

    FISCALCLIFF_DATA_DIR=../shared/data python docs/scripts/structural.py
"""

from __future__ import annotations

from pathlib import Path

import fiscalcliff as fc
from fiscalcliff.report.structural_figures import fevd_figure, hd_figure, irf_figure
from fiscalcliff.structural import historical_decomposition, impulse_responses

OUT = Path("docs/concepts")


def main() -> None:
    results = fc.fit(fc.load_prior_file("priors/default.yaml"))
    print(results.identification.scheme)
    ds = impulse_responses(results, horizon=48, draws=2000, seed=0, with_fevd=True)
    irf_figure(ds).savefig(OUT / "structural-irf.png", dpi=90)
    fevd_figure(ds).savefig(OUT / "structural-fevd.png", dpi=90)
    impact = ds["irf"].sel(horizon=0).median(("chain", "draw")).to_pandas()
    impact.round(4).to_csv(OUT / "structural-impact.csv")
    print(impact.round(3).to_string())
    hd = historical_decomposition(results, draws=500, seed=0)
    hd_figure(hd, start="2019-01").savefig(OUT / "structural-hd.png", dpi=90)
    share = ds["fevd"].sel(horizon=[0, 11, 47]).mean(("chain", "draw"))
    for name in ("reserves", "rrp", "yield_10y"):
        print(name, "\n", share.sel(variable=name).to_pandas().round(2).to_string())


if __name__ == "__main__":
    main()
