"""Shared test fixtures."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

#: the censored fits' cache (fiscalcliff.model.fit_cache) of this test session: never the
#: user's, shared by the tests and the CLI processes they start, removed at the end
FIT_CACHE_DIR = tempfile.mkdtemp(prefix="fiscalcliff-test-fit-cache-")
os.environ["FISCALCLIFF_FIT_CACHE"] = FIT_CACHE_DIR
atexit.register(shutil.rmtree, FIT_CACHE_DIR, ignore_errors=True)

#: the real data mirror next to the repository (never copied into it), see its SOURCES.md
SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """Directory of the shared FRED-format CSVs; a missing directory fails the test loudly."""
    if not (SHARED_DATA_DIR / "SOURCES.md").is_file():
        raise FileNotFoundError(
            f"shared data directory {SHARED_DATA_DIR} is missing (expected ../shared/data "
            "next to the repository, with SOURCES.md)"
        )
    return SHARED_DATA_DIR


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``fiscalcliff argv`` in-process: ``(exit code, stdout, stderr)``.

    Usable from module-scoped fixtures (no capsys). The CLI installs its own warning printer;
    it is undone afterwards so tests stay independent.
    """
    import contextlib
    import io
    import warnings

    from fiscalcliff.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(warnings, "showwarning", warnings.showwarning)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli():
    """:func:`run_cli` as a fixture."""
    return run_cli


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the bad-input tally (family x category, and verdicts) when that suite ran."""
    import sys

    module = sys.modules.get("bad_inputs")
    if module is not None and module.RESULTS:
        terminalreporter.write_sep("-", "bad-input suite")
        terminalreporter.write_line(module.tally(module.RESULTS))
