"""Atomic writes: an output file or directory is either complete or absent.

Everything is first written to a temporary sibling (same directory, so the final
rename stays on one file system) whose name starts with a dot, and moved into place
with :func:`os.replace` only when writing succeeded. On any exception, including
:class:`KeyboardInterrupt`, the temporary is removed, an existing target is left
untouched, and the exception propagates.

Temporary files are created with the usual permissions (``0o666`` minus the umask),
not the ``0o600`` of :mod:`tempfile`, so outputs are readable like any other file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from fiscalcliff.provenance import _json_default

if TYPE_CHECKING:
    import xarray as xr

#: file that lists what an output directory holds, so that only those entries are ever replaced
MANIFEST = ".fiscalcliff-output.json"

__all__ = [
    "MANIFEST",
    "atomic_directory",
    "atomic_path",
    "atomic_write",
    "netcdf_safe_attrs",
    "read_manifest",
    "remove_stale_temporaries",
    "write_netcdf",
]


def _temp_sibling(path: Path, kind: str, suffix: str = "") -> Path:
    """A fresh, unused name next to *path*: ``.{name}.{kind}-{pid}-{random}{suffix}``.

    The process id lets a later run recognise temporaries left by a killed one.
    """
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}{suffix}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or an absurd number): leave its files alone
    return True


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Clean up after a killed write to *path*; return what was removed or restored.

    Temporaries ``.{name}.tmp-{pid}-*`` of a process that no longer runs are removed. A
    ``.{name}.old-{pid}-*`` left between the two renames of :func:`atomic_directory` holds the
    previous output: it is moved back to *path* if *path* is missing, else removed. Files of
    running processes (a concurrent write) are left alone.
    """
    target = Path(path)
    done: list[Path] = []
    try:
        siblings = list(target.parent.glob(f".{glob_escape(target.name)}.*-*-*"))
    except OSError:  # pragma: no cover - unreadable parent: nothing we can clean
        return done
    prefix = f".{target.name}."
    for sibling in sorted(siblings):
        kind, _, rest = sibling.name[len(prefix) :].partition("-")
        pid_text = rest.split("-", 1)[0]
        if kind not in ("tmp", "old") or not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        if kind == "old" and not (target.exists() or target.is_symlink()):
            try:
                os.replace(sibling, target)
            except OSError:  # pragma: no cover
                continue
        else:
            _remove(sibling)
        done.append(sibling)
    return done


def glob_escape(name: str) -> str:
    """*name* with glob metacharacters escaped (``[``, ``*``, ``?``)."""
    import glob

    return glob.escape(name)


def _fsync_file(path: Path) -> None:
    """Flush a file's contents to disk (best effort)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. unreadable file
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename in directory *path* durable (POSIX only, best effort)."""
    if os.name != "posix":  # pragma: no cover
        return
    _fsync_file(path)


def _remove(path: Path) -> None:
    """Remove a file, symlink or directory tree if it exists; never raise."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:  # pragma: no cover - nothing more we can do
        pass


@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["wb"] = "wb",
    *,
    encoding: None = None,
    newline: None = None,
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w"],
    *,
    encoding: str | None = None,
    newline: str | None = None,
) -> contextlib.AbstractContextManager[IO[str]]: ...
@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["wb", "w"] = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing and move it to *path* on success.

    Parameters
    ----------
    path : str or os.PathLike
        Final location. Parent directories are created.
    mode : {"wb", "w"}, default "wb"
        Binary or text mode.
    encoding : str, optional
        Text mode only; defaults to ``"utf-8"``.
    newline : str, optional
        Text mode only; passed to :func:`open`.

    Yields
    ------
    file object
        Open handle on a temporary file in the same directory as *path*.

    Raises
    ------
    ValueError
        If *mode* is not ``"wb"`` or ``"w"``, or *encoding*/*newline* are given in
        binary mode.

    Examples
    --------
    >>> with atomic_write(tmp_path / "out.txt", "w") as f:  # doctest: +SKIP
    ...     f.write("complete or absent\\n")
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', not {mode!r}")
    if mode == "wb" and (encoding is not None or newline is not None):
        raise ValueError("encoding and newline are for text mode ('w') only")
    with atomic_path(path) as tmp:
        # "x": exclusive create, with the usual 0o666-minus-umask permissions
        if mode == "w":
            f: IO[Any] = open(tmp, "x", encoding=encoding or "utf-8", newline=newline)
        else:
            f = open(tmp, "xb")
        with f:
            yield f


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary file name to write to; move it to *path* on success.

    For libraries that want a file name rather than a file object, such as
    ``ds.to_netcdf(tmp)`` or ``fig.savefig(tmp)``. The temporary name is in the same
    directory as *path* and ends with the same suffix, so libraries that pick a format
    from the suffix behave as they would with *path*.

    Parameters
    ----------
    path : str or os.PathLike
        Final location. Parent directories are created.

    Yields
    ------
    pathlib.Path
        A name that does not exist yet; the body must create it.

    Raises
    ------
    FileNotFoundError
        If the body finished without creating the temporary file.

    Examples
    --------
    >>> with atomic_path(out_dir / "fan.png") as tmp:  # doctest: +SKIP
    ...     fig.savefig(tmp)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _refuse_non_regular(target)
    remove_stale_temporaries(target)
    tmp = _temp_sibling(target, "tmp", target.suffix)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to the temporary file for {target}")
        if tmp.is_file():
            _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(target.parent)


def _refuse_non_regular(target: Path) -> None:
    """A file output may replace a regular file, never a directory, device, FIFO or socket."""
    from fiscalcliff.errors import InputError

    if (target.exists() or target.is_symlink()) and not target.is_file():
        raise InputError(f"{target}: exists and is not a regular file; it will not be replaced")


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The :data:`MANIFEST` of an output directory, or ``None`` if it has none (or it is bad)."""
    try:
        data = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return None
    return data


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], kind: str = "output") -> Iterator[Path]:
    """Build a whole output directory in a temporary sibling and swap it in on success.

    Parameters
    ----------
    path : str or os.PathLike
        Final directory. Parent directories are created. If it already exists (as a
        directory), it is replaced only when the body succeeds; callers check first that it
        holds nothing but a previous output (:mod:`fiscalcliff.output_targets`).
    kind : str
        What the directory holds (``"comparison"``); recorded in its :data:`MANIFEST`, which
        lists every top-level entry written.

    Yields
    ------
    pathlib.Path
        An empty temporary directory next to *path*; fill it in the body.

    Notes
    -----
    A directory cannot be replaced atomically with portable system calls. The old
    target is first renamed aside, the new one renamed into place, and only then is the
    old one deleted; if the second rename fails, the old target is put back. Between
    the two renames (microseconds) *path* does not exist; it is never half-written.

    Examples
    --------
    >>> with atomic_directory(run_dir) as tmp:  # doctest: +SKIP
    ...     write_netcdf(ds, tmp / "posterior.nc")
    ...     (tmp / "summary.txt").write_text(text)
    """
    from fiscalcliff.errors import InputError

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(f"{target}: exists and is not a directory; it will not be replaced")
    remove_stale_temporaries(target)
    tmp = _temp_sibling(target, "tmp")
    tmp.mkdir()  # 0o777 minus umask, unlike tempfile.mkdtemp's 0o700
    try:
        yield tmp
        entries = sorted(p.name for p in tmp.iterdir() if p.name != MANIFEST)
        (tmp / MANIFEST).write_text(
            json.dumps({"kind": kind, "entries": entries}, indent=1) + "\n", encoding="utf-8"
        )
        old: Path | None = None
        if target.exists() or target.is_symlink():
            old = _temp_sibling(target, "old")
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None:
                os.replace(old, target)
            raise
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(target.parent)
    if old is not None:
        _remove(old)


def _safe_attr(value: Any) -> Any:
    """One attribute value in a form NetCDF can store."""
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar or 0-d array -> Python scalar
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, sort_keys=True, default=_json_default)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind == "b":  # boolean array
        return value.astype("int8")
    if kind == "O":  # object array
        return json.dumps(value.tolist(), default=_json_default)
    return value


def netcdf_safe_attrs(attrs: Mapping[Any, Any]) -> dict[str, Any]:
    """Return attributes that NetCDF can store.

    Parameters
    ----------
    attrs : mapping
        Attributes of a dataset or variable.

    Returns
    -------
    dict
        Same keys (as strings). Dicts, lists and tuples become JSON strings (keys
        sorted), ``None`` becomes ``""``, booleans become ``0``/``1``, dates become ISO
        strings and paths become strings; numbers, strings and numeric arrays are kept.

    Examples
    --------
    >>> netcdf_safe_attrs({"config": {"p": 2}, "note": None, "ok": True})
    {'config': '{"p": 2}', 'note': '', 'ok': 1}
    """
    return {str(k): _safe_attr(v) for k, v in attrs.items()}


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike[str], engine: str = "h5netcdf") -> Path:
    """Write a dataset to NetCDF atomically, with attributes made storable.

    Parameters
    ----------
    ds : xarray.Dataset
        Dataset to write; it is not modified.
    path : str or os.PathLike
        Final file. Parent directories are created.
    engine : str, default "h5netcdf"
        Passed to :meth:`xarray.Dataset.to_netcdf`.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Attributes of the dataset and of every variable and coordinate go through
    :func:`netcdf_safe_attrs`; read dict-valued ones back with :func:`json.loads`.
    Because the data are written to a temporary file first, *ds* may be lazily
    loaded from *path* itself.
    """
    out = ds.copy(deep=False)
    out.attrs = netcdf_safe_attrs(ds.attrs)
    for var in out.variables.values():  # shallow copies: ds keeps its own attrs
        var.attrs = netcdf_safe_attrs(var.attrs)
    target = Path(path)
    with atomic_path(target) as tmp:
        out.to_netcdf(tmp, engine=engine)
    return target
