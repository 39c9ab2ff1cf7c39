"""Containers, folders and deletes of the ``swift://`` file system.

``mkdir`` creates a container, or a folder's directory marker (``fs_paths`` describes the
two marker styles). ``rm`` deletes objects in bulk-delete requests and large objects with
their segments, then the folder markers and containers it is given. ``SwiftFileSystem``
gets these methods from ``FolderMethods``.
"""

from __future__ import annotations

import errno
import logging
from glob import has_magic
from typing import Any

from .core import errors
from .fs_paths import DIRECTORY_CONTENT_TYPE, split_path

logger = logging.getLogger(__name__)


class FolderMethods:
    """The methods of ``SwiftFileSystem`` that create and delete containers, folders and objects."""

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
        # A delimiter listing folds a slash marker into its folder's subdir, so request it by name.
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
        if not self._folder_is_empty(container, key):
            raise OSError(errno.ENOTEMPTY, "the folder is not empty", path)
        self._delete_entries({path: entry})

    def _folder_is_empty(self, container: str, key: str) -> bool:
        """Return True when no object but the folder's own slash marker has a name below ``key/``."""
        below = self.storage.list_objects(container, prefix=key + "/", limit=2)
        return all(info.name == key + "/" for info in below)

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
        entry = self.info(path)
        container, key = split_path(path)
        if entry["type"] == "directory" and key and not self._folder_is_empty(container, key):
            raise IsADirectoryError(errno.EISDIR, "the folder is not empty, so delete it with recursive=True", path)
        return {path: entry}

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
                # The slash marker may exist even where the listing did not show it. Bulk
                # delete counts a missing one as not found, not as a failure.
                names.append(key + "/")
                if entry.get("marker") == key:
                    names.append(key)
            elif entry.get("large_object") is not None:
                large_objects.append((container, key))
            else:
                names.append(key)

        failures: list[tuple[str, str]] = []
        for container, key in large_objects:
            try:
                self.storage.delete_object(container, key)
            except errors.NotFoundError:
                logger.debug("large object %s/%s was already deleted", container, key)
        for container, names in names_by_container.items():
            if names:
                outcome = self.storage.delete_objects(container, sorted(set(names)))
                failures.extend((f"{container}/{name}", reason) for name, reason in outcome.failures)
        for path in entries:
            self.invalidate_cache(path)
        if failures:
            name, reason = failures[0]
            raise OSError(errno.EIO, f"failed to delete {len(failures)} objects, the first with: {reason}", name)

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
