"""A progress bar that appears only once a task has run for more than a second.

Library functions take a `progress(done, total)` callback; commands pass a
`DelayedBar`, which draws a Rich bar on stderr when it is a terminal (so `--json` on
stdout stays clean, and a file or a pipe gets nothing) and clears it when the task ends.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

#: Seconds a task runs before its bar is drawn.
DELAY_S = 1.0


class DelayedBar:
    """`with DelayedBar("Re-solving") as bar: work(progress=bar)`."""

    def __init__(self, description: str, delay: float | None = None) -> None:
        self.description = description
        self.delay = DELAY_S if delay is None else delay  # read now: a test may set it
        self.start = time.perf_counter()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> DelayedBar:
        self.start = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.start < self.delay:
                return
            console = Console(stderr=True)
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                # a file or a pipe: nothing (drawn there, the bar left a blank line)
                disable=not console.is_terminal,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        assert self.task is not None
        self.bar.update(self.task, completed=done, total=total)
