"""Bulk delete (``POST ?bulk-delete``) and the result bodies it shares with SLO deletes.

As in Swift 2.38's bulk middleware, the response is always ``200 OK``, and the outcome is in
the body, as JSON, XML or ``Key: value`` lines depending on Accept, with ``Response Status``,
``Number Deleted``, ``Number Not Found`` and the ``Errors`` list of ``[name, status]``.
Objects are deleted before containers, so one request can empty and remove a container.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterator
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from .call import Call
from .listing import best_match
from .paths import quote_name
from .responses import SwiftError, new_response, swift_status

# Result formats, in the order Swift prefers them.
RESULT_TYPES = ("text/plain", "application/json", "application/xml", "text/xml")

# Maximum line length, in bytes, Swift reads from a bulk delete body (its max_path_length).
MAX_PATH_LENGTH = 256 + 1024 + 2

# Failures after which a bulk delete stops (Swift's max_failed_deletes).
MAX_FAILED_DELETES = 1000


@dataclass
class Deletion:
    """One name to delete (``/container`` or ``/container/object``), or a failure found before."""

    name: str
    error: tuple[int, str] | None = None


def result_body(content_type: str | None, result: dict[str, Any], errors: list[list[str]], root: str) -> bytes:
    """Format a bulk result the way Swift's heartbeat responses do."""
    if content_type == "application/json":
        return json.dumps({**result, "Errors": errors}).encode("ascii")
    if content_type and content_type.endswith("/xml"):
        lines = [f"<{root}>\n"]
        for key in sorted(result):
            tag = key.replace(" ", "_").lower()
            lines.append(f"<{tag}>{escape(str(result[key]))}</{tag}>\n")
        lines.append("<errors>\n")
        for name, status in errors:
            lines.append(f"<object><name>{escape(name)}</name><status>{escape(status)}</status></object>\n")
        lines.append(f"</errors>\n</{root}>\n")
        return "".join(lines).encode("utf-8")
    lines = [f"{key}: {result[key]}\n" for key in sorted(result)]
    lines.append("Errors:\n")
    lines.extend(f"{name}, {status}\n" for name, status in errors)
    return "".join(lines).encode("utf-8")


def bulk_delete(call: Call) -> Response:
    """Handle ``POST`` or ``DELETE`` with ``?bulk-delete`` on any storage path."""
    if not call.settings.get("bulk_delete", True):
        # A cluster without the bulk middleware treats this as a plain POST on the account.
        raise SwiftError(400)
    out_type = best_match(call.request.headers.get("Accept"), RESULT_TYPES)
    request = call.request
    chunked = "chunked" in (request.headers.get("Transfer-Encoding") or "").lower()
    # Failures before any deletion carry Swift's message, or an empty body where Swift
    # raised a bare status.
    if out_type is None:
        return _result_response(out_type, _failure(406, ""), [])
    incoming = request.headers.get("Content-Type")
    if incoming and not incoming.startswith("text/plain"):
        return _result_response(out_type, _failure(406, ""), [])
    if request.content_length is None and not chunked:
        return _result_response(out_type, _failure(411, ""), [])
    try:
        names = read_names(call)
    except SwiftError as error:
        body = error.body if isinstance(error.body, str) else ""
        return _result_response(out_type, _failure(error.status, body), [])
    return deletion_response(call, [Deletion(name) for name in names], out_type)


def read_names(call: Call) -> list[str]:
    """Read the newline-separated, percent-encoded names of a bulk delete body."""
    limit = call.settings["max_deletes_per_request"]
    names: list[str] = []
    pending = b""
    stream = call.request.stream
    while True:
        data = stream.read(MAX_PATH_LENGTH)
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            _add_name(names, line)
            if len(names) > limit:
                raise SwiftError(413, f"Maximum Bulk Deletes: {limit} per request")
        if len(pending) > MAX_PATH_LENGTH * 2:
            raise SwiftError(400, "Invalid File Name")
        if not data:
            _add_name(names, pending)
            if len(names) > limit:
                raise SwiftError(413, f"Maximum Bulk Deletes: {limit} per request")
            return names


def _add_name(names: list[str], line: bytes) -> None:
    name = urllib.parse.unquote_to_bytes(line.strip()).decode("utf-8", "surrogateescape")
    if name:
        names.append(name)


def deletion_response(call: Call, deletions: list[Deletion], out_type: str | None) -> Response:
    """Delete objects first, then containers, and return the bulk result."""
    result = {"Response Status": "200 OK", "Response Body": "", "Number Deleted": 0, "Number Not Found": 0}
    errors: list[list[str]] = []
    if out_type is None:
        return _result_response(out_type, _failure(406, ""), [])
    failure_status = 400

    objects = [entry for entry in deletions if entry.name and "/" in entry.name.strip("/")]
    containers = [entry for entry in deletions if entry.name and "/" not in entry.name.strip("/")]
    for entry in objects + containers:
        if entry.error is not None:
            code, message = entry.error
            if code == 404:
                result["Number Not Found"] += 1
            else:
                errors.append([quote_name(entry.name), message])
            continue
        status = _delete_one(call, entry.name)
        if 200 <= status < 300:
            result["Number Deleted"] += 1
        elif status == 404:
            result["Number Not Found"] += 1
        else:
            if status >= 500:
                failure_status = 502
            errors.append([quote_name(entry.name), swift_status(status)])
        if len(errors) >= MAX_FAILED_DELETES:
            result["Response Status"] = swift_status(400)
            result["Response Body"] = "Max delete failures exceeded"
            return _result_response(out_type, result, errors)

    if errors:
        result["Response Status"] = swift_status(failure_status)
    elif not (result["Number Deleted"] or result["Number Not Found"]):
        result["Response Status"] = swift_status(400)
        result["Response Body"] = "Invalid bulk delete."
    return _result_response(out_type, result, errors)


def _delete_one(call: Call, name: str) -> int:
    """Delete one ``/container[/object]`` of the request's account; return the status a DELETE would get."""
    if "\x00" in name or any("\udc80" <= character <= "\udcff" for character in name):
        return 412
    return call.service.delete_for_bulk(call, name.lstrip("/"))


def _failure(status: int, body: str) -> dict[str, Any]:
    return {"Response Status": swift_status(status), "Response Body": body, "Number Deleted": 0, "Number Not Found": 0}


def _result_response(out_type: str | None, result: dict[str, Any], errors: list[list[str]]) -> Response:
    body = result_body(out_type, result, errors, "delete")

    def chunks() -> Iterator[bytes]:
        yield body

    # Swift streams this response (chunked), sending spaces while long deletes run.
    return new_response(200, chunks(), [("Content-Type", out_type or "text/plain")])
