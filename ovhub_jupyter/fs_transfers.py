"""Copies, uploads, downloads and byte reads of the ``swift://`` file system.

Copies happen on the server. Uploads and downloads go through the core's transfers:
MD5-checked, large files in parallel segments, downloads renamed into place only when
complete. Range reads of several parts are fetched by concurrent ranged GETs.
``SwiftFileSystem`` gets these methods from ``TransferMethods``.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.utils import isfilelike

from .core import errors
from .fs_paths import split_path

logger = logging.getLogger(__name__)


class TransferMethods:
    """The methods of ``SwiftFileSystem`` that copy objects and move bytes."""

    # -- copies and transfers ----------------------------------------------------------------

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy an object on the server (no bytes pass through this process).

        A folder is copied as its directory marker, when it has one.
        NOTE: Swift copies a large object into one plain object, so the copy of an
        object larger than the cluster's max_file_size (5 GiB by default) fails.
        """
        path1 = self._strip_protocol(path1)
        path2 = self._strip_protocol(path2)
        entry = self.info(path1)
        container2, key2 = split_path(path2)
        logger.debug("copy %s to %s", path1, path2)
        if entry["type"] == "directory":
            if key2 and self._has_marker(path1) and not self.isdir(path2):
                self._write_marker(container2, key2)
                self.invalidate_cache(path2)
            return
        if not key2:
            raise IsADirectoryError(errno.EISDIR, "the destination is a container, not an object", path2)
        if path1 == path2:
            return
        container1, key1 = split_path(path1)
        self.storage.copy_object(container1, key1, container2, key2)
        self.invalidate_cache(path2)

    def put_file(
        self, lpath: str, rpath: str, callback: Callback = DEFAULT_CALLBACK, mode: str = "overwrite", **kwargs: Any
    ) -> None:
        """Upload a local file (segments in parallel above the segment size), checked against its MD5.

        A local folder becomes a directory marker, so it stays when its files are
        deleted, as on a local disk. ``mode="create"`` raises ``FileExistsError`` when the object exists.
        """
        rpath = self._strip_protocol(rpath)
        container, key = split_path(rpath)
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        if not key:
            raise IsADirectoryError(errno.EISDIR, "the destination is a container, not an object", rpath)
        logger.debug("put %s to %s", lpath, rpath)
        exclusive = mode == "create"
        with self.translating_errors(rpath, exclusive=exclusive):
            self.storage.upload_file(
                container,
                key,
                lpath,
                segment_size=self.segment_size,
                headers={"If-None-Match": "*"} if exclusive else None,
                progress=CallbackProgress(callback),
            )
        self.invalidate_cache(rpath)

    def get_file(
        self, rpath: str, lpath: Any, callback: Callback = DEFAULT_CALLBACK, outfile: Any = None, **kwargs: Any
    ) -> None:
        """Download an object to a local file (written to a temporary file, then renamed) or a file object.

        The whole object is checked against its ETag when it is a plain object.
        """
        rpath = self._strip_protocol(rpath)
        if outfile is None and isfilelike(lpath):
            outfile = lpath
        entry = self.info(rpath)
        if entry["type"] == "directory":
            if outfile is None:
                os.makedirs(lpath, exist_ok=True)
            return
        container, key = split_path(rpath)
        logger.debug("get %s to %s", rpath, lpath)
        progress = CallbackProgress(callback)
        if outfile is not None:
            self.storage.download_stream(container, key, outfile, progress=progress)
        else:
            self.storage.download_file(container, key, lpath, progress=progress)

    # -- reading and writing bytes -------------------------------------------------------------

    def cat_file(self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any) -> bytes:
        """Return an object's bytes, or those from ``start`` to ``end`` (negative: from the end).

        A whole plain object is checked against its ETag; ranges are not, because Swift
        gives no checksum of a range.
        """
        path = self._strip_protocol(path)
        container, key = split_path(path)
        if start is None and end is None:
            logger.debug("cat %s", path)
            return self.storage.download_bytes(container, key)
        start = 0 if start is None else start
        if start < 0 or end is None or end < 0:
            size = self.info(path)["size"]
            if start < 0:
                start = max(0, size + start)
            if end is None:
                end = size
            elif end < 0:
                end = size + end
        return self.read_range(path, start, end)

    def read_range(self, path: str, start: int, end: int) -> bytes:
        """Return bytes ``start`` to ``end`` (exclusive) of an object; fewer past its end.

        A range of at least two ``part_size`` parts is read in parts by concurrent
        ranged GETs, up to the account's ``concurrency`` at once.
        """
        path = self._strip_protocol(path)
        container, key = split_path(path)
        if end <= start:
            return b""
        parts = [(offset, min(offset + self.part_size, end)) for offset in range(start, end, self.part_size)]
        if len(parts) < 2 or self.storage.concurrency < 2:
            return self.storage.read_range(container, key, start, end)

        def read_part(bounds: tuple[int, int]) -> bytes:
            return self.storage.read_range(container, key, *bounds)

        with ThreadPoolExecutor(max_workers=min(self.storage.concurrency, len(parts))) as pool:
            chunks = list(pool.map(read_part, parts))
        _check_contiguous(path, parts, chunks)
        return b"".join(chunks)

    def cat_ranges(
        self,
        paths: list[str],
        starts: int | list[int] | None,
        ends: int | list[int] | None,
        max_gap: int | None = None,
        on_error: str = "return",
        **kwargs: Any,
    ) -> list[Any]:
        """Return byte ranges of one or more objects, read concurrently (see ``cat_file``)."""
        if max_gap is not None:
            raise NotImplementedError("max_gap is not supported; give the ranges to read")
        if not isinstance(paths, list):
            raise TypeError("paths must be a list")
        starts = starts if isinstance(starts, list) else [starts] * len(paths)
        ends = ends if isinstance(ends, list) else [ends] * len(paths)
        if len(starts) != len(paths) or len(ends) != len(paths):
            raise ValueError("paths, starts and ends must have the same length")

        def read(arguments: tuple[str, int | None, int | None]) -> Any:
            try:
                return self.cat_file(*arguments)
            except Exception as exc:  # noqa: BLE001 - returned to the caller when asked
                if on_error == "return":
                    return exc
                raise

        if not paths:
            return []
        with ThreadPoolExecutor(max_workers=min(self.storage.concurrency, len(paths))) as pool:
            return list(pool.map(read, zip(paths, starts, ends)))

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        """Store bytes as an object; ``mode="create"`` raises ``FileExistsError`` when it exists."""
        path = self._strip_protocol(path)
        container, key = split_path(path)
        if not key:
            raise IsADirectoryError(errno.EISDIR, "the path is a container, not an object", path)
        logger.debug("pipe %d bytes to %s", len(value), path)
        exclusive = mode == "create"
        with self.translating_errors(path, exclusive=exclusive):
            self.storage.upload_bytes(
                container,
                key,
                value,
                segment_size=self.segment_size,
                headers={"If-None-Match": "*"} if exclusive else None,
            )
        self.invalidate_cache(path)

    def touch(self, path: str, truncate: bool = True, **kwargs: Any) -> None:
        """Create an empty object, or with ``truncate=False`` update an existing one's time.

        The time is updated with a metadata POST, which sets ``X-Object-Meta-Mtime`` and
        makes Swift change ``last_modified``.
        """
        path = self._strip_protocol(path)
        if truncate or not self.exists(path):
            self.pipe_file(path, b"")
            return
        container, key = split_path(path)
        if not key or self.isdir(path):
            raise IsADirectoryError(errno.EISDIR, "only objects can be touched", path)
        self.storage.set_object_metadata(container, key, {"mtime": f"{time.time():.6f}"})
        self.invalidate_cache(path)


class CallbackProgress:
    """A core ``Progress`` that reports bytes to an fsspec ``Callback``."""

    def __init__(self, callback: Callback) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self._total = 0

    def begin(self, *, total_bytes: int | None = None, total_files: int | None = None, description: str = "") -> None:
        if total_bytes is not None:
            with self._lock:
                self._total = total_bytes
                self._callback.set_size(total_bytes)

    def add_total(self, *, nbytes: int = 0, files: int = 0) -> None:
        if nbytes:
            with self._lock:
                self._total += nbytes
                self._callback.set_size(self._total)

    def advance(self, *, nbytes: int = 0, files: int = 0) -> None:
        if nbytes:
            with self._lock:
                self._callback.relative_update(nbytes)

    def end(self, *, failed: bool = False) -> None:
        pass


def _check_contiguous(path: str, parts: list[tuple[int, int]], chunks: list[bytes]) -> None:
    """Raise when a part other than the last came back short and a later one did not.

    Short parts followed by empty ones are the end of the object; anything else means
    the object changed between the ranged GETs.
    """
    ended = False
    for (start, end), chunk in zip(parts, chunks):
        if ended and chunk:
            raise errors.OvhubError(
                "the object changed while it was read in parts",
                operation="read",
                target=path,
                hint="read it again",
            )
        if len(chunk) < end - start:
            ended = True
