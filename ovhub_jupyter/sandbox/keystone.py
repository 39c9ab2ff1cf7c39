"""Keystone emulation: v3 password tokens for Public Cloud projects, v2.0 for legacy webstorage.

A token issued here is also a Swift token: it opens the project's account
(``AUTH_<project id>``) in every region, as an OVHcloud Keystone token does, and lasts
``keystone_token_ttl`` seconds. The responses follow Keystone's JSON shapes. A login gets
``201`` with ``X-Subject-Token`` and a ``token`` body, whose catalog lists ``object-store``
endpoints (public, internal and admin interfaces) for each region and an ``identity``
entry. Errors are ``{"error": {"code", "message", "title"}}``.

Users created through ``create_user`` (the OVHcloud API's OpenStack users) persist in
``keystone_users.json`` in the data folder, passwords stored as salted PBKDF2 hashes.
The demo user of ``state.demo["keystone"]`` always exists.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from .app import Service, status_line
from .faults import FaultRule
from .state import SandboxState

logger = logging.getLogger(__name__)

# File in the data folder that keeps the users created through ``create_user``.
USERS_FILE = "keystone_users.json"

# PBKDF2 rounds for stored passwords: enough to keep them out of plain sight, cheap to check.
PASSWORD_ROUNDS = 20000

# The only user domain of OVHcloud's Keystone.
DEFAULT_DOMAIN = {"id": "default", "name": "Default"}

# Role names OVHcloud gives an object storage user.
ROLES = ("objectstore_operator", "member")

# Region of the legacy webstorage endpoint in v2.0 catalogs.
# NOTE: the region name of the real CDN webstorage catalog is unverified; "GRA" is a guess.
WEBSTORAGE_REGION = "GRA"

UNAUTHORIZED_MESSAGE = "The request you have made requires authentication."
BAD_REQUEST_SUFFIX = (
    " The server could not comply with the request since it is either malformed or otherwise incorrect."
    " The client is assumed to be in error."
)


def _error(code: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message, "title": title}})
    response = Response(body, status=code, content_type="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized(identity_url: str) -> Response:
    """Return Keystone's 401 response; ``identity_url`` is the ``/v3`` URL it points clients to."""
    return _error(401, "Unauthorized", UNAUTHORIZED_MESSAGE, {"WWW-Authenticate": f'Keystone uri="{identity_url}"'})


def bad_request(attribute: str, target: str) -> Response:
    """Return Keystone's 400 for a missing or malformed field."""
    return _error(400, "Bad Request", f"Expecting to find {attribute} in {target}.{BAD_REQUEST_SUFFIX}")


def _iso(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, PASSWORD_ROUNDS)
    return base64.b64encode(salt).decode("ascii") + "$" + base64.b64encode(digest).decode("ascii")


def _check_password(password: str, stored: str) -> bool:
    try:
        salt_text, digest_text = stored.split("$", 1)
        salt = base64.b64decode(salt_text)
    except ValueError:
        return False
    return hmac.compare_digest(_hash_password(password, salt), f"{salt_text}${digest_text}")


def _fernet_like() -> str:
    # Keystone's fernet tokens: "gAAAAA" followed by URL-safe base64, about 180 characters.
    return "gAAAAAB" + secrets.token_urlsafe(132)


class KeystoneService(Service):
    """Keystone v3 and v2.0 token endpoints for the sandbox's projects and webstorage tenants."""

    name = "keystone"

    def __init__(self, state: SandboxState, swift) -> None:  # noqa: ANN001
        super().__init__(state)
        self.swift = swift
        self._lock = threading.Lock()
        self._users_file = state.data_dir / USERS_FILE
        # Users created through create_user, by id: user_id, username, password hash, project_id, description.
        self._users: dict[str, dict[str, str]] = self._load_users()
        # Keystone v2.0 tenants by name: login, password hash, account.
        self._tenants: dict[str, dict[str, str]] = {}
        self._add_demo_tenant()

    # -- interface for the OVHcloud API emulation -----------------------------------------

    def create_user(self, *, user_id: str, username: str, password: str, project_id: str, description: str = "") -> None:
        """Add an OpenStack user that can get tokens scoped to ``project_id``."""
        with self._lock:
            self._users[user_id] = {
                "user_id": user_id,
                "username": username,
                "password": _hash_password(password),
                "project_id": project_id,
                "description": description,
            }
            self._save_users()

    def set_password(self, user_id: str, password: str) -> None:
        """Replace a user's password; tokens issued before stay valid, as in Keystone."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise KeyError(f"no Keystone user {user_id!r}")
            user["password"] = _hash_password(password)
            self._save_users()

    def delete_user(self, user_id: str) -> None:
        """Remove a user."""
        with self._lock:
            self._users.pop(user_id, None)
            self._save_users()

    def get_user(self, user_id: str) -> dict[str, Any] | None:
        """Return ``{"user_id", "username", "project_id", "description"}`` or None."""
        with self._lock:
            user = self._users.get(user_id)
        if user is None and user_id == self.state.demo["keystone"]["user_id"]:
            user = self._demo_user()
        if user is None:
            return None
        return {key: user[key] for key in ("user_id", "username", "project_id", "description")}

    def add_v2_tenant(self, *, tenant: str, login: str, password: str, account: str) -> None:
        """Let ``login``/``password`` get a Keystone v2.0 token for ``tenant``, opening Swift ``AUTH_<account>``."""
        with self._lock:
            self._tenants[tenant] = {"login": login, "password": _hash_password(password), "account": account}

    # -- persistence ----------------------------------------------------------------------

    def _load_users(self) -> dict[str, dict[str, str]]:
        if not self._users_file.exists():
            return {}
        try:
            return json.loads(self._users_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("ignoring unreadable %s; created OpenStack users are lost", self._users_file)
            return {}

    def _save_users(self) -> None:
        temporary = self._users_file.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(self._users, handle, indent=2, sort_keys=True)
        os.replace(temporary, self._users_file)

    def _demo_user(self) -> dict[str, str]:
        demo = self.state.demo["keystone"]
        return {
            "user_id": demo["user_id"],
            "username": demo["username"],
            "password": demo["password"],
            "project_id": self.state.demo["ovh"]["project_id"],
            "description": "sandbox demo user",
        }

    def _add_demo_tenant(self) -> None:
        # The same login and password the OVHcloud API emulation returns from
        # /cdn/webstorage/{sn}/credentials.
        credentials = self.state.webstorage_credentials()
        self.add_v2_tenant(
            tenant=credentials["tenant"],
            login=credentials["login"],
            password=credentials["password"],
            account=self.state.demo["ovh"]["webstorage_account"],
        )

    # -- Service hooks --------------------------------------------------------------------

    def reset(self) -> None:
        """Forget created users and registered tenants; the demo user and tenant stay."""
        with self._lock:
            self._users = {}
            self._save_users()
            self._tenants = {}
        self._add_demo_tenant()

    def error_response(self, request: Request, status: int, rule: FaultRule) -> Response:
        """Build the response to an injected status in Keystone's JSON error format."""
        title = status_line(status).split(" ", 1)[1]
        if status == 401:
            return unauthorized(self._base(request) + "/v3")
        return _error(status, title, f"Injected by the sandbox: {title}.")

    def handle(self, request: Request, path: str) -> Response:
        """Handle a Keystone request."""
        route = path.rstrip("/")
        if route == "/v3":
            return self._version(request)
        if route == "/v3/auth/tokens":
            if request.method == "POST":
                return self._v3_tokens(request)
            if request.method in ("GET", "HEAD"):
                return self._v3_validate(request)
            if request.method == "DELETE":
                return self._v3_revoke(request)
            return _error(405, "Method Not Allowed", "The method is not allowed for the requested URL.")
        if route == "/v2.0/tokens" and request.method == "POST":
            return self._v2_tokens(request)
        if route == "/v2.0":
            return self._json({"version": {"id": "v2.0", "status": "deprecated", "links": [{"rel": "self", "href": self._base(request) + "/v2.0/"}]}})
        return _error(404, "Not Found", "The resource could not be found.")

    # -- v3 -------------------------------------------------------------------------------

    def _version(self, request: Request) -> Response:
        document = {
            "version": {
                "id": "v3.14",
                "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": self._base(request) + "/v3/"}],
                "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
            }
        }
        return self._json(document)

    def _v3_tokens(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"")
        except ValueError:
            return bad_request("auth", "request body")
        auth = body.get("auth") if isinstance(body, dict) else None
        if not isinstance(auth, dict):
            return bad_request("auth", "request body")
        identity = auth.get("identity")
        if not isinstance(identity, dict) or not isinstance(identity.get("methods"), list):
            return bad_request("identity", "auth")
        if identity["methods"] != ["password"]:
            return unauthorized(self._base(request) + "/v3")
        password_block = identity.get("password")
        user_block = password_block.get("user") if isinstance(password_block, dict) else None
        if not isinstance(user_block, dict) or not isinstance(user_block.get("password"), str):
            return bad_request("user", "password")
        if "id" not in user_block and "name" not in user_block:
            return bad_request("id or name", "user")
        if "name" in user_block and "id" not in user_block:
            domain = user_block.get("domain")
            if not isinstance(domain, dict) or not (domain.get("id") or domain.get("name")):
                return bad_request("domain", "user")
            if domain.get("id", "default") != "default" and domain.get("name", "Default") != "Default":
                return unauthorized(self._base(request) + "/v3")

        user = self._find_user(user_block)
        if user is None or not self._password_matches(user, user_block["password"]):
            logger.debug("keystone v3 login failed for user %r", user_block.get("name") or user_block.get("id"))
            return unauthorized(self._base(request) + "/v3")
        scope = auth.get("scope")
        project_id = None
        if scope is not None:
            project = scope.get("project") if isinstance(scope, dict) else None
            if not isinstance(project, dict) or not (project.get("id") or project.get("name")):
                return bad_request("project", "scope")
            wanted = project.get("id")
            if wanted is None and project.get("name") == self.state.demo["ovh"]["project_name"]:
                wanted = self.state.demo["ovh"]["project_id"]
            if wanted != user["project_id"]:
                return unauthorized(self._base(request) + "/v3")
            project_id = wanted
        return self._issue_v3(request, user, project_id)

    def _find_user(self, user_block: dict[str, Any]) -> dict[str, str] | None:
        candidates = [self._demo_user(), *self._users.values()]
        for user in candidates:
            if "id" in user_block and user_block["id"] == user["user_id"]:
                return user
            if "id" not in user_block and user_block.get("name") == user["username"]:
                return user
        return None

    def _password_matches(self, user: dict[str, str], password: str) -> bool:
        if user["user_id"] == self.state.demo["keystone"]["user_id"]:
            return hmac.compare_digest(password.encode("utf-8"), user["password"].encode("utf-8"))
        return _check_password(password, user["password"])

    def _issue_v3(self, request: Request, user: dict[str, str], project_id: str | None) -> Response:
        ttl = self.state.settings["keystone_token_ttl"]
        regions = [region.lower() for region in self.state.demo["ovh"]["regions"]]
        grants = [(region, project_id) for region in regions] if project_id else []
        identities = [f"{project_id}:{user['user_id']}", f"{project_id}:{user['username']}"] if project_id else []
        token = self.swift.issue_token(grants, ttl, value=_fernet_like(), identities=identities)
        token.subject.update({"user_id": user["user_id"], "project_id": project_id, "keystone": "v3"})

        body: dict[str, Any] = {
            "methods": ["password"],
            "user": {"domain": dict(DEFAULT_DOMAIN), "id": user["user_id"], "name": user["username"], "password_expires_at": None},
            "audit_ids": [base64.urlsafe_b64encode(os.urandom(16)).decode("ascii").rstrip("=")[:22]],
            "expires_at": _iso(token.expires_at or 0),
            "issued_at": _iso(token.issued_at),
        }
        if project_id:
            body["project"] = {"domain": dict(DEFAULT_DOMAIN), "id": project_id, "name": self.state.demo["ovh"]["project_name"]}
            body["is_domain"] = False
            body["roles"] = [{"id": hashlib.md5(role.encode(), usedforsecurity=False).hexdigest(), "name": role} for role in ROLES]
            body["catalog"] = self._catalog(request, project_id, regions)
        response = self._json({"token": body}, status=201)
        response.headers["X-Subject-Token"] = token.value
        response.headers["Vary"] = "X-Auth-Token"
        return response

    def _catalog(self, request: Request, project_id: str, regions: list[str]) -> list[dict[str, Any]]:
        base = self._base(request)
        storage = []
        identity = []
        for region in regions:
            url = f"{base}/storage/{region}/v1/AUTH_{project_id}"
            for interface in ("public", "internal", "admin"):
                storage.append(self._endpoint(interface, region.upper(), url))
            identity.append(self._endpoint("public", region.upper(), f"{base}/v3"))
        return [
            {"endpoints": storage, "id": hashlib.md5(b"object-store", usedforsecurity=False).hexdigest(), "type": "object-store", "name": "swift"},
            {"endpoints": identity, "id": hashlib.md5(b"identity", usedforsecurity=False).hexdigest(), "type": "identity", "name": "keystone"},
        ]

    @staticmethod
    def _endpoint(interface: str, region: str, url: str) -> dict[str, str]:
        identifier = hashlib.md5(f"{interface}:{region}:{url}".encode("utf-8"), usedforsecurity=False).hexdigest()
        return {"id": identifier, "interface": interface, "region_id": region, "url": url, "region": region}

    def _v3_validate(self, request: Request) -> Response:
        status, _caller = self.state.tokens.check(request.headers.get("X-Auth-Token"), "swift")
        if status != "valid":
            return unauthorized(self._base(request) + "/v3")
        subject_status, token = self.state.tokens.check(request.headers.get("X-Subject-Token"), "swift")
        if subject_status != "valid" or token is None or token.subject.get("keystone") != "v3":
            return _error(404, "Not Found", "Could not find token.")
        response = self._json({"token": {"expires_at": _iso(token.expires_at or 0), "issued_at": _iso(token.issued_at)}})
        response.headers["X-Subject-Token"] = token.value
        return response

    def _v3_revoke(self, request: Request) -> Response:
        status, _caller = self.state.tokens.check(request.headers.get("X-Auth-Token"), "swift")
        if status != "valid":
            return unauthorized(self._base(request) + "/v3")
        subject = request.headers.get("X-Subject-Token")
        subject_status, token = self.state.tokens.check(subject, "swift")
        if token is None or subject_status == "unknown":
            return _error(404, "Not Found", "Could not find token.")
        self.state.tokens.revoke(token.value)
        return Response(status=204)

    # -- v2.0 -----------------------------------------------------------------------------

    def _v2_tokens(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"")
        except ValueError:
            return bad_request("auth", "request body")
        auth = body.get("auth") if isinstance(body, dict) else None
        credentials = auth.get("passwordCredentials") if isinstance(auth, dict) else None
        if not isinstance(credentials, dict):
            return bad_request("passwordCredentials", "auth")
        login, password = credentials.get("username"), credentials.get("password")
        if not isinstance(login, str) or not isinstance(password, str):
            return bad_request("username or password", "passwordCredentials")
        tenant_name = auth.get("tenantName") or auth.get("tenantId")
        with self._lock:
            tenant = self._tenants.get(tenant_name) if isinstance(tenant_name, str) else None
        if tenant is None or tenant["login"] != login or not _check_password(password, tenant["password"]):
            logger.debug("keystone v2.0 login failed for %r on tenant %r", login, tenant_name)
            return unauthorized(self._base(request) + "/v3")

        account = tenant["account"]
        ttl = self.state.settings["keystone_token_ttl"]
        token = self.swift.issue_token([("main", account)], ttl, value=secrets.token_hex(16), identities=[f"{tenant_name}:{login}"])
        token.subject.update({"keystone": "v2.0", "tenant": tenant_name})
        url = self.swift.storage_url("main", account)
        endpoint = {
            "adminURL": url,
            "region": WEBSTORAGE_REGION,
            "internalURL": url,
            "id": hashlib.md5(url.encode("utf-8"), usedforsecurity=False).hexdigest(),
            "publicURL": url,
        }
        access = {
            "token": {
                "issued_at": _iso(token.issued_at)[:-1],
                "expires": _iso(token.expires_at or 0).split(".")[0] + "Z",
                "id": token.value,
                "tenant": {"description": None, "enabled": True, "id": tenant_name, "name": tenant_name},
                "audit_ids": [base64.urlsafe_b64encode(os.urandom(16)).decode("ascii").rstrip("=")[:22]],
            },
            "serviceCatalog": [{"endpoints": [endpoint], "endpoints_links": [], "type": "object-store", "name": "swift"}],
            "user": {"username": login, "roles_links": [], "id": hashlib.md5(login.encode("utf-8"), usedforsecurity=False).hexdigest(), "roles": [{"name": "member"}], "name": login},
            "metadata": {"is_admin": 0, "roles": []},
        }
        return self._json({"access": access})

    # -- helpers --------------------------------------------------------------------------

    def _base(self, request: Request) -> str:
        return self.state.base_url or request.host_url.rstrip("/")

    @staticmethod
    def _json(document: Any, status: int = 200) -> Response:
        response = Response(json.dumps(document), status=status, content_type="application/json")
        response.headers["X-Openstack-Request-Id"] = f"req-{uuid.uuid4()}"
        return response
