"""The ``%swift`` subcommands that list, inspect and change containers and objects.

Transfers (upload, download, read, write, put) are in ``swift_transfers.py``. Each
function takes the ``SwiftSession`` and the parsed arguments and returns the command's
result: a DataFrame (see ``frames/swift.py``) or, for ``tempurl``, the URL.
"""

from __future__ import annotations

import argparse
import shlex
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from ..core import errors
from ..core.swift_results import DeleteResult
from ..frames import swift as swift_frames
from .swift_session import CombinedProgress, SwiftSession


def containers(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """List the account's containers."""
    prefix = session.prefix(arguments.prefix) if arguments.prefix else None
    found = []
    with session.tracking("list containers") as progress:
        for entry in session.storage.iter_containers(prefix=prefix, limit=arguments.limit):
            found.append(entry)
            progress.advance(files=1)
    return swift_frames.containers_frame(found)


def ls(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """List a container's objects; without a container, the account's containers."""
    if arguments.container is None:
        arguments.prefix = None
        return containers(session, arguments)

    container, _, inline_prefix = arguments.container.partition("/")
    if inline_prefix and arguments.prefix is not None:
        raise errors.InvalidInputError(
            f"two prefixes given: {inline_prefix!r} in {arguments.container!r} and {arguments.prefix!r}",
            hint="give either CONTAINER/PREFIX or CONTAINER PREFIX",
        )
    container = session.container(container)
    prefix = inline_prefix or arguments.prefix
    prefix = session.prefix(prefix) if prefix else None
    storage = session.storage
    entries = storage.iter_objects(container, prefix=prefix, delimiter=arguments.delimiter, limit=arguments.limit)

    listed = []
    with session.tracking(f"list {container}") as progress:
        for entry in entries:
            listed.append(entry)
            progress.advance(files=1)
        if not arguments.raw:
            # Listed here rather than by list_objects(resolve_manifests=True), so the progress
            # bar counts entries while they arrive.
            listed = storage.resolve_manifests(container, listed)
    return swift_frames.objects_frame(listed)


def stat(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Show the account, a container or an object as one row."""
    storage = session.storage
    if arguments.container is None:
        return swift_frames.account_stat_frame(storage.stat())

    container, name = session.target(arguments.container)
    if arguments.object is not None:
        if name is not None:
            raise errors.InvalidInputError(
                f"two object names given: {name!r} and {arguments.object!r}",
                hint="give either CONTAINER/OBJECT or CONTAINER OBJECT",
            )
        name = session.object_name(arguments.object)
    if name is None:
        return swift_frames.container_stat_frame(storage.stat_container(container))
    return swift_frames.object_stat_frame(storage.stat_object(container, name))


def info(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Show the cluster's ``/info`` capabilities."""
    return swift_frames.info_frame(session.storage.info(refresh=True))


def mkdir(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Create a container."""
    container = session.container(arguments.container)
    created = session.storage.create_container(container)
    return swift_frames.create_frame(container, created)


def rmdir(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Delete a container, emptying it first with ``--force``."""
    container = session.container(arguments.container)
    with session.tracking(f"delete {container}") as progress:
        try:
            result = session.storage.delete_container(container, empty=arguments.force, progress=progress)
        except errors.ConflictError as exc:
            if arguments.force:
                raise
            raise errors.ConflictError(
                "the container is not empty",
                operation=exc.operation,
                target=exc.target,
                status=exc.status,
                service=exc.service,
                request_id=exc.request_id,
                hint=f"delete its objects first, or run %swift rmdir {shlex.quote(container)} --force",
            ) from exc
    return swift_frames.deletes_frame({container: result})


def rm(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Delete objects by name, or every object under ``--prefix`` in each container given."""
    if arguments.prefix is not None:
        results = _delete_prefixes(session, arguments.targets, arguments.prefix)
    else:
        results = _delete_names(session, arguments.targets)

    failures = [(container, name, reason) for container, r in results.items() for name, reason in r.failures]
    if failures:
        container, name, reason = failures[0]
        raise errors.OvhubError(
            f"{len(failures)} object(s) could not be deleted, such as {container}/{name}: {reason}",
            operation="delete",
            hint="run the command again; objects already deleted count as not found",
        )
    return swift_frames.deletes_frame(results)


def _delete_prefixes(session: SwiftSession, targets: list[str], prefix: str) -> dict[str, DeleteResult]:
    if not prefix:
        raise errors.InvalidInputError(
            "--prefix is empty, which would delete every object",
            hint="to empty and delete a container, run %swift rmdir CONTAINER --force",
        )
    prefix = session.prefix(prefix)
    containers = []
    for target in targets:
        if "/" in target:
            raise errors.InvalidInputError(
                f"{target!r} is not a container name: with --prefix, give containers only",
                hint="such as %swift rm box --prefix tmp/",
            )
        containers.append(session.container(target))

    results: dict[str, DeleteResult] = {}
    with session.tracking(f"delete {prefix}*") as progress:
        for container in dict.fromkeys(containers):
            results[container] = session.storage.delete_prefix(container, prefix, progress=progress)
    return results


def _delete_names(session: SwiftSession, targets: list[str]) -> dict[str, DeleteResult]:
    by_container: dict[str, list[str]] = {}
    for target in targets:
        container, name = session.object_target(target)
        by_container.setdefault(container, []).append(name)

    results = {container: DeleteResult() for container in by_container}
    jobs = [(container, name) for container, names in by_container.items() for name in dict.fromkeys(names)]
    with session.tracking("delete objects") as progress:
        progress.add_total(files=len(jobs))
        with ThreadPoolExecutor(max_workers=max(1, min(session.storage.concurrency, len(jobs)))) as pool:
            outcomes = pool.map(lambda job: _delete_one(session, job[0], job[1], progress), jobs)
            for (container, _), outcome in zip(jobs, outcomes):
                results[container].add(outcome)
    return results


def _delete_one(session: SwiftSession, container: str, name: str, progress: CombinedProgress) -> DeleteResult:
    # delete_object reads the object first, so large objects go with their segments.
    try:
        session.storage.delete_object(container, name)
    except errors.NotFoundError:
        return DeleteResult(not_found=1)
    except errors.OvhubError as exc:
        return DeleteResult(failures=[(name, str(exc))])
    finally:
        progress.advance(files=1)
    return DeleteResult(deleted=1)


def copy(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Copy an object on the server."""
    container, name = session.object_target(arguments.source)
    destination_container, destination = session.target(arguments.destination)
    if destination is None:
        destination = name
    elif destination.endswith("/"):
        destination = session.object_name(destination + name.rsplit("/", 1)[-1])
    etag = session.storage.copy_object(container, name, destination_container, destination)
    return swift_frames.copy_frame(f"{container}/{name}", f"{destination_container}/{destination}", etag)


def meta(session: SwiftSession, arguments: argparse.Namespace) -> pd.DataFrame:
    """Read the metadata of the account, a container or an object, after setting the items given."""
    storage = session.storage
    changes: dict[str, str | None] = {key: (value if value else None) for key, value in arguments.items}
    if arguments.target is None:
        if changes:
            storage.set_account_metadata(changes)
        return swift_frames.metadata_frame(storage.stat().metadata)

    container, name = session.target(arguments.target)
    if name is None:
        if changes:
            storage.set_container_metadata(container, changes)
        return swift_frames.metadata_frame(storage.stat_container(container).metadata)
    if changes:
        return swift_frames.metadata_frame(storage.set_object_metadata(container, name, changes))
    return swift_frames.metadata_frame(storage.stat_object(container, name).metadata)


def tempurl(session: SwiftSession, arguments: argparse.Namespace) -> str:
    """Return a temporary URL for one object and method."""
    container, name = session.object_target(arguments.target)
    return session.storage.temp_url(container, name, method=arguments.method, expires_in=arguments.ttl)


def not_in_line_form(session: SwiftSession, arguments: Any) -> None:
    """Reject ``put`` as a line magic: it stores the text of a cell."""
    raise errors.InvalidInputError(
        "put stores the text of a cell",
        hint="write %%swift put CONTAINER/OBJECT as the cell's first line, and the text below it",
    )
