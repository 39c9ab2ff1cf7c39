"""How long operations report progress, without knowing who displays it.

Transfers, deletes and listings in the core take a ``progress`` argument: an object with
``begin``, ``advance`` and ``end``. The Jupyter layer passes a progress bar; scripts pass
nothing and get ``NullProgress``. Calls may come from several worker threads at once, so
implementations must be thread-safe.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Progress(Protocol):
    """Receiver of progress reports for one operation."""

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        """Start an operation of known or unknown size (None: unknown)."""

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        """Count bytes moved and files finished since the last call."""

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        """Grow the totals when more work is discovered (a listing page, a folder walk)."""

    def end(self, *, failed: bool = False) -> None:
        """Finish: the display shows its final state and stops updating."""


class NullProgress:
    """Progress that displays nothing."""

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        pass

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        pass

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        pass

    def end(self, *, failed: bool = False) -> None:
        pass


class ProgressCounter:
    """Progress that only counts, for tests and for callers that poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total_bytes: int | None = None
        self.total_files: int | None = None
        self.nbytes = 0
        self.files = 0
        self.began = False
        self.ended = False
        self.failed = False

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        with self._lock:
            self.began = True
            self.total_bytes = total_bytes
            self.total_files = total_files

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            self.nbytes += nbytes
            self.files += files

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            if nbytes:
                self.total_bytes = (self.total_bytes or 0) + nbytes
            if files:
                self.total_files = (self.total_files or 0) + files

    def end(self, *, failed: bool = False) -> None:
        with self._lock:
            self.ended = True
            self.failed = failed
