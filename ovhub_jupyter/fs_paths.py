"""Paths and listing entries of the ``swift://`` file system: containers, objects, pseudo-folders.

A path is ``container/object``: the text up to the first ``/`` names the container, the
rest is the object name, byte for byte (``a//b`` stays ``a//b``). The empty path is the
account, whose entries are its containers.

Swift has no folders. A folder exists when objects have names below it, and a
delimiter listing then returns it as a ``subdir``. A folder also exists when a directory
marker is there for it: a zero-byte object named ``folder/``, or a zero-byte object named
``folder`` of content type ``application/directory`` (hubiC writes those). Entries are the
dicts fsspec expects (``name``, ``size``, ``type``), plus ``etag``, ``last_modified``,
``content_type``, ``large_object``, and for folders ``marker``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .core.swift_results import ContainerInfo, ObjectInfo, ObjectStat

# Content type of the directory markers hubiC and Swift clients write.
DIRECTORY_CONTENT_TYPE = "application/directory"


def split_path(path: str) -> tuple[str, str]:
    """Split a path without protocol into (container, object name); either may be ""."""
    container, _, name = path.partition("/")
    return container, name


def join_path(container: str, name: str) -> str:
    """Return the path of an object, or of the container when ``name`` is ""."""
    return f"{container}/{name}" if name else container


def is_typed_marker(content_type: str | None, size: int) -> bool:
    """Return True for a zero-byte object of content type application/directory."""
    if size != 0 or not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == DIRECTORY_CONTENT_TYPE


def is_marker(entry: ObjectInfo) -> bool:
    """Return True when a listed object is a directory marker (either style)."""
    if entry.is_folder:
        return False
    return is_typed_marker(entry.content_type, entry.bytes) or (entry.bytes == 0 and entry.name.endswith("/"))


def root_entry() -> dict[str, Any]:
    """Return the entry of the account itself (the empty path)."""
    return directory_entry("")


def directory_entry(name: str, marker: ObjectInfo | ObjectStat | None = None) -> dict[str, Any]:
    """Return the entry of a container or pseudo-folder; ``marker`` is its marker object, if known."""
    return {
        "name": name,
        "size": 0,
        "type": "directory",
        "etag": None,
        "last_modified": marker.last_modified if marker is not None else None,
        "content_type": marker.content_type if marker is not None else None,
        "large_object": None,
        # The directory marker's object name, or None for a container or a folder without one.
        "marker": marker.name if marker is not None else None,
    }


def container_entry(info: ContainerInfo) -> dict[str, Any]:
    """Return the entry of a container from an account listing."""
    entry = directory_entry(info.name)
    entry["last_modified"] = info.last_modified
    entry["object_count"] = info.count
    entry["bytes_used"] = info.bytes
    return entry


def file_entry(container: str, info: ObjectInfo) -> dict[str, Any]:
    """Return the entry of an object from a container listing.

    NOTE: a dynamic large object manifest lists as 0 bytes; ``info`` and ``open`` send
    a HEAD for zero-byte files to learn the real size.
    """
    return {
        "name": join_path(container, info.name),
        "size": info.bytes,
        "type": "file",
        "etag": info.hash,
        "last_modified": info.last_modified,
        "content_type": info.content_type,
        "large_object": info.large_object,
    }


def stat_entry(path: str, stat: ObjectStat) -> dict[str, Any]:
    """Return the entry of an object from a HEAD; a typed marker is a directory."""
    if is_typed_marker(stat.content_type, stat.bytes):
        return directory_entry(path, stat)
    return {
        "name": path,
        "size": stat.bytes,
        "type": "file",
        "etag": stat.etag,
        "last_modified": stat.last_modified,
        "content_type": stat.content_type,
        "large_object": stat.large_object,
    }


def folder_entries(container: str, prefix: str, listing: Iterable[ObjectInfo]) -> list[dict[str, Any]]:
    """Return the entries of one folder from a delimiter listing of ``prefix`` ("" or ending with "/").

    The folder's own ``prefix`` marker is left out. A typed marker and the ``subdir`` of
    the same name give one directory entry. A subdir with an empty relative name, from
    names such as ``a//b``, is left out because fsspec paths cannot end with ``/``.
    ``find`` still returns the objects below it.
    """
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for info in listing:
        relative = info.name[len(prefix):]
        if info.is_folder:
            relative = relative[:-1]
            if not relative:
                continue
            name = join_path(container, prefix + relative)
            entries.setdefault((name, "directory"), directory_entry(name))
        elif not relative:
            continue
        elif is_marker(info):
            folder = _marker_folder(relative)
            if folder is not None:
                name = join_path(container, prefix + folder)
                entries[(name, "directory")] = directory_entry(name, info)
        else:
            entry = file_entry(container, info)
            entries[(entry["name"], "file")] = entry
    return sorted(entries.values(), key=lambda entry: (entry["name"], entry["type"]))


def tree_entries(container: str, prefix: str, listing: Iterable[ObjectInfo]) -> dict[str, dict[str, Any]]:
    """Return every file and folder below ``prefix`` from a listing without delimiter.

    Folders come from markers and from the names of the objects below them. Keys are
    paths; where a file and a folder have the same path, the file's entry is kept.
    """
    files: dict[str, dict[str, Any]] = {}
    folders: dict[str, dict[str, Any]] = {}
    for info in listing:
        relative = info.name[len(prefix):]
        if not relative:
            continue
        if is_marker(info):
            folder = _marker_folder(relative)
            if folder is not None:
                name = join_path(container, prefix + folder)
                folders[name] = directory_entry(name, info)
        else:
            files[join_path(container, info.name)] = file_entry(container, info)
        for parent in _parents(relative):
            name = join_path(container, prefix + parent)
            folders.setdefault(name, directory_entry(name))
    return {**folders, **files}


def _marker_folder(relative: str) -> str | None:
    """Return the folder of a marker (``a/`` and ``a`` give ``a``), or None when that folder has no path."""
    folder = relative[:-1] if relative.endswith("/") else relative
    if not folder or folder.endswith("/"):
        return None
    return folder


def _parents(relative: str) -> list[str]:
    """Return the folders above a relative name: ``a/b/c`` gives ``a`` and ``a/b``.

    Folders with an empty component (from ``a//b``) are left out, as in ``folder_entries``.
    """
    parts = relative.split("/")[:-1]
    parents = []
    for index in range(1, len(parts) + 1):
        if "" in parts[:index]:
            break
        parents.append("/".join(parts[:index]))
    return parents
