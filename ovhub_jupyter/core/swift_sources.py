"""Where upload bytes come from, and the request bodies that send them.

A ``Source`` gives a fresh reader of any byte range as often as needed, so a retried
request reads its bytes again from the start: a local file, bytes in memory, or one
segment of a read-once stream copied into a spooled temporary file. ``UploadBody`` sends
exactly one range, reports progress, and stops when the transfer is cancelled.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from . import errors
from .swift_transfer import PartProgress, check_stop

# Bytes of a stream's segment kept in memory before the spool moves to a temporary file.
SPOOL_MEMORY = 8 * 1024 * 1024

# Reads handed to http.client when it sends a body.
BODY_READ_SIZE = 64 * 1024


class Source:
    """The bytes of one upload; ``open`` gives a reader of any byte range, as often as needed."""

    size: int | None = None

    def open(self, offset: int, length: int) -> IO[bytes]:
        raise NotImplementedError


class FileSource(Source):
    """A local file of known size."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size

    def open(self, offset: int, length: int) -> IO[bytes]:
        handle = open(self.path, "rb")
        handle.seek(offset)
        return handle


class MemoryReader(io.RawIOBase):
    """A reader over a memoryview that copies only the bytes each ``read`` returns."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        chunk = bytes(self._view[self._position : end])
        self._position = end
        return chunk


class BytesSource(Source):
    """Bytes in memory, read without copying more than each read returns."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data).cast("B")
        self.size = len(self._view)

    def open(self, offset: int, length: int) -> IO[bytes]:
        return MemoryReader(self._view[offset : offset + length])  # type: ignore[return-value]


class SpoolSource(Source):
    """One segment of a stream, copied into a spooled temporary file; read from its start."""

    def __init__(self, spool: Any, size: int) -> None:
        self.spool = spool
        self.size = size

    def open(self, offset: int, length: int) -> IO[bytes]:
        self.spool.seek(offset)
        return _Unclosable(self.spool)  # type: ignore[return-value]

    def close(self) -> None:
        self.spool.close()


class _Unclosable:
    """A reader whose ``close`` does nothing, for a spool that outlives each request."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)

    def close(self) -> None:
        pass


class SourceChangedError(errors.OvhubError):
    """The local file became shorter while it was being uploaded."""


class UploadBody:
    """A request body of exactly ``length`` bytes from a reader, reporting progress.

    ``__len__`` lets requests send a Content-Length; ``read`` is what http.client calls.
    """

    def __init__(
        self,
        reader: IO[bytes],
        length: int,
        tracker: PartProgress,
        stop: threading.Event | None,
        name: str,
        digest: Any = None,
    ) -> None:
        self._reader = reader
        self._length = length
        self._position = 0
        self._tracker = tracker
        self._stop = stop
        self._name = name
        # A hashlib object updated with every byte read, when the caller hashes while sending.
        self.digest = digest

    def __len__(self) -> int:
        return self._length

    def __iter__(self):  # noqa: ANN204 - requests checks for it to stream the body
        while True:
            chunk = self.read(BODY_READ_SIZE)
            if not chunk:
                return
            yield chunk

    def read(self, size: int = -1) -> bytes:
        check_stop(self._stop)
        remaining = self._length - self._position
        if remaining <= 0:
            return b""
        size = remaining if size is None or size < 0 else min(size, remaining)
        chunk = self._reader.read(size)
        if not chunk:
            raise SourceChangedError(
                f"the source ended after {self._position} of {self._length} bytes",
                operation="upload",
                target=self._name,
                hint="the file changed while it was being uploaded; upload it again once it is complete",
            )
        self._position += len(chunk)
        if self.digest is not None:
            self.digest.update(chunk)
        self._tracker.reached(self._position)
        return chunk

    def close(self) -> None:
        self._reader.close()


def md5_of(source: Source, offset: int, length: int, chunk_size: int, stop: threading.Event | None) -> str:
    """Return the hex MD5 of ``length`` bytes of ``source`` from ``offset``."""
    digest = hashlib.md5()
    reader = source.open(offset, length)
    try:
        remaining = length
        while remaining > 0:
            check_stop(stop)
            chunk = reader.read(min(chunk_size, remaining))
            if not chunk:
                raise SourceChangedError(
                    f"the source ended after {length - remaining} of {length} bytes",
                    operation="upload",
                    hint="the file changed while it was being read; upload it again once it is complete",
                )
            digest.update(chunk)
            remaining -= len(chunk)
    finally:
        reader.close()
    return digest.hexdigest()


def spool_segment(reader: Any, limit: int, chunk_size: int, stop: threading.Event | None) -> tuple[Any, int]:
    """Copy up to ``limit`` bytes of ``reader`` into a spooled temporary file; return it and its size."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    size = 0
    try:
        while size < limit:
            check_stop(stop)
            chunk = reader.read(min(chunk_size, limit - size))
            if not chunk:
                break
            spool.write(chunk)
            size += len(chunk)
    except BaseException:
        spool.close()
        raise
    return spool, size


class IterableReader:
    """A ``read(size)`` interface over an iterator of byte chunks of any sizes."""

    def __init__(self, chunks: Any) -> None:
        self._chunks = chunks
        self._pending = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size is None or size < 0 or len(self._pending) < size:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                break
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise errors.InvalidInputError(
                    f"the stream yielded {type(chunk).__name__}, not bytes", hint="yield bytes from the iterable"
                )
            self._pending += chunk
        if size is None or size < 0:
            size = len(self._pending)
        data = bytes(self._pending[:size])
        # Deleting from the front of a bytearray is cheap in CPython (no copy of the rest).
        del self._pending[:size]
        return data


class LookaheadReader:
    """A reader that can tell whether its stream has ended, by reading one chunk ahead."""

    def __init__(self, stream: Any, chunk_size: int) -> None:
        self._stream = stream
        self._chunk_size = chunk_size
        self._ahead = b""

    def read(self, size: int = -1) -> bytes:
        if self._ahead:
            if size is None or size < 0 or size >= len(self._ahead):
                data, self._ahead = self._ahead, b""
            else:
                data, self._ahead = self._ahead[:size], self._ahead[size:]
            return data
        data = self._stream.read(size)
        if data is None:
            raise errors.InvalidInputError(
                "the stream is non-blocking and had no data ready", hint="give a blocking file object or an iterable of bytes"
            )
        return bytes(data)

    def at_end(self) -> bool:
        """Return True when no byte is left to read."""
        if not self._ahead:
            self._ahead = self.read(self._chunk_size)
        return not self._ahead
