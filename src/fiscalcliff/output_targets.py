"""Check an output path before any work: what we may create, and what we may replace.

A command writes either one file (``--out FILE.nc``) or one directory of its own files
(``compare``, ``backtest``, ``report``). Before computing anything it checks that

* the path is not empty and does not name a directory where a file is wanted (``.``, ``/``,
  ``dir/``);
* whatever exists there is of the right kind: a regular file (never a device node, FIFO,
  socket or directory) for a file output; for a directory output, a directory that is empty or
  holds only files of the kind that command writes — so a previous output may be replaced, and
  nothing else is ever deleted;
* the nearest existing parent is a directory we can write in.

Every message names the flag and the user's path, not a temporary file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from fiscalcliff.errors import InputError
from fiscalcliff.safe_read import file_kind as _kind

__all__ = ["check_output_directory", "check_output_file"]


def _check_parent(path: Path, flag: str) -> None:
    """The nearest existing ancestor must be a directory we may create entries in."""
    for parent in path.absolute().parents:
        try:
            info = parent.stat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(
                f"{flag} {path}: cannot use {parent} ({exc.strerror or exc})"
            ) from None
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"{flag} {path}: {parent} is {_kind(info)}, not a directory")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(
                f"{flag} {path}: cannot write in {parent} (permission denied or read-only); "
                "choose a path in a writable directory"
            )
        return


def _check_text(path: str | os.PathLike[str], flag: str, example: str) -> Path:
    text = os.fspath(path)
    if not text.strip():
        raise InputError(f"{flag}: the path is empty; give one, e.g. {flag} {example}")
    if "\0" in text:
        raise InputError(f"{flag}: the path contains a NUL character")
    return Path(text)


def check_output_file(path: str | os.PathLike[str], flag: str = "--out") -> Path:
    """Check a file output path before any work is done.

    Parameters
    ----------
    path : str or os.PathLike
        Where the command will write one file (atomically, see :mod:`fiscalcliff.atomic`).
    flag : str
        The argument that named it, for messages.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If the path is empty, names a directory (``.``, ``/``, a trailing ``/``, an existing
        directory), exists and is not a regular file (device node, FIFO, socket), or its nearest
        existing parent is not a writable directory.
    """
    text = os.fspath(path)
    target = _check_text(path, flag, "out.nc")
    if text.endswith(("/", os.sep)) or target.name in ("", ".", ".."):
        raise InputError(f"{flag} {text}: names a directory; give a file name, e.g. {text}/out.nc")
    _check_parent(target, flag)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"{flag} {text}: cannot use this path ({exc.strerror or exc})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{flag} {text}: exists and is {_kind(info)}; only a regular file may be replaced — "
            "choose a new file name"
        )
    return target


def check_output_directory(
    path: str | os.PathLike[str],
    *,
    owns: Callable[[str], bool],
    kind: str,
    flag: str = "--out",
) -> Path:
    """Check a directory output path before any work is done.

    Parameters
    ----------
    path : str or os.PathLike
        The directory the command builds aside and swaps in when complete.
    owns : callable
        ``owns(name)`` is true for the names of the entries this command writes (e.g.
        ``paths.nc``, ``fan_reserves.png``). An existing directory may be replaced only if every
        entry in it is listed in its :data:`~fiscalcliff.atomic.MANIFEST` (every output
        directory has one) or, without a manifest, passes ``owns``.
    kind : str
        What the command writes, for messages (``"comparison"``, ``"backtest"``).
    flag : str
        The argument that named it.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If the path is empty, exists and is not a directory (a file, a symlink, a device), is a
        directory holding anything this command does not write, or its nearest existing parent
        is not a writable directory.
    """
    text = os.fspath(path)
    target = _check_text(path, flag, f"{kind}-out")
    if target.absolute() == Path(target.absolute().anchor) or target.name in ("", ".", ".."):
        raise InputError(
            f"{flag} {text}: give a directory of its own for the {kind} (e.g. {flag} "
            f"{kind}-out); a whole {text!r} is never replaced"
        )
    _check_parent(target, flag)
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"{flag} {text}: cannot use this path ({exc.strerror or exc})") from None
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(
                f"{flag} {text}: exists and is {_kind(info)}, not a directory; choose a new "
                "directory"
            )
        try:
            names = sorted(os.listdir(target))
        except OSError as exc:
            raise InputError(f"{flag} {text}: cannot list it ({exc.strerror or exc})") from None
        from fiscalcliff.atomic import MANIFEST, read_manifest

        manifest = read_manifest(target)
        if manifest is not None:  # written by us: exactly what it lists may be replaced
            listed = {str(e) for e in manifest["entries"]} | {MANIFEST}
            foreign = [n for n in names if n not in listed]
        else:  # no manifest (an older output): judge by the names this command writes
            foreign = [n for n in names if not owns(n)]
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise InputError(
                f"{flag} {text}: the directory holds files that are not a previous {kind} output "
                f"({shown}); they would be deleted, so choose a new or empty directory"
            )
    return target
