"""``fiscalcliff backtest``: rolling-origin evaluation of prior files against benchmarks."""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from fiscalcliff.errors import InputError


def add_backtest_parser(sub) -> None:
    """Register ``backtest`` on the CLI's subcommand parser."""
    bt = sub.add_parser(
        "backtest",
        help="rolling-origin forecast evaluation against rw, ols and a plain Minnesota BVAR",
    )
    bt.add_argument(
        "--data-dir",
        metavar="DIR",
        help="read FRED-format CSV files from DIR (default: $FISCALCLIFF_DATA_DIR)",
    )
    bt.add_argument(
        "--priors",
        required=True,
        action="append",
        metavar="FILE",
        help="prior file to evaluate (repeatable; the first sets the scored variables)",
    )
    bt.add_argument(
        "--benchmarks",
        default="rw,ols,minnesota",
        metavar="LIST",
        help="comma list of rw, ols, minnesota, or 'none' (default: all three)",
    )
    bt.add_argument(
        "--origins",
        default="2022-06:2025-11",
        metavar="START:END[:STEP]",
        help="forecast origins (default 2022-06:2025-11, monthly); or a comma list",
    )
    bt.add_argument(
        "--horizons", type=int, default=12, metavar="H", help="months ahead, 1..H (default 12)"
    )
    bt.add_argument("--draws", type=int, default=2000, help="paths per model and origin")
    bt.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    bt.add_argument(
        "--condition-on",
        default="",
        metavar="VAR[,VAR...]",
        help="impose the realised future of these variables (realised-policy mode)",
    )
    bt.add_argument(
        "--treasury-cash",
        default=None,
        metavar="SD",
        help="impose Treasury's end-of-quarter cash balances announced by each origin as soft "
        "conditions on the TGA with this sd in $bn, as the shipped baseline does (e.g. 100; "
        "default: not imposed)",
    )
    bt.add_argument(
        "--stability",
        choices=("report", "filter"),
        default="report",
        help="report (default): forecast from every posterior draw and report the explosive "
        "share; filter: forecast from stable draws only (the share of explosive draws made is "
        "still reported)",
    )
    where = bt.add_mutually_exclusive_group()
    where.add_argument("--serial", action="store_true", help="run every task in this process")
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on an existing Dask scheduler (default: "
        "$FISCALCLIFF_DASK_SCHEDULER, else a local cluster)",
    )
    bt.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local cluster worker processes (default: the CPU count)",
    )
    bt.add_argument("--out", required=True, metavar="DIR", help="output directory")


def _treasury_cash(text: str | None) -> float | None:
    """``--treasury-cash`` as a number, checked by the backtest's own rule."""
    from fiscalcliff.evaluation.runner import check_treasury_cash

    if text is None:
        return None
    try:
        value: float | str = float(text)
    except ValueError:
        value = text  # not a number: refused, and shown as given
    return check_treasury_cash(value, "--treasury-cash")


def _list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def backtest_cmd(args: argparse.Namespace) -> int:
    """Run the backtest, print its summary, write the output directory."""
    from fiscalcliff.cli.commands import _source, check_run_args
    from fiscalcliff.cli.progress import Reporter
    from fiscalcliff.evaluation.output import owns_backtest_entry
    from fiscalcliff.evaluation.result import BacktestResult
    from fiscalcliff.evaluation.runner import assemble, build_tasks, run_tasks

    if args.workers is not None and not 1 <= args.workers <= 256:
        raise InputError(f"--workers must be an integer from 1 to 256 (got {args.workers})")
    if not 1 <= args.horizons <= 60:
        raise InputError(
            f"--horizons must be a whole number of months from 1 to 60 (got {args.horizons})"
        )
    benchmarks = [] if args.benchmarks.strip() == "none" else _list(args.benchmarks)
    treasury_cash = _treasury_cash(args.treasury_cash)
    check_run_args(args, out="directory", owns=owns_backtest_entry)
    reporter = Reporter(not args.quiet)
    start = time.perf_counter()
    with reporter.phase("reading data and building tasks"):
        tasks, settings = build_tasks(
            args.priors,
            benchmarks=benchmarks,
            origins=args.origins,
            horizons=args.horizons,
            draws=args.draws,
            seed=args.seed,
            condition_on=_list(args.condition_on),
            treasury_cash=treasury_cash,
            stability=args.stability,
            source=_source(args),
        )
    where = (
        "in this process"
        if args.serial
        else (f"on {args.scheduler}" if args.scheduler else "on a local Dask cluster")
    )
    with reporter.phase(f"{len(tasks)} tasks (model x origin) {where}", total=len(tasks)) as step:
        done = [0]
        every = max(1, len(tasks) // 10)

        def on_result(result) -> None:
            step(1)
            done[0] += 1
            if reporter.enabled and not reporter.live and done[0] % every == 0:
                print(
                    f"  {done[0]}/{len(tasks)} tasks, {time.perf_counter() - start:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )

        results = run_tasks(
            tasks,
            serial=args.serial,
            scheduler=args.scheduler,
            workers=args.workers,
            on_result=on_result,
        )
    settings["command"] = shlex.join(["fiscalcliff", *sys.argv[1:]]) if sys.argv[1:] else ""
    result = BacktestResult(assemble(tasks, results, settings))
    with reporter.phase(f"writing {args.out}"):
        result.write(args.out)
    print(result)
    secs = result.dataset.seconds
    print(
        f"\nwall {time.perf_counter() - start:.0f} s; seconds per (model, origin): "
        + ", ".join(f"{m} {float(secs.sel(model=m).mean()):.1f}" for m in secs.model.values)
    )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
