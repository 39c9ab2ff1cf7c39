"""Swift results as DataFrames: listings, stats, metadata, transfers and deletes.

Each function takes the core's result dataclasses (``core/swift_results.py``) and returns
a DataFrame whose columns and dtypes are fixed by the ``*_COLUMNS`` table next to it, so
an empty listing has the same shape as a full one. No table has a column for a secret:
the core already drops temp URL keys from account and container metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ..core.swift_results import (
    AccountStat,
    ContainerInfo,
    ContainerStat,
    DeleteResult,
    ObjectInfo,
    ObjectStat,
    TransferResult,
)
from .common import typed_frame

# Values of the ``kind`` column of ``%swift ls``.
KIND_OBJECT = "object"
KIND_FOLDER = "folder"
KIND_STATIC = "slo"
KIND_DYNAMIC = "dlo"

CONTAINER_COLUMNS = {
    "name": "string",
    "count": "int64",
    "bytes": "int64",
    "last_modified": "datetime",
}

OBJECT_COLUMNS = {
    "name": "string",
    "bytes": "int64",
    "hash": "string",
    "last_modified": "datetime",
    "content_type": "string",
    # object, folder (a delimiter listing's common prefix), slo or dlo (large object manifests).
    "kind": "string",
}

ACCOUNT_STAT_COLUMNS = {
    "containers": "int64",
    "objects": "int64",
    "bytes": "int64",
    "quota_bytes": "Int64",
    "metadata": "object",
}

CONTAINER_STAT_COLUMNS = {
    "container": "string",
    "objects": "int64",
    "bytes": "int64",
    "read_acl": "string",
    "write_acl": "string",
    "storage_policy": "string",
    "metadata": "object",
}

OBJECT_STAT_COLUMNS = {
    "container": "string",
    "name": "string",
    "bytes": "int64",
    "etag": "string",
    "last_modified": "datetime",
    "content_type": "string",
    "kind": "string",
    # The source file's modification time, from X-Object-Meta-Mtime.
    "mtime": "datetime",
    "metadata": "object",
}

METADATA_COLUMNS = {
    "key": "string",
    "value": "string",
}

TRANSFER_COLUMNS = {
    "container": "string",
    "name": "string",
    "path": "string",
    "bytes": "int64",
    "etag": "string",
    "segments": "int64",
}

DELETE_COLUMNS = {
    "container": "string",
    "deleted": "int64",
    "not_found": "int64",
    "failed": "int64",
}

CREATE_COLUMNS = {
    "container": "string",
    "created": "bool",
}

COPY_COLUMNS = {
    "source": "string",
    "destination": "string",
    "etag": "string",
}

INFO_COLUMNS = {
    "section": "string",
    "key": "string",
    "value": "object",
}


def containers_frame(containers: Iterable[ContainerInfo]) -> pd.DataFrame:
    """Return an account listing: name, count, bytes, last_modified."""
    rows = [
        {"name": c.name, "count": c.count, "bytes": c.bytes, "last_modified": c.last_modified}
        for c in containers
    ]
    return typed_frame(rows, CONTAINER_COLUMNS)


def objects_frame(entries: Iterable[ObjectInfo]) -> pd.DataFrame:
    """Return a container listing: name, bytes, hash, last_modified, content_type, kind."""
    rows = [
        {
            "name": e.name,
            "bytes": e.bytes,
            "hash": e.hash,
            "last_modified": e.last_modified,
            "content_type": e.content_type,
            "kind": object_kind(e),
        }
        for e in entries
    ]
    return typed_frame(rows, OBJECT_COLUMNS)


def object_kind(entry: ObjectInfo) -> str:
    """Return the ``kind`` of a listing entry: folder, slo, dlo or object."""
    if entry.is_folder:
        return KIND_FOLDER
    if entry.large_object == KIND_STATIC:
        return KIND_STATIC
    if entry.large_object == KIND_DYNAMIC:
        return KIND_DYNAMIC
    return KIND_OBJECT


def account_stat_frame(stat: AccountStat) -> pd.DataFrame:
    """Return one row: container and object counts, bytes used, quota and metadata."""
    row = {
        "containers": stat.container_count,
        "objects": stat.object_count,
        "bytes": stat.bytes_used,
        "quota_bytes": stat.quota_bytes,
        "metadata": dict(stat.metadata),
    }
    return typed_frame([row], ACCOUNT_STAT_COLUMNS)


def container_stat_frame(stat: ContainerStat) -> pd.DataFrame:
    """Return one row: object count, bytes used, ACLs, storage policy and metadata."""
    row = {
        "container": stat.name,
        "objects": stat.object_count,
        "bytes": stat.bytes_used,
        "read_acl": stat.read_acl,
        "write_acl": stat.write_acl,
        "storage_policy": stat.storage_policy,
        "metadata": dict(stat.metadata),
    }
    return typed_frame([row], CONTAINER_STAT_COLUMNS)


def object_stat_frame(stat: ObjectStat) -> pd.DataFrame:
    """Return one row: size, ETag, dates, content type, large object kind and metadata."""
    row = {
        "container": stat.container,
        "name": stat.name,
        "bytes": stat.bytes,
        "etag": stat.etag,
        "last_modified": stat.last_modified,
        "content_type": stat.content_type,
        "kind": stat.large_object or KIND_OBJECT,
        "mtime": None if stat.mtime is None else datetime.fromtimestamp(stat.mtime, timezone.utc),
        "metadata": dict(stat.metadata),
    }
    return typed_frame([row], OBJECT_STAT_COLUMNS)


def metadata_frame(metadata: Mapping[str, str]) -> pd.DataFrame:
    """Return metadata as key and value rows, sorted by key."""
    rows = [{"key": key, "value": metadata[key]} for key in sorted(metadata)]
    return typed_frame(rows, METADATA_COLUMNS)


def transfers_frame(results: Iterable[TransferResult]) -> pd.DataFrame:
    """Return one row per uploaded or downloaded object: names, local path, bytes, ETag, segments."""
    rows = [
        {
            "container": r.container,
            "name": r.name,
            "path": r.path,
            "bytes": r.bytes,
            "etag": r.etag,
            "segments": r.segments,
        }
        for r in results
    ]
    return typed_frame(rows, TRANSFER_COLUMNS)


def deletes_frame(results: Mapping[str, DeleteResult]) -> pd.DataFrame:
    """Return one row per container: objects deleted, not found, and failed."""
    rows = [
        {"container": container, "deleted": r.deleted, "not_found": r.not_found, "failed": len(r.failures)}
        for container, r in results.items()
    ]
    return typed_frame(rows, DELETE_COLUMNS)


def create_frame(container: str, created: bool) -> pd.DataFrame:
    """Return one row: the container and whether it is new."""
    return typed_frame([{"container": container, "created": created}], CREATE_COLUMNS)


def copy_frame(source: str, destination: str, etag: str | None) -> pd.DataFrame:
    """Return one row: source and destination as ``container/object``, and the new ETag."""
    return typed_frame([{"source": source, "destination": destination, "etag": etag}], COPY_COLUMNS)


def info_frame(info: Mapping[str, Any]) -> pd.DataFrame:
    """Return a cluster's ``/info`` as section, key, value rows (a section without settings gets one row)."""
    rows: list[dict[str, Any]] = []
    for section in sorted(info):
        settings = info[section]
        if isinstance(settings, Mapping) and settings:
            rows.extend({"section": section, "key": key, "value": settings[key]} for key in sorted(settings))
        else:
            rows.append({"section": section, "key": None, "value": settings})
    return typed_frame(rows, INFO_COLUMNS)
