"""A progress bar on stderr for long work; stdout stays free for the one ``--json`` answer."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["StderrProgress"]


class StderrProgress:
    """Callable ``(done, total)`` that draws ``label [#####.....] done/total`` on stderr.

    Nothing is drawn until ``delay`` seconds after the first report, so quick work (the ``fast`` upscaler,
    ~0.3 s) prints nothing. On a terminal the bar is redrawn in place; otherwise (an engine reading the pipe,
    a log file) one line is written per tenth of the work, so logs stay short.

    Parameters
    ----------
    label
        What is being done, e.g. ``upscale best``.
    stream
        Where to draw; default ``sys.stderr``. Never stdout: the ``--json`` answer lives there.
    delay
        Seconds of silence, counted from the first report, before the first draw.
    width
        Characters of the bar itself.
    """

    def __init__(self, label: str, stream: TextIO | None = None, delay: float = 1.0, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.width = width
        self._started: float | None = None
        self._last_tenth = -1

    def _interactive(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._started is None:
            self._started = now
        if total <= 0 or now - self._started < self.delay:
            return
        fraction = min(max(done / total, 0.0), 1.0)
        filled = int(round(fraction * self.width))
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        if self._interactive():
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            tenth = int(fraction * 10)
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()
