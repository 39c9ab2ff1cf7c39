"""Open objects of the ``swift://`` file system: ranged, cached reads and streaming writes.

Reading uses fsspec's ``AbstractBufferedFile``: its cache requests byte ranges from
``_fetch_range``, and the file system reads them with ranged GETs, several at once for a
large range (see ``SwiftFileSystem.read_range``). The default cache, ``SmallReadAheadCache``,
reads ahead for small reads only.

Writing streams the bytes into ``SwiftAccount.upload_stream``, which runs on a
background thread and reads them from a bounded queue. ``upload_stream`` sends a stream
of up to one segment as one plain object, and a longer one as segments followed by a
static large object manifest. The object name appears only with that last PUT, so
until the file is closed nothing is visible. When the upload fails, or the file is
discarded (an exception leaves the ``with`` block, or a transaction is rolled back),
``upload_stream`` deletes the segments it wrote and no object appears.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from typing import TYPE_CHECKING, Any

from fsspec.caching import ReadAheadCache, register_cache
from fsspec.spec import AbstractBufferedFile

from .core import errors
from .core.swift_results import TransferResult
from .core.swift_transfer import TransferCancelled

if TYPE_CHECKING:
    from .fs import SwiftFileSystem

logger = logging.getLogger(__name__)

# Blocks of written bytes queued for the upload thread. A write waits while this many
# are queued, which bounds its memory while the thread sends a segment.
QUEUED_BLOCKS = 4

# Seconds between checks that the upload thread is still alive while the queue is full.
QUEUE_WAIT = 0.5

# Queue items that end the stream: normally, or by discarding what was written.
_END = b""
_ABORT = object()


class SmallReadAheadCache(ReadAheadCache):
    """fsspec's read-ahead cache for reads smaller than a block; larger reads go straight to the server.

    Sequential small reads (a CSV parser's) get a block at a time. A read of a block or
    more, such as a Parquet column chunk that pyarrow has already coalesced, is fetched
    exactly: no block past its end, no copy out of the cache, and the cached block of
    the small reads stays.
    """

    name = "readahead-small"

    def _fetch(self, start: int | None, end: int | None) -> bytes:
        start = 0 if start is None else start
        end = self.size if end is None or end > self.size else end
        if start >= end:
            return b""
        cached = self.start <= start and end <= self.end
        if end - start < self.blocksize or cached:
            return super()._fetch(start, end)
        self.miss_count += 1
        self.total_requested_bytes += end - start
        return self.fetcher(start, end)


register_cache(SmallReadAheadCache, clobber=True)


class UploadDiscarded(TransferCancelled):
    """The written bytes were discarded before the object was stored."""


class _QueueReader:
    """A ``read(size)`` interface over the blocks a writer puts in a queue."""

    def __init__(self, blocks: "queue.Queue[Any]", discarded: threading.Event) -> None:
        self._blocks = blocks
        self._discarded = discarded
        self._pending = memoryview(b"")
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        if self._discarded.is_set():
            raise UploadDiscarded("the file was discarded before it was stored", operation="upload")
        if not self._pending and not self._ended:
            block = self._blocks.get()
            if block is _ABORT:
                raise UploadDiscarded("the file was discarded before it was stored", operation="upload")
            if block is _END:
                self._ended = True
            else:
                self._pending = memoryview(block)
        if size is None or size < 0:
            size = len(self._pending)
        data = bytes(self._pending[:size])
        self._pending = self._pending[size:]
        return data


class StreamingUpload:
    """An ``upload_stream`` running on its own thread, fed block by block.

    ``send`` queues a block, and waits while the queue is full. ``finish`` ends the
    stream and returns the stored object's ``TransferResult``. ``abort`` makes the
    upload fail, so that it deletes its segments, and waits for it. The error of the
    upload, if any, is raised by the next ``send`` or by ``finish``.
    """

    def __init__(self, fs: "SwiftFileSystem", container: str, name: str, **options: Any) -> None:
        self.target = f"{container}/{name}"
        self._blocks: "queue.Queue[Any]" = queue.Queue(maxsize=QUEUED_BLOCKS)
        self._discarded = threading.Event()
        self._result: TransferResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(fs, container, name, options),
            name=f"ovhub-fs-upload {self.target}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, fs: "SwiftFileSystem", container: str, name: str, options: dict[str, Any]) -> None:
        reader = _QueueReader(self._blocks, self._discarded)
        try:
            self._result = fs.storage.upload_stream(container, name, reader, **options)
        except BaseException as exc:  # noqa: BLE001 - handed to the writing thread
            self._error = exc

    def send(self, block: bytes) -> None:
        """Queue ``block`` for the upload; raise the upload's error if it has failed."""
        if not block:
            return
        self._put(block)

    def finish(self) -> TransferResult:
        """End the stream, wait until the object is stored, and return the result."""
        self._put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def abort(self) -> None:
        """Discard what was sent: the upload stops, deletes its segments and stores nothing."""
        self._discarded.set()
        while True:
            try:
                self._blocks.get_nowait()
            except queue.Empty:
                break
        try:
            self._blocks.put_nowait(_ABORT)
        except queue.Full:
            pass
        self._thread.join()
        if self._error is not None and not isinstance(self._error, UploadDiscarded):
            logger.info("upload of %s was discarded after it failed: %s", self.target, self._error)

    def _put(self, item: Any) -> None:
        while True:
            if self._error is not None:
                raise self._error
            if not self._thread.is_alive():
                raise errors.OvhubError(
                    "the upload stopped before the end of the data", operation="upload", target=self.target
                )
            try:
                self._blocks.put(item, timeout=QUEUE_WAIT)
                return
            except queue.Full:
                continue


class SwiftFile(AbstractBufferedFile):
    """An object opened for reading (``rb``) or writing (``wb``, ``xb``)."""

    def __init__(self, fs: "SwiftFileSystem", path: str, mode: str = "rb", **kwargs: Any) -> None:
        from .fs_paths import split_path

        self.container, self.key = split_path(path)
        if not self.container or not self.key:
            raise IsADirectoryError(f"{path!r} is a container or the account, not an object")
        if mode == "ab":
            raise NotImplementedError("Swift objects cannot be appended to, so write the whole object again with mode 'wb'")
        if mode == "xb" and fs.exists(path):
            raise FileExistsError(f"{path!r} already exists")
        self._upload: StreamingUpload | None = None
        super().__init__(fs, path, mode=mode, **kwargs)

    # -- reading ----------------------------------------------------------------------------

    def _fetch_range(self, start: int, end: int) -> bytes:
        return self.fs.read_range(self.path, start, end)

    # -- writing ----------------------------------------------------------------------------

    def _initiate_upload(self) -> None:
        # The upload starts with the first block sent. A file closed before one block is
        # full goes up in one request, without a thread.
        pass

    def _upload_chunk(self, final: bool = False) -> bool:
        data = self.buffer.getvalue()
        if final and self._upload is None and self.autocommit:
            self._store_whole(data)
            return True
        if self._upload is None:
            self._upload = StreamingUpload(self.fs, self.container, self.key, **self._upload_options())
        self._upload.send(data)
        if final and self.autocommit:
            self.commit()
        return True

    def _store_whole(self, data: bytes) -> None:
        with self.fs.translating_errors(self.path, exclusive=self.mode == "xb"):
            self.fs.storage.upload_bytes(self.container, self.key, data, **self._upload_options())

    def _upload_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"segment_size": self.fs.segment_size}
        if self.mode == "xb":
            # Swift rejects the final PUT with 412 when the object exists by then.
            options["headers"] = {"If-None-Match": "*"}
        return options

    def commit(self) -> None:
        """Store the object: end the stream and wait for the last PUT."""
        if self._upload is None:
            return
        upload, self._upload = self._upload, None
        with self.fs.translating_errors(self.path, exclusive=self.mode == "xb"):
            upload.finish()
        self.fs.invalidate_cache(self.path)

    def discard(self) -> None:
        """Drop what was written: nothing is stored, and segments already sent are deleted."""
        if self._upload is not None:
            upload, self._upload = self._upload, None
            upload.abort()
        self.buffer = io.BytesIO()

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is not None and self.writable():
            # An exception in the with block: store nothing rather than a truncated object.
            self.discard()
            self.closed = True
            return
        self.close()


class SwiftTextWriter(io.TextIOWrapper):
    """A text-mode writer whose ``with`` block discards the object when an exception leaves it."""

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is not None and isinstance(self.buffer, SwiftFile):
            # Closes the binary file without storing it, so the wrapper finds it closed and does not flush.
            self.buffer.__exit__(exc_type, exc, traceback)
            return
        super().__exit__(exc_type, exc, traceback)
