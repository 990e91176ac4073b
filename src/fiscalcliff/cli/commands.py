"""CLI command implementations: each parses nothing, calls the API, prints, returns an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from fiscalcliff.cli.progress import Reporter
from fiscalcliff.errors import InputError


def _source(args: argparse.Namespace):
    from fiscalcliff.data import OfflineDirectorySource, default_source

    return (
        OfflineDirectorySource(args.data_dir)
        if getattr(args, "data_dir", None)
        else default_source()
    )


def _series_names(args: argparse.Namespace) -> list[str]:
    from fiscalcliff.data import load_catalogue

    if args.series:
        return list(args.series)
    if getattr(args, "priors", None):
        from fiscalcliff.model.spec import load_prior_file

        m = load_prior_file(args.priors).model
        return list(m.endogenous) + list(m.exogenous)
    return list(load_catalogue())


def data_show(args: argparse.Namespace) -> int:
    """``fiscalcliff data show``: one line per series."""
    from fiscalcliff.data import describe_series

    source = _source(args)
    print(f"source: {source.describe()}")
    table = describe_series(_series_names(args), source=source)
    print(table.to_string(index=False))
    if getattr(args, "priors", None) and not args.series:
        _print_ragged_edge(args.priors, source)
    return 0


def _print_ragged_edge(priors: str, source) -> None:
    """The prior file's sample end, where forecasts start, and what the ragged edge fills."""
    import pandas as pd

    from fiscalcliff.data import load_panel
    from fiscalcliff.model.spec import load_prior_file

    m = load_prior_file(priors).model
    names = list(m.endogenous) + list(m.exogenous)
    panel = load_panel(names, source=source, start=m.sample.start, end=m.sample.end)
    edge = panel.edge
    print()
    print(f"estimation sample: {panel.start}..{panel.end} (the last month every series shares)")
    if not len(edge):
        print("every series ends there: forecasts start the month after, nothing is filled")
        return
    start = edge.index[-1] + pd.offsets.MonthBegin(1)
    print(f"forecasts start {start:%Y-%m}, after the latest data; the months between are filled:")
    for name in names:
        missing = edge.index[edge[name].isna().to_numpy()]
        if not len(missing):
            print(f"  {name:<16} observed to {panel.last_dates[name]}")
            continue
        span = f"{missing[0]:%Y-%m}" + (f"..{missing[-1]:%Y-%m}" if len(missing) > 1 else "")
        how = (
            "held at its last value (exogenous)"
            if name in m.exogenous
            else "filled per draw by the model's conditional forecast"
        )
        print(f"  {name:<16} observed to {panel.last_dates[name]}; {span} {how}")


def data_pull(args: argparse.Namespace) -> int:
    """``fiscalcliff data pull``: live FRED into the local cache."""
    from fiscalcliff.data import pull_series

    names = _series_names(args)
    reporter = Reporter(not args.quiet)
    with reporter.phase(f"downloading {len(names)} series from FRED"):
        table = pull_series(names)
    print(table.to_string(index=False))
    kept = table.loc[table["kept old copy"] == "yes", "id"].tolist()
    if kept:
        from fiscalcliff.errors import SourceUnavailableError

        what = (
            "nothing was downloaded"
            if len(kept) == len(table)
            else (f"{len(kept)} of {len(table)} series were not downloaded ({', '.join(kept)})")
        )
        raise SourceUnavailableError(
            f"data pull: {what}: FRED could not be reached, so the cached copies listed as "
            "'kept old copy' are unchanged; check the network and rerun"
        )
    return 0


def check_run_args(
    args: argparse.Namespace,
    *,
    out: str = "file",
    owns: Callable[[str], bool] | None = None,
) -> None:
    """Validate the numeric arguments and ``--out`` before any work is done.

    Parameters
    ----------
    args : argparse.Namespace
    out : {"file", "directory"}
        What ``--out`` names for this command.
    owns : callable, optional
        For a directory output: true for the names of the entries the command writes
        (see :func:`fiscalcliff.output_targets.check_output_directory`).
    """
    from fiscalcliff.limits import MAX_DRAWS, check_draws, check_seed

    if getattr(args, "draws", None) is not None:
        check_draws(args.draws, "--draws")
    if getattr(args, "seed", None) is not None:
        check_seed(args.seed, "--seed")
    for flag, low, high in (
        ("mcmc_draws", 1, MAX_DRAWS),
        ("tune", 0, MAX_DRAWS),
        ("chains", 1, 64),
    ):
        value = getattr(args, flag, None)
        if value is not None and not low <= value <= high:
            name = f"--{flag.replace('_', '-')}"
            raise InputError(f"{name} must be an integer from {low} to {high:,} (got {value})")
    for flag in ("horizon", "as_of"):
        value = getattr(args, flag, None)
        if value is not None:
            check_month_arg(value, f"--{flag.replace('_', '-')}")
    target = getattr(args, "out", None)
    if target is None:
        return
    if out == "file":
        from fiscalcliff.output_targets import check_output_file

        check_output_file(target)
    else:
        from fiscalcliff.output_targets import check_output_directory

        check_output_directory(
            target, owns=owns or (lambda name: False), kind=args.command, flag="--out"
        )


def check_month_arg(value: str, flag: str) -> str:
    """``YYYY-MM`` with a month 01..12 and a year from 1900 to 2199, else an InputError."""
    import re

    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", value)
    if not match or not 1900 <= int(match.group(1)) <= 2199:
        raise InputError(f"{flag} {value!r}: write a month as YYYY-MM, e.g. {flag} 2026-12")
    return value


def _fit(args: argparse.Namespace, reporter: Reporter, mcmc_draws: int | None = None):
    import warnings

    from fiscalcliff.model.fit import fit
    from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning
    from fiscalcliff.model.spec import load_prior_file

    spec = load_prior_file(args.priors)
    source = _source(args)
    inference = spec.prior.inference
    sampler = getattr(args, "sampler", None) or inference.sampler
    hyper = getattr(args, "hyperparameters", None) or inference.hyperparameters
    if spec.model.censored:
        label = (
            "fitting: data, hyperparameters, Gibbs sampler for the censored variables "
            "(10-30 s on 2 cores; under a second when the same fit is in the fit cache)"
        )
    elif sampler == "nuts":
        label = "fitting: data, hyperparameters, NUTS in PyMC (the first run compiles, ~20 s)"
    elif hyper == "sample":
        label = "fitting: data, Metropolis over hyperparameters, conjugate draws"
    else:
        label = "fitting: data, hyperparameters, closed-form posterior"
    with reporter.phase(label), warnings.catch_warnings():
        # convergence warnings are part of the printed summary
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = fit(
            spec,
            source=source,
            as_of=args.as_of,
            sampler=sampler,
            hyperparameters=hyper,
            draws=mcmc_draws if sampler == "nuts" else None,
            tune=getattr(args, "tune", None),
            chains=getattr(args, "chains", None),
            seed=args.seed,
        )
    return results


def fit(args: argparse.Namespace) -> int:
    """``fiscalcliff fit``: estimate, print the summary, optionally save posterior draws."""
    check_run_args(args)
    reporter = Reporter(not args.quiet)
    results = _fit(args, reporter, mcmc_draws=args.draws)
    print(results)
    _print_notes(results, args.verbose)
    if args.out is not None:
        from fiscalcliff.model.mcmc.inference_data import write_tree

        tree = results.inference_data(args.draws or 2000, args.seed)
        write_tree(tree, args.out)
        post = tree["posterior"]
        print(
            f"wrote {args.out} ({post.sizes['chain']} chain(s) x {post.sizes['draw']} "
            "posterior draws; groups posterior, sample_stats, observed_data)"
        )
    return 0


def _parse_exog(items: list[str]) -> dict[str, float]:
    """``--exog NAME=VALUE`` items: each name once, a finite number."""
    import math

    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        try:
            number = float(value) if sep else math.nan
        except ValueError:
            number = math.nan
        if not name or not math.isfinite(number):
            what = "no variable name" if not name else "no finite number after '='"
            raise InputError(
                f"--exog {item!r}: {what}; write NAME=VALUE, e.g. --exog tariff_rate=15"
            )
        if name in out:
            raise InputError(
                f"--exog {name} is given twice ({out[name]:g} and {number:g}); give each "
                "exogenous variable once"
            )
        out[name] = number
    return out


def forecast(args: argparse.Namespace) -> int:
    """``fiscalcliff forecast``: paths to the horizon, quarterly summary, optional NetCDF."""
    from fiscalcliff.forecasting.summary import format_summary, quarterly_summary

    check_run_args(args)
    exog = _parse_exog(args.exog)
    reporter = Reporter(not args.quiet)
    results = _fit(args, reporter, mcmc_draws=getattr(args, "mcmc_draws", None))
    with reporter.phase(f"drawing {args.draws} forecast paths to {args.horizon}"):
        paths = results.forecast(
            args.horizon,
            draws=args.draws,
            seed=args.seed,
            exogenous=exog,
            stability=args.stability,
        )
    units = {name: str(paths[name].attrs.get("units", "")) for name in paths.data_vars}
    print(results)
    _print_notes(results, args.verbose)
    print()
    print(f"Forecast {paths.attrs['horizon']}, {args.draws} draws, seed {args.seed}")
    for name, how in sorted(_json_attr(paths.attrs["exogenous_assumptions"]).items()):
        print(f"  exogenous {name}: {how}")
    if "explosive_share" in paths.attrs:
        median_root = float(paths["max_root"].median())
        print(
            f"  explosive draws (largest companion root > 1): {paths.attrs['explosive_share']:.1%}"
            f" (median largest root {median_root:.4f})"
        )
    if args.stability != "report":
        print(f"  stability check: {paths.attrs['stability']}")
    print()
    print(format_summary(quarterly_summary(paths), units))
    if args.out is not None:
        from fiscalcliff.atomic import write_netcdf

        write_netcdf(paths, args.out)
        print(f"\nwrote {args.out}")
    sys.stdout.flush()
    return 0


def _print_notes(results, verbose: bool) -> None:
    """Data notes: the sample-window ones always, the rest with --verbose."""
    notes = results.panel.notes
    shown = notes if verbose else notes[:2]
    for note in shown:
        print(f"  note: {note}")
    if len(notes) > len(shown):
        print(f"  ({len(notes) - len(shown)} more data notes: rerun with --verbose)")


def _json_attr(value):
    import json

    return json.loads(value) if isinstance(value, str) else value
