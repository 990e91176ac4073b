"""Read input files with bounded work: regular files only, up to a size limit.

A prior file named ``/dev/zero``, a FIFO, or a data CSV symlinked to a device would otherwise
make a reader block or fill memory. :func:`read_text` refuses anything that is not a regular
file (after following symlinks) before opening it, and reads at most ``limit`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fiscalcliff.errors import InputError

__all__ = ["CONFIG_FILE_LIMIT", "DATA_FILE_LIMIT", "file_kind", "read_bytes", "read_text"]

#: largest prior, scenario or policy file read (bytes); real ones are a few kB
CONFIG_FILE_LIMIT = 1 << 20
#: largest data CSV read (bytes); FRED's longest daily series is about 1 MB
DATA_FILE_LIMIT = 64 << 20

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFREG: "a regular file",
}


def file_kind(info: os.stat_result) -> str:
    """What a ``stat``/``lstat`` result is, for messages: ``"a directory"``, ``"a socket"``..."""
    return _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")


def _size_text(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= 1 << 20 else f"{n:,} bytes"


def read_bytes(
    path: str | os.PathLike[str],
    *,
    limit: int,
    error: type[InputError] = InputError,
    what: str = "file",
) -> bytes:
    """Return the bytes of a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : str or os.PathLike
        The file; symlinks are followed.
    limit : int
        Largest size accepted, in bytes.
    error : type of InputError
        Exception class raised on every problem (e.g. ``ConfigError``, ``DataError``).
    what : str
        What the file is, for messages (``"prior file"``, ``"data file"``).

    Raises
    ------
    InputError
        (of class ``error``) if the file does not exist, is not a regular file, cannot be read,
        or is larger than ``limit``. The message starts with the path.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: is {file_kind(info)}, not a regular {what}")
    if info.st_size > limit:
        raise error(
            f"{path}: {what} is {_size_text(info.st_size)}, more than the {_size_text(limit)} "
            "accepted"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    if len(data) > limit:  # grew while we read it
        raise error(f"{path}: {what} is more than the {_size_text(limit)} accepted")
    return data


def read_text(
    path: str | os.PathLike[str],
    *,
    limit: int,
    error: type[InputError] = InputError,
    what: str = "file",
) -> str:
    """Like :func:`read_bytes`, decoded as UTF-8 (a clear error if it is not UTF-8 text)."""
    data = read_bytes(path, limit=limit, error=error, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
