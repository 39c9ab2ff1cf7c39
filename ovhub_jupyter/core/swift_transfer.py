"""Pieces shared by Swift uploads and downloads: progress without double counting, a
thread pool that stops cleanly on Ctrl-C, local file errors, and the results of many
transfers.

Uploads are in ``swift_upload.py`` and downloads in ``swift_download.py``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import TypeVar

from . import errors
from .progress import NullProgress, Progress
from .swift_results import TransferResult

logger = logging.getLogger(__name__)

T = TypeVar("T")


class TransferCancelled(errors.OvhubError):
    """The transfer was stopped because another part of the operation failed or was interrupted."""


class PartProgress:
    """Report the bytes of one part (an object, a segment) to a ``Progress``, once.

    A retried request sends the same bytes again; only bytes beyond the furthest
    position reached so far are reported, so totals never pass 100%.
    """

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._reported = 0
        self._lock = threading.Lock()

    def reached(self, position: int) -> None:
        """Report that the part has been sent or received up to ``position`` bytes."""
        with self._lock:
            if position <= self._reported:
                return
            delta = position - self._reported
            self._reported = position
        self._progress.advance(nbytes=delta)


def check_stop(stop: threading.Event | None) -> None:
    """Raise ``TransferCancelled`` when ``stop`` is set."""
    if stop is not None and stop.is_set():
        raise TransferCancelled("stopped because another part of the transfer failed or was interrupted")


def run_parallel(
    tasks: Sequence[Callable[[threading.Event], T]],
    concurrency: int,
    stop: threading.Event | None = None,
) -> list[T]:
    """Run ``tasks`` on a thread pool and return their results in order.

    Each task receives the ``stop`` event and must return promptly once it is set. The
    first exception of a task, or a KeyboardInterrupt in the calling thread, sets it,
    cancels the tasks not yet started, waits for the running ones to clean up, and is
    raised. Tasks that want the others to go on return their failure instead of raising.
    """
    stop = stop or threading.Event()
    results: list[T | None] = [None] * len(tasks)
    if not tasks:
        return []
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tasks))))
    futures = {pool.submit(task, stop): index for index, task in enumerate(tasks)}
    try:
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        raise
    finally:
        # Running tasks see the stop event at their next chunk and remove what they wrote.
        pool.shutdown(wait=True)
    return results  # type: ignore[return-value]


def local_file_error(exc: OSError, operation: str, target: str, path: object) -> errors.OvhubError:
    """Return an ``OvhubError`` for a local file that could not be read or written."""
    reason = exc.strerror or type(exc).__name__
    return errors.OvhubError(
        f"local file {str(path)!r}: {reason}",
        operation=operation,
        target=target,
        hint="check the local path, its permissions and the free disk space",
    )


def finish_many(results: list[TransferResult], progress: Progress, raise_errors: bool) -> list[TransferResult]:
    """End ``progress``, log every failed transfer, and raise the first one when ``raise_errors``."""
    failures = [result for result in results if result.error is not None]
    progress.end(failed=bool(failures))
    for failure in failures:
        logger.warning("%s of %s/%s failed: %s", failure.action, failure.container, failure.name, failure.error)
    if failures and raise_errors:
        first = failures[0].error
        assert first is not None
        if len(failures) > 1:
            logger.warning("%d of %d transfers failed; raising the first", len(failures), len(results))
        raise first
    return results


@contextmanager
def one_file_progress(progress: Progress | None, *, total_bytes: int | None, description: str) -> Iterator[Progress]:
    """Report the transfer of one file: it ends as failed on any exception, else counts the file and ends."""
    progress = progress or NullProgress()
    progress.begin(total_bytes=total_bytes, total_files=1, description=description)
    try:
        yield progress
    except BaseException:
        progress.end(failed=True)
        raise
    progress.advance(files=1)
    progress.end()
