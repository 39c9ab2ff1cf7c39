"""Uploads to Swift: files, folders, bytes and streams, as plain objects or large objects.

Every object and segment is sent with its MD5 in ``ETag``, so Swift rejects (422) bytes
that changed on the way, and the ETag Swift returns is compared again. Sources that can
be read twice (files, bytes) are hashed first and then streamed. A stream that can be
read only once is copied, one segment at a time, into a spooled temporary file (see
``swift_sources.py``). That gives the MD5 before sending and lets a retried request read
the segment again. Memory stays flat whatever the size.

Above the segment size an object goes up as a static large object: segments in
parallel into ``<container>_segments`` under ``<name>/slo/<upload time>/<size>/<segment
size>/<index>``, then the manifest. On a cluster without SLO the same segments get a
dynamic large object manifest.

When an object is overwritten, the segments of the old one are deleted only after the
new object is in place, and never ones the new one uses. When the new manifest cannot be
written, the new segments are deleted and the old object stays as it was. To know about
old segments, an upload first reads (HEAD) the object it replaces, which costs one
request per object. ``upload_folder`` lists the destination once instead, and reads only
the objects that the listing shows may be large objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mimetypes
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import requests

from . import errors
from .progress import NullProgress, Progress
from .swift_delete import delete_objects, delete_segments, dynamic_segments, static_segments
from .swift_names import SwiftLimits, object_reference, validate_metadata
from .swift_results import DYNAMIC_LARGE_OBJECT, STATIC_LARGE_OBJECT, TransferResult, strip_etag
from .swift_sources import (
    BytesSource,
    FileSource,
    IterableReader,
    LookaheadReader,
    Source,
    SpoolSource,
    UploadBody,
    md5_of,
    spool_segment,
)
from .swift_transfer import PartProgress, finish_many, local_file_error, one_file_progress, run_parallel

if TYPE_CHECKING:
    from .swift import SwiftAccount

logger = logging.getLogger(__name__)

# The MD5 of zero bytes, which is the ETag of every empty object.
EMPTY_MD5 = hashlib.md5(b"").hexdigest()

# Content type when neither the caller nor the file name gives one.
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Listing entries per file that upload_folder reads, at most, to find the objects it
# replaces; with more, it sends a HEAD per file instead. A page of 10,000 entries takes
# roughly as long as 50 HEADs (an estimate from a single-node Swift 2.38.3 on loopback:
# 0.3 s against 6 ms), so the listing costs about a twentieth of the HEADs it saves.
REPLACED_LISTING_ENTRIES_PER_FILE = 10


# -- options shared by every upload ----------------------------------------------------------


@dataclass
class _UploadOptions:
    content_type: str | None
    metadata: dict[str, str]
    segment_size: int | None
    headers: dict[str, str]


def _object_headers(name: str, options: _UploadOptions, mtime: float | None) -> dict[str, Any]:
    headers: dict[str, Any] = dict(options.headers)
    headers["Content-Type"] = options.content_type or mimetypes.guess_type(name)[0] or DEFAULT_CONTENT_TYPE
    for key, value in options.metadata.items():
        headers[f"X-Object-Meta-{key}"] = value.encode("utf-8")
    if mtime is not None and "mtime" not in options.metadata:
        headers["X-Object-Meta-Mtime"] = f"{mtime:.6f}"
    return headers


def _prepare(
    account: "SwiftAccount",
    container: str,
    name: str | None,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    segment_size: int | None,
    headers: Mapping[str, str] | None,
) -> _UploadOptions:
    """Validate the names (``name`` None: only the container) and options of an upload."""
    account._container_name(container)
    if name is not None:
        account._object_name(name)
    if segment_size is not None and segment_size < 1:
        raise errors.InvalidInputError(f"invalid segment size {segment_size}: it must be at least 1 byte")
    checked = validate_metadata(metadata or {}, account.known_limits(), what="object metadata")
    return _UploadOptions(
        content_type=content_type,
        metadata={key: value for key, value in checked.items() if value is not None},
        segment_size=segment_size,
        headers=dict(headers or {}),
    )


def plan_segment_size(size: int, requested: int, limits: SwiftLimits) -> int:
    """Return the segment size for an object of ``size`` bytes.

    ``requested`` is capped by ``max_file_size`` and raised to ``min_segment_size``,
    then grown until the object needs at most ``max_manifest_segments`` segments. Raise
    ``InvalidInputError`` when even segments of ``max_file_size`` are too few.
    """
    segment = max(min(requested, limits.max_file_size), limits.min_segment_size, 1)
    if size > segment * limits.max_manifest_segments:
        segment = math.ceil(size / limits.max_manifest_segments)
    if segment > limits.max_file_size:
        largest = limits.max_file_size * limits.max_manifest_segments
        raise errors.InvalidInputError(
            f"the object is {size} bytes, more than this cluster's largest large object "
            f"({limits.max_manifest_segments} segments of {limits.max_file_size} bytes, {largest} bytes)",
            hint="split the data into several objects",
        )
    return segment


# -- public entry points ---------------------------------------------------------------------


def upload_file(
    account: "SwiftAccount",
    container: str,
    name: str,
    path: str | Path,
    *,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    segment_size: int | None = None,
    headers: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> TransferResult:
    """Upload a local file as ``container/name``; large files go up in parallel segments.

    The file's modification time is stored in ``X-Object-Meta-Mtime``. ``headers`` adds
    request headers such as ``X-Delete-After``.
    """
    options = _prepare(account, container, name, content_type, metadata, segment_size, headers)
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise local_file_error(exc, "upload", f"{container}/{name}", path) from None
    if not path.is_file():
        raise errors.InvalidInputError(f"{str(path)!r} is not a file", hint="give the path of a file, or use upload_folder")

    with one_file_progress(progress, total_bytes=stat.st_size, description=f"upload {name}") as progress:
        result = _upload_source(account, container, name, FileSource(path, stat.st_size), options, stat.st_mtime, progress, None)
        result.path = str(path)
    return result


def upload_bytes(
    account: "SwiftAccount",
    container: str,
    name: str,
    data: bytes | bytearray | memoryview,
    *,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    segment_size: int | None = None,
    headers: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> TransferResult:
    """Upload bytes held in memory as ``container/name``."""
    if isinstance(data, str):
        raise errors.InvalidInputError("upload_bytes takes bytes, not str", hint="encode the text first, such as text.encode('utf-8')")
    options = _prepare(account, container, name, content_type, metadata, segment_size, headers)
    source = BytesSource(data)
    with one_file_progress(progress, total_bytes=source.size, description=f"upload {name}") as progress:
        return _upload_source(account, container, name, source, options, None, progress, None)


def upload_stream(
    account: "SwiftAccount",
    container: str,
    name: str,
    stream: IO[bytes] | Iterable[bytes],
    *,
    size: int | None = None,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    segment_size: int | None = None,
    headers: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> TransferResult:
    """Upload from a binary file object or an iterable of bytes, read once, front to back.

    Each segment is copied into a spooled temporary file first (see the module
    docstring), so the stream is never held in memory and a failed request can be
    sent again. ``size``, when known, lets the segment size grow to fit the manifest
    limit; without it, a stream longer than ``max_manifest_segments`` segments fails.
    Segments of a stream go up one at a time; ``upload_file`` sends them in parallel.
    """
    options = _prepare(account, container, name, content_type, metadata, segment_size, headers)
    reader = _as_reader(stream)
    with one_file_progress(progress, total_bytes=size, description=f"upload {name}") as progress:
        return _upload_spooled(account, container, name, reader, size, options, progress)


def upload_folder(
    account: "SwiftAccount",
    container: str,
    folder: str | Path,
    *,
    prefix: str = "",
    **options: Any,
) -> list[TransferResult]:
    """Upload every file under ``folder`` as ``prefix + relative path`` (with ``/``), concurrently.

    Empty folders are not stored (Swift has no folders), and symbolic links to folders
    are not followed. ``options`` are those of ``upload_files``.
    """
    root = Path(folder)
    if not root.is_dir():
        raise errors.InvalidInputError(f"{str(root)!r} is not a folder", hint="give the path of a local folder")
    files = [(prefix + relative, path) for relative, path in _walk_files(root)]
    return upload_files(account, container, files, description=f"upload {root} to {container}", **options)


def upload_files(
    account: "SwiftAccount",
    container: str,
    files: list[tuple[str, str | Path]],
    *,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    segment_size: int | None = None,
    concurrency: int | None = None,
    raise_errors: bool = True,
    progress: Progress | None = None,
    description: str | None = None,
) -> list[TransferResult]:
    """Upload local files, given as ``(object name, path)`` pairs, concurrently.

    Every object name is validated and every file's size read before the first request.
    The destination is listed once to find which names may replace large objects, instead
    of a HEAD before every PUT. Files that fail do not stop the others; afterwards the
    first failure is raised, or, with ``raise_errors=False``, every result is returned
    with its ``error``.
    NOTE: a large file's segments use a pool of their own, so up to ``concurrency``
    squared requests may run at once.
    """
    options = _prepare(account, container, None, content_type, metadata, segment_size, None)
    names = [object_name for object_name, _ in files]
    for object_name in names:
        account._object_name(object_name)

    sizes = []
    for _, path in files:
        try:
            sizes.append(Path(path).stat().st_size)
        except OSError as exc:
            raise local_file_error(exc, "upload", container, Path(path)) from None

    may_have_segments = _objects_that_may_have_segments(account, container, names)
    progress = progress or NullProgress()
    progress.begin(
        total_bytes=sum(sizes), total_files=len(files), description=description or f"upload {len(files)} files to {container}"
    )

    def task_for(object_name: str, path: Path, size: int):
        def task(stop: threading.Event) -> TransferResult:
            try:
                stat = path.stat()
                source = FileSource(path, stat.st_size)
                replaces = may_have_segments is None or object_name in may_have_segments
                result = _upload_source(
                    account, container, object_name, source, options, stat.st_mtime, progress, stop, replaces=replaces
                )
                result.path = str(path)
            except errors.OvhubError as exc:
                return TransferResult("upload", container, object_name, str(path), size, error=exc)
            except OSError as exc:
                return TransferResult(
                    "upload", container, object_name, str(path), size,
                    error=local_file_error(exc, "upload", f"{container}/{object_name}", path),
                )
            progress.advance(files=1)
            return result

        return task

    tasks = [task_for(name, Path(path), size) for (name, path), size in zip(files, sizes)]
    try:
        results = run_parallel(tasks, concurrency or account.concurrency)
    except BaseException:
        progress.end(failed=True)
        raise
    return finish_many(results, progress, raise_errors)


def _objects_that_may_have_segments(account: "SwiftAccount", container: str, names: list[str]) -> set[str] | None:
    """Return which of ``names`` are listed as objects that may be large objects.

    Those are the entries marked as static large objects and the 0-byte ones (a dynamic
    large object manifest lists as 0 bytes). Only they need a HEAD before they are
    replaced. Return None, meaning every name needs one, when the container has too many
    objects under the names' common prefix for one listing to be cheaper.
    NOTE: a dynamic manifest stored with a body, or an object written so recently that
    the listing does not show it yet, is replaced without its old segments being deleted.
    """
    if not names:
        return set()
    limit = REPLACED_LISTING_ENTRIES_PER_FILE * len(names)
    try:
        listed = account.list_objects(container, prefix=os.path.commonprefix(names) or None, limit=limit + 1)
    except errors.NotFoundError:
        # Every PUT fails with its own error: the container does not exist.
        return set()
    if len(listed) > limit:
        return None
    uploading = set(names)
    return {entry.name for entry in listed if entry.name in uploading and (entry.large_object or entry.bytes == 0)}


def _walk_files(root: Path) -> list[tuple[str, Path]]:
    files = []
    for directory, subdirectories, filenames in os.walk(root):
        subdirectories.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            files.append((relative, path))
    return files


def _as_reader(stream: IO[bytes] | Iterable[bytes]) -> Any:
    if hasattr(stream, "read"):
        return stream
    if isinstance(stream, (bytes, bytearray, memoryview, str)):
        raise errors.InvalidInputError(
            "upload_stream takes a file object or an iterable of bytes", hint="use upload_bytes for bytes in memory"
        )
    return IterableReader(iter(stream))


# -- one object, plain or segmented ----------------------------------------------------------


def _upload_source(
    account: "SwiftAccount",
    container: str,
    name: str,
    source: Source,
    options: _UploadOptions,
    mtime: float | None,
    progress: Progress,
    stop: threading.Event | None,
    *,
    replaces: bool = True,
) -> TransferResult:
    """Upload one object; with ``replaces`` False, the caller knows no large object is replaced."""
    assert source.size is not None
    limits = account.limits()
    requested = options.segment_size or account.segment_size
    # Without a HEAD (replaces False) the object may exist, so it is treated as existing.
    exists, old_segments = _replaced_object(account, container, name) if replaces else (True, [])
    headers = _object_headers(name, options, mtime)

    if source.size <= min(requested, limits.max_file_size):
        etag = _put_part(
            account, container, name, source, 0, source.size, headers, PartProgress(progress), stop, new_object=not exists
        )
        result = TransferResult("upload", container, name, None, source.size, etag)
    else:
        segment_size = plan_segment_size(source.size, requested, limits)
        result = _upload_segments(account, container, name, source, segment_size, headers, limits, progress, stop)

    _delete_replaced_segments(account, container, name, old_segments, result)
    return result


def _put_part(
    account: "SwiftAccount",
    container: str,
    name: str,
    source: Source,
    offset: int,
    length: int,
    headers: Mapping[str, Any],
    tracker: PartProgress,
    stop: threading.Event | None,
    *,
    new_object: bool = False,
) -> str:
    """PUT ``length`` bytes of ``source`` as one object checked by MD5; return the MD5.

    By default the MD5 is computed first and sent as ``ETag``, so Swift rejects damaged
    bytes (422) before they replace anything. For an object known not to exist yet
    (``new_object``: a fresh segment, or a name a HEAD just found absent), the source is
    read once: the MD5 is computed while the bytes are sent and compared with the ETag
    Swift returns. On a mismatch the damaged copy is deleted and the part is sent again
    the first way, so nothing that existed before can be replaced by damaged bytes.
    """
    if new_object:
        streamed_md5, response = _send_part(account, container, name, source, offset, length, headers, tracker, stop, None)
        returned = strip_etag(response.headers.get("Etag"))
        if returned == streamed_md5:
            return streamed_md5
        logger.warning(
            "upload of %s/%s: Swift stored MD5 %s, the data sent has MD5 %s; deleting it and sending it again",
            container, name, returned, streamed_md5,
        )
        account.request("DELETE", container, name, operation="upload", check=False).close()

    md5 = md5_of(source, offset, length, account.chunk_size, stop)
    _, response = _send_part(account, container, name, source, offset, length, headers, tracker, stop, md5)
    _check_returned_etag(
        response, md5, "upload", f"{container}/{name}", "Swift stored MD5 {returned}, the data sent has MD5 {expected}"
    )
    return md5


def _send_part(
    account: "SwiftAccount",
    container: str,
    name: str,
    source: Source,
    offset: int,
    length: int,
    headers: Mapping[str, Any],
    tracker: PartProgress,
    stop: threading.Event | None,
    etag: str | None,
) -> tuple[str | None, requests.Response]:
    """Send one PUT (retried by the HTTP layer); return the MD5 of the bytes the last attempt sent, and the response."""
    opened: list[UploadBody] = []

    def body() -> Any:
        # Called once per attempt, so a retried request reads the bytes again from the start.
        if length == 0:
            return b""
        reader = UploadBody(
            source.open(offset, length), length, tracker, stop, f"{container}/{name}",
            digest=None if etag is not None else hashlib.md5(),
        )
        opened.append(reader)
        return reader

    sent = dict(headers)
    if etag is not None:
        sent["ETag"] = etag
    try:
        response = account.request("PUT", container, name, headers=sent, data=body, operation="upload")
    finally:
        for reader in opened:
            reader.close()
    response.close()

    if etag is not None:
        return etag, response
    if length == 0:
        return EMPTY_MD5, response
    return opened[-1].digest.hexdigest(), response


def _segment_container(account: "SwiftAccount", container: str) -> str:
    from .swift import SEGMENT_CONTAINER_SUFFIX

    segment_container = container + SEGMENT_CONTAINER_SUFFIX
    limit = account.known_limits().max_container_name_length
    if len(segment_container.encode("utf-8")) > limit:
        raise errors.InvalidInputError(
            f"container name {container!r} is too long for a segments container ({segment_container!r} is more than {limit} bytes)",
            hint="upload large objects to a container with a shorter name",
        )
    return segment_container


def _segment_prefix(account: "SwiftAccount", name: str, size: int, segment_size: int, kind: str) -> str:
    # The upload time makes the prefix unique, so a new upload never reuses (and later
    # deletes) the segments of an earlier one.
    suffix = f"/{kind}/{time.time():.6f}/{size}/{segment_size}/"
    base = name
    if len((base + suffix + "00000000").encode("utf-8")) > account.known_limits().max_object_name_length:
        base = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return base + suffix


def _upload_segments(
    account: "SwiftAccount",
    container: str,
    name: str,
    source: Source,
    segment_size: int,
    headers: Mapping[str, Any],
    limits: SwiftLimits,
    progress: Progress,
    stop: threading.Event | None,
) -> TransferResult:
    assert source.size is not None
    kind = STATIC_LARGE_OBJECT if limits.slo else DYNAMIC_LARGE_OBJECT
    segment_container = _segment_container(account, container)
    prefix = _segment_prefix(account, name, source.size, segment_size, kind)
    account.request("PUT", segment_container, operation="create segments container")

    offsets = list(range(0, source.size, segment_size))
    segment_names = [f"{prefix}{index:08d}" for index in range(len(offsets))]
    segment_headers = {"Content-Type": DEFAULT_CONTENT_TYPE}

    def task_for(index: int):
        def task(task_stop: threading.Event) -> dict[str, Any]:
            offset = offsets[index]
            length = min(segment_size, source.size - offset)  # type: ignore[operator]
            etag = _put_part(
                account, segment_container, segment_names[index], source, offset, length,
                segment_headers, PartProgress(progress), _either(stop, task_stop), new_object=True,
            )
            return {"path": f"/{segment_container}/{segment_names[index]}", "etag": etag, "size_bytes": length}

        return task

    logger.info("uploading %s/%s in %d segments of %d bytes to %s", container, name, len(offsets), segment_size, segment_container)
    try:
        segments = run_parallel([task_for(i) for i in range(len(offsets))], account.concurrency)
        etag = _put_manifest(account, container, name, kind, segment_container, prefix, segments, headers)
    except errors.OvhubError:
        _delete_new_segments(account, segment_container, segment_names)
        raise
    except BaseException:
        logger.warning("upload of %s/%s interrupted; its segments may remain under %s/%s", container, name, segment_container, prefix)
        raise
    return TransferResult("upload", container, name, None, source.size, etag, segments=len(segments))


def _put_manifest(
    account: "SwiftAccount",
    container: str,
    name: str,
    kind: str,
    segment_container: str,
    prefix: str,
    segments: list[dict[str, Any]],
    headers: Mapping[str, Any],
) -> str | None:
    expected = hashlib.md5("".join(s["etag"] for s in segments).encode("ascii")).hexdigest()
    sent = dict(headers)
    if kind == STATIC_LARGE_OBJECT:
        response = account.request(
            "PUT",
            container,
            name,
            params={"multipart-manifest": "put"},
            headers=sent,
            data=json.dumps(segments).encode("utf-8"),
            operation="write manifest of",
        )
    else:
        sent["X-Object-Manifest"] = object_reference(segment_container, prefix)
        response = account.request("PUT", container, name, headers=sent, data=b"", operation="write manifest of")
        return expected
    response.close()

    _check_returned_etag(
        response, expected, "write manifest of", f"{container}/{name}", "the manifest ETag is {returned}, the segments give {expected}"
    )
    return expected


def _check_returned_etag(response: requests.Response, expected: str, operation: str, target: str, message: str) -> None:
    """Raise ``ChecksumMismatchError`` when Swift returned an ETag other than ``expected``.

    ``message`` is formatted with ``returned`` and ``expected``. A response without an
    ETag passes, since there is nothing to compare.
    """
    returned = strip_etag(response.headers.get("Etag"))
    if returned is None or returned == expected:
        return
    raise errors.ChecksumMismatchError(
        message.format(returned=returned, expected=expected),
        operation=operation,
        target=target,
        status=response.status_code,
        service="swift",
        request_id=response.headers.get("X-Trans-Id"),
        hint="upload it again",
    )


class _EitherEvent:
    """Set when either event is set: a segment stops when its upload or the whole folder does."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self._events = (first, second)

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)


def _either(first: threading.Event | None, second: threading.Event) -> Any:
    return second if first is None else _EitherEvent(first, second)


def _delete_new_segments(account: "SwiftAccount", segment_container: str, names: list[str]) -> None:
    try:
        outcome = delete_objects(account, segment_container, names)
    except errors.OvhubError as exc:
        logger.warning("could not delete the segments of a failed upload in %s: %s", segment_container, exc)
        return
    for name, reason in outcome.failures:
        logger.warning("could not delete segment %s/%s of a failed upload: %s", segment_container, name, reason)


# -- streams ---------------------------------------------------------------------------------


def _upload_spooled(
    account: "SwiftAccount",
    container: str,
    name: str,
    stream: Any,
    size: int | None,
    options: _UploadOptions,
    progress: Progress,
) -> TransferResult:
    limits = account.limits()
    requested = options.segment_size or account.segment_size
    segment_size = plan_segment_size(size, requested, limits) if size else max(min(requested, limits.max_file_size), 1)
    headers = _object_headers(name, options, None)
    old_segments = _existing_segments(account, container, name)
    reader = LookaheadReader(stream, account.chunk_size)

    spool, length = spool_segment(reader, segment_size, account.chunk_size, None)
    source = SpoolSource(spool, length)
    try:
        at_end = reader.at_end()
    except BaseException:
        source.close()
        raise

    if at_end:
        try:
            etag = _put_part(account, container, name, source, 0, length, headers, PartProgress(progress), None)
        finally:
            source.close()
        result = TransferResult("upload", container, name, None, length, etag)
    else:
        result = _upload_spooled_segments(account, container, name, reader, source, segment_size, headers, limits, progress)

    _delete_replaced_segments(account, container, name, old_segments, result)
    return result


def _upload_spooled_segments(
    account: "SwiftAccount",
    container: str,
    name: str,
    reader: "LookaheadReader",
    first: SpoolSource,
    segment_size: int,
    headers: Mapping[str, Any],
    limits: SwiftLimits,
    progress: Progress,
) -> TransferResult:
    kind = STATIC_LARGE_OBJECT if limits.slo else DYNAMIC_LARGE_OBJECT
    source: SpoolSource | None = first
    segments: list[dict[str, Any]] = []
    names: list[str] = []
    try:
        segment_container = _segment_container(account, container)
        # The total size is unknown when the first segment goes up: the prefix has 0.
        prefix = _segment_prefix(account, name, 0, segment_size, kind)
        account.request("PUT", segment_container, operation="create segments container")

        while source is not None:
            if len(segments) >= limits.max_manifest_segments:
                raise errors.InvalidInputError(
                    f"the stream needs more than {limits.max_manifest_segments} segments of {segment_size} bytes",
                    hint="pass size= so the segment size can grow, or a larger segment_size",
                )
            segment_name = f"{prefix}{len(segments):08d}"
            names.append(segment_name)
            length = source.size or 0
            etag = _put_part(
                account, segment_container, segment_name, source, 0, length,
                {"Content-Type": DEFAULT_CONTENT_TYPE}, PartProgress(progress), None, new_object=True,
            )
            segments.append({"path": f"/{segment_container}/{segment_name}", "etag": etag, "size_bytes": length})
            source.close()
            source = None
            if not reader.at_end():
                spool, length = spool_segment(reader, segment_size, account.chunk_size, None)
                source = SpoolSource(spool, length)

        etag = _put_manifest(account, container, name, kind, segment_container, prefix, segments, headers)
    except errors.OvhubError:
        if names:
            _delete_new_segments(account, segment_container, names)
        raise
    finally:
        if source is not None:
            source.close()
    total = sum(segment["size_bytes"] for segment in segments)
    return TransferResult("upload", container, name, None, total, etag, segments=len(segments))


# -- overwriting large objects ---------------------------------------------------------------


def _existing_segments(account: "SwiftAccount", container: str, name: str) -> list[tuple[str, str]]:
    """Return the segments of the object about to be overwritten (none for a plain object)."""
    return _replaced_object(account, container, name)[1]


def _replaced_object(account: "SwiftAccount", container: str, name: str) -> tuple[bool, list[tuple[str, str]]]:
    """Return whether the object exists, and its segments when it is a large object (one HEAD)."""
    from .swift import object_stat_from_headers

    response = account.request("HEAD", container, name, operation="read object", check=False)
    if response.status_code == 404:
        return False, []
    account.raise_for_status(response, operation="read object", target=f"{container}/{name}", container=container, name=name)
    stat = object_stat_from_headers(container, name, response.headers)
    if stat.large_object == STATIC_LARGE_OBJECT:
        return True, static_segments(account, container, name)
    if stat.large_object == DYNAMIC_LARGE_OBJECT:
        return True, list(dynamic_segments(account, stat))
    return True, []


def _delete_replaced_segments(
    account: "SwiftAccount",
    container: str,
    name: str,
    old_segments: list[tuple[str, str]],
    result: TransferResult,
) -> None:
    if not old_segments:
        return
    # The new object is in place, so the old segments can go. They were listed before
    # the upload, and new segments have a prefix of their own, so no new segment is in
    # the list. The object itself may be, because a dynamic manifest's prefix can match
    # its own name.
    outcome = delete_segments(account, old_segments, keep={(container, name)})
    logger.info("deleted %d old segments of %s/%s", outcome.deleted, container, name)
