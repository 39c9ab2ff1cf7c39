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
system pickles with its credentials but without the token they gave (unless a token is
the credential), so Dask workers rebuild it and sign in on their own.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Iterator
from typing import Any

from fsspec.dircache import DirCache
from fsspec.spec import AbstractFileSystem, make_instance

from .core import errors
from .core.accounts import REGISTRY
from .core.credentials import CredentialProvider
from .core.swift import SwiftAccount
from .fs_files import SmallReadAheadCache, SwiftFile, SwiftTextWriter
from .fs_folders import FolderMethods
from .fs_options import (
    LISTING_CACHE_OPTIONS,
    SECRET_OPTIONS,
    FileSystemMeta,
    check_tuning_options,
    connect,
)
from .fs_paths import (
    container_entry,
    directory_entry,
    folder_entries,
    join_path,
    root_entry,
    split_path,
    stat_entry,
    tree_entries,
)
from .fs_transfers import TransferMethods

logger = logging.getLogger(__name__)

__all__ = ["SwiftFileSystem", "HubicFileSystem"]

# Bytes a read fetches at a time, and the size of write buffers handed to the upload.
# Larger than fsspec's 5 MiB default, because each ranged GET costs a round trip.
DEFAULT_BLOCK_SIZE = 16 * 1024 * 1024

# A range read of at least two parts is split into parts of this size, fetched at once.
DEFAULT_PART_SIZE = 8 * 1024 * 1024

# Seconds info() reuses the result of a HEAD (less when listings_expiry_time is shorter).
HEAD_CACHE_SECONDS = 10.0

# fsspec cache of files opened for reading: read-ahead for small sequential reads (a CSV
# parser's), none for reads of a block or more (Parquet column chunks).
DEFAULT_CACHE_TYPE = SmallReadAheadCache.name


class SwiftFileSystem(FolderMethods, TransferMethods, AbstractFileSystem, metaclass=FileSystemMeta):
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
    # The directory marker style mkdir writes when the directory_markers option sets none.
    default_marker_style = "slash"

    @classmethod
    def default_account_name(cls) -> str | None:
        """Return the registry account used when the options name none: the default account."""
        return REGISTRY.default

    def __init__(self, **storage_options: Any) -> None:
        check_tuning_options(storage_options)
        cache_options = {key: value for key, value in storage_options.items() if key in LISTING_CACHE_OPTIONS}
        super().__init__(**cache_options)

        # Entries from HEADs. pyarrow requests the same file's info several times while it
        # opens it, and a short expiry keeps a file changed elsewhere from being read at
        # its old size in a later call.
        expiry = cache_options.get("listings_expiry_time")
        head_expiry = HEAD_CACHE_SECONDS if expiry is None else min(expiry, HEAD_CACHE_SECONDS)
        self.headcache = DirCache(**{**cache_options, "listings_expiry_time": head_expiry})

        self._connection = connect(storage_options)
        self.segment_size: int | None = storage_options.get("segment_size")
        self.blocksize = storage_options.get("block_size") or DEFAULT_BLOCK_SIZE
        self.part_size = storage_options.get("part_size") or DEFAULT_PART_SIZE
        self.cache_type = storage_options.get("cache_type") or DEFAULT_CACHE_TYPE
        self.marker_style = storage_options.get("directory_markers") or self.default_marker_style

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

        A cached listing of the parent, or a cached HEAD, is used when there is one.
        Zero-byte files in a listing are checked with a HEAD, because a dynamic large
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

        Without ``maxdepth``, one listing without delimiter covers every depth. With
        it, fsspec walks the tree folder by folder.
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

    def du(self, path: str, total: bool = True, maxdepth: int | None = None, withdirs: bool = False, **kwargs: Any) -> Any:
        """Return the bytes of the files below ``path`` (a sum, or a dict with ``total=False``), from listings only."""
        found = self.find(path, maxdepth=maxdepth, withdirs=withdirs, detail=True, **kwargs)
        sizes = {name: entry["size"] for name, entry in found.items()}
        return sum(sizes.values()) if total else sizes

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
