"""Legacy CDN webstorage routes: one service whose credentials open a Swift account via Keystone v2.0."""

from __future__ import annotations

from typing import Any

from ..state import SandboxState
from .common import request_base_url
from .responses import ApiError, not_found
from .routing import Call, Router

# Storage limit of the demo webstorage offer, in bytes (250 GiB).
# NOTE: the unit of the real storageLimit and storageUsage fields is unverified.
STORAGE_LIMIT_BYTES = 250 * 1024**3


class WebstorageRoutes:
    """``/cdn/webstorage/...``."""

    def __init__(self, state: SandboxState, swift: Any, keystone: Any) -> None:
        self.state = state
        self.swift = swift
        self.keystone = keystone

    def register(self, router: Router) -> None:
        router.add("GET", "/cdn/webstorage", self.list_services)
        router.add("GET", "/cdn/webstorage/{serviceName}", self.get_service)
        router.add("GET", "/cdn/webstorage/{serviceName}/credentials", self.credentials)

    @property
    def service_name(self) -> str:
        return self.state.demo["ovh"]["webstorage_service"]

    @property
    def account(self) -> str:
        return self.state.demo["ovh"]["webstorage_account"]

    def _check_service(self, call: Call) -> None:
        if call.params["serviceName"] != self.service_name:
            raise ApiError(not_found("This service does not exist"))

    def list_services(self, call: Call) -> list[str]:
        return [self.service_name]

    def get_service(self, call: Call) -> dict[str, Any]:
        self._check_service(call)
        self.swift.ensure_account("main", self.account)
        usage = self.swift.account_usage("main", self.account)
        return {
            "domain": f"{self.service_name}.webstorage.example.com",
            "server": call.request.environ.get("HTTP_HOST") or call.request.host,
            "storageLimit": STORAGE_LIMIT_BYTES,
            "storageUsage": usage["bytes"],
        }

    def credentials(self, call: Call) -> dict[str, str]:
        self._check_service(call)
        credentials = self.state.webstorage_credentials()
        password, login, tenant = credentials["password"], credentials["login"], credentials["tenant"]
        self.swift.ensure_account("main", self.account)
        # Registered on every call because a sandbox reset clears the Keystone side.
        self.keystone.add_v2_tenant(tenant=tenant, login=login, password=password, account=self.account)
        return {"endpoint": request_base_url(call.request) + "/v2.0", "login": login, "password": password, "tenant": tenant}
