"""Progress reporting for long CLI steps: a live bar on a terminal, timed lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Reporter:
    """Shows what the CLI is doing on stderr.

    On a terminal each phase gets a rich progress bar (or spinner when its length is unknown);
    elsewhere (CI, pipes) one line per phase with its duration.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.live = enabled and sys.stderr.isatty()

    @contextmanager
    def phase(self, label: str, total: float | None = None) -> Iterator[callable]:
        """Context for one step; yields ``advance(amount)`` to move the bar."""
        start = time.perf_counter()
        if not self.enabled:
            yield lambda amount=1.0: None
            return
        if not self.live:
            print(f"… {label}", file=sys.stderr, flush=True)
            yield lambda amount=1.0: None
            print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
        ]
        # drawn when it moves, not by rich's refresh thread: the commands fork worker processes
        # (Gibbs chains, chart drawing), which is only safe while no other thread runs
        with Progress(
            *columns, console=Console(stderr=True), transient=False, auto_refresh=False
        ) as bar:
            task = bar.add_task(label, total=total)
            bar.refresh()

            def advance(amount: float = 1.0) -> None:
                bar.advance(task, amount)
                bar.refresh()

            yield advance
            bar.update(task, completed=total if total is not None else 1, total=total or 1)
            bar.refresh()
