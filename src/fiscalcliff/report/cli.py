"""``fiscalcliff report``: the docs site's scenario pages (argument parser and command)."""

from __future__ import annotations

import argparse
import shlex
import sys


def add_report_parser(sub) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to the CLI's subparsers (kept light: no heavy imports)."""
    rep = sub.add_parser(
        "report",
        help="write the docs site's scenario pages (MyST Markdown and PNG figures)",
        description="Run every scenario file, grouped by prior file, as_of and horizon so that "
        "each group shares posterior draws and shocks, and write one MyST Markdown page per "
        "scenario (fan charts, difference from the group's baseline, event probabilities, the "
        "scenario file, provenance) plus index.md into --out, replacing it only when complete.",
    )
    rep.add_argument(
        "--data-dir",
        metavar="DIR",
        help="read FRED-format CSV files from DIR instead of live FRED "
        "(default: $FISCALCLIFF_DATA_DIR if set)",
    )
    rep.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIOS",
        help="scenario files or directories of them (e.g. scenarios/)",
    )
    rep.add_argument(
        "--out", required=True, metavar="DIR", help="output directory (docs/forecasts)"
    )
    rep.add_argument(
        "--draws",
        type=int,
        default=1000,
        help="shared draws per group (default 1000, for a quick docs build; the scenario files "
        "ask for more)",
    )
    rep.add_argument("--seed", type=int, help="override the scenarios' seed")
    rep.add_argument(
        "--history-months",
        type=int,
        default=36,
        metavar="N",
        help="months of history on the fan charts (default 36)",
    )
    rep.add_argument(
        "--backtest",
        metavar="DIR",
        action="append",
        help="a stored `fiscalcliff backtest` output directory: adds the Forecast accuracy page; "
        "repeat it to add further runs (e.g. the realised-policy mode) as sections",
    )
    return rep


def report_cmd(args: argparse.Namespace) -> int:
    """``fiscalcliff report scenarios/ --out docs/forecasts``."""
    from fiscalcliff.cli.commands import _source, check_run_args
    from fiscalcliff.cli.progress import Reporter
    from fiscalcliff.errors import InputError
    from fiscalcliff.report.build import build_report, owns_report_entry

    check_run_args(args, out="directory", owns=owns_report_entry)
    if args.history_months < 1:
        raise InputError(f"--history-months must be a positive integer (got {args.history_months})")
    reporter = Reporter(not args.quiet)
    argv = ["fiscalcliff", "report", *args.scenarios, "--out", args.out, "--draws", str(args.draws)]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.history_months != 36:
        argv += ["--history-months", str(args.history_months)]
    for directory in args.backtest or ():
        argv += ["--backtest", directory]
    pages = build_report(
        args.scenarios,
        args.out,
        draws=args.draws,
        seed=args.seed,
        source=_source(args),
        history_months=args.history_months,
        reporter=reporter,
        command=shlex.join(argv),
        backtest=args.backtest,
    )
    for page in pages:
        print(f"{page.path}  ({len(page.figures)} figures; compared with {page.baseline})")
    print(f"wrote {len(pages)} pages and index.md to {args.out}")
    sys.stdout.flush()
    return 0
