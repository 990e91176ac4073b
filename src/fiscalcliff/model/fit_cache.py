"""On-disk cache of censored Gibbs runs: the same inputs give the same draws, so keep them.

The censored default's Gibbs sampler takes seconds, and every ``forecast``, ``run`` and
``compare`` on the same data would run it again to get exactly the same draws (its chains are
seeded by the fit's seed). This cache stores what the sampler produced — the draws of ``B``,
``Sigma``, the latent cells and the log likelihood — with the draws' convergence diagnostics
and each stored draw's largest companion root, under a key that hashes *everything* they are
a function of:

* the sampler's inputs: data, exogenous values, latent cells and their intervals, the start
  values, lag layout, NIW prior, dummy observations, draws, tuning, chains, sweeps and seed;
* the names the diagnostics are reported under (regressors, variables, months);
* the code: the source of the modules that compute them, and the numpy, scipy and ArviZ
  versions.

A hit therefore returns the numbers a new run would give (the tests check this), and a change
to any input or to the code is a miss. Entries are ``.npz`` files (read without pickle),
written atomically; an unreadable entry is a miss and is overwritten. The newest
:data:`MAX_ENTRIES` entries are kept.

Where: ``$FISCALCLIFF_FIT_CACHE`` if set (``off`` turns the cache off), else ``fits`` in the
user cache directory beside the FRED downloads (on Linux ``~/.cache/fiscalcliff/fits``).
Everything in it can be deleted at any time. Backtests switch it off (:func:`disabled`): each
origin is fitted once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.model.mcmc.diagnostics import Diagnostics

#: environment variable naming the cache directory, or ``off``
ENV = "FISCALCLIFF_FIT_CACHE"
#: bump when the stored layout changes
FORMAT = 1
#: entries kept (the oldest by modification time are removed beyond this)
MAX_ENTRIES = 32
_PREFIX = "gibbs-"

_switched_off = False


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    if _switched_off:
        return None
    value = os.environ.get(ENV, "").strip()
    if value.lower() in ("off", "0", "none", "false", "no"):
        return None
    if value:
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("fiscalcliff")) / "fits"


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Run the body without reading or writing the cache (in this process)."""
    global _switched_off
    saved, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = saved


def _source_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return [
        here / "censored.py",
        here / "censored_results.py",
        here / "niw.py",
        here / "design.py",
        here / "stability.py",
        here / "mcmc" / "diagnostics.py",
        here / "fit_cache.py",
    ]


def key(arrays: dict[str, Any], names: dict[str, Any]) -> str:
    """Hex SHA-256 of the sampler's inputs (``arrays``: name -> array or number), the names
    diagnostics use (``names``: name -> list of str) and the code and library versions."""
    from importlib import metadata

    h = hashlib.sha256()

    def feed(label: str, value: Any) -> None:
        h.update(label.encode() + b"\0")
        if value is None:
            h.update(b"None")
        elif isinstance(value, np.ndarray):
            a = np.ascontiguousarray(value)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        else:
            h.update(repr(value).encode())
        h.update(b"\1")

    feed("format", FORMAT)
    feed("versions", tuple(_version(metadata, n) for n in ("numpy", "scipy", "arviz-stats")))
    for path in _source_files():
        feed(path.name, hashlib.sha256(path.read_bytes()).hexdigest())
    for name in sorted(arrays):
        feed(name, arrays[name])
    for name in sorted(names):
        feed(name, tuple(str(v) for v in names[name]))
    return h.hexdigest()


def _version(metadata, name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - installed with the package
        return "absent"


def _path(digest: str) -> Path | None:
    where = directory()
    return None if where is None else where / f"{_PREFIX}{digest}.npz"


def _pack_diagnostics(prefix: str, d: Diagnostics | None) -> dict[str, np.ndarray]:
    if d is None:
        return {}
    return {
        f"{prefix}scalars": np.array(
            [
                d.max_r_hat,
                d.min_ess_bulk,
                d.min_ess_tail,
                d.divergences,
                d.draws,
                d.chains,
                d.seconds,
            ]
        ),
        # unicode arrays, not object arrays: entries are read without pickle
        f"{prefix}worst": np.array([d.worst_r_hat, d.worst_ess], dtype=str),
        f"{prefix}index": np.array(list(d.table.index), dtype=str),
        f"{prefix}columns": np.array(list(d.table.columns), dtype=str),
        f"{prefix}values": d.table.to_numpy(dtype=float),
    }


def _unpack_diagnostics(prefix: str, stored) -> Diagnostics | None:
    import pandas as pd

    from fiscalcliff.model.mcmc.diagnostics import Diagnostics

    if f"{prefix}scalars" not in stored:
        return None
    s = stored[f"{prefix}scalars"]
    worst = stored[f"{prefix}worst"]
    table = pd.DataFrame(
        stored[f"{prefix}values"],
        index=list(stored[f"{prefix}index"]),
        columns=list(stored[f"{prefix}columns"]),
    )
    return Diagnostics(
        max_r_hat=float(s[0]),
        min_ess_bulk=float(s[1]),
        min_ess_tail=float(s[2]),
        worst_r_hat=str(worst[0]),
        worst_ess=str(worst[1]),
        divergences=int(s[3]),
        draws=int(s[4]),
        chains=int(s[5]),
        seconds=float(s[6]),
        table=table,
    )


def load(digest: str) -> dict[str, Any] | None:
    """The entry stored under ``digest``: ``run`` (arrays ``b``, ``sigma``, ``latent``,
    ``log_likelihood``), ``roots``, ``diagnostics`` and ``history_diagnostics``; None on a miss
    (absent, unreadable or incomplete entry, or the cache is off)."""
    import zipfile

    path = _path(digest)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            run = {n: stored[n] for n in ("b", "sigma", "latent", "log_likelihood")}
            run["scales"] = {
                n.removeprefix("scale_"): stored[n] for n in stored.files if n.startswith("scale_")
            }
            entry = {
                "run": run,
                "roots": stored["roots"],
                "diagnostics": _unpack_diagnostics("diag_", stored),
                "history_diagnostics": _unpack_diagnostics("hist_", stored),
            }
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
        return None
    if entry["diagnostics"] is None:
        return None
    return entry


def save(
    digest: str,
    run: dict[str, np.ndarray],
    roots: np.ndarray,
    diagnostics: Diagnostics,
    history_diagnostics: Diagnostics | None,
) -> Path | None:
    """Store an entry (atomically); returns its path, or None if the cache is off or cannot be
    written (a cache is an optimisation: failing to write it is not an error)."""
    from fiscalcliff.atomic import atomic_write

    path = _path(digest)
    if path is None:
        return None
    arrays = {
        **run,
        "roots": roots,
        **_pack_diagnostics("diag_", diagnostics),
        **_pack_diagnostics("hist_", history_diagnostics),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as f:
            np.savez(f, **arrays)
        _prune(path.parent)
    except OSError:
        return None
    return path


def _prune(where: Path) -> None:
    """Remove the oldest entries beyond :data:`MAX_ENTRIES` (only files this module names)."""
    dated = []
    for entry in where.glob(f"{_PREFIX}*.npz"):
        with contextlib.suppress(OSError):  # removed meanwhile by another process
            dated.append((entry.stat().st_mtime, entry))
    dated.sort(reverse=True)
    for _, old in dated[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()


__all__ = ["ENV", "MAX_ENTRIES", "directory", "disabled", "key", "load", "save"]
