"""Serving object bodies: pieces of files streamed from disk, byte ranges and conditions.

A body is a list of pieces (a slice of a stored file, or inline bytes from a static large
object manifest), so plain objects, DLO and SLO concatenations and ranges within them
all stream the same way, a chunk at a time, never reading a whole file into memory.
Range and conditional rules are swob's (Swift 2.38): invalid Range syntax is ignored,
unsatisfiable ranges give 416 with ``Content-Range: bytes */<size>``, more than one range
gives ``multipart/byteranges``.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from .store import CHUNK_SIZE

# swob's limits on multiple ranges: more than these make the whole Range unsatisfiable.
MAX_RANGES = 50
MAX_RANGE_OVERLAPS = 2
MAX_NONASCENDING_RANGES = 8


@dataclass
class Piece:
    """A slice of a file, or inline bytes when ``path`` is None."""

    path: Path | None
    offset: int
    length: int
    data: bytes = b""


class Body:
    """The bytes of an object as a sequence of pieces, read lazily.

    A plain object's file is opened when the body is built, so the object can be replaced
    or deleted while the body streams. Segments of large objects are opened as they come.
    """

    def __init__(self, pieces: Iterable[Piece], handle: BinaryIO | None = None) -> None:
        self.pieces = [piece for piece in pieces if piece.length > 0]
        self.size = sum(piece.length for piece in self.pieces)
        self._handle = handle

    @classmethod
    def from_file(cls, handle: BinaryIO | None, size: int) -> "Body":
        """Return the body of a plain object from its open file (None for an empty body)."""
        if handle is None or size == 0:
            if handle is not None:
                handle.close()
            return cls([])
        return cls([Piece(Path(handle.name), 0, size)], handle)

    def close(self) -> None:
        """Close the plain object's file if it is still open."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def iter_range(self, start: int, stop: int) -> Iterator[bytes]:
        """Yield the bytes in ``[start, stop)``, a chunk at a time."""
        position = 0
        for piece in self.pieces:
            piece_start, piece_stop = position, position + piece.length
            position = piece_stop
            if piece_stop <= start:
                continue
            if piece_start >= stop:
                break
            first = max(start, piece_start) - piece_start
            last = min(stop, piece_stop) - piece_start
            yield from self._read_piece(piece, first, last)

    def _read_piece(self, piece: Piece, first: int, last: int) -> Iterator[bytes]:
        if piece.path is None:
            yield piece.data[first:last]
            return
        if self._handle is not None and Path(self._handle.name) == piece.path:
            yield from _read_slice(self._handle, piece.offset + first, last - first)
            return
        with open(piece.path, "rb") as handle:
            yield from _read_slice(handle, piece.offset + first, last - first)


def _read_slice(handle: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    handle.seek(offset)
    remaining = length
    while remaining > 0:
        chunk = handle.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            raise OSError(f"{handle.name} ended {remaining} bytes early")
        remaining -= len(chunk)
        yield chunk


def parse_range(header: str | None) -> list[tuple[int | None, int | None]] | None:
    """Parse a Range header into ``(first, last)`` pairs; None when absent or syntactically invalid."""
    if not header:
        return None
    value = header.replace(" ", "")
    if not value.lower().startswith("bytes="):
        return None
    specs: list[tuple[int | None, int | None]] = []
    for spec in value[6:].split(","):
        if "-" not in spec:
            return None
        first_text, last_text = spec.split("-", 1)
        try:
            first = int(first_text) if first_text else None
        except ValueError:
            return None
        if last_text:
            if not last_text.isdigit():
                return None
            last = int(last_text)
            if first is not None and last < first:
                return None
        else:
            last = None
            if first is None:
                return None
        specs.append((first, last))
    return specs


def ranges_for_length(specs: list[tuple[int | None, int | None]], length: int) -> list[tuple[int, int]]:
    """Return the half-open ``[start, stop)`` ranges a Range header requests of ``length`` bytes.

    An empty list means unsatisfiable (416), following swob: ranges starting past the end
    are dropped, suffix ranges longer than the body take all of it, and requests for too
    many, too overlapping or too disordered ranges count as unsatisfiable.
    """
    ranges: list[tuple[int, int]] = []
    for first, last in specs:
        if first is None:
            assert last is not None
            if last == 0:
                continue
            ranges.append((0, length) if last > length else (length - last, length))
        elif last is None:
            if first < length:
                ranges.append((first, length))
        elif first < length:
            ranges.append((first, min(last + 1, length)))

    if len(ranges) > MAX_RANGES:
        return []
    overlaps = 0
    for index, (start1, end1) in enumerate(ranges):
        for start2, end2 in ranges[index + 1:]:
            if start1 < start2 < end1 or start1 < end2 < end1 or start2 < start1 < end2 or start2 < end1 < end2:
                overlaps += 1
                if overlaps > MAX_RANGE_OVERLAPS:
                    return []
    ascending = all(a <= b for a, b in zip(ranges, ranges[1:]))
    if not ascending and len(ranges) >= MAX_NONASCENDING_RANGES:
        return []
    return ranges


def multipart_boundary() -> str:
    """Return a boundary in swob's form: 32 hex digits."""
    return uuid.uuid4().hex


def multipart_length(ranges: list[tuple[int, int]], content_type: str, boundary: str, size: int) -> int:
    """Return the length of a ``multipart/byteranges`` body for these ranges."""
    total = 0
    for start, stop in ranges:
        total += len(_part_header(start, stop, content_type, boundary, size)) + (stop - start) + 2
    return total + len(boundary) + 4


def iter_multipart(body: Body, ranges: list[tuple[int, int]], content_type: str, boundary: str) -> Iterator[bytes]:
    """Yield a ``multipart/byteranges`` body, laid out as swob lays it out."""
    for start, stop in ranges:
        yield _part_header(start, stop, content_type, boundary, body.size)
        yield from body.iter_range(start, stop)
        yield b"\r\n"
    yield f"--{boundary}--".encode("ascii")


def _part_header(start: int, stop: int, content_type: str, boundary: str, size: int) -> bytes:
    return (
        f"--{boundary}\r\nContent-Type: {content_type}\r\n"
        f"Content-Range: bytes {start}-{stop - 1}/{size}\r\n\r\n"
    ).encode("latin-1")


def closing(chunks: Iterator[bytes], body: Body) -> Iterator[bytes]:
    """Yield ``chunks``, closing the body's file when done or when the client goes away."""
    try:
        yield from chunks
    finally:
        with contextlib.suppress(OSError):
            body.close()


def etag_matches(header: str | None, etag: str) -> bool:
    """Return True when an If-Match or If-None-Match header lists ``etag`` (or ``*``)."""
    tags = set()
    for tag in (header or "").split(","):
        tag = tag.strip()
        if tag:
            tags.add(normalize_etag(tag))
    return "*" in tags or normalize_etag(etag) in tags


def normalize_etag(tag: str) -> str:
    """Strip the quotes around an entity tag."""
    if tag and tag.startswith('"') and tag.endswith('"') and tag != '"':
        return tag[1:-1]
    return tag
