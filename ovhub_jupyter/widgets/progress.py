"""A progress bar for long operations: one bar (bytes and files), shown only when it is worth it.

``ProgressBar`` implements the core's progress protocol (``core/progress.py``). Nothing
appears for an operation that ends within ``delay`` seconds. After that, one display shows
up and is updated in place, at most every ``min_interval`` seconds, from whichever thread
reports progress; ``end`` leaves it in a final state: the totals, the time taken, and
green or red. In a Jupyter kernel the display is an ipywidgets bar; elsewhere (terminal
IPython, scripts) it is one line on standard error rewritten with a carriage return.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

# Seconds an operation runs before its progress bar appears.
DEFAULT_DELAY = 1.0

# Seconds between two refreshes of the display, so thousands of small files do not flood
# the front end with messages.
DEFAULT_MIN_INTERVAL = 0.2


def format_bytes(count: float) -> str:
    """Return a byte count in binary units: ``0 B``, ``1.5 KiB``, ``12.0 MiB``."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value = float(count)
    for unit in units:
        if abs(value) < 1024 or unit == units[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} {units[-1]}"


def in_kernel() -> bool:
    """Return True when running in a Jupyter kernel that can show widgets."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class ProgressBar:
    """Progress of one operation, displayed after ``delay`` seconds and updated in place."""

    def __init__(
        self,
        description: str = "",
        *,
        delay: float = DEFAULT_DELAY,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        enabled: bool = True,
        use_widgets: bool | None = None,
        unit: str = "files",
    ) -> None:
        self.description = description
        # Plural noun of the counted things in the label: "files", "items".
        self.unit = unit
        self.delay = delay
        self.min_interval = min_interval
        self.enabled = enabled
        self.use_widgets = in_kernel() if use_widgets is None else use_widgets
        self._lock = threading.Lock()
        self._total_bytes: int | None = None
        self._total_files: int | None = None
        self._bytes = 0
        self._files = 0
        self._started = 0.0
        self._last_render = 0.0
        self._timer: threading.Timer | None = None
        self._display: Any = None
        self._ended = False

    # -- the progress protocol -----------------------------------------------------------

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        with self._lock:
            self._total_bytes = total_bytes
            self._total_files = total_files
            if description:
                self.description = description
            self._started = time.monotonic()
            self._ended = False
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            self._bytes += nbytes
            self._files += files
        self._maybe_render()

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            if nbytes:
                self._total_bytes = (self._total_bytes or 0) + nbytes
            if files:
                self._total_files = (self._total_files or 0) + files
        self._maybe_render()

    def end(self, *, failed: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._ended = True
            shown = self._display is not None
        if shown:
            self._render(final=True, failed=failed)

    # -- for tests and callers -------------------------------------------------------------

    @property
    def shown(self) -> bool:
        """True once the display has appeared."""
        return self._display is not None

    def summary(self) -> str:
        """Return the text the display shows now."""
        with self._lock:
            return self._label(time.monotonic() - self._started)

    # -- display ---------------------------------------------------------------------------

    def _show(self) -> None:
        with self._lock:
            if self._ended or self._display is not None:
                return
            self._display = self._create_display()
        self._render()

    def _create_display(self) -> Any:
        if not self.use_widgets:
            return "terminal"
        import ipywidgets
        from IPython.display import display

        bar = ipywidgets.FloatProgress(value=0.0, min=0.0, max=1.0, layout=ipywidgets.Layout(width="40%"))
        label = ipywidgets.HTML(value="")
        box = ipywidgets.HBox([bar, label])
        display(box)
        return (bar, label)

    def _maybe_render(self) -> None:
        if self._display is None:
            return
        now = time.monotonic()
        if now - self._last_render < self.min_interval:
            return
        self._render()

    def _render(self, *, final: bool = False, failed: bool = False) -> None:
        with self._lock:
            self._last_render = time.monotonic()
            elapsed = self._last_render - self._started
            fraction = self._fraction(final and not failed)
            text = self._label(elapsed, final=final, failed=failed)
            display = self._display
        if display == "terminal":
            end = "\n" if final else ""
            print(f"\r{text}", end=end, file=sys.stderr, flush=True)
            return
        bar, label = display
        if fraction is None:
            bar.bar_style = "info"
            bar.value = 0.0
        else:
            bar.value = fraction
        if final:
            bar.bar_style = "danger" if failed else "success"
        label.value = f"&nbsp;{text}"

    def _fraction(self, complete: bool) -> float | None:
        if complete:
            return 1.0
        if self._total_bytes:
            return min(self._bytes / self._total_bytes, 1.0)
        if self._total_files:
            return min(self._files / self._total_files, 1.0)
        return None

    def _label(self, elapsed: float, *, final: bool = False, failed: bool = False) -> str:
        parts = [self.description] if self.description else []
        if self._total_bytes:
            parts.append(f"{format_bytes(self._bytes)} of {format_bytes(self._total_bytes)}")
        elif self._bytes:
            parts.append(format_bytes(self._bytes))
        if self._total_files:
            parts.append(f"{self._files} of {self._total_files} {self.unit}")
        elif self._files:
            parts.append(f"{self._files} {self.unit}")
        parts.append(f"{elapsed:.1f} s")
        if final:
            parts.append("failed" if failed else "done")
        return " · ".join(parts)
