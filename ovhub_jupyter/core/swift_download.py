"""Downloads from Swift: to a file, a folder, memory or a stream, whole or a byte range.

Bytes are streamed in ``chunk_size`` pieces exactly as stored (no content decoding), so
memory stays flat whatever the object size. A whole plain object is checked against
its ETag (the MD5 of its content). Ranged reads and large objects are not, because
Swift gives no MD5 of those bytes; their length is checked against ``Content-Length``. When the connection breaks in the middle of the body, the download
goes on from the byte where it stopped (a ``Range`` request, a bounded number of times),
provided the object still has the same ETag.

A download to a file lands in a temporary file next to the destination, which is
renamed over the destination only once complete and checked, and removed on any failure
or interruption, KeyboardInterrupt included.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import requests
import urllib3

from . import errors
from .http import request_id_of
from .progress import NullProgress, Progress
from .swift_results import TransferResult, header_int, strip_etag
from .swift_transfer import PartProgress, check_stop, finish_many, local_file_error, one_file_progress, run_parallel

if TYPE_CHECKING:
    from .swift import SwiftAccount

logger = logging.getLogger(__name__)


def _new_file_mode() -> int:
    # Reading the umask means setting it; done once, at import, before any transfer thread.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


# Permission bits of a downloaded file: those of any new file under this process's umask.
NEW_FILE_MODE = _new_file_mode()

# Errors of a response body that broke off; a download resumes after them.
_BROKEN_BODY_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, requests.ConnectionError)

_MD5_HEX = re.compile(r"^[0-9a-f]{32}$")

# Suffix of the temporary file a download is written to before it is renamed.
PARTIAL_SUFFIX = ".ovhub-part"


@dataclass
class _Outcome:
    """The headers and byte count of one streamed GET."""

    headers: Any
    nbytes: int
    etag: str | None


def _range_header(start: int, end: int | None) -> str:
    return f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"


def _stream_object(
    account: "SwiftAccount",
    container: str,
    name: str,
    write: Callable[[bytes], Any],
    *,
    byte_range: tuple[int, int | None] | None = None,
    tracker: PartProgress | None = None,
    stop: threading.Event | None = None,
    on_length: Callable[[int | None], None] | None = None,
) -> _Outcome:
    """GET an object (or ``byte_range``, end exclusive) and pass its bytes to ``write``.

    Return the headers of the first response and the bytes delivered. Raise
    ``ChecksumMismatchError`` or ``ConnectionFailedError`` when the bytes cannot be
    trusted; what ``write`` raises passes through.
    """
    target = f"{container}/{name}"
    start = byte_range[0] if byte_range else 0
    end = byte_range[1] if byte_range else None
    headers = {"Range": _range_header(start, end)} if byte_range else {}
    response = account.request("GET", container, name, headers=headers, stream=True, operation="download")
    first_headers = response.headers

    ranged = response.status_code == 206
    # A server that ignores Range sends the whole object: skip to the requested bytes.
    skip = start if byte_range and not ranged else 0
    wanted = None if end is None else end - start
    length = header_int(first_headers, "Content-Length", None)
    expected = (length - skip if wanted is None else min(wanted, length - skip)) if length is not None else wanted
    large = "X-Object-Manifest" in first_headers or first_headers.get("X-Static-Large-Object", "").lower() == "true"
    etag = strip_etag(first_headers.get("Etag"))
    check_md5 = not byte_range and not large and etag is not None and _MD5_HEX.match(etag) is not None
    if on_length is not None:
        on_length(expected)

    digest = hashlib.md5()
    delivered = 0
    chunks = _body_chunks(account, container, name, response, skip, start, end, etag, stop)
    try:
        for chunk in chunks:
            if expected is not None and delivered + len(chunk) > expected:
                chunk = chunk[: expected - delivered]
            write(chunk)
            if check_md5:
                digest.update(chunk)
            delivered += len(chunk)
            if tracker is not None:
                tracker.reached(delivered)
            if expected is not None and delivered >= expected:
                break
    finally:
        # Close the response now, also when the loop stopped early or write() failed.
        chunks.close()
        response.close()

    if expected is not None and delivered != expected:
        raise errors.ConnectionFailedError(
            f"received {delivered} of {expected} bytes",
            operation="download",
            target=target,
            service="swift",
            request_id=request_id_of(response),
            hint="try again",
        )
    if check_md5 and digest.hexdigest() != etag:
        raise errors.ChecksumMismatchError(
            f"the bytes received have MD5 {digest.hexdigest()}, Swift's ETag is {etag}",
            operation="download",
            target=target,
            status=response.status_code,
            service="swift",
            request_id=request_id_of(response),
            hint="the data changed on the way; download it again",
        )
    return _Outcome(first_headers, delivered, etag if not large else None)


def _body_chunks(
    account: "SwiftAccount",
    container: str,
    name: str,
    response: requests.Response,
    skip: int,
    start: int,
    end: int | None,
    etag: str | None,
    stop: threading.Event | None,
) -> Iterator[bytes]:
    """Yield the body's bytes after ``skip``, resuming with a Range request when it breaks off."""
    received = 0
    resumes = 0
    try:
        while True:
            try:
                for chunk in response.raw.stream(account.chunk_size, decode_content=False):
                    check_stop(stop)
                    if skip:
                        dropped = min(skip, len(chunk))
                        chunk = chunk[dropped:]
                        skip -= dropped
                    if chunk:
                        received += len(chunk)
                        yield chunk
                return
            except _BROKEN_BODY_ERRORS as exc:
                response.close()
                if resumes >= account.http.retry.max_retries or skip:
                    raise errors.ConnectionFailedError(
                        f"the connection broke after {received} bytes ({type(exc).__name__})",
                        operation="download",
                        target=f"{container}/{name}",
                        service="swift",
                        hint="check the connection and try again",
                    ) from None
                resumes += 1
                logger.info("download of %s/%s broke after %d bytes; resuming (%d)", container, name, received, resumes)
                response = _resume(account, container, name, start + received, end, etag)
    finally:
        response.close()


def _resume(account: "SwiftAccount", container: str, name: str, offset: int, end: int | None, etag: str | None) -> requests.Response:
    response = account.request(
        "GET", container, name, headers={"Range": _range_header(offset, end)}, stream=True, operation="download"
    )
    same = etag is None or strip_etag(response.headers.get("Etag")) == etag
    if response.status_code != 206 or not same:
        response.close()
        raise errors.ConnectionFailedError(
            "the connection broke and the object could not be read on from the same byte"
            + ("" if same else " (it changed in the meantime)"),
            operation="download",
            target=f"{container}/{name}",
            status=response.status_code,
            service="swift",
            request_id=request_id_of(response),
            hint="download it again",
        )
    return response


# -- public entry points ---------------------------------------------------------------------


def _check_names(account: "SwiftAccount", container: str, name: str) -> None:
    account._container_name(container)
    account._object_name(name)


def _check_range(byte_range: tuple[int, int | None] | None) -> None:
    if byte_range is None:
        return
    start, end = byte_range
    if start < 0 or (end is not None and end < start):
        raise errors.InvalidInputError(
            f"invalid byte range {byte_range!r}", hint="give (start, end) with 0 <= start <= end, end exclusive"
        )


def download_file(
    account: "SwiftAccount",
    container: str,
    name: str,
    path: str | Path,
    *,
    progress: Progress | None = None,
) -> TransferResult:
    """Download ``container/name`` to the file ``path`` (its folder is created if missing).

    The local modification time is set from ``X-Object-Meta-Mtime`` when the object
    has it. An existing file at ``path`` is replaced only once the download is complete.
    """
    _check_names(account, container, name)
    with one_file_progress(progress, total_bytes=None, description=f"download {name}") as progress:
        return _download_to_path(account, container, name, Path(path), progress, None, report_length=True)


def _download_to_path(
    account: "SwiftAccount",
    container: str,
    name: str,
    path: Path,
    progress: Progress,
    stop: threading.Event | None,
    *,
    report_length: bool = False,
) -> TransferResult:
    target = f"{container}/{name}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name[:100] + ".", suffix=PARTIAL_SUFFIX)
    except OSError as exc:
        raise local_file_error(exc, "download", target, path) from None

    def on_length(length: int | None) -> None:
        if length is not None:
            progress.add_total(nbytes=length)

    try:
        with os.fdopen(descriptor, "wb") as handle:
            outcome = _stream_object(
                account, container, name, handle.write, tracker=PartProgress(progress), stop=stop,
                on_length=on_length if report_length else None,
            )
        # mkstemp creates the file with mode 0600; a download gets the mode of a new file.
        os.chmod(temporary, NEW_FILE_MODE)
        _apply_mtime(temporary, outcome.headers)
        os.replace(temporary, path)
    except errors.OvhubError:
        # Checked first: NotFoundError and PermissionError-based errors are OSErrors too.
        _remove_quietly(temporary)
        raise
    except OSError as exc:
        _remove_quietly(temporary)
        raise local_file_error(exc, "download", target, path) from None
    except BaseException:
        _remove_quietly(temporary)
        raise
    return TransferResult("download", container, name, str(path), outcome.nbytes, outcome.etag)


def _apply_mtime(path: str, headers: Any) -> None:
    value = headers.get("X-Object-Meta-Mtime")
    if not value:
        return
    try:
        mtime = float(value)
    except ValueError:
        return
    os.utime(path, (mtime, mtime))


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning("could not remove the partial download %s: %s", path, exc)


def download_bytes(
    account: "SwiftAccount",
    container: str,
    name: str,
    *,
    byte_range: tuple[int, int | None] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Return an object's bytes, or those of ``byte_range`` (start, end exclusive; end None: to the end)."""
    _check_names(account, container, name)
    _check_range(byte_range)
    buffer = io.BytesIO()
    _download_with_progress(account, container, name, buffer.write, byte_range, progress)
    return buffer.getvalue()


def download_stream(
    account: "SwiftAccount",
    container: str,
    name: str,
    stream: IO[bytes],
    *,
    byte_range: tuple[int, int | None] | None = None,
    progress: Progress | None = None,
) -> TransferResult:
    """Write an object's bytes (or ``byte_range``) to a writable binary file object.

    The bytes are written as they arrive, so a checksum error is raised after the
    stream has received them; use ``download_file`` for all-or-nothing files.
    """
    _check_names(account, container, name)
    _check_range(byte_range)
    outcome = _download_with_progress(account, container, name, stream.write, byte_range, progress)
    return TransferResult("download", container, name, None, outcome.nbytes, outcome.etag)


def _download_with_progress(
    account: "SwiftAccount",
    container: str,
    name: str,
    write: Callable[[bytes], Any],
    byte_range: tuple[int, int | None] | None,
    progress: Progress | None,
) -> _Outcome:
    with one_file_progress(progress, total_bytes=None, description=f"download {name}") as progress:

        def on_length(length: int | None) -> None:
            if length is not None:
                progress.add_total(nbytes=length)

        return _stream_object(
            account, container, name, write, byte_range=byte_range, tracker=PartProgress(progress), on_length=on_length
        )


def read_range(account: "SwiftAccount", container: str, name: str, start: int, end: int) -> bytes:
    """Return bytes ``start`` to ``end`` (exclusive) of an object; fewer, or none, past its end.

    This is the read fsspec needs: no checksum (Swift gives none for a range), the
    length checked against ``Content-Length``.
    """
    _check_names(account, container, name)
    _check_range((start, end))
    if start == end:
        return b""
    buffer = io.BytesIO()
    try:
        _stream_object(account, container, name, buffer.write, byte_range=(start, end))
    except errors.BadRequestError as exc:
        if exc.status == 416:
            # The range starts at or after the end of the object.
            return b""
        raise
    return buffer.getvalue()


def download_folder(
    account: "SwiftAccount",
    container: str,
    folder: str | Path,
    *,
    prefix: str = "",
    concurrency: int | None = None,
    raise_errors: bool = True,
    progress: Progress | None = None,
) -> list[TransferResult]:
    """Download every object whose name starts with ``prefix`` into ``folder``, concurrently.

    The part of the prefix up to its last ``/`` is dropped from local paths, so
    ``prefix="photos/2024"`` puts ``photos/2024-01.jpg`` at ``folder/2024-01.jpg``. Names
    ending with ``/`` become folders. A name that cannot be a relative local path (an
    empty, ``.`` or ``..`` component, such as in ``a//b`` or ``/abs``) is not written
    and fails with ``InvalidInputError``. Failures do not stop the other objects;
    afterwards the first is raised, or, with ``raise_errors=False``, every result is
    returned with its ``error``.
    """
    account._container_name(container)
    root = Path(folder)
    entries = account.list_objects(container, prefix=prefix or None)
    strip = prefix.rpartition("/")[0] + "/" if "/" in prefix else ""

    progress = progress or NullProgress()
    progress.begin(total_bytes=sum(e.bytes for e in entries), total_files=len(entries), description=f"download {container}/{prefix}")

    def task_for(object_name: str, size: int) -> Callable[[threading.Event], TransferResult]:
        def task(stop: threading.Event) -> TransferResult:
            try:
                relative = local_relative_path(object_name[len(strip):])
                destination = root.joinpath(*relative) if relative else root
                if object_name.endswith("/"):
                    destination.mkdir(parents=True, exist_ok=True)
                    result = TransferResult("download", container, object_name, str(destination), 0)
                else:
                    result = _download_to_path(account, container, object_name, destination, progress, stop)
            except errors.OvhubError as exc:
                return TransferResult("download", container, object_name, None, size, error=exc)
            except OSError as exc:
                error = local_file_error(exc, "download", f"{container}/{object_name}", root)
                return TransferResult("download", container, object_name, None, size, error=error)
            progress.advance(files=1)
            return result

        return task

    tasks = [task_for(entry.name, entry.bytes) for entry in entries]
    try:
        results = run_parallel(tasks, concurrency or account.concurrency)
    except BaseException:
        progress.end(failed=True)
        raise
    return finish_many(results, progress, raise_errors)


def local_relative_path(name: str) -> list[str]:
    """Return the local path components of an object name, or raise ``InvalidInputError``.

    A trailing ``/`` (a folder marker) is allowed. Any other empty component, ``.``,
    ``..``, or a character the local system cannot have in a file name is rejected.
    """
    parts = name.split("/")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", "..") or "\x00" in part or (os.sep != "/" and os.sep in part):
            raise errors.InvalidInputError(
                f"object {name!r} cannot be saved as a local file: it has an empty, '.' or '..' path component",
                hint="download it on its own with download_file and a local path of your choice",
            )
    return parts
