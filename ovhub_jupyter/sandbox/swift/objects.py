"""Object requests: GET, HEAD, PUT, POST, DELETE, COPY and PUT with ``X-Copy-From``.

The statuses, messages and header sets follow a Swift 2.38 proxy with its default
middleware (copy, dlo, slo): uploads are checked in the proxy's order (container, then
size, length, name, content type, metadata), bodies stream to disk with their MD5, and
POST replaces the whole set of user metadata ("fast POST").
"""

from __future__ import annotations

import mimetypes
import urllib.parse
from typing import Iterable

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Response

from . import large
from .bodies import (
    Body,
    closing,
    etag_matches,
    iter_multipart,
    multipart_boundary,
    multipart_length,
    normalize_etag,
    parse_range,
    ranges_for_length,
)
from .call import Call
from .metadata import MetadataError, check_metadata, object_headers
from .paths import quote_name, split_container_object
from .responses import (
    HTML,
    SwiftError,
    default_body,
    http_date,
    new_response,
    normal_timestamp,
    parse_http_date,
    round_timestamp,
    swift_response,
)
from .store import BodyIncomplete, BodyTooLarge, ContainerMissing, ContainerRecord, ObjectRecord, StagedBody

# Headers a copy does not take from its source object.
_NOT_COPIED = frozenset({"x-static-large-object", "x-object-manifest"})


# -- reading --------------------------------------------------------------------------


def live_object(call: Call, container: str, name: str, account: str | None = None) -> ObjectRecord | None:
    """Return the object unless it is missing or past its ``X-Delete-At``."""
    record = call.service.store.get_object(call.cluster, account or call.account, container, name)
    if record is None:
        return None
    delete_at = record.headers.get("X-Delete-At")
    if delete_at and delete_at.isdigit() and int(delete_at) <= call.now:
        # NOTE: the object stays in listings and counters, as it does in a real Swift
        # until its object expirer runs; the sandbox has no expirer.
        return None
    return record


def stored_headers(record: ObjectRecord) -> list[tuple[str, str]]:
    """Return the metadata and kept headers an object is served with, sysmeta excluded."""
    return [(name, value) for name, value in record.headers.items() if not name.lower().startswith("x-object-sysmeta-")]


def get_or_head(call: Call) -> Response:
    """Handle GET or HEAD on an object, large objects included."""
    path = call.path
    assert path.container and path.obj
    record = live_object(call, path.container, path.obj)
    if record is None:
        return not_found(call)
    manifest_get = call.params.get("multipart-manifest") == "get"
    if large.is_slo(record):
        if manifest_get:
            return large.slo_manifest_response(call, record)
        return large.slo_response(call, record)
    if record.headers.get("X-Object-Manifest") and not manifest_get:
        return large.dlo_response(call, record)

    headers = [
        ("Content-Type", record.content_type),
        ("Etag", record.etag),
        ("Last-Modified", http_date(record.timestamp)),
        ("X-Timestamp", normal_timestamp(record.timestamp)),
        ("Accept-Ranges", "bytes"),
        *stored_headers(record),
    ]
    if call.head:
        return serve(call, None, record.size, headers, record.etag, record.timestamp, record.content_type)
    body = Body.from_file(call.service.store.open_body(record), record.size)
    return serve(call, body, record.size, headers, record.etag, record.timestamp, record.content_type)


def not_found(call: Call) -> Response:
    """Return 404, or 412 when the request demanded an existing object with ``If-Match: *``."""
    if etag_matches(call.request.headers.get("If-Match"), ""):
        return swift_response(412, head=call.head)
    return swift_response(404, head=call.head)


def conditional_status(call: Call, etag: str | None, timestamp: float) -> int | None:
    """Return 304 or 412 when the request's conditions stop it, as swob checks them."""
    headers = call.request.headers
    if etag and headers.get("If-None-Match") is not None and etag_matches(headers.get("If-None-Match"), etag):
        return 304
    if etag and headers.get("If-Match") is not None and not etag_matches(headers.get("If-Match"), etag):
        return 412
    last_modified = parse_http_date(http_date(timestamp))
    since = parse_http_date(headers.get("If-Modified-Since"))
    if last_modified is not None and since is not None and last_modified <= since:
        return 304
    until = parse_http_date(headers.get("If-Unmodified-Since"))
    if last_modified is not None and until is not None and last_modified > until:
        return 412
    return None


def serve(
    call: Call,
    body: Body | None,
    size: int,
    headers: list[tuple[str, str]],
    etag: str | None,
    timestamp: float,
    content_type: str,
    *,
    honour_range: bool = True,
) -> Response:
    """Send an object body with its headers, applying conditions and Range as swob does.

    ``body`` is None for HEAD, which ignores Range and sends the full Content-Length.
    """
    condition = conditional_status(call, etag, timestamp)
    if condition is not None:
        if body is not None:
            body.close()
        if condition == 412:
            # The object server's 412 is an empty error page that keeps the object's headers.
            kept = [(name, value) for name, value in headers if name not in ("Content-Type", "Accept-Ranges")]
            return new_response(412, b"", [("Content-Type", HTML), *_with_length(kept, 0)])
        return new_response(condition, b"", _with_length(headers, 0))

    if body is None:
        return new_response(200, b"", _with_length(headers, size))

    specs = parse_range(call.request.headers.get("Range")) if honour_range else None
    if specs is not None:
        ranges = ranges_for_length(specs, size)
        if not ranges:
            body.close()
            page = default_body(416)
            return new_response(416, page, [*_with_length(headers, len(page)), ("Content-Range", f"bytes */{size}")])
        if size > 0 and len(ranges) == 1:
            start, stop = ranges[0]
            partial = _with_length(headers, stop - start) + [("Content-Range", f"bytes {start}-{stop - 1}/{size}")]
            return new_response(206, closing(body.iter_range(start, stop), body), partial)
        if size > 0:
            boundary = multipart_boundary()
            length = multipart_length(ranges, content_type, boundary, size)
            parts = [(name, value) for name, value in headers if name != "Content-Type"]
            multipart = [("Content-Type", f"multipart/byteranges;boundary={boundary}"), *_with_length(parts, length)]
            return new_response(206, closing(iter_multipart(body, ranges, content_type, boundary), body), multipart)

    return new_response(200, closing(body.iter_range(0, size), body), _with_length(headers, size))


def _with_length(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return kept + [("Content-Length", str(length))]


# -- writing --------------------------------------------------------------------------


def put(call: Call) -> Response:
    """Handle PUT on an object: upload, copy (``X-Copy-From``) or SLO manifest."""
    request = call.request
    path = call.path
    assert path.container and path.obj
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and "*" not in if_none_match:
        raise SwiftError(400, "If-None-Match only supports *", content_type="text/plain")
    if call.params.get("multipart-manifest") == "put":
        return large.put_slo_manifest(call)
    if request.headers.get("X-Copy-From"):
        return copy_from_header(call)
    if "X-Static-Large-Object" in request.headers:
        raise SwiftError(
            400,
            "X-Static-Large-Object is a reserved header. To create a static large object add query param "
            "multipart-manifest=put.",
        )
    large.check_dlo_header(request.headers.get("X-Object-Manifest"))

    container = call.service.store.get_container(call.cluster, call.account, path.container)
    if container is None:
        raise SwiftError(404)
    content_type = upload_content_type(call, path.obj)
    length = check_upload(call, path.obj, content_type)
    check_quota(container, length or 0)
    check_if_none_match(call, path.container, path.obj)

    staged = stage_request_body(call, length)
    try:
        expected = request.headers.get("Etag")
        if expected and normalize_etag(expected).lower() != staged.etag:
            raise SwiftError(422)
        record = new_record(call, path.obj, staged, content_type, object_headers(request.headers))
        commit(call, path.container, record, staged)
    finally:
        staged.discard()
    return created(record)


def upload_content_type(call: Call, name: str) -> str:
    """Return the object's content type, guessed from its name when missing, as the proxy does."""
    given = call.request.headers.get("Content-Type")
    detect = (call.request.headers.get("X-Detect-Content-Type") or "").lower() in ("true", "1", "yes", "on", "t", "y")
    if detect or not given:
        guessed, _encoding = mimetypes.guess_type(name)
        return guessed or "application/octet-stream"
    return given


def check_upload(call: Call, name: str, content_type: str) -> int | None:
    """Apply Swift's object creation checks; return the Content-Length (None when chunked)."""
    request = call.request
    settings = call.settings
    length = _declared_length(request)
    if length is not None and length > settings["max_file_size"]:
        raise SwiftError(413, "Your request is too large.", content_type="text/plain")
    if length is None and "chunked" not in (request.headers.get("Transfer-Encoding") or "").lower():
        raise SwiftError(411, "Missing Content-Length header.", content_type="text/plain")

    # Swift 2.38 counts characters here, not UTF-8 bytes.
    name_length = len(name)
    if name_length > settings["max_object_name_length"]:
        raise SwiftError(
            400,
            f"Object name length of {name_length} longer than {settings['max_object_name_length']}",
            content_type="text/plain",
        )

    check_delete_headers(call)
    try:
        check_metadata(request.headers, "object", settings)
    except MetadataError as error:
        raise SwiftError(400, str(error), content_type="text/plain") from None
    for parameter in content_type.split(";")[1:]:
        if parameter.lstrip().startswith("swift_"):
            raise SwiftError(400, "Invalid Content-Type, swift_* is not a valid parameter name.")
    return length


def _declared_length(request) -> int | None:  # noqa: ANN001
    # Transfer-Encoding: chunked wins over Content-Length, as in the real proxy.
    if "chunked" in (request.headers.get("Transfer-Encoding") or "").lower():
        return None
    value = request.headers.get("Content-Length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        raise SwiftError(400, "Invalid Content-Length header value", content_type="text/plain") from None
    if length < 0:
        raise SwiftError(400, "Invalid Content-Length")
    return length


def check_quota(container: ContainerRecord, size: int) -> None:
    """Raise 413 when an upload of ``size`` bytes would break the container's quotas.

    As in Swift's container_quotas middleware, the byte quota counts the declared
    Content-Length, so a chunked upload is checked as if it were empty.
    """
    # NOTE: Swift checks against container counters cached for up to a minute, so it may
    # accept a few uploads past the quota; the sandbox checks the current counters.
    quota_bytes = container.meta.get("X-Container-Meta-Quota-Bytes", "")
    if quota_bytes.isdigit() and int(quota_bytes) < container.bytes_used + size:
        raise SwiftError(413, "Upload exceeds quota.")
    quota_count = container.meta.get("X-Container-Meta-Quota-Count", "")
    if quota_count.isdigit() and int(quota_count) < container.object_count + 1:
        raise SwiftError(413, "Upload exceeds quota.")


def check_delete_headers(call: Call) -> None:
    """Turn ``X-Delete-After`` into ``X-Delete-At`` and check both, with Swift's messages."""
    headers = call.request.headers
    now = call.now
    after = headers.get("X-Delete-After")
    if after is not None:
        try:
            seconds = int(after)
        except ValueError:
            raise SwiftError(400, "Non-integer X-Delete-After", content_type="text/plain") from None
        delete_at = int(now + seconds)
        if delete_at <= now:
            raise SwiftError(400, "X-Delete-After in past", content_type="text/plain")
        call.extra["X-Delete-At"] = str(delete_at)
        return
    at = headers.get("X-Delete-At")
    if at is not None:
        try:
            delete_at = int(at)
        except ValueError:
            raise SwiftError(400, "Non-integer X-Delete-At", content_type="text/plain") from None
        if delete_at <= now:
            raise SwiftError(400, "X-Delete-At in past", content_type="text/plain")
        call.extra["X-Delete-At"] = str(delete_at)


def check_if_none_match(call: Call, container: str, name: str) -> None:
    """Raise 412 for ``If-None-Match: *`` when the object exists."""
    value = call.request.headers.get("If-None-Match")
    if value is not None and "*" in value and live_object(call, container, name) is not None:
        raise SwiftError(412)


def stage_request_body(call: Call, length: int | None) -> StagedBody:
    """Stream the request body to a temporary file; 413 past the size limit, 499 when cut short."""
    try:
        return call.service.store.stage_stream(call.request.stream, call.settings["max_file_size"], length)
    except BodyTooLarge:
        raise SwiftError(413, "Your request is too large.", content_type="text/plain") from None
    except (BodyIncomplete, ClientDisconnected):
        raise SwiftError(499) from None


def new_record(call: Call, name: str, staged: StagedBody, content_type: str, headers: dict[str, str]) -> ObjectRecord:
    """Build the record of a freshly uploaded plain object."""
    if "X-Delete-At" in call.extra:
        headers["X-Delete-At"] = call.extra["X-Delete-At"]
    return ObjectRecord(
        name=name,
        size=staged.size,
        listing_bytes=staged.size,
        etag=staged.etag,
        content_type=content_type,
        timestamp=round_timestamp(call.now),
        headers=headers,
    )


def commit(call: Call, container: str, record: ObjectRecord, staged: StagedBody | None, account: str | None = None) -> None:
    """Move the staged body into place and store the record (404 if the container went away)."""
    store = call.service.store
    if staged is not None:
        record.file = store.keep(staged)
    try:
        store.put_object(call.cluster, account or call.account, container, record)
    except ContainerMissing:
        raise SwiftError(404) from None


def created(record: ObjectRecord, extra: Iterable[tuple[str, str]] = (), etag: str | None = None) -> Response:
    """Return the 201 of an object PUT."""
    headers = [*extra, ("Etag", etag or record.etag), ("Last-Modified", http_date(record.timestamp))]
    return swift_response(201, b"", headers=headers)


def post(call: Call) -> Response:
    """Handle POST on an object: replace its user metadata, optionally its content type."""
    request = call.request
    path = call.path
    assert path.container and path.obj
    if "X-Static-Large-Object" in request.headers:
        raise SwiftError(
            400,
            "X-Static-Large-Object is a reserved header. To create a static large object add query param "
            "multipart-manifest=put.",
        )
    record = live_object(call, path.container, path.obj)
    if record is None:
        raise SwiftError(404)
    try:
        check_metadata(request.headers, "object", call.settings)
    except MetadataError as error:
        raise SwiftError(400, str(error), content_type="text/plain") from None
    check_delete_headers(call)

    # Fast POST: user metadata and the other kept headers come only from this request, so
    # a DLO manifest loses X-Object-Manifest unless it is sent again, as in Swift. What
    # SLO stores about itself stays.
    headers = object_headers(request.headers)
    if "X-Delete-At" in call.extra:
        headers["X-Delete-At"] = call.extra["X-Delete-At"]
    for name, value in record.headers.items():
        if name.lower() == "x-static-large-object" or name.lower().startswith("x-object-sysmeta-"):
            headers[name] = value
    content_type = request.headers.get("Content-Type") or record.content_type
    call.service.store.update_object(
        call.cluster, call.account, path.container, path.obj, content_type, headers, round_timestamp(call.now)
    )
    return swift_response(202)


def delete(call: Call) -> Response:
    """Handle DELETE on an object (``multipart-manifest=delete`` removes SLO segments too)."""
    path = call.path
    assert path.container and path.obj
    if call.params.get("multipart-manifest") == "delete":
        return large.delete_slo(call)
    record = live_object(call, path.container, path.obj)
    if record is None:
        raise SwiftError(404)
    call.service.store.delete_object(call.cluster, call.account, path.container, path.obj)
    return swift_response(204, b"")


# -- copies ---------------------------------------------------------------------------


def copy_method(call: Call) -> Response:
    """Handle COPY: a PUT of the ``Destination`` object with this object as its source."""
    destination = call.request.headers.get("Destination")
    if not destination:
        raise SwiftError(412, "Destination header required")
    target = parse_path_header(destination, "Destination")
    path = call.path
    assert path.container and path.obj
    destination_account = call.account
    if call.request.headers.get("Destination-Account"):
        destination_account = _account_name(unquote_header(call.request.headers["Destination-Account"]))
    return copy_object(
        call,
        source=(call.account, path.container, path.obj),
        target=(destination_account, target[0], target[1]),
    )


def copy_from_header(call: Call) -> Response:
    """Handle PUT with ``X-Copy-From``: this object becomes a copy of the named one."""
    request = call.request
    if request.content_length:
        raise SwiftError(400, "Copy requests require a zero byte body", content_type="text/plain")
    source = parse_path_header(request.headers["X-Copy-From"], "X-Copy-From")
    source_account = call.account
    if request.headers.get("X-Copy-From-Account"):
        source_account = _account_name(unquote_header(request.headers["X-Copy-From-Account"]))
    path = call.path
    assert path.container and path.obj
    return copy_object(call, source=(source_account, source[0], source[1]), target=(call.account, path.container, path.obj))


def parse_path_header(value: str, header: str) -> tuple[str, str]:
    """Split a percent-encoded ``container/object`` header; 412 with Swift's message when malformed."""
    parts = split_container_object(unquote_header(value))
    if parts is None:
        raise SwiftError(412, f"{header} header must be of the form <container name>/<object name>")
    return parts


def unquote_header(value: str) -> str:
    """Percent-decode a header value that names an object (UTF-8 underneath)."""
    try:
        return urllib.parse.unquote_to_bytes(value.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise SwiftError(412, "Invalid UTF8 or contains NULL") from None


def _account_name(segment: str) -> str:
    if "/" in segment or not segment:
        raise SwiftError(412, "Account name cannot contain slashes" if segment else "Account name cannot be empty")
    return segment[len("AUTH_"):] if segment.startswith("AUTH_") else segment


def copy_object(call: Call, source: tuple[str, str, str], target: tuple[str, str, str]) -> Response:
    """Copy ``source`` to ``target`` (each ``(account, container, object)``), as Swift's copy middleware does."""
    service = call.service
    source_account, source_container, source_name = source
    target_account, target_container, target_name = target
    service.authorize_copy(call, source_account, source_container, target_account, target_container)

    record = live_object(call, source_container, source_name, source_account)
    if record is None:
        raise SwiftError(404)
    manifest_copy = call.params.get("multipart-manifest") == "get"
    target_record = service.store.get_container(call.cluster, target_account, target_container)
    if target_record is None:
        raise SwiftError(404)
    name_length = len(target_name)
    if name_length > call.settings["max_object_name_length"]:
        raise SwiftError(
            400,
            f"Object name length of {name_length} longer than {call.settings['max_object_name_length']}",
            content_type="text/plain",
        )
    try:
        check_metadata(call.request.headers, "object", call.settings)
    except MetadataError as error:
        raise SwiftError(400, str(error), content_type="text/plain") from None
    check_delete_headers(call)

    headers = _copied_headers(call, record)
    content_type = call.request.headers.get("Content-Type") or record.content_type
    now = round_timestamp(call.now)
    keep_manifest = manifest_copy and (large.is_slo(record) or bool(record.headers.get("X-Object-Manifest")))
    if keep_manifest:
        new = large.copy_manifest_record(record, target_name, content_type, headers, now)
        new.file = service.store.link(record.file)
        staged = None
    elif large.is_slo(record) or record.headers.get("X-Object-Manifest"):
        staged = large.stage_large_object(call, record, source_account, source_container)
        new = ObjectRecord(target_name, staged.size, staged.size, staged.etag, content_type, now, headers)
    else:
        new = ObjectRecord(target_name, record.size, record.size, record.etag, content_type, now, headers)
        new.file = service.store.link(record.file)
        staged = None
    try:
        if new.size > call.settings["max_file_size"]:
            raise SwiftError(413)
        check_quota(target_record, new.size)
        commit(call, target_container, new, staged, target_account)
    finally:
        if staged is not None:
            staged.discard()

    extra = [
        ("X-Copied-From-Account", quote_name(f"AUTH_{source_account}")),
        ("X-Copied-From", quote_name(f"{source_container}/{source_name}")),
        ("X-Copied-From-Last-Modified", http_date(record.timestamp)),
        *[(name, value) for name, value in new.headers.items() if name.lower().startswith("x-object-meta-") or name == "X-Delete-At"],
    ]
    etag = f'"{new.headers["X-Object-Sysmeta-Slo-Etag"]}"' if large.is_slo(new) else new.etag
    return created(new, extra, etag)


def _copied_headers(call: Call, record: ObjectRecord) -> dict[str, str]:
    fresh = (call.request.headers.get("X-Fresh-Metadata") or "").lower() in ("true", "1", "yes", "on", "t", "y")
    headers: dict[str, str] = {}
    if not fresh:
        for name, value in record.headers.items():
            if name.lower() not in _NOT_COPIED and not name.lower().startswith("x-object-sysmeta-"):
                headers[name] = value
    headers.update(object_headers(call.request.headers))
    for name in list(headers):
        if name.lower() in _NOT_COPIED:
            del headers[name]
    if "X-Delete-At" in call.extra:
        headers["X-Delete-At"] = call.extra["X-Delete-At"]
    return headers
