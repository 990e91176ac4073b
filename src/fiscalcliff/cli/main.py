"""``fiscalcliff`` entry point: argument parsing, error reporting and exit codes.

Exit codes: 0 success; 1 internal error (a bug); 2 bad input (arguments, files, data);
3 a data source could not be reached and nothing was cached; 130 interrupted; 141 output pipe
closed by the reader.
Heavy libraries are imported inside the commands so that ``--help`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Sequence

from fiscalcliff._version import __version__
from fiscalcliff.errors import FiscalCliffError


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="read FRED-format CSV files from DIR instead of live FRED "
        "(default: $FISCALCLIFF_DATA_DIR if set)",
    )


def _add_sampler(parser: argparse.ArgumentParser, mcmc_draws: bool) -> None:
    """--sampler, --hyperparameters and the MCMC settings (defaults: the prior file's)."""
    parser.add_argument(
        "--sampler",
        choices=["exact", "nuts"],
        help="exact: closed-form conjugate posterior (i.i.d. draws); nuts: the same VAR-X in "
        "PyMC, for non-conjugate priors (default: prior.inference.sampler, else exact)",
    )
    parser.add_argument(
        "--hyperparameters",
        choices=["optimise", "sample"],
        help="optimise: fix at the marginal-likelihood optimum; sample: hierarchical "
        "(Metropolis for exact, random variables for nuts) (default: the prior file's)",
    )
    if mcmc_draws:
        parser.add_argument(
            "--mcmc-draws", type=int, metavar="N", help="NUTS draws per chain (default 1000)"
        )
    parser.add_argument("--tune", type=int, metavar="N", help="NUTS tuning draws per chain")
    parser.add_argument("--chains", type=int, metavar="C", help="NUTS chains (default 2)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to generate the CLI reference)."""
    parser = argparse.ArgumentParser(
        prog="fiscalcliff",
        description="Bayesian VAR-X scenarios for US bank reserves, the TGA, ON RRP and yields.",
    )
    parser.add_argument("--version", action="version", version=f"fiscalcliff {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    parser.add_argument(
        "--no-fit-cache",
        action="store_true",
        help="neither read nor write the cache of censored Gibbs fits (default: cached under "
        "$FISCALCLIFF_FIT_CACHE, else the user cache directory; the same inputs give the same "
        "draws either way)",
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print every data note (incomplete months, fills)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    data = sub.add_parser("data", help="inspect and fetch the data series")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    show = data_sub.add_parser("show", help="list series: where from, units, last dates")
    _add_data_dir(show)
    show.add_argument("--priors", metavar="FILE", help="only the series this prior file uses")
    show.add_argument("series", nargs="*", help="model names (default: whole catalogue)")
    pull = data_sub.add_parser("pull", help="download series from live FRED into the cache")
    pull.add_argument("--priors", metavar="FILE", help="only the series this prior file uses")
    pull.add_argument("series", nargs="*", help="model names (default: whole catalogue)")

    fit = sub.add_parser("fit", help="estimate the model and print a summary")
    _add_data_dir(fit)
    fit.add_argument("--priors", required=True, metavar="FILE", help="prior file (priors/*.yaml)")
    fit.add_argument("--as-of", metavar="YYYY-MM", help="use data up to this month only")
    fit.add_argument(
        "--draws",
        type=int,
        help="exact: posterior draws to save (default 2000); nuts: draws per chain "
        "(default: prior file, 1000)",
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.add_argument(
        "--out",
        metavar="FIT.nc",
        help="save the posterior as ArviZ-compatible NetCDF (groups posterior, sample_stats, "
        "observed_data)",
    )
    _add_sampler(fit, mcmc_draws=False)

    fc = sub.add_parser("forecast", help="draw forecast paths and print a quarterly summary")
    _add_data_dir(fc)
    fc.add_argument("--priors", required=True, metavar="FILE", help="prior file (priors/*.yaml)")
    fc.add_argument("--horizon", default="2026-12", metavar="YYYY-MM", help="last forecast month")
    fc.add_argument("--as-of", metavar="YYYY-MM", help="use data up to this month only")
    fc.add_argument("--draws", type=int, default=2000, help="paths to draw (default 2000)")
    fc.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fc.add_argument(
        "--exog",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="hold an exogenous variable at VALUE over the horizon (repeatable); "
        "unspecified ones stay at their last observed value",
    )
    fc.add_argument(
        "--stability",
        choices=("report", "filter", "skip"),
        default="report",
        help="explosive draws (largest companion root > 1): report their share and keep them "
        "(default), filter them out (replaced by new stable draws; recorded), or skip the check",
    )
    fc.add_argument("--out", metavar="FILE.nc", help="write the paths as NetCDF")
    _add_sampler(fc, mcmc_draws=True)

    run = sub.add_parser("run", help="run one scenario file and print its forecast")
    _add_data_dir(run)
    run.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file (scenarios/*.yaml)")
    run.add_argument("--draws", type=int, help="override the scenario's number of draws")
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument("--out", metavar="FILE.nc", help="write the paths as NetCDF")
    _add_scenario_priors(run)

    cmp = sub.add_parser("compare", help="compare scenarios on shared draws against a baseline")
    _add_data_dir(cmp)
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario files")
    cmp.add_argument("--baseline", required=True, metavar="NAME", help="name of the baseline")
    cmp.add_argument("--draws", type=int, help="override the scenarios' number of draws")
    cmp.add_argument("--seed", type=int, help="override the scenarios' seed")
    cmp.add_argument("--out", required=True, metavar="DIR", help="output directory")
    _add_scenario_priors(cmp)

    from fiscalcliff.cli.backtest_command import add_backtest_parser
    from fiscalcliff.cli.policy_command import add_policy_parser
    from fiscalcliff.cli.structural_command import add_structural_parser
    from fiscalcliff.report.cli import add_report_parser

    add_backtest_parser(sub)
    add_policy_parser(sub)
    add_report_parser(sub)
    add_structural_parser(sub)
    return parser


def _add_scenario_priors(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--priors",
        metavar="FILE",
        help="fit this prior file instead of the scenarios' own (e.g. the shipped scenarios "
        "under priors/uncensored.yaml, the uncensored model with a sub-second fit)",
    )


def _install_warning_printer() -> None:
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show


def _fit_cache_setting(args: argparse.Namespace) -> contextlib.AbstractContextManager[None]:
    """``--no-fit-cache``: the command runs with the fit cache off."""
    if not args.no_fit_cache:
        return contextlib.nullcontext()
    from fiscalcliff.model import fit_cache

    return fit_cache.disabled()


#: (command, subcommand) -> (module, function) of its handler
_HANDLERS = {
    ("data", "show"): ("fiscalcliff.cli.commands", "data_show"),
    ("data", "pull"): ("fiscalcliff.cli.commands", "data_pull"),
    ("fit", None): ("fiscalcliff.cli.commands", "fit"),
    ("forecast", None): ("fiscalcliff.cli.commands", "forecast"),
    ("run", None): ("fiscalcliff.cli.scenario_commands", "run"),
    ("compare", None): ("fiscalcliff.cli.scenario_commands", "compare_cmd"),
    ("report", None): ("fiscalcliff.report.cli", "report_cmd"),
    ("backtest", None): ("fiscalcliff.cli.backtest_command", "backtest_cmd"),
    ("policy", None): ("fiscalcliff.cli.policy_command", "policy_cmd"),
    ("structural", None): ("fiscalcliff.cli.structural_command", "structural_cmd"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used by the console script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _install_warning_printer()
    module, name = _HANDLERS[(args.command, getattr(args, "data_command", None))]
    import importlib

    handler = getattr(importlib.import_module(module), name)  # only the command's own module
    try:
        with _fit_cache_setting(args):
            return handler(args) or 0
    except FiscalCliffError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        if args.debug:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: cannot read or write a file{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in fiscalcliff; rerun with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return 1


#: commands that never use Dask. xarray imports ``dask.array`` (and, to pick a lock when writing
#: NetCDF, ``distributed``) whenever they are installed; only ``backtest`` uses them.
DASK_FREE_COMMANDS = frozenset(
    {"data", "fit", "forecast", "run", "compare", "report", "policy", "structural"}
)


def _command_word(argv: Sequence[str]) -> str | None:
    """The subcommand: the first argument that is not an option (global options take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def console() -> int:
    """The ``fiscalcliff`` console script: :func:`main`, with Dask hidden from commands that
    do not use it.

    Marking ``dask`` and ``distributed`` as not importable (``None`` in ``sys.modules``) before
    anything imports them saves their import, about 0.5 s of every such command, because xarray
    then treats them as not installed. ``backtest`` and the Python API are unaffected.
    """
    if _command_word(sys.argv[1:]) in DASK_FREE_COMMANDS:
        for name in ("dask", "distributed"):
            if name not in sys.modules:
                sys.modules[name] = None  # type: ignore[assignment]
    return main()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
