"""State shared by the sandbox's services: the clock, the demo accounts, settings and tokens.

The demo accounts' secrets are random, generated the first time a data folder is used and
kept in ``sandbox.json`` inside it, so a sandbox started again on the same ``--data``
folder keeps its accounts, and two sandboxes never share secrets.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Name of the file in the data folder that keeps the demo accounts between runs.
STATE_FILE = "sandbox.json"

# Settings a test may change through /_sandbox/settings, with their defaults. Lifetimes
# are in seconds and follow the real services.
DEFAULT_SETTINGS: dict[str, Any] = {
    # Swift's own defaults (swift/common/constraints.py).
    "container_listing_limit": 10000,
    "account_listing_limit": 10000,
    "max_file_size": 5368709122,
    "max_meta_name_length": 128,
    "max_meta_value_length": 256,
    "max_meta_count": 90,
    "max_meta_overall_size": 4096,
    "max_object_name_length": 1024,
    "max_container_name_length": 256,
    "max_manifest_segments": 1000,
    "max_deletes_per_request": 10000,
    "bulk_delete": True,
    # Swift tokens from v1 auth, Keystone, hubiC and the OVHcloud API last about a day.
    "swift_token_ttl": 86400,
    "keystone_token_ttl": 86400,
    # hubiC access tokens last 6 hours, authorization codes a few minutes.
    "hubic_access_token_ttl": 21600,
    "hubic_code_ttl": 600,
    # OVHcloud API: how far a request timestamp may be from the server clock.
    "ovh_timestamp_tolerance": 300,
    # Whether the demo OVH account requires a TOTP code at login.
    "ovh_two_factor": False,
}


def _random_text(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def generate_demo_accounts() -> dict[str, Any]:
    """Create the demo accounts with fresh random secrets (no URLs: those depend on the port)."""
    project_id = secrets.token_hex(16)
    nic = "ov" + "".join(secrets.choice(string.digits) for _ in range(5)) + "-ovh"
    return {
        "ovh": {
            "nic": nic,
            "email": "demo.user@example.com",
            "password": _random_text(20),
            # RFC 6238 TOTP secret, base32, used when two-factor login is on.
            "totp_secret": base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("="),
            "application_key": _random_text(16),
            "application_secret": _random_text(32),
            "consumer_key": _random_text(32),
            "project_id": project_id,
            "project_name": "sandbox-project",
            "regions": ["GRA", "SBG"],
            # OAuth2 service account (client credentials grant), the alternative to signed keys.
            "oauth2_client_id": "EU." + secrets.token_hex(8),
            "oauth2_client_secret": _random_text(32),
            "webstorage_service": "cdnwebstorage-" + secrets.token_hex(4),
            "webstorage_account": secrets.token_hex(16),
        },
        "hubic": {
            "email": "demo.user@example.com",
            "password": _random_text(20),
            "client_id": "api_hubic_" + _random_text(32),
            "client_secret": _random_text(64),
            # rclone's registered redirect URI for hubiC; another can be registered at run time.
            "redirect_uri": "http://localhost:53682/",
            "refresh_token": _random_text(64),
            "account": secrets.token_hex(16),
            "firstname": "Demo",
            "lastname": "User",
        },
        "swift": {
            "user": "demo:user",
            "key": _random_text(24),
            "account": "demo",
        },
        "keystone": {
            "username": "user-" + _random_text(12),
            "password": _random_text(32),
            "user_id": secrets.token_hex(16),
        },
    }


@dataclass
class Token:
    """A bearer token, session token or code issued by one of the emulated services."""

    value: str = field(repr=False)
    # Kind of token: "swift", "keystone", "hubic_access", "hubic_code", ...
    kind: str
    issued_at: float
    expires_at: float | None
    # Whatever the issuing service needs to know about it (account, scope, user, ...).
    subject: dict[str, Any] = field(default_factory=dict, repr=False)
    # Refresh tokens and consumer keys are not touched by "expire every token now".
    expirable: bool = True
    revoked: bool = False
    # Position in issue order; "expire every token now" expires those below a mark, so
    # shifting the clock before or after cannot make later tokens look expired.
    sequence: int = 0


class TokenRegistry:
    """Tokens of every kind, with expiry against the sandbox clock."""

    def __init__(self, state: "SandboxState") -> None:
        self._state = state
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self._issued = 0
        # Expirable tokens with a sequence number below this mark are expired.
        self._expired_below = 0

    def issue(
        self,
        kind: str,
        ttl: float | None,
        subject: dict[str, Any] | None = None,
        *,
        value: str | None = None,
        expirable: bool = True,
    ) -> Token:
        """Create and store a token of ``kind`` that lasts ``ttl`` seconds (None: forever)."""
        now = self._state.now()
        token = Token(
            value=value or secrets.token_urlsafe(32),
            kind=kind,
            issued_at=now,
            expires_at=None if ttl is None else now + ttl,
            subject=dict(subject or {}),
            expirable=expirable,
        )
        with self._lock:
            self._issued += 1
            token.sequence = self._issued
            self._tokens[token.value] = token
        return token

    def check(self, value: str | None, kind: str) -> tuple[str, Token | None]:
        """Return ``(status, token)``; status is valid, expired, revoked or unknown."""
        if not value:
            return "unknown", None
        with self._lock:
            token = self._tokens.get(value)
        if token is None or token.kind != kind:
            return "unknown", None
        if token.revoked:
            return "revoked", token
        now = self._state.now()
        if token.expirable and token.sequence < self._expired_below:
            return "expired", token
        if token.expires_at is not None and now >= token.expires_at:
            return "expired", token
        return "valid", token

    def revoke(self, value: str) -> None:
        """Mark one token as revoked."""
        with self._lock:
            token = self._tokens.get(value)
            if token is not None:
                token.revoked = True

    def revoke_where(self, kind: str, **subject: Any) -> int:
        """Revoke every token of ``kind`` whose subject has these values; return how many."""
        count = 0
        with self._lock:
            for token in self._tokens.values():
                if token.kind == kind and all(token.subject.get(k) == v for k, v in subject.items()):
                    token.revoked = True
                    count += 1
        return count

    def expire_all(self) -> None:
        """Expire every expirable token issued until now."""
        with self._lock:
            self._expired_below = self._issued + 1

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()
            self._expired_below = 0


class SandboxState:
    """Everything the services share; one instance a running sandbox."""

    def __init__(self, data_dir: Path, base_url: str = "http://127.0.0.1:0") -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.base_url = base_url
        self.clock_shift = 0.0
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.tokens = TokenRegistry(self)
        self.lock = threading.RLock()
        self.demo = self._load_or_create_demo()

    def now(self) -> float:
        """Return the sandbox's Unix time: the real clock plus the test's shift."""
        return time.time() + self.clock_shift

    def _load_or_create_demo(self) -> dict[str, Any]:
        path = self.data_dir / STATE_FILE
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        demo = generate_demo_accounts()
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(demo, handle, indent=2)
        os.replace(temporary, path)
        return demo

    def webstorage_credentials(self) -> dict[str, str]:
        """Return the legacy webstorage tenant's ``login``, ``password`` and ``tenant``.

        The password is derived from the demo account's stored secrets, so it stays the same
        for a data folder across restarts, like a real service's password. The OVHcloud API
        emulation hands it out and the Keystone v2.0 emulation accepts it.
        """
        ovh = self.demo["ovh"]
        seed = f"{ovh['application_secret']}:{ovh['webstorage_account']}".encode("utf-8")
        service = ovh["webstorage_service"]
        return {"login": service, "password": hashlib.sha256(seed).hexdigest()[:32], "tenant": service}

    def swift_storage_url(self, account: str, region: str | None = None) -> str:
        """Return the storage URL of a Swift account in the main cluster or in a region."""
        if region is None:
            return f"{self.base_url}/v1/AUTH_{account}"
        return f"{self.base_url}/storage/{region.lower()}/v1/AUTH_{account}"

    def public_config(self) -> dict[str, Any]:
        """Return the demo accounts in the shape ``GET /_sandbox/config`` returns."""
        base = self.base_url
        ovh, hubic, swift, keystone = (self.demo[k] for k in ("ovh", "hubic", "swift", "keystone"))
        return {
            "base_url": base,
            "ovh": {
                "endpoint": f"{base}/1.0",
                "application_key": ovh["application_key"],
                "application_secret": ovh["application_secret"],
                "consumer_key": ovh["consumer_key"],
                "project_id": ovh["project_id"],
                "regions": list(ovh["regions"]),
                "nic": ovh["nic"],
                "email": ovh["email"],
                "password": ovh["password"],
                "totp_secret": ovh["totp_secret"],
                "create_app_url": f"{base}/createApp/",
                "oauth2_token_url": f"{base}/auth/oauth2/token",
                "client_id": ovh["oauth2_client_id"],
                "client_secret": ovh["oauth2_client_secret"],
            },
            "hubic": {
                "auth_url": f"{base}/hubic/oauth/auth/",
                "token_url": f"{base}/hubic/oauth/token/",
                "api_url": f"{base}/hubic/1.0",
                "client_id": hubic["client_id"],
                "client_secret": hubic["client_secret"],
                "redirect_uri": hubic["redirect_uri"],
                "refresh_token": hubic["refresh_token"],
                "email": hubic["email"],
                "password": hubic["password"],
            },
            "swift": {
                "auth_url": f"{base}/auth/v1.0",
                "user": swift["user"],
                "key": swift["key"],
                "storage_url": self.swift_storage_url(swift["account"]),
            },
            "keystone": {
                "auth_url": f"{base}/v3",
                "username": keystone["username"],
                "password": keystone["password"],
                "project_id": ovh["project_id"],
                "user_domain_id": "default",
                "regions": list(ovh["regions"]),
            },
        }
