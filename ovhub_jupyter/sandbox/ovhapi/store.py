"""Applications and consumer keys of the emulated OVHcloud API, kept in the data folder.

The demo application and its pre-validated consumer key come from ``state.demo["ovh"]``
and are rebuilt at every start. Applications made on the createApp page and consumer keys
requested with ``POST /auth/credential`` are written to ``ovhapi.json`` (mode 0600,
replaced atomically), so a sandbox started again on the same data folder still accepts
the keys a user saved.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import string
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..state import SandboxState

logger = logging.getLogger(__name__)

# File in the data folder that keeps created applications and consumer keys.
STORE_FILE = "ovhapi.json"

# Key lengths the real createApp page and /auth/credential hand out.
APPLICATION_KEY_LENGTH = 16
APPLICATION_SECRET_LENGTH = 32
CONSUMER_KEY_LENGTH = 32
CREDENTIAL_TOKEN_LENGTH = 64

# Ids of the demo application and of its consumer key; created ones count up from these.
DEMO_APPLICATION_ID = 100001
DEMO_CREDENTIAL_ID = 500000001

# Consumer key states, as /auth/currentCredential reports them.
PENDING = "pendingValidation"
VALIDATED = "validated"
REFUSED = "refused"
EXPIRED = "expired"

# Access rules of the demo consumer key: every method on every path.
FULL_ACCESS_RULES = [{"method": method, "path": "/*"} for method in ("GET", "POST", "PUT", "DELETE")]


def random_key(length: int) -> str:
    """Return a random key of letters and digits, like the keys OVHcloud issues."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class Application:
    """An application: the key that identifies it and the secret that signs its calls."""

    application_id: int
    application_key: str
    application_secret: str
    name: str
    description: str
    # Account (nic handle) that created the application.
    owner: str
    status: str = "active"

    def __repr__(self) -> str:
        return f"Application(id={self.application_id}, key={self.application_key[:4]}..., name={self.name!r})"

    def public(self) -> dict[str, Any]:
        """Return the application as ``GET /me/api/application/{id}`` shows it (no secret)."""
        return {
            "applicationId": self.application_id,
            "applicationKey": self.application_key,
            "name": self.name,
            "description": self.description,
            "status": self.status,
        }


@dataclass
class ConsumerKey:
    """A consumer key with its access rules and validation state."""

    credential_id: int
    consumer_key: str
    application_key: str
    rules: list[dict[str, str]]
    # Token in the validation URL; None once the key is validated or refused.
    credential_token: str | None
    status: str
    created_at: float
    redirection: str | None = None
    allowed_ips: list[str] | None = None
    # Account that validated the key.
    owner: str | None = None
    # Sandbox time of validation, and the validity in seconds chosen then (0: unlimited).
    validated_at: float | None = None
    duration: int = 0
    last_use: float | None = None
    demo: bool = field(default=False, repr=False)

    def __repr__(self) -> str:
        return f"ConsumerKey(id={self.credential_id}, key={self.consumer_key[:4]}..., status={self.status!r})"

    @property
    def expires_at(self) -> float | None:
        if self.validated_at is None or not self.duration:
            return None
        return self.validated_at + self.duration

    def status_at(self, now: float) -> str:
        """Return the state at sandbox time ``now``: a validated key turns ``expired``."""
        expires_at = self.expires_at
        if self.status == VALIDATED and expires_at is not None and now >= expires_at:
            return EXPIRED
        return self.status


class CredentialStore:
    """Every application and consumer key of the sandbox, safe to share between threads."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.lock = threading.RLock()
        self.path = Path(state.data_dir) / STORE_FILE
        self.applications: dict[str, Application] = {}
        self.consumer_keys: dict[str, ConsumerKey] = {}
        self._next_application_id = DEMO_APPLICATION_ID + 1
        self._next_credential_id = DEMO_CREDENTIAL_ID + 1
        self._seed_demo()
        self._load()

    # -- demo and persistence -------------------------------------------------------------

    def _seed_demo(self) -> None:
        demo = self.state.demo["ovh"]
        application = Application(
            application_id=DEMO_APPLICATION_ID,
            application_key=demo["application_key"],
            application_secret=demo["application_secret"],
            name="ovhub-sandbox",
            description="Demo application of the ovhub_jupyter sandbox",
            owner=demo["nic"],
        )
        consumer_key = ConsumerKey(
            credential_id=DEMO_CREDENTIAL_ID,
            consumer_key=demo["consumer_key"],
            application_key=demo["application_key"],
            rules=[dict(rule) for rule in FULL_ACCESS_RULES],
            credential_token=None,
            status=VALIDATED,
            created_at=self.state.now(),
            owner=demo["nic"],
            validated_at=self.state.now(),
            demo=True,
        )
        self.applications[application.application_key] = application
        self.consumer_keys[consumer_key.consumer_key] = consumer_key

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            applications = [Application(**item) for item in data.get("applications", [])]
            consumer_keys = [ConsumerKey(**item) for item in data.get("consumer_keys", [])]
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path, exc)
            return
        for application in applications:
            self.applications[application.application_key] = application
            self._next_application_id = max(self._next_application_id, application.application_id + 1)
        for consumer_key in consumer_keys:
            self.consumer_keys[consumer_key.consumer_key] = consumer_key
            self._next_credential_id = max(self._next_credential_id, consumer_key.credential_id + 1)

    def save(self) -> None:
        """Write the created applications and consumer keys to the data folder."""
        with self.lock:
            data = {
                "applications": [asdict(app) for app in self.applications.values() if app.application_id != DEMO_APPLICATION_ID],
                "consumer_keys": [asdict(key) for key in self.consumer_keys.values() if not key.demo],
            }
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(temporary, self.path)

    def reset(self) -> None:
        """Forget created applications and consumer keys; bring the demo key back."""
        with self.lock:
            self.applications.clear()
            self.consumer_keys.clear()
            self._next_application_id = DEMO_APPLICATION_ID + 1
            self._next_credential_id = DEMO_CREDENTIAL_ID + 1
            self._seed_demo()
        self.save()

    # -- applications ---------------------------------------------------------------------

    def application(self, application_key: str | None) -> Application | None:
        """Return the application with this key, or None."""
        if not application_key:
            return None
        with self.lock:
            return self.applications.get(application_key)

    def applications_of(self, owner: str) -> list[Application]:
        """Return the applications created by an account, oldest first."""
        with self.lock:
            found = [app for app in self.applications.values() if app.owner == owner]
        return sorted(found, key=lambda app: app.application_id)

    def create_application(self, owner: str, name: str, description: str) -> Application:
        """Create an application with a fresh key and secret, and save it."""
        with self.lock:
            application = Application(
                application_id=self._next_application_id,
                application_key=random_key(APPLICATION_KEY_LENGTH),
                application_secret=random_key(APPLICATION_SECRET_LENGTH),
                name=name,
                description=description,
                owner=owner,
            )
            self._next_application_id += 1
            self.applications[application.application_key] = application
        self.save()
        return application

    def delete_application(self, application: Application) -> None:
        """Delete an application and every consumer key it was given, then save."""
        with self.lock:
            self.applications.pop(application.application_key, None)
            for key in [k for k, v in self.consumer_keys.items() if v.application_key == application.application_key]:
                del self.consumer_keys[key]
        self.save()

    # -- consumer keys ----------------------------------------------------------------------

    def consumer_key(self, value: str | None) -> ConsumerKey | None:
        """Return the consumer key record for this key, or None."""
        if not value:
            return None
        with self.lock:
            return self.consumer_keys.get(value)

    def by_credential_token(self, token: str | None) -> ConsumerKey | None:
        """Return the pending consumer key whose validation URL carries ``token``."""
        if not token:
            return None
        with self.lock:
            for key in self.consumer_keys.values():
                if key.credential_token is not None and hmac.compare_digest(key.credential_token.encode(), token.encode()):
                    return key
        return None

    def by_credential_id(self, credential_id: int) -> ConsumerKey | None:
        """Return the consumer key with this credential id, or None."""
        with self.lock:
            for key in self.consumer_keys.values():
                if key.credential_id == credential_id:
                    return key
        return None

    def consumer_keys_of(self, owner: str) -> list[ConsumerKey]:
        """Return the consumer keys an account validated, oldest first."""
        with self.lock:
            found = [key for key in self.consumer_keys.values() if key.owner == owner]
        return sorted(found, key=lambda key: key.credential_id)

    def request_consumer_key(
        self,
        application: Application,
        rules: list[dict[str, str]],
        redirection: str | None,
        allowed_ips: list[str] | None,
    ) -> ConsumerKey:
        """Create a consumer key waiting for validation, and save it."""
        with self.lock:
            consumer_key = ConsumerKey(
                credential_id=self._next_credential_id,
                consumer_key=random_key(CONSUMER_KEY_LENGTH),
                application_key=application.application_key,
                rules=rules,
                credential_token=random_key(CREDENTIAL_TOKEN_LENGTH),
                status=PENDING,
                created_at=self.state.now(),
                redirection=redirection,
                allowed_ips=allowed_ips,
            )
            self._next_credential_id += 1
            self.consumer_keys[consumer_key.consumer_key] = consumer_key
        self.save()
        return consumer_key

    def decide(self, consumer_key: ConsumerKey, status: str, owner: str | None = None, duration: int = 0) -> None:
        """Move a pending key to ``validated`` or ``refused``; its validation URL stops working."""
        with self.lock:
            consumer_key.status = status
            consumer_key.credential_token = None
            if status == VALIDATED:
                consumer_key.owner = owner
                consumer_key.validated_at = self.state.now()
                consumer_key.duration = duration
        self.save()

    def delete_consumer_key(self, consumer_key: ConsumerKey) -> None:
        """Forget a consumer key, so later calls with it get NOT_CREDENTIAL."""
        with self.lock:
            self.consumer_keys.pop(consumer_key.consumer_key, None)
        self.save()
