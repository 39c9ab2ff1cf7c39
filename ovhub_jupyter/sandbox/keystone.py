"""Keystone v3 (and v2.0 for legacy webstorage) emulation (placeholder until the real service lands).

The interface below is what the OVHcloud API emulation calls; the replacement keeps it.
"""

from __future__ import annotations

from typing import Any

from .app import Service


class KeystoneService(Service):
    name = "keystone"

    def __init__(self, state, swift):  # noqa: ANN001
        super().__init__(state)
        self.swift = swift

    def create_user(self, *, user_id: str, username: str, password: str, project_id: str, description: str = "") -> None:
        """Add an OpenStack user that can get tokens scoped to ``project_id``."""
        raise NotImplementedError

    def set_password(self, user_id: str, password: str) -> None:
        """Replace a user's password; tokens issued before stay valid, as in Keystone."""
        raise NotImplementedError

    def delete_user(self, user_id: str) -> None:
        """Remove a user."""
        raise NotImplementedError

    def get_user(self, user_id: str) -> dict[str, Any] | None:
        """Return ``{"user_id", "username", "project_id", "description"}`` or None."""
        raise NotImplementedError

    def add_v2_tenant(self, *, tenant: str, login: str, password: str, account: str) -> None:
        """Let ``login``/``password`` get a Keystone v2.0 token for ``tenant``, opening Swift ``AUTH_<account>``."""
        raise NotImplementedError
