"""Shared helpers of the Swift emulation tests (a v1 login, a fresh container); no tests here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import requests


@dataclass
class SwiftAccount:
    """A storage URL and token of the sandbox's plain v1 account."""

    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The token header."""
        return {"X-Auth-Token": self.token}

    def request(self, method: str, path: str = "", **kwargs) -> requests.Response:
        """Send ``method`` to the storage URL plus ``path`` (already percent-encoded) with the token."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


def login(sandbox) -> SwiftAccount:
    """Authenticate as the plain v1 demo user."""
    config = sandbox.config["swift"]
    response = requests.get(
        config["auth_url"], headers={"X-Auth-User": config["user"], "X-Auth-Key": config["key"]}, timeout=30
    )
    response.raise_for_status()
    return SwiftAccount(response.headers["X-Storage-Url"], response.headers["X-Auth-Token"])


def new_container(account: SwiftAccount, prefix: str = "test") -> str:
    """Create a container with a unique name and return the name."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    response = account.request("PUT", "/" + name)
    assert response.status_code == 201, response.text
    return name
