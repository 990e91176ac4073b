"""``fiscalcliff run`` and ``fiscalcliff compare``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fiscalcliff.cli.commands import _source, check_run_args
from fiscalcliff.cli.progress import Reporter
from fiscalcliff.scenarios.loader import load_scenarios


def _print_events(table) -> None:
    if not len(table):
        return
    print("\nEvent probabilities (share of draws; Δ = difference from the baseline, draw by draw)")
    for label, rows in table.groupby("event", sort=False):
        print(f"  {label}: {rows['definition'].iloc[0]}")
        for r in rows.itertuples():
            delta = f"  Δ {r.diff_vs_baseline:+.1%}" if r.diff_vs_baseline or r.diff_mc_se else ""
            print(f"    {r.scenario:<24} {r.probability:6.1%} (± {r.mc_se:.1%}){delta}")


def run(args: argparse.Namespace) -> int:
    """``fiscalcliff run S.yaml --out FILE.nc``: one scenario."""
    from fiscalcliff.forecasting.summary import format_summary, quarterly_summary
    from fiscalcliff.scenarios.compare import compare

    check_run_args(args)
    (scenario,) = load_scenarios([args.scenario], priors=args.priors)
    reporter = Reporter(not args.quiet)
    from fiscalcliff.scenarios.runner import named_errors

    with reporter.phase("fitting the model"), named_errors(scenario):
        from fiscalcliff.model.fit import fit
        from fiscalcliff.model.spec import load_prior_file

        results = fit(
            load_prior_file(scenario.priors_path), source=_source(args), as_of=scenario.spec.as_of
        )
    cmp = compare(
        [scenario],
        baseline=scenario.name,
        draws=args.draws,
        seed=args.seed,
        results=results,
        reporter=reporter,
    )
    ds = cmp.paths
    one = ds.isel(scenario=0)
    import textwrap

    print(
        textwrap.fill(
            f"Scenario {scenario.name}: {scenario.spec.description.strip()}",
            width=100,
            subsequent_indent="  ",
        )
    )
    print(
        f"  horizon {ds.attrs['horizon']}, {ds.attrs['draws']} draws, seed {ds.attrs['seed']}, "
        f"data sample {ds.attrs['sample']}"
    )
    for name, how in json.loads(ds.attrs["exogenous_assumptions"])[scenario.name].items():
        print(f"  exogenous {name}: {how}")
    conds = json.loads(ds.attrs["conditions"])[scenario.name]
    print(
        f"  conditions: {conds['hard']} hard, {conds['soft']} soft, {conds['bounds']} bounds; "
        f"adjusting shocks: {', '.join(conds['adjusting_shocks'])}"
    )
    if conds.get("treasury_cash"):
        print(f"  treasury cash balance: {conds['treasury_cash']}")
    for shock, months in conds.get("shock_paths", {}).items():
        shown = ", ".join(f"{m} {v:+g} sd" for m, v in months.items())
        print(f"  shock {shock} set by the file: {shown}")
    plaus = conds.get("plausibility")
    if plaus:
        lo, hi = plaus["q_5_95"]
        print(
            f"  plausibility: q = {plaus['q']:.2f} (5-95% over draws {lo:.2f}-{hi:.2f}; "
            f"KL {plaus['kl']:.2f} over {plaus['shocks']} shocks; 0.5 = as likely as the "
            "unconditional forecast)"
        )
    print()
    units = {v: str(one[v].attrs.get("units", "")) for v in one.data_vars}
    print(format_summary(quarterly_summary(one), units))
    _print_events(cmp.event_probabilities())
    if args.out is not None:
        from fiscalcliff.atomic import write_netcdf

        write_netcdf(ds, args.out)
        print(f"\nwrote {args.out}")
    return 0


def compare_cmd(args: argparse.Namespace) -> int:
    """``fiscalcliff compare A.yaml B.yaml ... --baseline NAME --out DIR``."""
    from fiscalcliff.scenarios.compare import compare
    from fiscalcliff.scenarios.output import owns_comparison_entry

    check_run_args(args, out="directory", owns=owns_comparison_entry)
    scenarios = load_scenarios(args.scenarios, priors=args.priors)
    reporter = Reporter(not args.quiet)
    cmp = compare(
        scenarios,
        baseline=args.baseline,
        draws=args.draws,
        seed=args.seed,
        source=_source(args),
        reporter=reporter,
    )
    with reporter.phase(f"writing tables and fan charts to {args.out}"):
        written = cmp.write(args.out)
    print((Path(args.out) / "summary.md").read_text())
    print(f"wrote {len(written)} files to {args.out}: {', '.join(p.name for p in written)}")
    return 0
