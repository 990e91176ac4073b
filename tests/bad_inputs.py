"""Malformed inputs for the CLI, and a runner that classifies what the CLI did with each.

Each :class:`Case` is one malformed input of one *family* (prior file, scenario file, data
directory, command-line argument, environment) and one *category* (non-finite number, out of
range, wrong type, boolean, syntax, tag, size, special file, ...). A case says which files to
create, the command line, the environment, and the words its error message must contain (the
file, field or argument, and what would be valid). :func:`run_case` runs it — in this process
under a time limit, or, for the families that could hang or exhaust memory, in a subprocess
with a time and address-space limit — and returns an :class:`Outcome`:

``refused``  exit 2 or 3 with one ``error:`` message that contains every expected word;
``unclear``  refused, but the message misses an expected word;
``internal`` exit 1 or a traceback (a bug);
``accepted`` exit 0 on invalid input;
``hang``     the time limit was reached.

The valid ranges the cases probe are written here from the documented schema (the prior file
and scenario file references), not read from the code under test.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import resource
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SMALL_PRIOR = ROOT / "tests" / "fixtures" / "priors" / "small.yaml"
#: the raw series the small prior reads (a data-directory case copies only these)
SMALL_SERIES = ("WALCL", "WTREGEN", "RRPONTSYD", "TARIFF_ETR_CUSTOMS")

#: seconds a case may take in this process / in a subprocess
TIME_LIMIT = 60
#: address space of an isolated case (bytes): a run that tried to allocate tens of GiB fails
MEMORY_LIMIT = 4 << 30

#: every outcome, appended by :func:`run_case`; conftest prints the tally at the end
RESULTS: list[tuple[str, str, str]] = []


# -- what a case is ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Special:
    """A file that is not plain content: ``symlink`` (to ``target``), ``fifo``, ``dir``,
    ``sparse`` (``size`` bytes of holes) or ``readonly_dir``."""

    kind: str
    target: str = ""
    size: int = 0


FileSpec = str | bytes | Special


@dataclass(frozen=True)
class Case:
    """One malformed input.

    ``argv``, ``expect`` and ``env`` may contain ``{tmp}`` (the case's directory), ``{data}``
    (the case's data directory: a copy of the small prior's CSVs if ``copy_data``, else the
    shared data), ``{root}`` (the repository) and ``{small}`` (the small prior file).
    """

    family: str
    category: str
    ident: str
    argv: tuple[str, ...]
    expect: tuple[str, ...]
    files: Mapping[str, FileSpec] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    copy_data: bool = False
    isolate: bool = False
    allowed_codes: tuple[int, ...] = (2,)


@dataclass(frozen=True)
class Outcome:
    """What the CLI did with a case."""

    verdict: str
    code: int | None
    stdout: str
    stderr: str
    missing: tuple[str, ...] = ()

    def explain(self) -> str:
        """A readable account for an assertion message."""
        head = f"{self.verdict} (exit {self.code})"
        if self.missing:
            head += f"; message lacks {', '.join(map(repr, self.missing))}"
        return (
            f"{head}\n--- stderr ---\n{self.stderr[-3000:]}\n--- stdout ---\n{self.stdout[-800:]}"
        )


# -- running a case ------------------------------------------------------------------------------


def _materialise(case: Case, tmp: Path) -> dict[str, str]:
    data = tmp / "data" if case.copy_data else SHARED_DATA
    if case.copy_data:
        data.mkdir()
        for sid in SMALL_SERIES:
            (data / f"{sid}.csv").write_bytes((SHARED_DATA / f"{sid}.csv").read_bytes())
    subs = {"tmp": str(tmp), "data": str(data), "root": str(ROOT), "small": str(SMALL_PRIOR)}
    readonly: list[Path] = []
    for name, spec in case.files.items():
        path = tmp / name.format(**subs)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        if isinstance(spec, bytes):
            path.write_bytes(spec)
        elif isinstance(spec, str):
            path.write_text(spec.replace("{small}", subs["small"]), encoding="utf-8")
        elif spec.kind == "symlink":
            path.symlink_to(spec.target.format(**subs))
        elif spec.kind == "fifo":
            os.mkfifo(path)
        elif spec.kind in ("dir", "readonly_dir"):
            path.mkdir(exist_ok=True)
            if spec.kind == "readonly_dir":
                readonly.append(path)
        elif spec.kind == "sparse":
            with path.open("wb") as handle:
                handle.truncate(spec.size)
        else:  # pragma: no cover - a typo in a case
            raise ValueError(spec.kind)
    for path in readonly:
        path.chmod(0o555)
    return subs


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def expire(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_process(argv: list[str], env: Mapping[str, str]) -> tuple[int | None, str, str]:
    from fiscalcliff.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    showwarning = warnings.showwarning
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                with _time_limit(TIME_LIMIT):
                    code: int | None = main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
            except _Timeout:
                code = None
            except Exception:  # an exception escaping main() is a bug too
                import traceback

                traceback.print_exc()
                code = 1
    finally:
        warnings.showwarning = showwarning
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out.getvalue(), err.getvalue()


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _isolated(argv: list[str], env: Mapping[str, str], cwd: Path) -> tuple[int | None, str, str]:
    script = "import sys; from fiscalcliff.cli.main import main; sys.exit(main(sys.argv[1:]))"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script, *argv],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            env={**os.environ, **env},
            cwd=cwd,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired as exc:
        return None, str(exc.stdout or ""), str(exc.stderr or "")
    return proc.returncode, proc.stdout, proc.stderr


def run_case(case: Case, tmp: Path) -> Outcome:
    """Create the case's files under ``tmp``, run the CLI, classify and record what it did."""
    subs = _materialise(case, tmp)
    argv = [a.format(**subs) for a in case.argv]
    env = {k: v.format(**subs) for k, v in case.env.items()}
    code, out, err = _isolated(argv, env, tmp) if case.isolate else _in_process(argv, env)
    if code is None:
        verdict, missing = "hang", ()
    elif code == 0:
        verdict, missing = "accepted", ()
    elif code == 1 or "Traceback" in err or "internal error" in err:
        verdict, missing = "internal", ()
    elif code in case.allowed_codes and "error:" in err:
        missing = tuple(w for w in (e.format(**subs) for e in case.expect) if w not in err)
        verdict = "unclear" if missing else "refused"
    else:
        verdict, missing = "internal", ()
    RESULTS.append((case.family, case.category, verdict))
    return Outcome(verdict, code, out, err, missing)


# -- helpers to build cases ----------------------------------------------------------------------


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _set(data: dict[str, Any], path: Sequence[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    node[path[-1]] = value
    return out


def _delete(data: dict[str, Any], path: Sequence[Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


@dataclass(frozen=True)
class NumberField:
    """A numeric field and its documented valid range (``None``: unbounded on that side)."""

    path: tuple[Any, ...]
    low: float | None
    high: float | None
    low_open: bool = False
    integer: bool = False
    nullable: bool = False

    def bad_values(self) -> list[tuple[str, str, Any]]:
        """``(category, label, value)`` for values this field must refuse."""
        out: list[tuple[str, str, Any]] = [
            ("non-finite", "inf", math.inf),
            ("non-finite", "-inf", -math.inf),
            ("non-finite", "nan", math.nan),
            ("boolean", "true", True),
            ("boolean", "false", False),
            ("type", "text", "lots"),
            ("type", "list", [1]),
            ("type", "mapping", {"value": 1}),
        ]
        if not self.nullable:
            out.append(("type", "null", None))
        if self.high is not None:
            out.append(("range", "above", self.high * 10 + 10))
            out.append(("range", "1e300", 1e300))
        if self.low is not None:
            out.append(("range", "below", self.low - 1 if not self.low_open else self.low))
            if self.low_open:
                out.append(("range", "negative", -abs(self.low) - 0.5))
        if self.integer:
            out.append(("type", "fraction", (self.low or 0) + 1.5))
        return out


def _label(path: Sequence[Any]) -> str:
    return ".".join(str(p) for p in path)


# -- family: prior files --------------------------------------------------------------------------

#: the prior file reference's numeric fields with their documented ranges
PRIOR_NUMBERS = (
    NumberField(("model", "lags"), 1, 36, integer=True),
    NumberField(("prior", "minnesota", "tightness", "value"), 0, 1e8, low_open=True, nullable=True),
    NumberField(("prior", "minnesota", "tightness", "mode"), 0, 1e8, low_open=True),
    NumberField(("prior", "minnesota", "tightness", "sd"), 0, 1e8, low_open=True),
    NumberField(("prior", "minnesota", "cross_tightness"), 0, 1e4, low_open=True),
    NumberField(("prior", "minnesota", "lag_decay"), 0, 10),
    NumberField(("prior", "minnesota", "exogenous_tightness"), 0, 1e4, low_open=True),
    NumberField(("prior", "minnesota", "constant_variance"), 0, 1e16, low_open=True),
    NumberField(("prior", "minnesota", "own_lag_mean"), -5, 5),
    NumberField(("prior", "minnesota", "psi", "tga"), 0, 1e15, low_open=True),
    NumberField(("prior", "inference", "draws"), 1, 1_000_000, integer=True),
    NumberField(("prior", "inference", "chains"), 1, 64, integer=True),
    NumberField(("prior", "inference", "target_accept"), 0, 1, low_open=True),
    NumberField(("prior", "inference", "metropolis", "burn"), 0, 1_000_000, integer=True),
    NumberField(("prior", "inference", "metropolis", "thin"), 1, 1000, integer=True),
    NumberField(("prior", "volatility", "shock_sd"), 0, 10, low_open=True),
    NumberField(("prior", "inference", "sweeps"), 1, 100, integer=True),
)


def _small_prior() -> dict[str, Any]:
    return yaml.safe_load(SMALL_PRIOR.read_text(encoding="utf-8"))


def _prior_base_for(path: Sequence[Any]) -> dict[str, Any]:
    base = _small_prior()
    if path[:3] == ("prior", "minnesota", "psi"):
        base = _set(
            base, ("prior", "minnesota", "psi"), {"fed_assets": 1.0, "tga": 1.0, "rrp": 1.0}
        )
    return base


def _prior_case(category: str, ident: str, text: str | bytes | Special, expect: Sequence[str]):
    return Case(
        "prior",
        category,
        f"prior-{ident}",
        ("fit", "--priors", "{tmp}/p.yaml", "--data-dir", "{data}"),
        ("p.yaml", *expect),
        files={"p.yaml": text},
    )


def prior_cases() -> list[Case]:
    """Malformed prior files: every numeric field out of range, plus structure and syntax."""
    cases = []
    for fld in PRIOR_NUMBERS:
        for category, label, value in fld.bad_values():
            data = _set(_prior_base_for(fld.path), fld.path, value)
            cases.append(
                _prior_case(category, f"{_label(fld.path)}={label}", _dump(data), [fld.path[-1]])
            )
    base = _small_prior()
    psi = ("prior", "minnesota", "psi")
    more: list[tuple[str, str, Any, list[str]]] = [
        ("type", "psi-zero", _set(base, psi, 0), ["psi"]),
        ("type", "psi-unknown", _set(base, psi, "estimate"), ["psi"]),
        ("reference", "psi-missing-variable", _set(base, psi, {"fed_assets": 1.0}), ["psi"]),
        ("reference", "psi-not-endogenous", _set(base, psi, {"x": 1.0}), ["psi"]),
        (
            "reference",
            "own-lag-not-endogenous",
            _set(base, (*psi[:2], "own_lag_mean"), {"x": 1.0}),
            ["own_lag_mean"],
        ),
        ("structure", "no-model", _delete(base, ("model",)), ["model"]),
        ("structure", "no-endogenous", _delete(base, ("model", "endogenous")), ["endogenous"]),
        ("structure", "empty-endogenous", _set(base, ("model", "endogenous"), []), ["endogenous"]),
        (
            "structure",
            "endogenous-text",
            _set(base, ("model", "endogenous"), "fed_assets"),
            ["endogenous"],
        ),
        (
            "structure",
            "endogenous-numbers",
            _set(base, ("model", "endogenous"), [1, 2]),
            ["endogenous"],
        ),
        ("structure", "twice", _set(base, ("model", "endogenous"), ["tga", "tga"]), ["tga"]),
        (
            "structure",
            "cross-tightness-not-1",
            _set(base, ("prior", "minnesota", "cross_tightness"), 0.3),
            ["cross_tightness", "use 1"],
        ),
        ("structure", "unknown-key", _set(base, ("model", "lagz"), 2), ["lagz", "lags"]),
        ("structure", "unknown-top", _set(base, ("priors",), {}), ["priors"]),
        ("structure", "prior-list", _set(base, ("prior",), [1, 2]), ["prior"]),
        ("structure", "minnesota-text", _set(base, (*psi[:2],), "tight"), ["minnesota"]),
        (
            "structure",
            "deterministic",
            _set(base, ("model", "deterministic"), ["trend"]),
            ["deterministic"],
        ),
        (
            "structure",
            "errors-kind",
            _set(base, ("prior", "errors", "distribution"), "cauchy"),
            ["distribution"],
        ),
        (
            "structure",
            "sampler",
            _set(base, ("prior", "inference", "sampler"), "gibbs"),
            ["sampler"],
        ),
        ("range", "nu-two", _set(base, ("prior", "errors", "nu"), 2), ["nu"]),
        ("non-finite", "nu-inf", _set(base, ("prior", "errors", "nu"), math.inf), ["nu"]),
        ("non-finite", "nu-nan", _set(base, ("prior", "errors", "nu"), math.nan), ["nu"]),
        (
            "reference",
            "censored-not-endogenous",
            _set(base, ("model", "censored"), {"nope": {"lower": 0}}),
            ["censored", "endogenous"],
        ),
        (
            "range",
            "censored-threshold-below-bound",
            _set(base, ("model", "censored"), {"rrp": {"lower": 1, "at_or_below": 0}}),
            ["at_or_below", "lower"],
        ),
        (
            "non-finite",
            "censored-lower-nan",
            _set(base, ("model", "censored"), {"rrp": {"lower": math.nan}}),
            ["lower"],
        ),
        (
            "boolean",
            "censored-lower-bool",
            _set(base, ("model", "censored"), {"rrp": {"lower": True}}),
            ["lower"],
        ),
        (
            "structure",
            "censored-unknown-key",
            _set(base, ("model", "censored"), {"rrp": {"floor": 0}}),
            ["floor"],
        ),
        (
            "structure",
            "identification-two-schemes",
            _set(
                base,
                ("identification",),
                {
                    "recursive": {"a": "fed_assets", "b": "tga", "c": "rrp"},
                    "signs": {"restrictions": {"x": {"tga": "+"}}, "unrestricted": ["y", "z"]},
                },
            ),
            ["identification", "exactly one of 'recursive' or 'signs'"],
        ),
        (
            "structure",
            "identification-unknown-key",
            _set(base, ("identification",), {"cholesky": ["tga"]}),
            ["identification", "cholesky"],
        ),
        (
            "reference",
            "identification-recursive-unknown-variable",
            _set(
                base,
                ("identification",),
                {"recursive": {"a": "fed_assets", "b": "tgaa", "c": "rrp"}},
            ),
            ["identification.recursive", "tgaa not endogenous"],
        ),
        (
            "structure",
            "identification-sign-symbol",
            _set(
                base,
                ("identification",),
                {
                    "signs": {
                        "restrictions": {"x": {"tga": "up"}},
                        "unrestricted": ["a", "b"],
                    }
                },
            ),
            ["identification", "up"],
        ),
        (
            "range",
            "identification-sign-horizon",
            _set(
                base,
                ("identification",),
                {
                    "signs": {
                        "restrictions": {"x": {"tga": {"sign": "+", "horizons": [-1]}}},
                        "unrestricted": ["a", "b"],
                    }
                },
            ),
            ["horizons"],
        ),
        (
            "range",
            "min-above-max",
            _set(
                base, ("prior", "minnesota", "tightness"), {"mode": 1, "sd": 1, "min": 5, "max": 1}
            ),
            ["min"],
        ),
        (
            "range",
            "value-outside",
            _set(
                base,
                ("prior", "minnesota", "tightness"),
                {"value": 9, "mode": 1, "sd": 1, "max": 5},
            ),
            ["9"],
        ),
        (
            "month",
            "start-13",
            _set(base, ("model", "sample", "start"), "2015-13"),
            ["start", "YYYY-MM"],
        ),
        ("month", "start-year", _set(base, ("model", "sample", "start"), 2015), ["start"]),
        ("month", "end-words", _set(base, ("model", "sample", "end"), "latest"), ["end"]),
        (
            "identity",
            "unknown-name",
            _set(base, ("identities", "net_assets"), "fed_assets - x"),
            ["net_assets", "x"],
        ),
        (
            "identity",
            "syntax",
            _set(base, ("identities", "net_assets"), "fed_assets +"),
            ["net_assets"],
        ),
        ("identity", "number", _set(base, ("identities", "net_assets"), 5), ["net_assets"]),
        ("identity", "shadows", _set(base, ("identities", "tga"), "fed_assets"), ["tga"]),
        (
            "reference",
            "exogenous-prior",
            _set(
                base,
                ("prior", "exogenous_priors"),
                [{"variable": "x", "equation": "tga", "mean": 1, "sd": 1, "source": "me"}],
            ),
            ["x"],
        ),
        (
            "non-finite",
            "exogenous-prior-mean",
            _set(
                base,
                ("prior", "exogenous_priors"),
                [
                    {
                        "variable": "tariff_rate",
                        "equation": "tga",
                        "mean": math.nan,
                        "sd": 1,
                        "source": "me",
                    }
                ],
            ),
            ["mean"],
        ),
        (
            "structure",
            "exogenous-prior-no-source",
            _set(
                base,
                ("prior", "exogenous_priors"),
                [{"variable": "tariff_rate", "equation": "tga", "mean": 1, "sd": 1, "source": " "}],
            ),
            ["source"],
        ),
    ]
    for category, ident, data, expect in more:
        cases.append(_prior_case(category, ident, _dump(data), expect))
    good = _dump(base)
    raw: list[tuple[str, str, str | bytes | Special, list[str]]] = [
        ("syntax", "unclosed", good + "extra: [1, 2\n", ["p.yaml:"]),
        ("syntax", "tab", "model:\n\tlags: 2\n", ["\\t"]),
        ("syntax", "bad-indent", "model:\n  lags: 2\n bad: 1\n", []),
        ("syntax", "duplicate", good + "model: {}\n", ["duplicate key 'model'"]),
        ("syntax", "two-documents", good + "---\nname: again\n", ["document"]),
        ("syntax", "colon-text", good + "description: a: b: c\n", []),
        ("structure", "empty-file", "", []),
        ("structure", "list-file", "- 1\n- 2\n", []),
        ("structure", "scalar-file", "42\n", []),
        ("structure", "comment-only", "# nothing\n", []),
        ("tag", "python", good + "x: !!python/object/apply:os.system ['true']\n", ["!!python"]),
        ("tag", "binary", good.replace("name: small", "name: !!binary c21hbGw="), ["!!binary"]),
        ("tag", "set", good + "x: !!set {a, b}\n", ["!!set"]),
        ("tag", "local", good + "x: !env HOME\n", ["!env"]),
        (
            "encoding",
            "latin1",
            good.encode() + "description: caf\xe9\n".encode("latin-1"),
            ["UTF-8"],
        ),
        ("encoding", "nul", good.encode() + b"\x00\n", []),
        ("encoding", "utf16", good.encode("utf-16"), []),
        ("bomb", "aliases", _alias_bomb(), ["aliases"]),
        ("size", "huge", "# pad\n" * 300_000 + good, ["1 MiB"]),
        ("special", "dev-zero", Special("symlink", "/dev/zero"), ["character device"]),
        ("special", "fifo", Special("fifo"), ["named pipe"]),
        ("special", "directory", Special("dir"), ["directory"]),
        ("special", "dangling", Special("symlink", "/nonexistent/prior.yaml"), ["not found"]),
    ]
    for category, ident, text, expect in raw:
        cases.append(_prior_case(category, ident, text, expect))
    cases.append(
        Case(
            "prior",
            "special",
            "prior-dev-zero-direct",
            ("fit", "--priors", "/dev/zero", "--data-dir", "{data}"),
            ("/dev/zero",),
            isolate=True,
        )
    )
    cases.append(
        Case(
            "prior",
            "special",
            "prior-missing",
            ("fit", "--priors", "{tmp}/none.yaml"),
            ("none.yaml", "not found"),
        )
    )
    return cases


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# -- family: scenario files ----------------------------------------------------------------------

SCENARIO_BASE: dict[str, Any] = {
    "name": "probe",
    "description": "a scenario for the bad-input suite",
    "priors": "{small}",
    "as_of": "2026-03",
    "horizon": {"end": "2026-12"},
    "draws": 20,
    "seed": 1,
    "exogenous": {"tariff_rate": [{"from": "2026-04", "level": 12.0}]},
    "conditions": {"qe": {"variable": "fed_assets", "path": [{"per_month": 10}]}},
    "events": {"low": "tga < 500 any 2026"},
}

SCENARIO_NUMBERS = (
    NumberField(("draws",), 1, 1_000_000, integer=True),
    NumberField(("seed",), 0, 2**63 - 1, integer=True),
    NumberField(("exogenous", "tariff_rate", 0, "level"), -1e9, 1e9),
    NumberField(("conditions", "qe", "path", 0, "per_month"), -1e9, 1e9),
    NumberField(("conditions", "qe", "sd"), 0, 1e9, low_open=True, nullable=True),
)


def _scenario_case(
    category: str,
    ident: str,
    text: str | bytes | Special,
    expect: Sequence[str],
    *,
    stage: str = "load",
    extra: Sequence[str] = (),
) -> Case:
    text = text.replace("{small}", str(SMALL_PRIOR)) if isinstance(text, str) else text
    return Case(
        "scenario",
        f"{category}" if stage == "load" else f"{category} (run time)",
        f"scenario-{ident}",
        ("run", "{tmp}/s.yaml", "--data-dir", "{data}", *extra),
        ("s.yaml", *expect),
        files={"s.yaml": text},
    )


def scenario_cases() -> list[Case]:
    """Malformed scenario files: numbers, months, segments, conditions, events, structure."""
    cases = []
    base = SCENARIO_BASE
    for fld in SCENARIO_NUMBERS:
        for category, label, value in fld.bad_values():
            data = _set(base, fld.path, value)
            if fld.path[0] == "conditions" and fld.path[-1] == "sd" and label == "mapping":
                continue  # same as the "list" case for this field
            cases.append(
                _scenario_case(
                    category, f"{_label(fld.path)}={label}", _dump(data), [str(fld.path[-1])]
                )
            )
    seg = ("exogenous", "tariff_rate")
    cond = ("conditions", "qe")
    load: list[tuple[str, str, dict[str, Any], list[str]]] = [
        ("month", "horizon-13", _set(base, ("horizon", "end"), "2026-13"), ["end", "YYYY-MM"]),
        ("month", "horizon-short", _set(base, ("horizon", "end"), "26-12"), ["end"]),
        ("month", "horizon-number", _set(base, ("horizon", "end"), 2026), ["end"]),
        ("month", "horizon-null", _set(base, ("horizon", "end"), None), ["end"]),
        ("month", "as-of-13", _set(base, ("as_of",), "2025-13"), ["as_of"]),
        ("month", "segment-from", _set(base, (*seg, 0, "from"), "April"), ["from"]),
        ("structure", "no-name", _delete(base, ("name",)), ["name"]),
        ("structure", "name-space", _set(base, ("name",), "my scenario"), ["name"]),
        ("structure", "name-list", _set(base, ("name",), ["a"]), ["name"]),
        ("structure", "no-description", _delete(base, ("description",)), ["description"]),
        ("structure", "empty-description", _set(base, ("description",), ""), ["description"]),
        ("structure", "no-horizon", _delete(base, ("horizon",)), ["horizon"]),
        ("structure", "unknown-key", _set(base, ("drawz",), 5), ["drawz", "draws"]),
        ("structure", "exogenous-list", _set(base, ("exogenous",), [1]), ["exogenous"]),
        ("structure", "segments-mapping", _set(base, seg, {"level": 3}), ["tariff_rate"]),
        ("segment", "two-kinds", _set(base, (*seg, 0), {"level": 1, "change": 2}), ["exactly one"]),
        ("segment", "no-kind", _set(base, (*seg, 0), {"from": "2026-05"}), ["exactly one"]),
        (
            "segment",
            "to-before-from",
            _set(base, (*seg, 0), {"from": "2026-09", "to": "2026-05", "level": 1}),
            ["before"],
        ),
        ("segment", "values-empty", _set(base, (*seg, 0), {"values": []}), ["values"]),
        ("segment", "values-nan", _set(base, (*seg, 0), {"values": [1, math.nan]}), ["values"]),
        ("segment", "values-text", _set(base, (*seg, 0), {"values": "1,2"}), ["values"]),
        (
            "segment",
            "values-and-to",
            _set(base, (*seg, 0), {"values": [1], "to": "2026-06"}),
            ["values"],
        ),
        ("segment", "unknown-kind", _set(base, (*seg, 0), {"slope": 1}), ["slope"]),
        ("condition", "path-and-floor", _set(base, (*cond, "floor"), 0), ["floor"]),
        ("condition", "neither", _set(base, cond, {"variable": "tga"}), ["path"]),
        (
            "condition",
            "floor-above-ceiling",
            _set(base, cond, {"variable": "tga", "floor": 9, "ceiling": 1}),
            ["ceiling"],
        ),
        (
            "condition",
            "floor-nan",
            _set(base, cond, {"variable": "tga", "floor": math.nan}),
            ["floor"],
        ),
        (
            "condition",
            "ceiling-inf",
            _set(base, cond, {"variable": "tga", "ceiling": math.inf}),
            ["ceiling"],
        ),
        (
            "condition",
            "sd-without-path",
            _set(base, cond, {"variable": "tga", "floor": 1, "sd": 2}),
            ["sd"],
        ),
        ("condition", "hard-nan", _set(base, (*cond, "path"), [{"level": math.nan}]), ["level"]),
        ("condition", "no-variable", _set(base, cond, {"path": [{"level": 1}]}), ["variable"]),
        ("condition", "from-on-path", _set(base, (*cond, "from"), "2026-05"), ["from"]),
        ("structure", "events-list", _set(base, ("events",), ["tga < 1"]), ["events"]),
        (
            "structure",
            "extends-missing",
            _set(base, ("extends",), "nowhere.yaml"),
            ["nowhere.yaml"],
        ),
        ("structure", "priors-missing", _set(base, ("priors",), "nowhere.yaml"), ["nowhere.yaml"]),
        ("structure", "adjusting-text", _set(base, ("adjusting_shocks",), 5), ["adjusting_shocks"]),
        (
            "structure",
            "adjusting-window-reversed",
            _set(
                base, ("adjusting_shocks",), [{"shock": "tga", "from": "2026-09", "to": "2026-06"}]
            ),
            ["is before"],
        ),
        (
            "structure",
            "adjusting-window-unknown-key",
            _set(base, ("adjusting_shocks",), [{"shock": "tga", "months": 3}]),
            ["months"],
        ),
        (
            "policy",
            "fed-two-kinds",
            _set(
                base,
                ("policy", "fed"),
                [{"of": "mbs", "purchases": 1, "reinvest": True, "from": "2026-05"}],
            ),
            ["exactly one of purchases"],
        ),
        (
            "policy",
            "fed-no-from",
            _set(base, ("policy", "fed"), [{"of": "mbs", "purchases": 1}]),
            ["from"],
        ),
        (
            "policy",
            "fed-unknown-asset",
            _set(base, ("policy", "fed"), [{"of": "gold", "purchases": 1, "from": "2026-05"}]),
            ["of", "treasuries"],
        ),
        (
            "policy",
            "fed-negative",
            _set(base, ("policy", "fed"), [{"of": "mbs", "runoff_cap": -5, "from": "2026-05"}]),
            ["runoff_cap"],
        ),
        (
            "policy",
            "fed-reinvest-false",
            _set(base, ("policy", "fed"), [{"of": "mbs", "reinvest": False, "from": "2026-05"}]),
            ["reinvest"],
        ),
        (
            "policy",
            "financing-above-one",
            _set(base, ("policy", "financing"), [{"bill_share": 1.5, "from": "2026-05"}]),
            ["bill_share"],
        ),
        (
            "policy",
            "cash-no-sd",
            _set(base, ("policy", "treasury_cash"), {"announced": True}),
            ["sd"],
        ),
        (
            "policy",
            "tariff-twice",
            _set(base, ("policy", "tariff_rate"), [{"level": 5}]),
            ["policy.tariff_rate", "exogenous.tariff_rate"],
        ),
        ("policy", "unknown-knob", _set(base, ("policy", "qe"), 80), ["qe"]),
    ]
    for category, ident, data, expect in load:
        cases.append(_scenario_case(category, ident, _dump(data), expect))
    run: list[tuple[str, str, dict[str, Any], list[str]]] = [
        ("horizon", "far", _set(base, ("horizon", "end"), "2100-12"), ["2100-12", "240 months"]),
        ("horizon", "year-9999", _set(base, ("horizon", "end"), "9999-12"), ["9999-12"]),
        ("horizon", "before-data", _set(base, ("horizon", "end"), "2020-01"), ["2020-01"]),
        ("horizon", "start-wrong", _set(base, ("horizon", "start"), "2027-01"), ["horizon.start"]),
        ("as-of", "too-early", _set(base, ("as_of",), "2015-03"), ["as_of"]),
        ("as-of", "after-data", _set(base, ("as_of",), "2030-01"), ["as_of"]),
        (
            "reference",
            "exogenous-unknown",
            _set(base, ("exogenous", "nope"), [{"level": 1}]),
            ["nope"],
        ),
        ("reference", "condition-unknown", _set(base, (*cond, "variable"), "nope"), ["nope"]),
        (
            "reference",
            "condition-on-exogenous",
            _set(base, (*cond, "variable"), "tariff_rate"),
            ["tariff_rate"],
        ),
        ("reference", "adjusting-unknown", _set(base, ("adjusting_shocks",), ["nope"]), ["nope"]),
        (
            "reference",
            "adjusting-window-outside",
            _set(base, ("adjusting_shocks",), ["tga", {"shock": "tga", "from": "2040-01"}]),
            ["adjusting_shocks[1] (tga)", "2040-01", "outside the horizon"],
        ),
        (
            "policy",
            "fed-without-holdings",
            _set(base, ("policy", "fed"), [{"of": "mbs", "reinvest": True, "from": "2026-05"}]),
            ["policy.fed", "fed_mbs"],
        ),
        (
            "policy",
            "financing-without-bill-share",
            _set(base, ("policy", "financing"), [{"bill_share": 0.5, "from": "2026-05"}]),
            ["policy.financing", "bill_share"],
        ),
        ("segment", "outside-horizon", _set(base, (*seg, 0, "from"), "2030-01"), ["2030-01"]),
        (
            "segment",
            "overlap",
            _set(base, seg, [{"level": 1}, {"from": "2026-06", "level": 2}]),
            ["overlaps"],
        ),
        ("segment", "values-past-end", _set(base, (*seg, 0), {"values": [1.0] * 40}), ["horizon"]),
        ("event", "syntax", _set(base, ("events", "low"), "tga <<< 5"), ["low"]),
        ("event", "unknown", _set(base, ("events", "low"), "nope < 5"), ["nope"]),
        ("event", "threshold-inf", _set(base, ("events", "low"), "tga < 1e999"), ["1e999"]),
        ("event", "period", _set(base, ("events", "low"), "tga < 5 at 2026-13"), ["2026-13"]),
        (
            "condition",
            "contradiction",
            _set(
                base, ("conditions", "again"), {"variable": "fed_assets", "path": [{"level": 1.0}]}
            ),
            ["fed_assets"],
        ),
    ]
    for category, ident, data, expect in run:
        cases.append(_scenario_case(category, ident, _dump(data), expect, stage="run"))
    good = _dump(base).replace("{small}", str(SMALL_PRIOR))
    raw: list[tuple[str, str, str | bytes | Special, list[str]]] = [
        ("syntax", "unclosed", good + "extra: {a: 1\n", ["s.yaml:"]),
        ("syntax", "duplicate", good + "draws: 5\n", ["duplicate key 'draws'"]),
        (
            "tag",
            "binary-name",
            good.replace("name: probe", "name: !!binary cHJvYmU="),
            ["!!binary"],
        ),
        ("tag", "python", good + "other: !!python/name:os.getpid\n", ["!!python"]),
        ("bomb", "aliases", _alias_bomb(), ["aliases"]),
        ("special", "dev-zero", Special("symlink", "/dev/zero"), ["character device"]),
        ("special", "fifo", Special("fifo"), ["named pipe"]),
        ("encoding", "latin1", good.encode() + "x: caf\xe9\n".encode("latin-1"), ["UTF-8"]),
        ("structure", "empty-file", "", []),
        ("structure", "list-file", "- a\n", []),
    ]
    for category, ident, text, expect in raw:
        cases.append(_scenario_case(category, ident, text, expect))
    cases.append(
        Case(
            "scenario",
            "structure",
            "scenario-extends-cycle",
            ("run", "{tmp}/s.yaml", "--data-dir", "{data}"),
            ("cycle",),
            files={
                "s.yaml": _dump(_set(base, ("extends",), "s.yaml")).replace(
                    "{small}", str(SMALL_PRIOR)
                )
            },
        )
    )
    cases.append(
        Case(
            "scenario",
            "special",
            "scenario-priors-dev-zero",
            ("run", "{tmp}/s.yaml", "--data-dir", "{data}"),
            ("/dev/zero",),
            files={"s.yaml": _dump(_set(base, ("priors",), "/dev/zero"))},
            isolate=True,
        )
    )
    return cases


# -- family: data directories --------------------------------------------------------------------


def _csv(sid: str) -> str:
    return (SHARED_DATA / f"{sid}.csv").read_text(encoding="utf-8")


def data_cases() -> list[Case]:
    """Data directories with one damaged CSV among the small prior's series."""
    walcl = _csv("WALCL")
    lines = walcl.splitlines(keepends=True)
    mid = len(lines) // 2
    damaged: list[tuple[str, str, str, FileSpec, list[str]]] = [
        (
            "content",
            "bad-number",
            "WALCL",
            walcl.replace(lines[mid].split(",")[1], "12x4\n", 1),
            ["WALCL", "12x4"],
        ),
        (
            "content",
            "bad-date",
            "WALCL",
            walcl.replace(lines[mid].split(",")[0], "2015-02-30", 1),
            ["WALCL", "2015-02-30"],
        ),
        (
            "content",
            "duplicate-date",
            "WALCL",
            "".join([*lines[: mid + 1], lines[mid], *lines[mid + 1 :]]),
            ["WALCL"],
        ),
        ("content", "header", "WALCL", "day,amount\n" + "".join(lines[1:]), ["WALCL", "date"]),
        ("content", "empty", "WALCL", "", ["WALCL"]),
        ("content", "header-only", "WALCL", lines[0], ["WALCL"]),
        (
            "content",
            "three-columns",
            "WALCL",
            "".join([lines[0].strip() + ",x\n", *(ln.strip() + ",1\n" for ln in lines[1:])]),
            ["WALCL"],
        ),
        ("content", "inf", "WALCL", walcl.replace(lines[mid].split(",")[1], "inf\n", 1), ["WALCL"]),
        (
            "content",
            "nan-word",
            "WALCL",
            walcl.replace(lines[mid].split(",")[1], "nan\n", 1),
            ["WALCL"],
        ),
        ("content", "gap", "WALCL", "".join([*lines[:mid], *lines[mid + 30 :]]), ["fed_assets"]),
        (
            "encoding",
            "latin1",
            "WALCL",
            walcl.encode() + "2030-01-01,caf\xe9\n".encode("latin-1"),
            ["WALCL", "UTF-8"],
        ),
        ("encoding", "binary", "WALCL", bytes(range(256)) * 4, ["WALCL"]),
        ("special", "dev-zero", "WALCL", Special("symlink", "/dev/zero"), ["character device"]),
        ("special", "fifo", "WALCL", Special("fifo"), ["named pipe"]),
        ("special", "directory", "WALCL", Special("dir"), ["directory"]),
        ("size", "sparse-100MiB", "WALCL", Special("sparse", size=100 << 20), ["MiB"]),
        (
            "missing",
            "deleted",
            "TARIFF_ETR_CUSTOMS",
            Special("symlink", "/nonexistent.csv"),
            ["TARIFF_ETR_CUSTOMS"],
        ),
        ("content", "truncated-mid-line", "WTREGEN", _csv("WTREGEN")[:-4], ["WTREGEN"]),
        ("content", "text-values", "RRPONTSYD", "date,value\n2020-01-02,lots\n", ["RRPONTSYD"]),
        (
            "content",
            "future-dates",
            "RRPONTSYD",
            _csv("RRPONTSYD") + "2099-01-01,5\n",
            ["RRPONTSYD"],
        ),
    ]
    cases = []
    for category, ident, sid, spec, expect in damaged:
        cases.append(
            Case(
                "data",
                category,
                f"data-{ident}",
                ("fit", "--priors", "{small}", "--data-dir", "{data}"),
                tuple(expect),
                files={f"data/{sid}.csv": spec},
                copy_data=True,
                isolate=isinstance(spec, Special)
                and spec.kind in ("symlink", "fifo")
                and "zero" in spec.target + spec.kind,
            )
        )
    cases.append(
        Case(
            "data",
            "directory",
            "data-dir-missing",
            ("fit", "--priors", "{small}", "--data-dir", "{tmp}/nowhere"),
            ("nowhere",),
        )
    )
    cases.append(
        Case(
            "data",
            "directory",
            "data-dir-is-file",
            ("fit", "--priors", "{small}", "--data-dir", "{tmp}/f.csv"),
            ("f.csv",),
            files={"f.csv": "date,value\n"},
        )
    )
    cases.append(
        Case(
            "data",
            "directory",
            "data-dir-empty",
            ("fit", "--priors", "{small}", "--data-dir", "{tmp}/empty"),
            ("empty", "WALCL"),
            files={"empty": Special("dir")},
        )
    )
    return cases


# -- family: command-line arguments --------------------------------------------------------------

_FIT = ("fit", "--priors", "{small}", "--data-dir", "{data}")
_FORECAST = ("forecast", "--priors", "{small}", "--data-dir", "{data}", "--draws", "20")
_RUN = ("run", "{root}/tests/fixtures/scenarios/baseline_uncensored.yaml", "--data-dir", "{data}")


def cli_cases() -> list[Case]:
    """Bad arguments to every command."""
    rows: list[tuple[str, str, tuple[str, ...], list[str], dict[str, FileSpec], bool]] = []

    def add(category, ident, argv, expect, files=None, isolate=False):
        rows.append((category, ident, tuple(argv), list(expect), files or {}, isolate))

    for cmd, base in (("fit", _FIT), ("forecast", _FORECAST)):
        for label, value in (
            ("zero", "0"),
            ("negative", "-3"),
            ("huge", "99999999999"),
            ("text", "many"),
            ("fraction", "2.5"),
            ("empty", ""),
        ):
            add(
                "number",
                f"{cmd}-draws-{label}",
                [*base, "--draws", value],
                ["--draws"],
                isolate=label == "huge",
            )
        for label, value in (
            ("negative", "-1"),
            ("2**70", str(2**70)),
            ("text", "abc"),
            ("fraction", "0.5"),
        ):
            add("number", f"{cmd}-seed-{label}", [*base, "--seed", value], ["--seed"])
        for label, value in (
            ("13", "2026-13"),
            ("words", "soon"),
            ("short", "26-01"),
            ("1800", "1800-01"),
            ("day", "2020-01-15"),
        ):
            add("month", f"{cmd}-as-of-{label}", [*base, "--as-of", value], ["--as-of"])
        add("month", f"{cmd}-as-of-early", [*base, "--as-of", "2015-04"], ["--as-of"])
        add("choice", f"{cmd}-sampler", [*base, "--sampler", "gibbs"], ["--sampler"])
        add("choice", f"{cmd}-hyper", [*base, "--hyperparameters", "guess"], ["--hyperparameters"])
        for flag, value in (("--chains", "0"), ("--chains", "1000"), ("--tune", "-1")):
            add("number", f"{cmd}{flag}{value}", [*base, flag, value], [flag])
        add("argument", f"{cmd}-no-priors", [cmd, "--data-dir", "{data}"], ["--priors"])
        add("argument", f"{cmd}-unknown-flag", [*base, "--drawz", "5"], ["--drawz"])
    for label, value in (
        ("9999", "9999-12"),
        ("13", "2026-13"),
        ("far", "2100-12"),
        ("past", "2020-01"),
        ("words", "next-year"),
        ("day", "2026-12-31"),
        ("empty", ""),
    ):
        add(
            "month",
            f"forecast-horizon-{label}",
            [*_FORECAST, "--horizon", value],
            ["--horizon" if label not in ("far", "past") else value],
        )
    for label, value in (
        ("no-name", "=5"),
        ("no-value", "tariff_rate="),
        ("text", "tariff_rate=high"),
        ("inf", "tariff_rate=inf"),
        ("nan", "tariff_rate=nan"),
        ("no-equals", "tariff_rate"),
        ("unknown", "nope=3"),
    ):
        add(
            "exog",
            f"forecast-exog-{label}",
            [*_FORECAST, "--exog", value],
            ["--exog" if label != "unknown" else "nope"],
        )
    add(
        "exog",
        "forecast-exog-twice",
        [*_FORECAST, "--exog", "tariff_rate=5", "--exog", "tariff_rate=6"],
        ["tariff_rate", "twice"],
    )
    add("choice", "forecast-stability", [*_FORECAST, "--stability", "maybe"], ["--stability"])
    add(
        "memory",
        "forecast-draws-memory",
        [*_FORECAST, "--draws", "1000000", "--horizon", "2045-12"],
        ["GiB"],
        isolate=True,
    )
    # --out for one file
    for cmd, base in (("forecast", _FORECAST), ("fit", _FIT), ("run", _RUN)):
        outs = [
            ("empty", "", ["--out", "empty"], {}),
            ("dot", ".", ["--out", "directory"], {}),
            ("root", "/", ["--out", "directory"], {}),
            ("trailing-slash", "{tmp}/new/", ["--out", "directory"], {}),
            ("existing-dir", "{tmp}/d", ["--out", "a directory"], {"d": Special("dir")}),
            ("dev-null", "/dev/null", ["--out", "character device"], {}),
            ("fifo", "{tmp}/pipe", ["--out", "named pipe"], {"pipe": Special("fifo")}),
            ("parent-is-file", "{tmp}/f/out.nc", ["--out", "not a directory"], {"f": "x"}),
            (
                "read-only",
                "{tmp}/ro/out.nc",
                ["--out", "cannot write"],
                {"ro": Special("readonly_dir")},
            ),
        ]
        for label, value, expect, files in outs:
            if label == "read-only" and os.geteuid() == 0:
                continue  # root may write anywhere; the read-only file system case is below
            add("output", f"{cmd}-out-{label}", [*base, "--out", value], expect, files)
    if os.geteuid() == 0 and Path("/proc/sys").is_dir():
        add(
            "output",
            "forecast-out-readonly-fs",
            [*_FORECAST, "--out", "/proc/sys/out.nc"],
            ["--out", "cannot write"],
        )
    # --out for directories
    compare = (
        "compare",
        "{root}/tests/fixtures/scenarios/baseline_uncensored.yaml",
        "--baseline",
        "baseline-uncensored",
        "--data-dir",
        "{data}",
        "--draws",
        "20",
    )
    backtest = (
        "backtest",
        "--priors",
        "{small}",
        "--benchmarks",
        "rw",
        "--origins",
        "2024-01",
        "--horizons",
        "2",
        "--draws",
        "20",
        "--serial",
        "--data-dir",
        "{data}",
    )
    report = (
        "report",
        "{root}/tests/fixtures/scenarios/baseline_uncensored.yaml",
        "--data-dir",
        "{data}",
        "--draws",
        "20",
    )
    for cmd, base in (("compare", compare), ("backtest", backtest), ("report", report)):
        outs = [
            ("empty", "", ["--out", "empty"], {}),
            ("dot", ".", ["--out", "'.'"], {}),
            ("root", "/", ["--out", "'/'"], {}),
            ("foreign", "{tmp}/mine", ["--out", "keep"], {"mine/keep": "my notes"}),
            ("file", "{tmp}/f", ["--out", "not a directory"], {"f": "data"}),
            ("dev-null", "/dev/null", ["--out", "not a directory"], {}),
            (
                "symlink",
                "{tmp}/link",
                ["--out", "symbolic link"],
                {"link": Special("symlink", "/tmp")},
            ),
            ("parent-is-file", "{tmp}/f/out", ["--out", "not a directory"], {"f": "x"}),
        ]
        for label, value, expect, files in outs:
            add("output", f"{cmd}-out-{label}", [*base, "--out", value], expect, files)
    add("argument", "compare-no-out", list(compare), ["--out"])
    add(
        "argument",
        "compare-bad-baseline",
        [*compare[:3], "nope", *compare[4:], "--out", "{tmp}/c"],
        ["nope"],
    )
    add("argument", "run-missing-file", ["run", "{tmp}/nowhere.yaml"], ["nowhere.yaml"])
    add("argument", "run-no-file", ["run"], ["SCENARIO"])
    add(
        "argument",
        "backtest-origins",
        [*backtest[:6], "2024-13", *backtest[7:], "--out", "{tmp}/b"],
        ["--origins"],
    )
    add(
        "argument",
        "backtest-origins-range",
        [*backtest[:6], "2025-01:2024-01", *backtest[7:], "--out", "{tmp}/b"],
        ["--origins"],
    )
    add(
        "argument",
        "backtest-horizons",
        [*backtest[:8], "0", *backtest[9:], "--out", "{tmp}/b"],
        ["--horizons"],
    )
    add(
        "argument",
        "backtest-benchmark",
        [*backtest[:4], "coin", *backtest[5:], "--out", "{tmp}/b"],
        ["coin"],
    )
    add(
        "argument",
        "backtest-workers",
        [*backtest, "--workers", "0", "--out", "{tmp}/b"],
        ["--workers"],
    )
    add(
        "argument",
        "report-history",
        [*report, "--history-months", "0", "--out", "{tmp}/r"],
        ["--history-months"],
    )
    add(
        "argument",
        "report-backtest-dir",
        [*report, "--backtest", "{tmp}", "--out", "{tmp}/r"],
        ["--backtest"],
    )
    add(
        "argument",
        "data-show-unknown",
        ["data", "show", "--data-dir", "{data}", "nope_series"],
        ["nope_series"],
    )
    add("argument", "no-command", [], ["COMMAND"])
    add("argument", "unknown-command", ["frobnicate"], ["frobnicate"])
    return [
        Case("cli", category, f"cli-{ident}", argv, tuple(expect), files=files, isolate=iso)
        for category, ident, argv, expect, files, iso in rows
    ]


# -- family: environment ------------------------------------------------------------------------


def env_cases() -> list[Case]:
    """Bad environment variables."""
    fit = ("fit", "--priors", "{small}")
    rows = [
        ("data-dir", "missing", {"FISCALCLIFF_DATA_DIR": "{tmp}/nowhere"}, ["nowhere"], {}),
        ("data-dir", "file", {"FISCALCLIFF_DATA_DIR": "{tmp}/f"}, ["f"], {"f": "x"}),
        (
            "data-dir",
            "empty-dir",
            {"FISCALCLIFF_DATA_DIR": "{tmp}/e"},
            ["WALCL"],
            {"e": Special("dir")},
        ),
        ("data-dir", "dev-null", {"FISCALCLIFF_DATA_DIR": "/dev/null"}, ["/dev/null"], {}),
        ("epoch", "text", {"SOURCE_DATE_EPOCH": "yesterday"}, ["SOURCE_DATE_EPOCH"], {}),
        ("epoch", "negative", {"SOURCE_DATE_EPOCH": "-5"}, ["SOURCE_DATE_EPOCH"], {}),
        ("epoch", "huge", {"SOURCE_DATE_EPOCH": "9" * 30}, ["SOURCE_DATE_EPOCH"], {}),
        ("epoch", "float", {"SOURCE_DATE_EPOCH": "1.5e9"}, ["SOURCE_DATE_EPOCH"], {}),
    ]
    cases = []
    for category, ident, env, expect, files in rows:
        argv = (*fit, "--out", "{tmp}/fit.nc") if category == "epoch" else fit
        env = {"FISCALCLIFF_DATA_DIR": "{data}", **env} if category == "epoch" else env
        cases.append(
            Case("env", category, f"env-{ident}", argv, tuple(expect), files=files, env=env)
        )
    backtest = (
        "backtest",
        "--priors",
        "{small}",
        "--benchmarks",
        "rw",
        "--origins",
        "2024-01",
        "--horizons",
        "2",
        "--draws",
        "20",
        "--data-dir",
        "{data}",
        "--out",
        "{tmp}/b",
    )
    for ident, value in (
        ("garbage", "not a url"),
        ("closed-port", "tcp://127.0.0.1:9"),
        ("bad-scheme", "gopher://x"),
    ):
        cases.append(
            Case(
                "env",
                "scheduler",
                f"env-scheduler-{ident}",
                backtest,
                ("FISCALCLIFF_DASK_SCHEDULER",),
                env={"FISCALCLIFF_DASK_SCHEDULER": value},
                isolate=True,
            )
        )
    return cases


def all_cases() -> list[Case]:
    """Every hand-written case, ids unique."""
    cases = [*prior_cases(), *scenario_cases(), *data_cases(), *cli_cases(), *env_cases()]
    ids = [c.ident for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:  # pragma: no cover - a typo in a case table
        raise ValueError(f"duplicate case ids: {sorted(dupes)}")
    return cases


def tally(results: Sequence[tuple[str, str, str]]) -> str:
    """Counts by family and category, and by verdict, as text."""
    from collections import Counter

    by_family = Counter((f, c) for f, c, _ in results)
    verdicts = Counter(v for _, _, v in results)
    fam = Counter(f for f, _, _ in results)
    lines = [
        f"bad inputs run: {len(results)}  "
        + ", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items()))
    ]
    for family in sorted(fam):
        cats = ", ".join(f"{c} {n}" for (f, c), n in sorted(by_family.items()) if f == family)
        lines.append(f"  {family} ({fam[family]}): {cats}")
    return "\n".join(lines)
