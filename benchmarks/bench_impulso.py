"""Optional benchmark (issue 13): fiscalcliff against impulso on the same panel and model.

Run from the repository root with the real data beside it, after installing the optional
benchmark dependency (``pip install -e '.[bench]'``, which adds impulso):

    FISCALCLIFF_DATA_DIR=../shared/data python benchmarks/bench_impulso.py

The model is the one both packages fit in closed form: ``priors/minnesota.yaml`` (the plain
Minnesota BVAR of the backtest: 7 variables in levels, 12 lags, a constant, tightness 0.2 fixed,
lag decay 2, no dummies, no exogenous variables) and impulso's ``ConjugateVAR`` with
``NIWPrior(tightness=0.2, decay=2)``, both on the estimation sample of that prior file (data cut
at its last common month, so fiscalcliff has no ragged edge to fill). Rows, best of
``--repeat``, each in this process after one untimed warm-up run of both packages:

* fit + ``--draws`` posterior draws + 12-month density-forecast paths (fiscalcliff without its
  stability check, ``stability="skip"``: impulso has none);
* the same with fiscalcliff's default stability report (every draw's largest companion root:
  one 84 x 84 eigenvalue problem per draw, ~2-4 ms each on the 2-core machines, in two
  threads), against impulso's forecast row;
* the same plus every path conditioned on a hard TGA path of 900 $bn in all 12 months
  (fiscalcliff: a scenario file with one condition; impulso: ``conditional_forecast`` with a
  ``VariablePath``).

The two do not do identical work: fiscalcliff's forecast also evaluates the identities
(reserves, term spread) and returns an xarray Dataset with provenance; both conditional runs
report the condition's plausibility. The ratio column is
fiscalcliff's time over impulso's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import best_of, fmt_best, load_model  # noqa: E402

PRIORS = ROOT / "priors" / "minnesota.yaml"
STEPS = 12
TGA_LEVEL = 900.0

SCENARIO = """
name: bench-tga
description: TGA held at {level} $bn for {steps} months (benchmark)
priors: {priors}
as_of: {as_of}
horizon: {{end: {end}}}
conditions:
  tga: {{variable: tga, path: [{{level: {level}}}]}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import impulso
        from impulso.priors import NIWPrior
        from impulso.scenario import VariablePath
    except ImportError:
        parser.exit(2, "impulso is not installed: pip install -e '.[bench]'\n")
    from importlib.metadata import version

    from fiscalcliff.model.fit import fit
    from fiscalcliff.scenarios.loader import load_scenario
    from fiscalcliff.scenarios.runner import run_scenarios

    spec, panel = load_model(str(PRIORS))
    names = list(spec.model.endogenous)
    frame = panel.frame[names]
    last = frame.index[-1]
    end = (last + np.timedelta64(1, "D")).to_period("M") + STEPS - 1  # 12 months after the data
    horizon = f"{end:%Y-%m}"
    as_of = f"{last:%Y-%m}"
    data = impulso.VARData.from_df(frame, endog=names)
    model = impulso.ConjugateVAR(
        lags=spec.model.lags, prior=NIWPrior(tightness=0.2, decay=2.0), draws=args.draws, seed=0
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-tga.yaml"
        path.write_text(
            SCENARIO.format(level=TGA_LEVEL, steps=STEPS, priors=PRIORS, as_of=as_of, end=horizon)
        )
        scenario = load_scenario(path)

        def ours_forecast(stability: str = "skip"):
            res = fit(spec, panel=panel, as_of=as_of)
            return res.forecast(horizon, draws=args.draws, seed=0, stability=stability)

        def ours_forecast_report():
            return ours_forecast("report")

        def ours_conditional():
            res = fit(spec, panel=panel, as_of=as_of)
            return run_scenarios([scenario], results=res, draws=args.draws, seed=0)

        def theirs_fcst():
            return model.fit(data).forecast(STEPS, seed=0)

        def theirs_cond():
            fitted = model.fit(data)
            return fitted.conditional_forecast(
                STEPS, conditions=[VariablePath(variable="tga", values=TGA_LEVEL)], seed=0
            )

        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for fn in (ours_forecast, ours_conditional, theirs_fcst, theirs_cond):
                fn()  # warm-up: imports, caches
            checks = _check(ours_conditional(), theirs_cond(), ours_forecast(), horizon)
            cases = (
                ("fit + draws + 12-month paths, no stability check", ours_forecast, theirs_fcst),
                ("the same with fiscalcliff's stability report", ours_forecast_report, None),
                ("fit + draws + 12-month paths held to a TGA path", ours_conditional, theirs_cond),
            )
            for label, ours, theirs in cases:
                if theirs is None:  # impulso has no stability check: its forecast row again
                    a, a_runs = best_of(args.repeat, ours)
                    rows.append((f"{label}, {args.draws:,} draws", a, a_runs, *rows[-1][3:]))
                    continue
                a, a_runs = best_of(args.repeat, ours)
                b, b_runs = best_of(args.repeat, theirs)
                rows.append((f"{label}, {args.draws:,} draws", a, a_runs, b, b_runs))
    print(
        f"fiscalcliff vs impulso {version('impulso')} on {len(names)} variables, "
        f"{spec.model.lags} lags, sample {frame.index[0]:%Y-%m}..{as_of}, {STEPS} months ahead"
    )
    print(f"{'benchmark':<62} | {'fiscalcliff':>30} | {'impulso':>26} | ratio")
    print("-" * 134)
    for label, a, a_runs, b, b_runs in rows:
        print(f"{label:<62} | {fmt_best(a, a_runs):>30} | {fmt_best(b, b_runs):>26} | {a / b:.2f}")
    print(checks)


def _check(ours_cond, theirs_cond, ours_uncond, horizon: str) -> str:
    """Both packages forecast the same thing: the conditioned TGA equals the pin in every draw,
    and the unconditional medians of the last month are printed side by side."""
    ours_tga = ours_cond["tga"].isel(scenario=0).to_numpy()
    theirs_tga = theirs_cond.idata["posterior_predictive"]["forecast"].sel(variable="tga")
    return (
        f"check: max |TGA - {TGA_LEVEL:g}| fiscalcliff {np.abs(ours_tga - TGA_LEVEL).max():.1e}, "
        f"impulso {np.abs(theirs_tga.to_numpy() - TGA_LEVEL).max():.1e}; median reserves in "
        f"{horizon} (fiscalcliff, unconditional): "
        f"{float(ours_uncond['reserves'].isel(date=-1).median()):,.0f} $bn"
    )


if __name__ == "__main__":
    main()
