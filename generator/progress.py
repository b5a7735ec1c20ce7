"""How far the slow stages of a build are, on stderr."""

from __future__ import annotations

import sys
from typing import Any


class ProgressReport:
    """How far the slow stages are: a bar per stage on a terminal, a few plain lines otherwise.

    Called as ``report(stage, done, total)``, for example ``("pages", 120, 9006)``.
    """

    def __init__(self) -> None:
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._said: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self._bar is None:
                from rich.progress import Progress

                self._bar = Progress(transient=True)
                self._bar.start()
            if stage not in self._tasks:
                self._tasks[stage] = self._bar.add_task(stage, total=total)
            self._bar.update(self._tasks[stage], completed=done, total=total)
            return
        tenth = done * 10 // max(total, 1)
        if tenth != self._said.get(stage):  # at most eleven lines a stage, whatever the size
            self._said[stage] = tenth
            print(f"{stage}: {done}/{total}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
