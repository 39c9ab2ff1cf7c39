"""fsspec file systems for OpenStack Swift (``swift://``) and hubiC (``hubic://``).

They let pandas, pyarrow, Dask and every fsspec-aware library read and write object
storage by URL::

    pd.read_csv("swift://container/path.csv")
    df.to_parquet("hubic://default/out.parquet")
    dask.dataframe.read_parquet("swift://container/dataset/")

A path is ``container/object``. ``storage_options`` choose the account (see
``fs_options``): ``account="NAME"`` from the account registry, or credentials given
directly. With none, ``swift://`` uses the registry's default account (the one chosen by
``%ovhub sandbox`` or ``%ovhub use NAME``) and ``hubic://`` the account named ``hubic``.

The work is done by the client core's ``SwiftAccount``: listings, HEADs, ranged GETs,
uploads (static large objects above the segment size), server-side copies and bulk
deletes, with a credential refresh and one retry on 401. Listings are cached per file
system instance, and every write or delete drops the cached listings it changes. A file
system pickles without a token, so Dask workers rebuild it and sign in on their own.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from glob import has_magic
from typing import Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.dircache import DirCache
from fsspec.spec import AbstractFileSystem, make_instance
from fsspec.utils import isfilelike

from .core import errors
from .core.accounts import REGISTRY
from .core.credentials import CredentialProvider
from .core.swift import SwiftAccount
from .fs_files import SmallReadAheadCache, SwiftFile, SwiftTextWriter
from .fs_options import (
    LISTING_CACHE_OPTIONS,
    MARKER_STYLES,
    SECRET_OPTIONS,
    FileSystemMeta,
    connect,
)
from .fs_paths import (
    DIRECTORY_CONTENT_TYPE,
    container_entry,
    directory_entry,
    folder_entries,
    join_path,
    root_entry,
    split_path,
    stat_entry,
    tree_entries,
)

logger = logging.getLogger(__name__)

__all__ = ["SwiftFileSystem", "HubicFileSystem"]

# Bytes a read fetches at a time, and the size of write buffers handed to the upload.
# Larger than fsspec's 5 MiB default, because each ranged GET costs a round trip.
DEFAULT_BLOCK_SIZE = 16 * 1024 * 1024

# A range read of at least two parts is split into parts of this size, fetched at once.
DEFAULT_PART_SIZE = 8 * 1024 * 1024

# Seconds a HEAD's answer is reused by info() (less when listings_expiry_time is shorter).
HEAD_CACHE_SECONDS = 10.0

# fsspec cache of files opened for reading: read-ahead for small sequential reads (a CSV
# parser's), none for reads of a block or more (Parquet column chunks).
DEFAULT_CACHE_TYPE = SmallReadAheadCache.name


class SwiftFileSystem(AbstractFileSystem, metaclass=FileSystemMeta):
    """Swift object storage as an fsspec file system: ``swift://container/object``.

    Storage options, besides those that choose the account (see ``fs_options``):

    - ``segment_size``: objects written larger than this (bytes) are stored as a static
      large object; default, the account's (256 MiB).
    - ``concurrency``: ranged GETs, segments and copies in flight at once (default 8).
    - ``block_size``: bytes fetched per read and buffered per write (default 16 MiB).
    - ``part_size``: a range read of at least two parts is fetched in parallel parts of
      this size (default 8 MiB).
    - ``cache_type``: fsspec's cache for files opened for reading (default
      "readahead-small": read-ahead for reads smaller than a block only).
    - ``directory_markers``: "slash" (a ``folder/`` object) or "typed" (a ``folder``
      object of type application/directory), the marker ``mkdir`` writes.
    - ``use_listings_cache``, ``listings_expiry_time``, ``max_paths``: fsspec's
      listing cache.
    """

    protocol = "swift"
    root_marker = ""
    # The directory marker mkdir writes unless the directory_markers option says otherwise.
    default_marker_style = "slash"

    @classmethod
    def default_account_name(cls) -> str | None:
        """Return the registry account used when the options name none: the default account."""
        return REGISTRY.default

    def __init__(self, **storage_options: Any) -> None:
        cache_options = {key: value for key, value in storage_options.items() if key in LISTING_CACHE_OPTIONS}
        super().__init__(**cache_options)
        # Entries from HEADs. pyarrow asks for the same file's info several times while it
        # opens it; a short expiry keeps a file changed elsewhere from being read at its
        # old size in a later call.
        expiry = cache_options.get("listings_expiry_time")
        head_expiry = HEAD_CACHE_SECONDS if expiry is None else min(expiry, HEAD_CACHE_SECONDS)
        self.headcache = DirCache(**{**cache_options, "listings_expiry_time": head_expiry})
        self._connection = connect(storage_options)
        self.segment_size: int | None = storage_options.get("segment_size")
        self.blocksize = storage_options.get("block_size") or DEFAULT_BLOCK_SIZE
        self.part_size = storage_options.get("part_size") or DEFAULT_PART_SIZE
        self.cache_type = storage_options.get("cache_type") or DEFAULT_CACHE_TYPE
        self.marker_style = storage_options.get("directory_markers") or self.default_marker_style
        if self.marker_style not in MARKER_STYLES:
            raise errors.InvalidInputError(
                f"invalid directory_markers {self.marker_style!r}", hint=f"choose one of {', '.join(MARKER_STYLES)}"
            )
        for name in ("block_size", "part_size", "segment_size"):
            value = storage_options.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise errors.InvalidInputError(f"invalid {name} {value!r}: it must be a positive number of bytes")

    # -- identity --------------------------------------------------------------------------

    @property
    def storage(self) -> SwiftAccount:
        """The core client of the account this file system works on."""
        return self._connection.storage

    @property
    def provider(self) -> CredentialProvider:
        """The credentials of the account."""
        return self._connection.provider

    @property
    def account_name(self) -> str | None:
        """The registry name of the account, or None when the options gave credentials."""
        return self._connection.account

    def __repr__(self) -> str:
        label = f"account={self.account_name!r}, " if self.account_name else ""
        return f"{type(self).__name__}({label}provider={self.provider!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # A Dask worker has no account registry: send the provider itself (it pickles
        # with what it needs to sign in, and without its token).
        options = dict(self.storage_options)
        if self._connection.from_registry:
            options["provider"] = self.provider
        return make_instance, (type(self), self.storage_args, options)

    def to_dict(self, *, include_password: bool = True) -> dict[str, Any]:
        """Return fsspec's JSON-ready description; without secrets when ``include_password`` is False."""
        description = super().to_dict(include_password=include_password)
        if not include_password:
            for name in SECRET_OPTIONS:
                description.pop(name, None)
        return description

    @contextlib.contextmanager
    def translating_errors(self, path: str, *, exclusive: bool = False) -> Iterator[None]:
        """Turn Swift's 412 to an exclusive write (``If-None-Match: *``) into ``FileExistsError``."""
        try:
            yield
        except errors.BadRequestError as exc:
            if exclusive and exc.status == 412:
                raise FileExistsError(errno.EEXIST, "the object already exists", path) from None
            raise

    # -- listings --------------------------------------------------------------------------

    def ls(self, path: str, detail: bool = True, refresh: bool = False, **kwargs: Any) -> list[Any]:
        """List a folder, a container (``container``) or the account (``""``).

        A file's path lists that file. ``refresh=True`` skips the listing cache.
        """
        path = self._strip_protocol(path)
        entries = None if refresh else self._cached_listing(path)
        if entries is None:
            logger.debug("ls %s", path or "(account)")
            entries, is_folder = self._list(path)
            if is_folder:
                self.dircache[path] = entries
        return entries if detail else [entry["name"] for entry in entries]

    def _cached_listing(self, path: str) -> list[dict[str, Any]] | None:
        try:
            return self.dircache[path]
        except KeyError:
            return None

    def _list(self, path: str) -> tuple[list[dict[str, Any]], bool]:
        """Return the entries at ``path`` and whether it is a folder (else a file)."""
        container, key = split_path(path)
        if not container:
            return [container_entry(info) for info in self.storage.list_containers()], True

        prefix = key + "/" if key else ""
        listing = self.storage.list_objects(container, prefix=prefix or None, delimiter="/")
        entries = folder_entries(container, prefix, listing)
        if not key or entries or any(info.name == prefix for info in listing):
            return entries, True

        # Nothing below the path: it is a file, an empty folder's typed marker, or nothing.
        entry = self._head(container, key)
        if entry is None:
            raise FileNotFoundError(errno.ENOENT, "no object or folder at this path", path)
        if entry["type"] == "directory":
            return [], True
        return [entry], False

    def info(self, path: str, refresh: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Return the entry of a path (``name``, ``size``, ``type``, ``etag``, ``last_modified``, ...).

        A cached listing of the parent, or a cached HEAD, answers when there is one;
        zero-byte files in a listing are checked with a HEAD, because a dynamic large
        object lists as 0 bytes.
        """
        path = self._strip_protocol(path)
        if not path:
            return root_entry()
        if not refresh:
            cached = self._entry_from_cache(path)
            if cached is not None and not (cached["type"] == "file" and cached["size"] == 0):
                return cached
            try:
                return self.headcache[path]
            except KeyError:
                pass

        container, key = split_path(path)
        logger.debug("info %s", path)
        if not key:
            stat = self.storage.stat_container(container)
            entry = directory_entry(container)
            entry.update(object_count=stat.object_count, bytes_used=stat.bytes_used)
            return entry
        entry = self._head(container, key)
        if entry is not None:
            return entry
        if self._has_objects_below(container, key + "/"):
            return directory_entry(path)
        raise FileNotFoundError(errno.ENOENT, "no object or folder at this path", path)

    def _entry_from_cache(self, path: str) -> dict[str, Any] | None:
        """Return the entry of ``path`` from its parent's cached listing, None without one.

        Raise ``FileNotFoundError`` when the parent's listing is cached and lacks it.
        """
        listing = self._cached_listing(self._parent(path))
        if listing is None:
            return None
        matches = [entry for entry in listing if entry["name"] == path]
        if not matches:
            raise FileNotFoundError(errno.ENOENT, "not in the cached listing of its folder", path)
        # A file and a folder can share a path; the file is what a HEAD would return.
        return next((entry for entry in matches if entry["type"] == "file"), matches[0])

    def _head(self, container: str, key: str) -> dict[str, Any] | None:
        """Return the entry of an object from a HEAD (and cache it), or None when there is none."""
        try:
            stat = self.storage.stat_object(container, key)
        except errors.NotFoundError:
            return None
        entry = stat_entry(join_path(container, key), stat)
        self.headcache[entry["name"]] = entry
        return entry

    def _has_objects_below(self, container: str, prefix: str) -> bool:
        return next(iter(self.storage.iter_objects(container, prefix=prefix, limit=1)), None) is not None

    def find(
        self, path: str, maxdepth: int | None = None, withdirs: bool = False, detail: bool = False, **kwargs: Any
    ) -> Any:
        """List every file below ``path`` (and folders, with ``withdirs``).

        Without ``maxdepth`` one listing without delimiter answers, whatever the depth;
        with it, fsspec walks folder by folder.
        """
        if maxdepth is not None:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs, detail=detail, **kwargs)
        path = self._strip_protocol(path)
        container, key = split_path(path)
        logger.debug("find %s", path or "(account)")
        try:
            if container:
                found = self._find_in_container(path, container, key, withdirs)
            else:
                found = self._find_in_account(withdirs)
        except FileNotFoundError:
            found = {}
        names = sorted(found)
        if detail:
            return {name: found[name] for name in names}
        return names

    def _find_in_container(self, path: str, container: str, key: str, withdirs: bool) -> dict[str, dict[str, Any]]:
        prefix = key + "/" if key else ""
        listing = self.storage.list_objects(container, prefix=prefix or None)
        found = tree_entries(container, prefix, listing)
        if not withdirs:
            found = {name: entry for name, entry in found.items() if entry["type"] == "file"}

        is_folder = not key or bool(found) or any(info.name == prefix for info in listing)
        if key and not is_folder:
            entry = self._head(container, key)
            if entry is None:
                return {}
            if entry["type"] == "file":
                return {path: entry}
            is_folder = True
        if withdirs and is_folder:
            found[path] = self.info(path)
        return found

    def _find_in_account(self, withdirs: bool) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for container in self.ls("", detail=True):
            found.update(self._find_in_container(container["name"], container["name"], "", withdirs))
        return found

    # -- folders and containers --------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create a container (``container``) or a folder's directory marker (``container/folder``).

        The marker is a zero-byte ``folder/`` object, or with ``directory_markers="typed"``
        a zero-byte ``folder`` object of type application/directory. Parent folders need
        no markers: the new marker's name makes them exist. A missing container is
        created when ``create_parents`` is True. Raise ``FileExistsError`` when the path
        exists.
        """
        path = self._strip_protocol(path)
        container, key = split_path(path)
        if not container:
            raise errors.InvalidInputError("mkdir needs a container name", hint="give a path such as 'container/folder'")
        logger.debug("mkdir %s", path)
        if not key:
            if not self.storage.create_container(container):
                raise FileExistsError(errno.EEXIST, "the container already exists", path)
            self.invalidate_cache(path)
            return

        if self.exists(path):
            raise FileExistsError(errno.EEXIST, "a file or folder already exists", path)
        if not self.storage.container_exists(container):
            if not create_parents:
                raise FileNotFoundError(errno.ENOENT, "the container does not exist", container)
            self.storage.create_container(container)
        elif not create_parents and "/" in key and not self.isdir(self._parent(path)):
            raise FileNotFoundError(errno.ENOENT, "the parent folder does not exist", self._parent(path))
        self._write_marker(container, key)
        self.invalidate_cache(path)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """Create a folder and, when missing, its container; see ``mkdir``."""
        path = self._strip_protocol(path)
        try:
            entry = self.info(path)
        except FileNotFoundError:
            self.mkdir(path, create_parents=True)
            return
        if entry["type"] != "directory":
            raise FileExistsError(errno.EEXIST, "a file exists at this path", path)
        if not exist_ok:
            raise FileExistsError(errno.EEXIST, "the folder already exists", path)

    def _has_marker(self, path: str) -> bool:
        """Return True when a folder has a directory marker of either style."""
        container, key = split_path(path)
        if not key:
            return False
        typed = self._head(container, key)
        if typed is not None and typed["type"] == "directory":
            return True
        # A slash marker hides in its parent's delimiter listing: ask for it by name.
        return self.storage.object_exists(container, key + "/")

    def _write_marker(self, container: str, key: str) -> None:
        name = key + "/" if self.marker_style == "slash" else key
        self.storage.upload_bytes(container, name, b"", content_type=DIRECTORY_CONTENT_TYPE)

    def rmdir(self, path: str) -> None:
        """Delete an empty container, or an empty folder's directory markers."""
        path = self._strip_protocol(path)
        container, key = split_path(path)
        logger.debug("rmdir %s", path)
        if not key:
            try:
                self.storage.delete_container(container)
            except errors.ConflictError:
                raise OSError(errno.ENOTEMPTY, "the container is not empty", path) from None
            self.invalidate_cache(path)
            return

        entry = self.info(path)
        if entry["type"] != "directory":
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", path)
        below = self.storage.list_objects(container, prefix=key + "/", limit=2)
        if any(info.name != key + "/" for info in below):
            raise OSError(errno.ENOTEMPTY, "the folder is not empty", path)
        self._delete_entries({path: entry})

    # -- deleting ------------------------------------------------------------------------------

    def rm(self, path: str | list[str], recursive: bool = False, maxdepth: int | None = None) -> None:
        """Delete files, and with ``recursive`` folders and containers with everything below them.

        Objects go in bulk-delete requests where the cluster allows them; static large
        objects are deleted with their segments. A container named by the path itself is
        deleted last.
        NOTE: a dynamic large object found in a listing is deleted without its segments.
        """
        paths = [path] if isinstance(path, str) else list(path)
        targets: dict[str, dict[str, Any]] = {}
        for one in paths:
            one = self._strip_protocol(one)
            logger.debug("rm %s%s", one, " (recursive)" if recursive else "")
            targets.update(self._deletion_targets(one, recursive, maxdepth))
        self._delete_entries(targets)

    def _deletion_targets(self, path: str, recursive: bool, maxdepth: int | None) -> dict[str, dict[str, Any]]:
        if has_magic(path):
            matched = self.glob(path, maxdepth=maxdepth, detail=True)
            targets = dict(matched)
            if recursive:
                for name, entry in matched.items():
                    if entry["type"] == "directory":
                        targets.update(self.find(name, maxdepth=maxdepth, withdirs=True, detail=True))
            return targets
        if recursive:
            found = self.find(path, maxdepth=maxdepth, withdirs=True, detail=True)
            if not found:
                raise FileNotFoundError(errno.ENOENT, "no object or folder at this path", path)
            return found
        return {path: self.info(path)}

    def _delete_entries(self, entries: dict[str, dict[str, Any]]) -> None:
        names_by_container: dict[str, list[str]] = {}
        large_objects: list[tuple[str, str]] = []
        containers: list[str] = []
        for path, entry in entries.items():
            container, key = split_path(path)
            names = names_by_container.setdefault(container, [])
            if not key:
                containers.append(container)
            elif entry["type"] == "directory":
                # The slash marker may exist whatever the listing showed; a missing one is not an error.
                names.append(key + "/")
                if entry.get("marker") == key:
                    names.append(key)
            elif entry.get("large_object") is not None:
                large_objects.append((container, key))
            else:
                names.append(key)

        failures: list[tuple[str, str]] = []
        for container, key in large_objects:
            self.storage.delete_object(container, key)
        for container, names in names_by_container.items():
            if names:
                outcome = self.storage.delete_objects(container, sorted(set(names)))
                failures.extend((f"{container}/{name}", reason) for name, reason in outcome.failures)
        for path in entries:
            self.invalidate_cache(path)
        if failures:
            name, reason = failures[0]
            raise OSError(errno.EIO, f"{len(failures)} objects could not be deleted, the first because: {reason}", name)

        for container in containers:
            try:
                self.storage.delete_container(container)
            except errors.ConflictError:
                raise OSError(errno.ENOTEMPTY, "the container is not empty", container) from None
            self.invalidate_cache(container)

    def rm_file(self, path: str) -> None:
        """Delete one file."""
        self.rm(path)

    def _rm(self, path: str) -> None:
        self.rm(path)

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
            end = size if end is None else (size + end if end < 0 else end)
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

    def open(self, path: str, mode: str = "rb", block_size: int | None = None, cache_options: Any = None,
             compression: str | None = None, **kwargs: Any) -> Any:
        """Open an object; see fsspec's ``AbstractFileSystem.open``.

        A file opened for writing stores nothing until it is closed, and nothing at all
        when an exception leaves its ``with`` block (in text mode too).
        """
        if "b" in mode or "r" in mode or compression is not None:
            return super().open(path, mode, block_size=block_size, cache_options=cache_options,
                                compression=compression, **kwargs)
        text_options = {name: kwargs.pop(name) for name in ("encoding", "errors", "newline") if name in kwargs}
        binary = super().open(path, mode.replace("t", "") + "b", block_size=block_size, cache_options=cache_options, **kwargs)
        return SwiftTextWriter(binary, **text_options)

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        cache_type: str | None = None,
        **kwargs: Any,
    ) -> SwiftFile:
        path = self._strip_protocol(path)
        logger.debug("open %s (%s)", path, mode)
        size = None
        if mode == "rb":
            entry = self.info(path)
            if entry["type"] == "directory":
                raise IsADirectoryError(errno.EISDIR, "the path is a folder, not an object", path)
            size = entry["size"]
        return SwiftFile(
            self,
            path,
            mode,
            block_size=block_size or self.blocksize,
            autocommit=autocommit,
            cache_type=cache_type or self.cache_type,
            cache_options=cache_options,
            size=size,
        )

    # -- cache and metadata --------------------------------------------------------------------

    def invalidate_cache(self, path: str | None = None) -> None:
        """Drop cached listings and HEADs: all of them, or those of ``path``, below it and (listings) above it."""
        if path is None:
            self.dircache.clear()
            self.headcache.clear()
        else:
            path = self._strip_protocol(path)
            for cache in (self.dircache, self.headcache):
                for cached in list(cache):
                    if cached == path or cached.startswith(path + "/") or not path:
                        cache.pop(cached, None)
            parent = path
            while parent:
                parent = self._parent(parent)
                self.dircache.pop(parent, None)
        super().invalidate_cache(path)

    def modified(self, path: str) -> Any:
        """Return the ``last_modified`` time of an object or marker (an aware UTC datetime)."""
        value = self.info(path).get("last_modified")
        if value is None:
            raise IsADirectoryError(errno.EISDIR, "a folder without marker has no modification time", path)
        return value

    def ukey(self, path: str) -> str:
        """Return the object's ETag, which changes when its content does."""
        return self.info(path).get("etag") or super().ukey(path)

    def sign(self, path: str, expiration: int = 100, **kwargs: Any) -> str:
        """Return a temp URL that allows a GET of the object for ``expiration`` seconds.

        NOTE: when the account has no temp URL key yet, a random one is set on it
        (``X-Account-Meta-Temp-URL-Key``), as ``SwiftAccount.temp_url`` does.
        """
        container, key = split_path(self._strip_protocol(path))
        return self.storage.temp_url(container, key, expires_in=expiration, **kwargs)


class HubicFileSystem(SwiftFileSystem):
    """hubiC storage as an fsspec file system: ``hubic://default/path``.

    Without storage options it uses the registry account named ``hubic``; hubiC
    credentials (``client_id``, ``client_secret``, ``refresh_token``) may be given
    instead. ``mkdir`` writes hubiC's directory markers (a ``folder`` object of type
    application/directory).
    """

    protocol = "hubic"
    default_marker_style = "typed"

    @classmethod
    def default_account_name(cls) -> str | None:
        """Return the registry account used when the options name none: ``hubic``."""
        return "hubic"


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

