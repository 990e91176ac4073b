"""``fiscalcliff structural irf|fevd|hd``: structural analysis by named shock."""

from __future__ import annotations

import argparse

#: analysis -> (help, default draws)
ANALYSES = {
    "irf": ("impulse responses to one-sd named shocks, with posterior bands", 2000),
    "fevd": ("forecast-error variance shares by shock", 2000),
    "hd": ("historical decomposition of the sample by shock", 500),
}


def add_structural_parser(sub) -> None:
    """Register ``structural irf|fevd|hd`` on the CLI's subcommand parser."""
    from fiscalcliff.cli.main import _add_data_dir

    st = sub.add_parser(
        "structural",
        help="impulse responses, variance and historical decompositions by named shock",
    )
    actions = st.add_subparsers(dest="structural_command", metavar="ANALYSIS", required=True)
    for name, (text, draws) in ANALYSES.items():
        p = actions.add_parser(name, help=text)
        _add_data_dir(p)
        p.add_argument("--priors", required=True, metavar="FILE", help="prior file (priors/*.yaml)")
        p.add_argument("--as-of", metavar="YYYY-MM", help="use data up to this month only")
        p.add_argument(
            "--draws", type=int, default=draws, help=f"posterior draws (default {draws})"
        )
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        if name != "hd":
            p.add_argument(
                "--months", type=int, default=48, help="last horizon in months (default 48)"
            )
        else:
            p.add_argument(
                "--start",
                default="2019-01",
                metavar="YYYY-MM",
                help="first month of the figure and the printed table (default 2019-01)",
            )
        p.add_argument("--out", metavar="FILE.nc", help="write every draw as NetCDF")
        p.add_argument("--figure", metavar="FILE.png", help="write the figure as PNG")
        p.add_argument(
            "--series",
            metavar="A,B",
            help="series in the figure and table (default: reserves, "
            "tga, rrp, policy_rate, bill_3m, yield_10y)",
        )


def structural_cmd(args: argparse.Namespace) -> int:
    """Run one structural analysis; print a summary; write NetCDF and a figure if asked."""
    from fiscalcliff.cli.commands import _fit, check_month_arg, check_run_args
    from fiscalcliff.cli.progress import Reporter
    from fiscalcliff.errors import InputError
    from fiscalcliff.output_targets import check_output_file

    check_run_args(args)
    if args.figure is not None:
        check_output_file(args.figure, flag="--figure")
    months = getattr(args, "months", None)
    if months is not None and not 0 <= months <= 600:
        raise InputError(f"--months must be an integer from 0 to 600 (got {months})")
    start = getattr(args, "start", None)
    if start is not None:
        check_month_arg(start, "--start")
    series = None if args.series is None else [s.strip() for s in args.series.split(",")]
    reporter = Reporter(not args.quiet)
    results = _fit(args, reporter)
    if series is not None:
        known = [*results.endogenous, *(i.target for i in results.identities)]
        unknown = [s for s in series if s not in known]
        if unknown:
            raise InputError(
                f"--series: {', '.join(unknown)} not a series of the model "
                f"(choose from: {', '.join(known)})"
            )
    from fiscalcliff import structural
    from fiscalcliff.report import structural_figures as figs

    kind = args.structural_command
    with reporter.phase(f"{kind}: {args.draws} draws"):
        if kind == "irf":
            ds = structural.impulse_responses(
                results, horizon=months, draws=args.draws, seed=args.seed
            )
        elif kind == "fevd":
            ds = structural.fevd(results, horizon=months, draws=args.draws, seed=args.seed)
        else:
            ds = structural.historical_decomposition(results, draws=args.draws, seed=args.seed)
    print(f"Identification: {ds.attrs['identification']}")
    print(_summary(ds, kind, series, start))
    if args.out is not None:
        from fiscalcliff.atomic import write_netcdf

        write_netcdf(ds, args.out)
        print(f"wrote {args.out}")
    if args.figure is not None:
        from fiscalcliff.atomic import atomic_path

        draw = {"irf": figs.irf_figure, "fevd": figs.fevd_figure, "hd": figs.hd_figure}[kind]
        fig = draw(ds, series) if kind != "hd" else draw(ds, series, start)
        import matplotlib.pyplot as plt

        with atomic_path(args.figure) as tmp:
            fig.savefig(tmp, dpi=100, format="png")
        plt.close(fig)
        print(f"wrote {args.figure}")
    return 0


def _summary(ds, kind: str, series, start) -> str:
    """A printed table: posterior medians by shock for the chosen series."""
    from fiscalcliff.report.structural_figures import _series

    names = _series(ds, series)
    draws = ("chain", "draw")
    if kind == "irf":
        horizons = [h for h in (0, 12, 24, 48) if h <= int(ds["horizon"].max())]
        med = ds["irf"].sel(variable=names, horizon=horizons).median(draws)
        title = "Median response to a one-sd shock, at horizons (months) " + ", ".join(
            map(str, horizons)
        )
        fmt = lambda v: f"{v:,.3g}"  # noqa: E731
        rows = {
            shock: [
                " / ".join(fmt(x) for x in med.sel(shock=shock, variable=n).values) for n in names
            ]
            for shock in ds["shock"].values
        }
    elif kind == "fevd":
        horizons = [h for h in (0, 11, 47) if h <= int(ds["horizon"].max())]
        med = ds["fevd"].sel(variable=names, horizon=horizons).mean(draws)
        title = (
            "Mean share of the forecast-error variance, "
            + ", ".join(f"{h + 1}" for h in horizons)
            + " months ahead"
        )
        rows = {
            shock: [
                " / ".join(f"{x:.0%}" for x in med.sel(shock=shock, variable=n).values)
                for n in names
            ]
            for shock in ds["shock"].values
        }
    else:
        sub = ds.sel(date=slice(start, None), variable=names)
        first, last = sub["date"].to_index()[[0, -1]]
        change = sub["contribution"].isel(date=-1) - sub["contribution"].isel(date=0)
        med = change.median(draws)
        title = (
            f"Median contribution of each shock to the change from {first:%Y-%m} to {last:%Y-%m}"
        )
        rows = {
            shock: [f"{x:,.3g}" for x in med.sel(shock=shock).values]
            for shock in ds["shock"].values
        }
    width = max(12, *(len(c) for r in rows.values() for c in r), *(len(n) for n in names))
    lines = [title, "shock".ljust(14) + "".join(n.rjust(width + 2) for n in names)]
    lines += [s.ljust(14) + "".join(c.rjust(width + 2) for c in r) for s, r in rows.items()]
    return "\n".join(lines)
