"""Deleting from Swift: one object with its segments, many objects, a prefix, a container.

Many objects go in bulk-delete requests (``POST ?bulk-delete``, up to
``max_deletes_per_request`` names each) when ``/info`` lists ``bulk_delete``, and one
DELETE each, concurrently, otherwise. When the response to a bulk delete is not a
bulk-delete report (where the middleware is missing, Swift handles the request as an
account POST and returns 204), that batch is deleted one by one too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import errors
from .progress import NullProgress, Progress
from .swift_names import quote_name
from .swift_results import DYNAMIC_LARGE_OBJECT, STATIC_LARGE_OBJECT, DeleteResult, ObjectStat

if TYPE_CHECKING:
    from .swift import SwiftAccount

logger = logging.getLogger(__name__)

# Names deleted per batch when the cluster has no bulk delete (one DELETE each).
ONE_BY_ONE_BATCH = 1000

# Times a container DELETE is tried again when it still reports objects just after they
# were deleted: container listings are updated asynchronously and may lag.
CONTAINER_DELETE_ATTEMPTS = 5


def delete_object(account: "SwiftAccount", container: str, name: str, *, keep_segments: bool = False) -> None:
    """Delete one object; for a large object manifest, its segments too unless ``keep_segments``.

    The object is read first (HEAD) to learn whether it is a manifest, so deleting a
    missing object raises ``NotFoundError`` either way.
    """
    account._container_name(container)
    account._object_name(name)
    if keep_segments:
        account.request("DELETE", container, name, operation="delete object")
        return

    stat = account.stat_object(container, name)
    if stat.large_object == STATIC_LARGE_OBJECT:
        _delete_static_large_object(account, container, name)
        return

    segments = list(dynamic_segments(account, stat)) if stat.large_object == DYNAMIC_LARGE_OBJECT else []
    account.request("DELETE", container, name, operation="delete object")
    if segments:
        delete_segments(account, segments, keep={(container, name)})


def _delete_static_large_object(account: "SwiftAccount", container: str, name: str) -> None:
    response = account.request(
        "DELETE",
        container,
        name,
        params={"multipart-manifest": "delete"},
        headers={"Accept": "application/json"},
        operation="delete large object",
    )
    report = _read_bulk_report(response)
    if report is None:
        return
    status = str(report.get("Response Status", "200"))
    if not status.startswith("2"):
        details = "; ".join(f"{unquote(str(item[0]))}: {item[1]}" for item in report.get("Errors") or [] if len(item) == 2)
        raise errors.ServiceError(
            f"Swift reported {status}" + (f" ({details})" if details else ""),
            operation="delete large object",
            target=f"{container}/{name}",
            status=response.status_code,
            service="swift",
            request_id=response.headers.get("X-Trans-Id"),
            hint="some segments may remain; delete them from the segments container",
        )


def static_segments(account: "SwiftAccount", container: str, name: str) -> list[tuple[str, str]]:
    """Return the (container, object) of every segment a static large object manifest lists."""
    response = account.request(
        "GET", container, name, params={"multipart-manifest": "get", "format": "raw"}, operation="read manifest of"
    )
    try:
        entries = response.json()
    except ValueError:
        entries = None
    if not isinstance(entries, list):
        raise errors.InvalidResponseError(
            "the manifest is not a JSON list",
            operation="read manifest of",
            target=f"{container}/{name}",
            status=response.status_code,
            service="swift",
            request_id=response.headers.get("X-Trans-Id"),
        )
    segments = []
    for entry in entries:
        # "format=raw" gives the "path" of the uploaded manifest; older servers ignore it
        # and give "name". Both are "/container/object", not percent-encoded.
        path = entry.get("path") or entry.get("name") if isinstance(entry, dict) else None
        if isinstance(path, str) and path.startswith("/") and "/" in path[1:]:
            segment_container, _, segment_name = path[1:].partition("/")
            segments.append((segment_container, segment_name))
    return segments


def dynamic_segments(account: "SwiftAccount", stat: ObjectStat) -> Iterator[tuple[str, str]]:
    """Yield the (container, object) of every segment of a dynamic large object."""
    if stat.manifest is None:
        return
    segment_container, prefix = stat.manifest
    try:
        for entry in account.iter_objects(segment_container, prefix=prefix):
            yield segment_container, entry.name
    except errors.NotFoundError:
        return


def delete_segments(account: "SwiftAccount", segments: Iterable[tuple[str, str]], *, keep: set[tuple[str, str]]) -> DeleteResult:
    """Delete segments (grouped by container), except those in ``keep``; log what failed."""
    by_container: dict[str, list[str]] = {}
    for segment in segments:
        if segment not in keep:
            by_container.setdefault(segment[0], []).append(segment[1])
    result = DeleteResult()
    for container, names in by_container.items():
        outcome = delete_objects(account, container, names)
        for name, reason in outcome.failures:
            logger.warning("could not delete old segment %s/%s: %s", container, name, reason)
        result.add(outcome)
    return result


def delete_objects(
    account: "SwiftAccount",
    container: str,
    names: Iterable[str],
    *,
    progress: Progress | None = None,
) -> DeleteResult:
    """Delete objects by name; missing ones count as not found, not as failures.

    Every name is validated before the first request. NOTE: segments of large object
    manifests are not deleted here (``delete_object`` does that, one object at a time).
    """
    account._container_name(container)
    names = [account._object_name(name) for name in names]
    progress = progress or NullProgress()
    progress.begin(total_files=len(names), description=f"delete from {container}")
    try:
        result = _delete_batches(account, container, names, progress)
    except BaseException:
        progress.end(failed=True)
        raise
    progress.end(failed=not result.ok)
    return result


def delete_prefix(
    account: "SwiftAccount",
    container: str,
    prefix: str = "",
    *,
    progress: Progress | None = None,
) -> DeleteResult:
    """Delete every object whose name starts with ``prefix``, listing and deleting page by page.

    Static large objects (marked in the listing) are deleted with their segments.
    NOTE: dynamic large object manifests list like any 0-byte object, so their
    segments are left in place.
    """
    account._container_name(container)
    progress = progress or NullProgress()
    progress.begin(total_files=None, description=f"delete {container}/{prefix}*")
    batch_size = _batch_size(account)
    result = DeleteResult()
    try:
        batch: list[str] = []
        for entry in account.iter_objects(container, prefix=prefix or None):
            progress.add_total(files=1)
            if entry.large_object == STATIC_LARGE_OBJECT:
                result.add(_delete_with_segments(account, container, entry.name))
                progress.advance(files=1)
                continue
            batch.append(entry.name)
            if len(batch) >= batch_size:
                result.add(_delete_batches(account, container, batch, progress))
                batch = []
        if batch:
            result.add(_delete_batches(account, container, batch, progress))
    except BaseException:
        progress.end(failed=True)
        raise
    progress.end(failed=not result.ok)
    return result


def delete_container(
    account: "SwiftAccount",
    container: str,
    *,
    empty: bool = False,
    progress: Progress | None = None,
) -> DeleteResult:
    """Delete a container, first deleting its objects when ``empty`` is True.

    Without ``empty``, a container that still has objects raises ``ConflictError``.
    NOTE: the ``<container>_segments`` container of its large objects is left in place.
    """
    account._container_name(container)
    result = DeleteResult()
    if empty:
        result = delete_prefix(account, container, progress=progress)

    for attempt in range(1, CONTAINER_DELETE_ATTEMPTS + 1):
        response = account.request("DELETE", container, operation="delete container", check=False)
        if response.status_code != 409 or not empty or attempt == CONTAINER_DELETE_ATTEMPTS:
            break
        # Objects deleted a moment ago may still be counted: the listing catches up.
        response.close()
        logger.info("container %s still lists objects after they were deleted; trying again", container)
        result.add(delete_prefix(account, container))
        time.sleep(0.2 * attempt)

    account.raise_for_status(response, operation="delete container", target=container, container=container)
    return result


def _delete_with_segments(account: "SwiftAccount", container: str, name: str) -> DeleteResult:
    try:
        delete_object(account, container, name)
    except errors.NotFoundError:
        return DeleteResult(not_found=1)
    except errors.OvhubError as exc:
        return DeleteResult(failures=[(name, str(exc))])
    return DeleteResult(deleted=1)


def _batch_size(account: "SwiftAccount") -> int:
    limits = account.limits()
    return limits.max_deletes_per_request if limits.bulk_delete else ONE_BY_ONE_BATCH


def _delete_batches(account: "SwiftAccount", container: str, names: list[str], progress: Progress) -> DeleteResult:
    limits = account.limits()
    result = DeleteResult()
    if not limits.bulk_delete:
        result.add(_delete_one_by_one(account, container, names, progress))
        return result

    size = limits.max_deletes_per_request
    for start in range(0, len(names), size):
        batch = names[start : start + size]
        outcome = _bulk_delete(account, container, batch)
        if outcome is None:
            result.add(_delete_one_by_one(account, container, batch, progress))
        else:
            result.add(outcome)
            progress.advance(files=len(batch))
    return result


def _bulk_delete(account: "SwiftAccount", container: str, names: list[str]) -> DeleteResult | None:
    """Delete one batch with ``POST ?bulk-delete``; None when the server did not do a bulk delete."""
    lines = ["/" + quote_name(container) + "/" + quote_name(name) for name in names]
    response = account.request(
        "POST",
        params={"bulk-delete": None},
        headers={"Content-Type": "text/plain", "Accept": "application/json"},
        data="\n".join(lines).encode("ascii"),
        idempotent=True,
        operation="bulk delete in",
        target=container,
        check=False,
    )
    status = response.status_code
    if status in (401, 403) or status >= 500:
        account.raise_for_status(response, operation="bulk delete in", target=container, container=container)

    report = _read_bulk_report(response) if status == 200 else None
    if report is None or "Number Deleted" not in report:
        logger.info("bulk delete in %s was not done (HTTP %s); deleting one by one", container, status)
        return None

    result = DeleteResult(
        deleted=int(report.get("Number Deleted") or 0),
        not_found=int(report.get("Number Not Found") or 0),
    )
    prefix = "/" + container + "/"
    for item in report.get("Errors") or []:
        if isinstance(item, list) and len(item) == 2:
            path = unquote(str(item[0]))
            result.failures.append((path[len(prefix):] if path.startswith(prefix) else path, str(item[1])))

    response_status = str(report.get("Response Status", "200"))
    if not result.failures and not response_status.startswith(("2", "400")):
        raise errors.ServiceError(
            f"bulk delete reported {response_status}",
            operation="bulk delete in",
            target=container,
            status=status,
            service="swift",
            request_id=response.headers.get("X-Trans-Id"),
            hint="try again later",
        )
    return result


def _read_bulk_report(response: Any) -> dict[str, Any] | None:
    # Swift may send spaces before the JSON to keep the connection alive; json ignores them.
    try:
        report = response.json()
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _delete_one_by_one(account: "SwiftAccount", container: str, names: list[str], progress: Progress) -> DeleteResult:
    def delete(name: str) -> tuple[str, int | None, str | None]:
        try:
            response = account.request("DELETE", container, name, operation="delete object", check=False)
        except errors.OvhubError as exc:
            return name, None, str(exc)
        finally:
            progress.advance(files=1)
        response.close()
        return name, response.status_code, None

    result = DeleteResult()
    with ThreadPoolExecutor(max_workers=account.concurrency) as pool:
        for name, status, failure in pool.map(delete, names):
            if status is not None and status < 300:
                result.deleted += 1
            elif status == 404:
                result.not_found += 1
            else:
                result.failures.append((name, failure or f"HTTP {status}"))
    return result
