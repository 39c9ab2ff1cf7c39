"""OpenStack Swift client: one account's containers, objects, listings, metadata and temp URLs.

``SwiftAccount`` is what the ``%swift`` magics, the fsspec file system and scripts use.
It is a thin layer of our own on ``requests`` (through ``HttpClient``) rather than
python-swiftclient, because the product needs what that library does not offer as a
library: byte-level progress of every transfer, a token asked from a
``CredentialProvider`` on every request (hubiC, Keystone and OVHcloud credentials
refresh themselves), ``Retry-After`` on 429/503, streaming MD5 checks with temporary
files, and ranged reads for fsspec. python-swiftclient stays a test and benchmark peer.

Every request gets the current token from the provider. A 401 invalidates that token,
fetches credentials again and repeats that one request once, so a token that expires in
the middle of a long listing or a many-segment upload costs one request, not the
operation. Retries of 5xx, 429, 498 and dropped connections happen in ``HttpClient``,
for idempotent requests only (GET, HEAD, PUT, DELETE, COPY). Three POSTs are marked
safe to repeat: metadata updates (they set the same values again), the temp URL key
(the key is chosen before the first attempt) and bulk delete (a second pass finds the
deleted objects gone).

Uploads and large objects are in ``swift_upload.py``, downloads in
``swift_download.py``, deletes in ``swift_delete.py`` and temp URLs in
``swift_tempurl.py``. ``SwiftAccount`` offers them all as methods.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

import requests

from . import errors
from .credentials import CredentialProvider
from .http import DEFAULT_POOL_SIZE, Body, HttpClient, raise_for_status, request_id_of
from .progress import Progress
from .swift_names import (
    DEFAULT_LIMITS,
    SwiftLimits,
    encode_header_value,
    object_path,
    object_reference,
    parse_object_reference,
    validate_container_name,
    validate_metadata,
    validate_object_name,
    validate_prefix,
)
from .swift_results import (
    DYNAMIC_LARGE_OBJECT,
    STATIC_LARGE_OBJECT,
    AccountStat,
    ContainerInfo,
    ContainerStat,
    DeleteResult,
    ObjectInfo,
    ObjectStat,
    TransferResult,
    container_info_from_listing,
    header_int,
    metadata_from_headers,
    object_info_from_listing,
    parse_http_date,
    strip_etag,
)

logger = logging.getLogger(__name__)

__all__ = [
    "SwiftAccount",
    "SwiftLimits",
    "AccountStat",
    "ContainerInfo",
    "ContainerStat",
    "ObjectInfo",
    "ObjectStat",
    "TransferResult",
    "DeleteResult",
]

# Files and objects transferred at once, and segments of one large object uploaded at once.
DEFAULT_CONCURRENCY = 8

# Files larger than this go up as a static large object made of segments of this size.
# Small enough that a failed segment is cheap to send again and a large file uses
# several connections; /info's max_file_size and max_manifest_segments adjust it.
DEFAULT_SEGMENT_SIZE = 256 * 1024 * 1024

# Bytes read or written at a time when streaming; bounds the memory of a transfer. 256 KiB
# downloaded a 256 MiB object about 20% faster than 1 MiB (the chunk then stays in the CPU
# cache between the MD5 and the write), measured with benchmarks/bench_swift.py.
DEFAULT_CHUNK_SIZE = 256 * 1024

# Segments of <container>/<object> go to <container><suffix>, as python-swiftclient does.
SEGMENT_CONTAINER_SUFFIX = "_segments"

# Statuses of listing requests that mean "no entries" rather than an error.
_EMPTY_LISTING_STATUSES = (204,)


class SwiftAccount:
    """A Swift account reached through a ``CredentialProvider``.

    ``concurrency`` bounds the files transferred at once, and also the segments of one
    large object sent at once. Files larger than ``segment_size`` are uploaded as static
    large objects. ``chunk_size`` is the streaming buffer. The object is thread-safe, and
    pickles without its token (the provider keeps what it needs to fetch one again).
    """

    def __init__(
        self,
        provider: CredentialProvider,
        *,
        http: HttpClient | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        if concurrency < 1:
            raise errors.InvalidInputError(f"invalid concurrency {concurrency}: it must be at least 1")
        if segment_size < 1:
            raise errors.InvalidInputError(f"invalid segment size {segment_size}: it must be at least 1 byte")
        if chunk_size < 1:
            raise errors.InvalidInputError(f"invalid chunk size {chunk_size}: it must be at least 1 byte")
        self.provider = provider
        self.http = http or HttpClient("swift", pool_size=max(DEFAULT_POOL_SIZE, 2 * concurrency))
        self.concurrency = concurrency
        self.segment_size = segment_size
        self.chunk_size = chunk_size
        self._info: dict[str, Any] | None = None
        self._info_lock = threading.Lock()
        self._temp_url_key: str | None = None

    def __repr__(self) -> str:
        return f"SwiftAccount(provider={self.provider!r})"

    def __getstate__(self) -> dict[str, Any]:
        # No lock, and no temp URL key: it is a secret and is read again when needed.
        return {
            "provider": self.provider,
            "http": self.http,
            "concurrency": self.concurrency,
            "segment_size": self.segment_size,
            "chunk_size": self.chunk_size,
            "_info": self._info,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._info_lock = threading.Lock()
        self._temp_url_key = None

    # -- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        container: str | None = None,
        name: str | None = None,
        *,
        operation: str,
        target: str | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        data: Body = None,
        stream: bool = False,
        idempotent: bool | None = None,
        check: bool = True,
        hint: str | None = None,
    ) -> requests.Response:
        """Send one authenticated request to the account, a container or an object.

        Names are validated and encoded here. ``data`` must be bytes or a callable that
        returns a fresh body, because the request may be sent again (after a 401, or by
        ``HttpClient``'s retries). With ``check``, an error status raises the matching
        ``ServiceError`` naming ``operation`` and ``target``.
        """
        if container is not None:
            self._container_name(container)
        if name is not None:
            self._object_name(name)
        path = object_path(container, name)
        query = encode_query(params)
        sent_headers = dict(headers or {})
        if target is None:
            target = _describe_target(container, name)

        response: requests.Response | None = None
        for attempt in (1, 2):
            credentials = self.provider.get()
            sent_headers["X-Auth-Token"] = credentials.token
            url = credentials.storage_url.rstrip("/") + path + query
            try:
                response = self.http.request(
                    method, url, headers=sent_headers, data=data, stream=stream, idempotent=idempotent
                )
            except errors.ConnectionFailedError as exc:
                # HttpClient's message names the URL only; the user needs the operation and the name.
                if exc.operation is None:
                    exc.operation, exc.target = operation, target
                raise
            if response.status_code != 401 or attempt == 2:
                break
            # The token expired or was revoked since the provider handed it out.
            response.close()
            self.provider.invalidate(credentials.token)
            logger.info("%s %s: token rejected (HTTP 401); fetching new credentials and retrying once", method, target)

        assert response is not None
        if check:
            if hint is None and response.status_code == 404 and method == "PUT" and name is not None:
                hint = f"container {container!r} does not exist; create it first"
            self.raise_for_status(response, operation=operation, target=target, hint=hint, container=container, name=name)
        return response

    def raise_for_status(
        self,
        response: requests.Response,
        *,
        operation: str,
        target: str | None,
        hint: str | None = None,
        container: str | None = None,
        name: str | None = None,
    ) -> None:
        """Raise the ``ServiceError`` for an error status, with a Swift-specific next step."""
        if response.status_code < 400:
            return
        message = None
        if response.status_code in (400, 409, 412, 413, 422) and not _is_html(response):
            # Swift explains these in a short text body.
            text = response.text.strip()
            if text and len(text) < 300:
                message = text.splitlines()[0]
        response.close()
        raise_for_status(
            response,
            operation=operation,
            target=target,
            service="swift",
            message=message,
            hint=hint or _swift_hint(response.status_code, container, name),
        )

    # -- cluster information ---------------------------------------------------------------

    def info(self, *, refresh: bool = False) -> dict[str, Any]:
        """Return the cluster's ``GET /info`` document (cached), or ``{}`` when it publishes none."""
        with self._info_lock:
            if self._info is not None and not refresh:
                return self._info
        url = _info_url(self.provider.get().storage_url)
        response = self.http.request("GET", url, headers={"Accept": "application/json"})
        document: Any = None
        if response.status_code == 200:
            try:
                document = response.json()
            except ValueError:
                document = None
        if not isinstance(document, dict):
            logger.info("%s gave no capabilities (HTTP %s); using Swift's default limits", url, response.status_code)
            document = {}
        with self._info_lock:
            self._info = document
        return document

    def limits(self) -> SwiftLimits:
        """Return the cluster's limits from ``/info`` (fetched once), or Swift's defaults."""
        info = self.info()
        return SwiftLimits.from_info(info) if info else DEFAULT_LIMITS

    def known_limits(self) -> SwiftLimits:
        """Return the limits known without a request: from a cached ``/info``, else Swift's defaults.

        Names are checked against these, so bad input fails before anything is sent.
        NOTE: before ``/info`` is fetched, a cluster configured with larger limits than
        Swift's defaults still gets the defaults.
        """
        info = self._info
        return SwiftLimits.from_info(info) if info else DEFAULT_LIMITS

    def _container_name(self, container: Any) -> str:
        return validate_container_name(container, self.known_limits())

    def _object_name(self, name: Any) -> str:
        return validate_object_name(name, self.known_limits())

    # -- account ---------------------------------------------------------------------------

    def stat(self) -> AccountStat:
        """Return the account's container and object counts, bytes used and metadata."""
        response = self.request("HEAD", operation="read account", target="account")
        headers = response.headers
        return AccountStat(
            container_count=header_int(headers, "X-Account-Container-Count") or 0,
            object_count=header_int(headers, "X-Account-Object-Count") or 0,
            bytes_used=header_int(headers, "X-Account-Bytes-Used") or 0,
            quota_bytes=header_int(headers, "X-Account-Meta-Quota-Bytes", None),
            metadata=_public_metadata(metadata_from_headers(headers, "account")),
        )

    def iter_containers(
        self,
        *,
        prefix: str | None = None,
        marker: str | None = None,
        end_marker: str | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[ContainerInfo]:
        """Return an iterator over the account's containers, fetched page by page.

        The options are checked now; pages are fetched as the iterator advances (see
        ``list_containers``).
        """
        params = _listing_params(prefix=prefix, marker=marker, end_marker=end_marker, reverse=reverse, limit=limit)
        page_limit = self.limits().account_listing_limit if limit is not None else 0
        entries = self._iter_listing(None, params, marker, limit, page_limit, "list containers of", "account")
        return (container_info_from_listing(entry) for entry in entries)

    def list_containers(self, **options: Any) -> list[ContainerInfo]:
        """Return the account's containers, every page of them.

        Options: ``prefix``, ``marker`` (names after it; before it with ``reverse``),
        ``end_marker``, ``reverse`` and ``limit`` (the most entries to return).
        """
        return list(self.iter_containers(**options))

    def set_account_metadata(self, metadata: Mapping[str, str | None]) -> None:
        """Add or change account metadata; a value of None removes that key."""
        checked = validate_metadata(metadata, self.known_limits(), what="account metadata")
        self.request(
            "POST",
            headers=_metadata_headers("Account", checked),
            idempotent=True,
            operation="set metadata of",
            target="account",
        )

    # -- containers ------------------------------------------------------------------------

    def create_container(
        self,
        container: str,
        *,
        metadata: Mapping[str, str] | None = None,
        read_acl: str | None = None,
        write_acl: str | None = None,
    ) -> bool:
        """Create a container (or update an existing one); return True when it is new."""
        self._container_name(container)
        headers = _metadata_headers("Container", validate_metadata(metadata or {}, self.known_limits()))
        headers.update(_acl_headers(read_acl, write_acl))
        response = self.request("PUT", container, headers=headers, operation="create container")
        return response.status_code == 201

    def stat_container(self, container: str) -> ContainerStat:
        """Return a container's object count, bytes used, ACLs, policy and metadata."""
        self._container_name(container)
        response = self.request("HEAD", container, operation="read container")
        headers = response.headers
        return ContainerStat(
            name=container,
            object_count=header_int(headers, "X-Container-Object-Count") or 0,
            bytes_used=header_int(headers, "X-Container-Bytes-Used") or 0,
            read_acl=headers.get("X-Container-Read"),
            write_acl=headers.get("X-Container-Write"),
            storage_policy=headers.get("X-Storage-Policy"),
            metadata=_public_metadata(metadata_from_headers(headers, "container")),
        )

    def container_exists(self, container: str) -> bool:
        """Return True when the container exists."""
        self._container_name(container)
        response = self.request("HEAD", container, operation="read container", check=False)
        if response.status_code == 404:
            return False
        self.raise_for_status(response, operation="read container", target=container, container=container)
        return True

    def set_container_metadata(
        self,
        container: str,
        metadata: Mapping[str, str | None] | None = None,
        *,
        read_acl: str | None = None,
        write_acl: str | None = None,
    ) -> None:
        """Add, change or remove (value None) container metadata, and set ACLs when given."""
        self._container_name(container)
        checked = validate_metadata(metadata or {}, self.known_limits(), what="container metadata")
        headers = _metadata_headers("Container", checked)
        headers.update(_acl_headers(read_acl, write_acl))
        self.request("POST", container, headers=headers, idempotent=True, operation="set metadata of")

    def delete_container(self, container: str, *, empty: bool = False, progress: Progress | None = None) -> DeleteResult:
        """Delete a container. A non-empty one raises ``ConflictError`` unless ``empty`` is True,
        in which case its objects are deleted first. Return what was deleted."""
        from .swift_delete import delete_container

        return delete_container(self, container, empty=empty, progress=progress)

    # -- listings --------------------------------------------------------------------------

    def iter_objects(
        self,
        container: str,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        marker: str | None = None,
        end_marker: str | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[ObjectInfo]:
        """Return an iterator over a container's objects, fetched page by page.

        The options are checked now; pages are fetched as the iterator advances (see
        ``list_objects``).
        """
        self._container_name(container)
        params = _listing_params(
            prefix=prefix, delimiter=delimiter, marker=marker, end_marker=end_marker, reverse=reverse, limit=limit
        )
        page_limit = self.limits().container_listing_limit if limit is not None else 0
        entries = self._iter_listing(container, params, marker, limit, page_limit, "list objects of", container)
        return (object_info_from_listing(entry) for entry in entries)

    def list_objects(self, container: str, *, resolve_manifests: bool = False, **options: Any) -> list[ObjectInfo]:
        """Return a container's objects, every page of them.

        Options: ``prefix``, ``delimiter`` (one character; folders come back as entries
        with ``is_folder``), ``marker``, ``end_marker``, ``reverse`` and ``limit`` (the
        most entries to return). A dynamic large object manifest lists as 0 bytes. With
        ``resolve_manifests``, every 0-byte entry is checked with a HEAD (concurrently),
        and manifests get their real size and ``large_object="dlo"``.
        """
        entries = list(self.iter_objects(container, **options))
        if resolve_manifests:
            entries = self.resolve_manifests(container, entries)
        return entries

    def resolve_manifests(self, container: str, entries: list[ObjectInfo]) -> list[ObjectInfo]:
        """Return ``entries`` with dynamic large object manifests given their real size.

        A DLO manifest is listed as 0 bytes; each 0-byte entry is checked with one HEAD
        (``concurrency`` at a time) and, when it is a manifest, gets its total size and
        ``large_object`` set. Other entries are returned unchanged.
        """
        candidates = [i for i, e in enumerate(entries) if not e.is_folder and e.bytes == 0 and e.large_object is None]
        if not candidates:
            return entries

        def resolve(index: int) -> tuple[int, ObjectStat | None]:
            try:
                return index, self.stat_object(container, entries[index].name)
            except errors.NotFoundError:
                # Deleted since the listing: keep the listed entry.
                return index, None

        resolved = list(entries)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for index, stat in pool.map(resolve, candidates):
                if stat is not None and stat.large_object is not None:
                    resolved[index] = replace(entries[index], bytes=stat.bytes, large_object=stat.large_object)
        return resolved

    def _iter_listing(
        self,
        container: str | None,
        params: dict[str, str],
        marker: str | None,
        limit: int | None,
        page_limit: int,
        operation: str,
        target: str,
    ) -> Iterator[dict[str, Any]]:
        # Pages continue until one comes back empty, because some servers return short
        # pages before the end. The next marker is the last name (or subdir) of a page.
        remaining = limit
        while remaining is None or remaining > 0:
            query = dict(params)
            # Without a limit the server sends its own maximum page, whatever it is.
            if remaining is not None:
                query["limit"] = str(min(page_limit, remaining))
            if marker:
                query["marker"] = marker
            response = self.request("GET", container, params=query, operation=operation, target=target,
                                    headers={"Accept": "application/json"})
            entries = self._listing_entries(response, operation, target)
            if not entries:
                return
            for entry in entries:
                yield entry
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return
            last = entries[-1]
            marker = last.get("name", last.get("subdir"))
            if not isinstance(marker, str):
                raise self._invalid_listing(response, operation, target, "an entry has no name")

    def _listing_entries(self, response: requests.Response, operation: str, target: str) -> list[dict[str, Any]]:
        if response.status_code in _EMPTY_LISTING_STATUSES or not response.content.strip():
            return []
        if _is_html(response):
            raise self._invalid_listing(response, operation, target, "the response is an HTML page, not a JSON listing")
        try:
            entries = response.json()
        except ValueError:
            raise self._invalid_listing(response, operation, target, "the response is not valid JSON") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self._invalid_listing(response, operation, target, "the response is not a JSON list of entries")
        return entries

    @staticmethod
    def _invalid_listing(response: requests.Response, operation: str, target: str, reason: str) -> errors.OvhubError:
        return errors.InvalidResponseError(
            reason,
            operation=operation,
            target=target,
            status=response.status_code,
            service="swift",
            request_id=request_id_of(response),
            hint="a proxy or maintenance page may stand in front of Swift; try again later",
        )

    # -- objects ---------------------------------------------------------------------------

    def stat_object(self, container: str, name: str) -> ObjectStat:
        """Return an object's size, ETag, type, large object kind and metadata."""
        self._container_name(container)
        self._object_name(name)
        response = self.request("HEAD", container, name, operation="read object")
        return object_stat_from_headers(container, name, response.headers)

    def object_exists(self, container: str, name: str) -> bool:
        """Return True when the object exists."""
        self._container_name(container)
        self._object_name(name)
        response = self.request("HEAD", container, name, operation="read object", check=False)
        if response.status_code == 404:
            return False
        self.raise_for_status(response, operation="read object", target=_describe_target(container, name),
                              container=container, name=name)
        return True

    def set_object_metadata(
        self,
        container: str,
        name: str,
        metadata: Mapping[str, str | None],
        *,
        replace_all: bool = False,
    ) -> dict[str, str]:
        """Change an object's metadata; return the metadata it has now.

        Swift replaces all of an object's metadata on POST, so unless ``replace_all`` is
        True the current metadata is read first and ``metadata`` is merged into it (a
        value of None removes a key). NOTE: a change made by another client between the
        read and the write is lost.
        """
        self._container_name(container)
        self._object_name(name)
        checked = validate_metadata(metadata, self.known_limits(), what="object metadata")
        merged: dict[str, str | None] = {} if replace_all else dict(self.stat_object(container, name).metadata)
        merged.update(checked)
        final = {key: value for key, value in merged.items() if value is not None}
        validate_metadata(final, self.known_limits(), what="object metadata")
        self.request(
            "POST",
            container,
            name,
            headers=_metadata_headers("Object", final),
            idempotent=True,
            operation="set metadata of",
        )
        return final

    def copy_object(
        self,
        container: str,
        name: str,
        destination_container: str | None = None,
        destination_name: str | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
        fresh_metadata: bool = False,
        content_type: str | None = None,
    ) -> str | None:
        """Copy an object on the server (no bytes go through the client); return the new ETag.

        The copy keeps the source's metadata, with ``metadata`` added, unless
        ``fresh_metadata`` is True. Copying a large object makes one plain object of its
        content, so it is limited to the cluster's ``max_file_size``.
        """
        destination_container = destination_container or container
        destination_name = destination_name or name
        for value in (container, destination_container):
            self._container_name(value)
        for value in (name, destination_name):
            self._object_name(value)
        if (container, name) == (destination_container, destination_name) and not (metadata or content_type or fresh_metadata):
            raise errors.InvalidInputError(
                f"cannot copy {container}/{name} onto itself without a change",
                hint="give another destination, or metadata or a content type to set",
            )

        headers: dict[str, Any] = {"X-Copy-From": "/" + object_reference(container, name), "Content-Length": "0"}
        headers.update(_metadata_headers("Object", validate_metadata(metadata or {}, self.known_limits())))
        if fresh_metadata:
            headers["X-Fresh-Metadata"] = "true"
        if content_type:
            headers["Content-Type"] = content_type
        response = self.request(
            "PUT",
            destination_container,
            destination_name,
            headers=headers,
            data=b"",
            operation="copy object to",
            hint="check that the source object and the destination container exist",
        )
        return strip_etag(response.headers.get("Etag"))

    def delete_object(self, container: str, name: str, *, keep_segments: bool = False) -> None:
        """Delete one object; for a large object, its segments too unless ``keep_segments``."""
        from .swift_delete import delete_object

        delete_object(self, container, name, keep_segments=keep_segments)

    def delete_objects(self, container: str, names: list[str], *, progress: Progress | None = None) -> DeleteResult:
        """Delete many objects (bulk delete when the cluster offers it, else one by one)."""
        from .swift_delete import delete_objects

        return delete_objects(self, container, names, progress=progress)

    def delete_prefix(self, container: str, prefix: str = "", *, progress: Progress | None = None) -> DeleteResult:
        """Delete every object whose name starts with ``prefix`` ("" for all of them)."""
        from .swift_delete import delete_prefix

        return delete_prefix(self, container, prefix, progress=progress)

    # -- transfers -------------------------------------------------------------------------

    def upload_file(self, container: str, name: str, path: str | Path, **options: Any) -> TransferResult:
        """Upload a local file; see ``swift_upload.upload_file`` for the options."""
        from .swift_upload import upload_file

        return upload_file(self, container, name, path, **options)

    def upload_bytes(self, container: str, name: str, data: bytes, **options: Any) -> TransferResult:
        """Upload bytes held in memory; see ``swift_upload.upload_bytes``."""
        from .swift_upload import upload_bytes

        return upload_bytes(self, container, name, data, **options)

    def upload_stream(self, container: str, name: str, stream: Any, **options: Any) -> TransferResult:
        """Upload from a binary file object or an iterable of bytes; see ``swift_upload.upload_stream``."""
        from .swift_upload import upload_stream

        return upload_stream(self, container, name, stream, **options)

    def upload_folder(self, container: str, folder: str | Path, **options: Any) -> list[TransferResult]:
        """Upload every file under a local folder, keeping relative paths; see ``swift_upload.upload_folder``."""
        from .swift_upload import upload_folder

        return upload_folder(self, container, folder, **options)

    def upload_files(self, container: str, files: list[tuple[str, str | Path]], **options: Any) -> list[TransferResult]:
        """Upload ``(object name, local path)`` pairs concurrently; see ``swift_upload.upload_files``."""
        from .swift_upload import upload_files

        return upload_files(self, container, files, **options)

    def download_file(self, container: str, name: str, path: str | Path, **options: Any) -> TransferResult:
        """Download an object to a local file; see ``swift_download.download_file``."""
        from .swift_download import download_file

        return download_file(self, container, name, path, **options)

    def download_bytes(self, container: str, name: str, **options: Any) -> bytes:
        """Download an object (or a byte range of it) into memory; see ``swift_download.download_bytes``."""
        from .swift_download import download_bytes

        return download_bytes(self, container, name, **options)

    def download_stream(self, container: str, name: str, stream: IO[bytes], **options: Any) -> TransferResult:
        """Download an object into a writable binary file object; see ``swift_download.download_stream``."""
        from .swift_download import download_stream

        return download_stream(self, container, name, stream, **options)

    def read_range(self, container: str, name: str, start: int, end: int) -> bytes:
        """Return bytes ``start`` to ``end`` (exclusive) of an object; fewer past its end."""
        from .swift_download import read_range

        return read_range(self, container, name, start, end)

    def download_folder(self, container: str, folder: str | Path, **options: Any) -> list[TransferResult]:
        """Download every object under a prefix into a local folder; see ``swift_download.download_folder``."""
        from .swift_download import download_folder

        return download_folder(self, container, folder, **options)

    # -- temp URLs -------------------------------------------------------------------------

    def temp_url_key(self, *, create: bool = True) -> str | None:
        """Return the account's temp URL key, setting one when it has none; see ``swift_tempurl.temp_url_key``."""
        from .swift_tempurl import temp_url_key

        return temp_url_key(self, create=create)

    def temp_url(self, container: str, name: str, **options: Any) -> str:
        """Return a signed URL to one object that needs no token; see ``swift_tempurl.temp_url``."""
        from .swift_tempurl import temp_url

        return temp_url(self, container, name, **options)


# -- helpers ---------------------------------------------------------------------------------


def encode_query(params: Mapping[str, Any] | None) -> str:
    """Return ``?name=value&...`` with UTF-8 percent-encoding (space as %20), or ``""``.

    A value of None gives a bare ``name`` (``?bulk-delete``, ``?inline``).
    """
    if not params:
        return ""
    pairs = []
    for name, value in params.items():
        if value is None:
            pairs.append(quote(name, safe="-_."))
        else:
            pairs.append(quote(name, safe="-_.") + "=" + quote(str(value).encode("utf-8"), safe=""))
    return "?" + "&".join(pairs)


def object_stat_from_headers(container: str, name: str, headers: Mapping[str, str]) -> ObjectStat:
    """Build an ``ObjectStat`` from the headers of a HEAD or GET on an object."""
    large_object = None
    manifest = None
    if headers.get("X-Static-Large-Object", "").lower() == "true":
        large_object = STATIC_LARGE_OBJECT
    elif headers.get("X-Object-Manifest"):
        large_object = DYNAMIC_LARGE_OBJECT
        manifest = parse_object_reference(headers["X-Object-Manifest"])
    metadata = metadata_from_headers(headers, "object")
    mtime = None
    if "mtime" in metadata:
        try:
            mtime = float(metadata["mtime"])
        except ValueError:
            mtime = None
    return ObjectStat(
        container=container,
        name=name,
        bytes=header_int(headers, "Content-Length") or 0,
        etag=strip_etag(headers.get("Etag")),
        last_modified=parse_http_date(headers.get("Last-Modified")),
        content_type=headers.get("Content-Type"),
        large_object=large_object,
        manifest=manifest,
        mtime=mtime,
        metadata=metadata,
    )


def _describe_target(container: str | None, name: str | None) -> str:
    if container is None:
        return "account"
    if name is None:
        return container
    return f"{container}/{name}"


def _is_html(response: requests.Response) -> bool:
    return "html" in response.headers.get("Content-Type", "").lower()


def _swift_hint(status: int, container: str | None, name: str | None) -> str | None:
    if status == 401:
        return "new credentials were fetched and still rejected; check the account's credentials"
    if status == 404 and name is not None:
        return "check the container and object names; list the container to see what it holds"
    if status == 404 and container is not None:
        return "check the container name, or create the container first"
    if status == 409 and name is None and container is not None:
        return "the container is not empty; delete its objects first, or delete it with empty=True"
    if status == 411:
        return "the server needs a Content-Length or chunked transfer encoding"
    if status == 412:
        return "Swift rejected a name or a listing parameter; check them"
    if status == 413:
        return "the object is larger than the cluster allows; upload it in segments (a smaller segment_size)"
    if status == 422:
        return "the data changed on the way (MD5 mismatch); try again"
    if status == 507:
        return "the cluster is out of space"
    return None


def _listing_params(
    *,
    prefix: str | None = None,
    delimiter: str | None = None,
    marker: str | None = None,
    end_marker: str | None = None,
    reverse: bool = False,
    limit: int | None = None,
) -> dict[str, str]:
    """Validate listing options and return the query parameters other than marker and limit."""
    if delimiter is not None and len(delimiter) != 1:
        raise errors.InvalidInputError(
            f"invalid delimiter {delimiter!r}: Swift takes exactly one character", hint="use delimiter='/'"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise errors.InvalidInputError(f"invalid limit {limit!r}: it must be an integer, 0 or more")
    if marker is not None:
        validate_prefix(marker, "marker")
    params = {"format": "json"}
    if prefix:
        params["prefix"] = validate_prefix(prefix)
    if delimiter:
        params["delimiter"] = validate_prefix(delimiter, "delimiter")
    if end_marker:
        params["end_marker"] = validate_prefix(end_marker, "end_marker")
    if reverse:
        params["reverse"] = "true"
    return params


def _metadata_headers(kind: str, metadata: Mapping[str, str | None]) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None:
            headers[f"X-Remove-{kind}-Meta-{key}"] = "x"
        else:
            headers[f"X-{kind}-Meta-{key}"] = encode_header_value(value)
    return headers


def _acl_headers(read_acl: str | None, write_acl: str | None) -> dict[str, str]:
    headers = {}
    if read_acl is not None:
        headers["X-Container-Read"] = read_acl
    if write_acl is not None:
        headers["X-Container-Write"] = write_acl
    return headers


def _public_metadata(metadata: dict[str, str]) -> dict[str, str]:
    # Temp URL keys are secrets: they are never returned with the rest of the metadata.
    return {key: value for key, value in metadata.items() if not key.startswith("temp-url-key")}


def _info_url(storage_url: str) -> str:
    """Return the ``/info`` URL of the cluster that serves ``storage_url``."""
    parts = urlsplit(storage_url)
    path = parts.path
    index = path.find("/v1/")
    base = path[:index] if index >= 0 else ""
    return f"{parts.scheme}://{parts.netloc}{base}/info"

