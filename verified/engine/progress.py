"""Progress on stderr: profiles done out of the total, the rate and the time left.

tqdm (the ``progress`` extra) draws the bar when it is installed and stderr is a terminal;
otherwise nothing is printed (a CI log or a redirected stderr stays clean), and ``quiet``
silences it everywhere.
"""

from __future__ import annotations

import sys
from typing import Any


class ProgressBar:
    """``update(k)`` after each finished range; ``close()`` at the end (idempotent)."""

    def __init__(
        self, total: int, label: str = "profiles", enabled: bool = True, on_update: Any = None
    ) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.on_update = on_update  # ``on_update(done, total, label)``: progress sent elsewhere
        self._bar: Any = None
        if enabled and total > 0 and sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self._bar = tqdm(
                total=total, desc=label, unit=" profiles", unit_scale=True, file=sys.stderr, leave=False
            )

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def update(self, count: int) -> None:
        self.done += count
        if self.on_update is not None:
            self.on_update(self.done, self.total, self.label)
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
