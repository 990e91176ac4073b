"""One BLAS thread per MCMC chain process.

Measured on 2-core machines (DESIGN.md §9): multi-chain ``pm.sample`` ran 20–65× slower with the
default OpenBLAS threading, because every chain process starts BLAS threads on the same cores,
and PyMC's ``blas_cores="auto"`` is skipped under the ``fork`` start method (Linux default).
:func:`single_blas_thread` limits BLAS/OpenMP to one thread in this process for the duration —
forked workers inherit the limit — and sets the usual environment variables so that workers
started by ``spawn``/``forkserver`` (which load numpy afresh) do the same.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the body with one BLAS/OpenMP thread here and in worker processes started in it."""
    from threadpoolctl import threadpool_limits

    saved = {name: os.environ.get(name) for name in _ENV}
    for name in _ENV:
        os.environ[name] = "1"
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_cores(chains: int) -> int:
    """Chain processes to run at once: ``min(chains, 2)`` (the machines have 2 cores)."""
    return max(1, min(int(chains), 2))
