"""The Swift service of the sandbox: routing, authentication, accounts and containers.

One service serves every cluster: the main one (``/v1/AUTH_*``: hubiC accounts, the plain
v1 account, the legacy webstorage account) and one per OVHcloud Public Cloud region
(``/storage/<region>/v1/AUTH_*``). Clusters are separate namespaces in one store.

A request goes through the steps of a Swift 2.38 proxy pipeline, in this order:

1. bulk delete, which authorizes each deletion on its own;
2. temp URL signatures;
3. the token check, which rejects an unknown or expired ``AUTH_`` token at once, as
   tempauth does;
4. the path's UTF-8 check;
5. authorization: the account's owner, or a container ACL;
6. the account, container or object handler.

Accounts are created on first authorized use, as with ``account_autocreate = true``.
Counters (``X-Account-Object-Count`` and the like) change as soon as an object is
written, while a real Swift updates the account's about 5 seconds later.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import uuid
from typing import Any, Iterator

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request, Response

from ..app import Service, raw_query
from ..faults import FaultRule
from ..state import SandboxState, Token
from . import bulk, cors, objects, tempurl
from .access import Caller, acl_allows, clean_acl, identify
from .call import Call
from .info import info_document
from .listing import container_entry, object_entry, parse_listing_query, query_params, render
from .metadata import (
    CONTAINER_KEPT_HEADERS,
    OWNER_HEADERS,
    MetadataError,
    check_metadata,
    check_stored_metadata,
    metadata_updates,
)
from .paths import MAIN_CLUSTER, RESELLER_PREFIX, PathError, SwiftPath, parse_storage_path, split_cluster
from .responses import (
    SwiftError,
    http_date,
    iso_timestamp,
    new_response,
    new_trans_id,
    normal_timestamp,
    round_timestamp,
    swift_response,
)
from .store import SEED_AREA, ContainerRecord, LIVE_AREA, ObjectRecord, Subdir, SwiftStore

logger = logging.getLogger(__name__)

# Methods of each level, in the order Swift lists them in ``Allow``.
CONTAINER_METHODS = "POST, PUT, OPTIONS, DELETE, GET, HEAD"
OBJECT_METHODS = "POST, PUT, OPTIONS, DELETE, GET, HEAD"
ACCOUNT_METHODS = "GET, HEAD, OPTIONS, POST"
# OPTIONS on an object also lists COPY, which Swift's copy middleware adds.
OBJECT_OPTIONS = OBJECT_METHODS + ", COPY"

# Request bodies up to this size are read and dropped before an error response, so the
# client reads the response instead of a reset connection.
DRAIN_LIMIT = 64 << 20


class SwiftService(Service):
    """OpenStack Swift (2.38) for every cluster of the sandbox."""

    name = "swift"

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.store = SwiftStore(state.data_dir / "swift")
        self._known_accounts: set[tuple[str, str]] = set()
        self._accounts_lock = threading.Lock()
        # The current v1 auth token of each user, handed out again while it is valid.
        self._v1_tokens: dict[str, str] = {}
        if not self.store.has_snapshot():
            self._write_seed()

    def _write_seed(self) -> None:
        from ..seed import seed_swift

        self.store.area = SEED_AREA
        try:
            seed_swift(self)
        finally:
            self.store.area = LIVE_AREA
        self.store.snapshot()
        logger.info("seeded the Swift data in %s", self.store.root)

    # -- interface for the other services ----------------------------------------------

    def issue_token(
        self,
        grants: list[tuple[str, str]],
        ttl: float | None = None,
        *,
        value: str | None = None,
        identities: tuple[str, ...] | list[str] = (),
    ) -> Token:
        """Issue a Swift token for ``(cluster, account)`` pairs.

        ``cluster`` is "main" or a lower-case region such as "gra"; ``account`` has no
        ``AUTH_`` prefix. ``ttl`` defaults to the ``swift_token_ttl`` setting. ``value``
        sets the token text (Keystone passes its own); by default it is a tempauth-style
        ``AUTH_tk`` token. ``identities`` are the names container ACLs may grant it under.
        """
        lifetime = self.state.settings["swift_token_ttl"] if ttl is None else ttl
        subject = {"grants": [[cluster, account] for cluster, account in grants], "identities": list(identities)}
        return self.state.tokens.issue("swift", lifetime, subject, value=value or f"AUTH_tk{uuid.uuid4().hex}")

    def ensure_account(self, cluster: str, account: str) -> None:
        """Create the account if it does not exist yet."""
        key = (cluster, account)
        with self._accounts_lock:
            if key in self._known_accounts:
                return
        self.store.ensure_account(cluster, account, round_timestamp(self.state.now()))
        with self._accounts_lock:
            self._known_accounts.add(key)

    def account_containers(self, cluster: str, account: str) -> list[dict[str, Any]]:
        """Return the account's containers: name, count, bytes, last_modified (ISO 8601, UTC)."""
        containers: list[dict[str, Any]] = []
        marker = ""
        while True:
            page = self.store.list_containers(cluster, account, limit=1000, marker=marker)
            if not page:
                return containers
            for entry in page:
                assert isinstance(entry, ContainerRecord)
                containers.append(
                    {
                        "name": entry.name,
                        "count": entry.object_count,
                        "bytes": entry.bytes_used,
                        "last_modified": iso_timestamp(entry.put_timestamp),
                    }
                )
            marker = page[-1].name

    def account_usage(self, cluster: str, account: str) -> dict[str, int]:
        """Return ``{"containers", "objects", "bytes"}`` for the account."""
        containers, objects_count, used = self.store.account_stats(cluster, account)
        return {"containers": containers, "objects": objects_count, "bytes": used}

    def open_object(self, cluster: str, account: str, container: str, name: str) -> tuple[dict[str, str], Iterator[bytes]] | None:
        """Return the object's headers and a byte iterator, or None when it does not exist.

        Large objects come back as the concatenation of their segments.
        """
        call = self.internal_call(cluster, account, container, name)
        response = objects.get_or_head(call)
        if response.status_code != 200:
            response.close()
            return None
        headers = {key: value for key, value in response.headers.items()}
        return headers, iter(response.response)

    def storage_url(self, cluster: str, account: str) -> str:
        """Return the account's storage URL."""
        return self.state.swift_storage_url(account, None if cluster == MAIN_CLUSTER else cluster)

    def internal_call(self, cluster: str, account: str, container: str | None = None, name: str | None = None) -> Call:
        """Return a GET call made by the sandbox itself, as the account's owner."""
        segment = RESELLER_PREFIX + account
        signed = "/v1/" + "/".join(part for part in (segment, container, name) if part)
        path = SwiftPath(cluster, segment, account, container, name, signed)
        request = Request.from_values(method="GET")
        return Call(self, request, path, Caller("valid", None, owner=True), {}, self.state.now())

    # -- helpers used by the seed and by tests --------------------------------------------

    def put_container(self, cluster: str, account: str, name: str, meta: dict[str, str] | None = None) -> None:
        """Create a container (the account too) without going through HTTP."""
        self.ensure_account(cluster, account)
        self.store.put_container(cluster, account, name, round_timestamp(self.state.now()), dict(meta or {}))

    def put_object_bytes(
        self,
        cluster: str,
        account: str,
        container: str,
        name: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
        timestamp: float | None = None,
    ) -> ObjectRecord:
        """Store an object held in memory (seed data); the container must exist."""
        staged = self.store.stage_bytes(data)
        when = round_timestamp(self.state.now() if timestamp is None else timestamp)
        record = ObjectRecord(name, staged.size, staged.size, staged.etag, content_type, when, dict(headers or {}))
        record.file = self.store.keep(staged)
        self.store.put_object(cluster, account, container, record)
        return record

    # -- Service hooks ------------------------------------------------------------------

    def close(self) -> None:
        """Close the store's database connections (a later request opens new ones)."""
        self.store.close()

    def reset(self) -> None:
        """Return every cluster to the seeded data."""
        self.store.restore()
        with self._accounts_lock:
            self._known_accounts.clear()
        self._v1_tokens.clear()

    def error_response(self, request: Request, status: int, rule: FaultRule) -> Response:
        """Build the response to an injected status as the real Swift would (tempauth 401, ratelimit 498, ...)."""
        head = request.method == "HEAD"
        if status == 401:
            realm = self._realm(split_cluster(request.path)[1])
            response = swift_response(401, head=head, headers=[("Www-Authenticate", f'Swift realm="{realm}"')])
        elif status in (429, 498):
            response = swift_response(status, "Slow down", head=head)
        else:
            response = swift_response(status, head=head)
        self._stamp(response, new_trans_id(self.state.now()))
        return response

    def handle(self, request: Request, path: str) -> Response:
        """Handle one Swift request."""
        now = self.state.now()
        trans_id = new_trans_id(now, request.headers.get("X-Trans-Id-Extra"))
        try:
            response = self._route(request, path, now)
        except SwiftError as error:
            response = error.response(head=request.method == "HEAD")
        if response.status_code >= 400:
            logger.debug("swift %s %s -> %d (%s)", request.method, path, response.status_code, trans_id)
            _drain(request)
        self._stamp(response, trans_id)
        return response

    @staticmethod
    def _stamp(response: Response, trans_id: str) -> None:
        response.headers["X-Trans-Id"] = trans_id
        response.headers["X-Openstack-Request-Id"] = trans_id

    # -- routing ------------------------------------------------------------------------

    def _route(self, request: Request, raw: str, now: float) -> Response:
        cluster, rest = split_cluster(raw)
        if cluster != MAIN_CLUSTER and cluster not in self.regions():
            raise SwiftError(404)
        if rest in ("/info", "/info/"):
            return self._info(request)
        if cluster == MAIN_CLUSTER and rest in ("/auth/v1.0", "/auth/v1.0/"):
            return self._v1_auth(request)
        if not rest.startswith("/v1/"):
            raise SwiftError(404)

        params = query_params(raw_query(request))
        if "bulk-delete" in params and request.method in ("POST", "DELETE"):
            return bulk.bulk_delete(self._call(request, rest, cluster, params, now, check_token=False))
        if "temp_url_sig" in params or "temp_url_expires" in params:
            if request.method != "OPTIONS":
                return self._temp_url_request(request, rest, cluster, params, now)
        call = self._call(request, rest, cluster, params, now)
        self._authorize(call)
        return self._run(call)

    def regions(self) -> list[str]:
        """Return the Public Cloud regions, lower case, as their paths spell them."""
        return [region.lower() for region in self.state.demo["ovh"]["regions"]]

    def _call(self, request: Request, rest: str, cluster: str, params: dict[str, str], now: float, check_token: bool = True) -> Call:
        token_value = request.headers.get("X-Auth-Token") or request.headers.get("X-Storage-Token")
        status, token = self.state.tokens.check(token_value, "swift") if token_value else ("none", None)
        if check_token and token_value and status != "valid" and token_value.startswith(RESELLER_PREFIX):
            # tempauth owns AUTH_ tokens and refuses one it does not know before anything else.
            raise SwiftError(401, headers=[("Www-Authenticate", f'Swift realm="{self._realm(rest)}"')])
        try:
            path = parse_storage_path(rest, cluster)
        except PathError as error:
            raise SwiftError(error.status, error.body) from None
        caller = identify(status, token, cluster, path.account)
        return Call(self, request, path, caller, params, now)

    @staticmethod
    def _realm(rest: str) -> str:
        segments = rest.split("/")
        if len(segments) > 2 and segments[1] in ("v1", "v1.0") and segments[2]:
            return segments[2]
        return "unknown"

    def _run(self, call: Call) -> Response:
        """Run the handler, then add CORS headers for an allowed ``Origin``, as Swift's handlers do."""
        try:
            response = self._dispatch(call)
        except SwiftError as error:
            response = error.response(head=call.head)
        if call.path.container and call.method != "OPTIONS" and call.request.headers.get("Origin"):
            container = self.store.get_container(call.cluster, call.account, call.path.container)
            response = cors.decorate(response, call.request, container)
        return response

    def _dispatch(self, call: Call) -> Response:
        method = call.method
        level = call.path.level
        if method == "OPTIONS":
            return self._options(call)
        if level == "account":
            handlers = {"GET": self._account_get, "HEAD": self._account_get, "POST": self._account_post}
            if method in ("PUT", "DELETE"):
                # tempauth lets no account owner create or delete the account itself.
                raise SwiftError(403)
        elif level == "container":
            handlers = {
                "GET": self._container_get,
                "HEAD": self._container_get,
                "PUT": self._container_put,
                "POST": self._container_post,
                "DELETE": self._container_delete,
            }
        else:
            handlers = {
                "GET": objects.get_or_head,
                "HEAD": objects.get_or_head,
                "PUT": objects.put,
                "POST": objects.post,
                "DELETE": objects.delete,
                "COPY": objects.copy_method,
            }
        handler = handlers.get(method)
        if handler is None:
            allow = {"container": CONTAINER_METHODS, "object": OBJECT_METHODS}.get(level)
            raise SwiftError(405, headers=[("Allow", allow)] if allow else [])
        return handler(call)

    def _options(self, call: Call) -> Response:
        allow = {"account": ACCOUNT_METHODS, "container": CONTAINER_METHODS, "object": OBJECT_OPTIONS}[call.path.level]
        if call.path.container and call.request.headers.get("Origin"):
            container = self.store.get_container(call.cluster, call.account, call.path.container)
            return cors.preflight(call.request, container, allow)
        return swift_response(200, b"", headers=[("Allow", allow)])

    # -- authentication and authorization -------------------------------------------------

    def _v1_auth(self, request: Request) -> Response:
        """Handle ``GET /auth/v1.0`` as tempauth does: the same token again while it is valid."""
        user = request.headers.get("X-Auth-User") or request.headers.get("X-Storage-User")
        key = request.headers.get("X-Auth-Key") or request.headers.get("X-Storage-Pass")
        if not user or ":" not in user:
            raise SwiftError(401, headers=[("Www-Authenticate", 'Swift realm="unknown"')])
        account_name = user.split(":", 1)[0]
        unauthorized = SwiftError(401, headers=[("Www-Authenticate", f'Swift realm="{account_name or "unknown"}"')])
        demo = self.state.demo["swift"]
        if not key or user != demo["user"] or not _same(key, demo["key"]):
            raise unauthorized

        account = demo["account"]
        token = self._reusable_token(user)
        if token is None:
            token = self.issue_token([(MAIN_CLUSTER, account)], identities=[user])
            self._v1_tokens[user] = token.value
        self.ensure_account(MAIN_CLUSTER, account)
        remaining = int((token.expires_at or 0) - self.state.now())
        headers = [
            ("X-Auth-Token", token.value),
            ("X-Storage-Token", token.value),
            ("X-Auth-Token-Expires", str(remaining)),
            ("X-Storage-Url", self.storage_url(MAIN_CLUSTER, account)),
        ]
        return swift_response(200, b"", headers=headers)

    def _reusable_token(self, user: str) -> Token | None:
        # tempauth hands out the user's current token again until it expires.
        value = self._v1_tokens.get(user)
        if value is None:
            return None
        status, token = self.state.tokens.check(value, "swift")
        return token if status == "valid" else None

    def _temp_url_request(self, request: Request, rest: str, cluster: str, params: dict[str, str], now: float) -> Response:
        grant = tempurl.check(self, request, rest, cluster, now)
        call = self._call(request, rest, cluster, params, now, check_token=False)
        call.caller = Caller("none")
        call.temp_url = {"account": grant.account, "container": grant.container}
        if call.path.account != grant.account or (grant.container and call.path.container != grant.container):
            raise tempurl._invalid(request)
        call.service.ensure_account(cluster, grant.account)
        response = self._run(call)
        return tempurl.dress(response, request, grant, call.path.obj or "")

    def temp_url_keys(self, cluster: str, account: str, container: str | None) -> list[tuple[str, str]]:
        """Return the temp URL keys of an account and container, each with its scope."""
        keys: list[tuple[str, str]] = []
        record = self.store.get_account(cluster, account)
        if record is not None:
            keys += [(value, "account") for name, value in record.meta.items() if name.lower() in _ACCOUNT_KEY_NAMES]
        if container:
            stored = self.store.get_container(cluster, account, container)
            if stored is not None:
                keys += [(value, "container") for name, value in stored.meta.items() if name.lower() in _CONTAINER_KEY_NAMES]
        return keys

    def _authorize(self, call: Call) -> None:
        """Let the owner through, and others when a container ACL allows; else 401 or 403."""
        caller = call.caller
        path = call.path
        if caller.owner:
            self.ensure_account(call.cluster, call.account)
            return
        if call.method == "OPTIONS":
            return
        if call.method == "COPY" or (call.method == "PUT" and call.request.headers.get("X-Copy-From")):
            # The copy checks read access to the source and write access to the target.
            if path.obj:
                return
        acl = None
        if path.container:
            container = self.store.get_container(call.cluster, call.account, path.container)
            if container is not None:
                if path.obj:
                    header = "X-Container-Read" if call.method in ("GET", "HEAD") else "X-Container-Write"
                    acl = container.meta.get(header)
                elif call.method in ("GET", "HEAD"):
                    acl = container.meta.get("X-Container-Read")
        if acl and acl_allows(caller, acl, call.request.headers.get("Referer"), is_object=bool(path.obj)):
            return
        raise self._denied(call.caller, path)

    def _denied(self, caller: Caller, path: SwiftPath) -> SwiftError:
        if caller.token_status == "valid":
            return SwiftError(403)
        realm = path.account_segment
        return SwiftError(401, headers=[("Www-Authenticate", f'Swift realm="{realm}"')])

    def authorize_copy(self, call: Call, source_account: str, source_container: str, target_account: str, target_container: str) -> None:
        """Check read access to a copy's source and write access to its target."""
        for account, container, header in (
            (source_account, source_container, "X-Container-Read"),
            (target_account, target_container, "X-Container-Write"),
        ):
            caller = identify(call.caller.token_status, call.caller.token, call.cluster, account)
            if caller.owner:
                self.ensure_account(call.cluster, account)
                continue
            stored = self.store.get_container(call.cluster, account, container)
            acl = stored.meta.get(header) if stored is not None else None
            if acl and acl_allows(caller, acl, call.request.headers.get("Referer"), is_object=True):
                continue
            segment = RESELLER_PREFIX + account
            raise self._denied(caller, SwiftPath(call.cluster, segment, account, container, None, ""))

    def delete_for_bulk(self, call: Call, name: str) -> int:
        """Delete ``container`` or ``container/object`` for a bulk request; return the status."""
        container, _slash, obj = name.partition("/")
        segment = call.path.account_segment
        path = SwiftPath(call.cluster, segment, call.account, container, obj or None, "")
        if len(name.encode("utf-8")) > 256 + 1024 + 1 or not container:
            return 400
        token_value = call.request.headers.get("X-Auth-Token") or call.request.headers.get("X-Storage-Token")
        status, token = self.state.tokens.check(token_value, "swift") if token_value else ("none", None)
        if token_value and status != "valid" and token_value.startswith(RESELLER_PREFIX):
            return 401
        sub = Call(self, call.request, path, identify(status, token, call.cluster, call.account), {}, call.now)
        sub.extra["method"] = "DELETE"
        try:
            self._authorize_delete(sub)
        except SwiftError as error:
            return error.status
        if obj:
            return 204 if self.store.delete_object(call.cluster, call.account, container, obj) is not None else 404
        outcome = self.store.delete_container(call.cluster, call.account, container)
        return {"deleted": 204, "not_found": 404, "not_empty": 409}[outcome]

    def _authorize_delete(self, call: Call) -> None:
        if call.caller.owner:
            return
        path = call.path
        if path.obj:
            stored = self.store.get_container(call.cluster, call.account, path.container or "")
            acl = stored.meta.get("X-Container-Write") if stored is not None else None
            if acl and acl_allows(call.caller, acl, None, is_object=True):
                return
        raise self._denied(call.caller, path)

    # -- /info --------------------------------------------------------------------------

    def _info(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise SwiftError(405, headers=[("Allow", "HEAD, GET, OPTIONS")])
        body = json.dumps(info_document(self.state.settings)).encode("utf-8")
        return swift_response(200, body, content_type="application/json; charset=UTF-8")

    # -- accounts -----------------------------------------------------------------------

    def _account_get(self, call: Call) -> Response:
        query = parse_listing_query(call.params, call.request.headers.get("Accept"), call.settings["account_listing_limit"], container=False)
        record = self.store.get_account(call.cluster, call.account)
        if record is None:
            raise SwiftError(404)
        containers, objects_count, used = self.store.account_stats(call.cluster, call.account)
        headers = [
            ("Content-Type", f"{query.content_type}; charset=utf-8"),
            ("X-Account-Container-Count", str(containers)),
            ("X-Account-Object-Count", str(objects_count)),
            ("X-Account-Bytes-Used", str(used)),
            ("X-Timestamp", normal_timestamp(record.created)),
            ("X-Account-Storage-Policy-Policy-0-Container-Count", str(containers)),
            ("X-Account-Storage-Policy-Policy-0-Object-Count", str(objects_count)),
            ("X-Account-Storage-Policy-Policy-0-Bytes-Used", str(used)),
            *self._visible_meta(call, record.meta),
            ("Accept-Ranges", "bytes"),
        ]
        if query.negotiated:
            headers.append(("Vary", "Accept"))
        if call.head:
            return new_response(204, b"", [*headers, ("Content-Length", "0")])

        entries = []
        for entry in self.store.list_containers(call.cluster, call.account, **query.store_arguments()):
            if isinstance(entry, Subdir):
                entries.append({"subdir": entry.name})
            else:
                entries.append(container_entry(entry.name, entry.object_count, entry.bytes_used, iso_timestamp(entry.put_timestamp)))
        body = render(entries, query.content_type, root="account", root_name=call.path.account_segment)
        return new_response(200 if body else 204, body, [*headers, ("Content-Length", str(len(body)))])

    def _account_post(self, call: Call) -> Response:
        updates = self._meta_updates(call, "account")
        record = self.store.get_account(call.cluster, call.account)
        if record is None:
            raise SwiftError(404)
        merged = {**record.meta}
        for name, value in updates.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        _check_stored(merged, "account", call.settings)
        self.store.update_account_meta(call.cluster, call.account, updates)
        return swift_response(204, b"")

    def _meta_updates(self, call: Call, level: str, kept: tuple[str, ...] = ()) -> dict[str, str | None]:
        try:
            check_metadata(call.request.headers, level, call.settings)
        except MetadataError as error:
            raise SwiftError(400, str(error), content_type="text/plain") from None
        return metadata_updates(call.request.headers, level, kept)

    def _visible_meta(self, call: Call, meta: dict[str, str]) -> list[tuple[str, str]]:
        # ACLs and temp URL keys are shown to the account's owner only, as the proxy does.
        return [(name, value) for name, value in meta.items() if call.caller.owner or name.lower() not in OWNER_HEADERS]

    # -- containers ---------------------------------------------------------------------

    def _container_get(self, call: Call) -> Response:
        query = parse_listing_query(call.params, call.request.headers.get("Accept"), call.settings["container_listing_limit"], container=True)
        container = self.store.get_container(call.cluster, call.account, call.path.container or "")
        if container is None:
            raise SwiftError(404)
        headers = [
            ("Content-Type", f"{query.content_type}; charset=utf-8"),
            ("X-Container-Object-Count", str(container.object_count)),
            ("X-Container-Bytes-Used", str(container.bytes_used)),
            ("X-Timestamp", normal_timestamp(container.created)),
            *self._visible_meta(call, container.meta),
            ("Last-Modified", http_date(container.put_timestamp)),
            ("Accept-Ranges", "bytes"),
            ("X-Storage-Policy", "Policy-0"),
        ]
        if query.negotiated:
            headers.append(("Vary", "Accept"))
        if call.head:
            return new_response(204, b"", [*headers, ("Content-Length", "0")])

        entries = []
        for entry in self.store.list_objects(call.cluster, call.account, container.name, **query.store_arguments()):
            if isinstance(entry, Subdir):
                entries.append({"subdir": entry.name})
            else:
                slo_etag = entry.headers.get("X-Object-Sysmeta-Slo-Etag")
                entries.append(
                    object_entry(entry.name, entry.listing_bytes, entry.etag, entry.content_type, iso_timestamp(entry.timestamp), slo_etag)
                )
        body = render(entries, query.content_type, root="container", root_name=container.name)
        return new_response(200 if body else 204, body, [*headers, ("Content-Length", str(len(body)))])

    def _container_put(self, call: Call) -> Response:
        name = call.path.container or ""
        updates = self._container_updates(call)
        limit = call.settings["max_container_name_length"]
        # Swift 2.38 counts characters here, not UTF-8 bytes.
        length = len(name)
        if length > limit:
            raise SwiftError(400, f"Container name length of {length} longer than {limit}")
        existing = self.store.get_container(call.cluster, call.account, name)
        if existing is not None:
            _check_stored({**existing.meta, **{k: v for k, v in updates.items() if v}}, "container", call.settings)
        created = self.store.put_container(call.cluster, call.account, name, round_timestamp(call.now), updates)
        return swift_response(201, b"") if created else swift_response(202)

    def _container_updates(self, call: Call) -> dict[str, str | None]:
        for header, message in (("X-Container-Meta-Quota-Bytes", "Invalid bytes quota."), ("X-Container-Meta-Quota-Count", "Invalid count quota.")):
            value = call.request.headers.get(header)
            if value and not value.isdigit():
                raise SwiftError(400, message)
        updates = self._meta_updates(call, "container", CONTAINER_KEPT_HEADERS)
        for header in ("X-Container-Read", "X-Container-Write"):
            value = updates.get(header)
            if value:
                try:
                    updates[header] = clean_acl(header, value) or None
                except ValueError as error:
                    raise SwiftError(400, str(error)) from None
        return updates

    def _container_post(self, call: Call) -> Response:
        name = call.path.container or ""
        updates = self._container_updates(call)
        existing = self.store.get_container(call.cluster, call.account, name)
        if existing is None:
            raise SwiftError(404)
        merged = dict(existing.meta)
        for key, value in updates.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        _check_stored(merged, "container", call.settings)
        # A POST moves the container's Last-Modified, as it does in Swift 2.38.
        self.store.put_container(call.cluster, call.account, name, round_timestamp(call.now), updates)
        return swift_response(204, b"")

    def _container_delete(self, call: Call) -> Response:
        outcome = self.store.delete_container(call.cluster, call.account, call.path.container or "")
        if outcome == "not_found":
            raise SwiftError(404)
        if outcome == "not_empty":
            raise SwiftError(409)
        return swift_response(204, b"")


# Names (lower case) of the metadata that contains temp URL keys.
_ACCOUNT_KEY_NAMES = ("x-account-meta-temp-url-key", "x-account-meta-temp-url-key-2")
_CONTAINER_KEY_NAMES = ("x-container-meta-temp-url-key", "x-container-meta-temp-url-key-2")


def _check_stored(meta: dict[str, str], level: str, settings: dict[str, Any]) -> None:
    try:
        check_stored_metadata(meta, level, settings)
    except MetadataError as error:
        raise SwiftError(400, str(error)) from None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def _drain(request: Request) -> None:
    """Read and drop a small unread request body so the client reads the response."""
    length = request.content_length
    chunked = "chunked" in (request.headers.get("Transfer-Encoding") or "").lower()
    if not chunked and (length is None or length > DRAIN_LIMIT):
        return
    stream = request.stream
    read = 0
    try:
        while read <= DRAIN_LIMIT:
            chunk = stream.read(1 << 16)
            if not chunk:
                return
            read += len(chunk)
    except (OSError, ClientDisconnected):
        return
