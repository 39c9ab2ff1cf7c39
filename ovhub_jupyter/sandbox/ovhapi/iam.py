"""A few ``/v2/`` routes (IAM policies and resources), so clients can exercise the v2 prefix."""

from __future__ import annotations

import uuid
from typing import Any

from ..state import SandboxState
from .common import iso_datetime
from .responses import ApiError, object_not_found
from .routing import Call, Router


class IamRoutes:
    """``/v2/iam/...``, registered without the prefix.

    One seeded policy grants the demo account every action on its resources.
    """

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def register(self, router: Router) -> None:
        router.add("GET", "/iam/policy", self.list_policies)
        router.add("GET", "/iam/policy/{policyId}", self.get_policy)
        router.add("GET", "/iam/resource", self.list_resources)

    def _resources(self) -> list[dict[str, Any]]:
        demo = self.state.demo["ovh"]
        return [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"project:{demo['project_id']}")),
                "urn": f"urn:v1:eu:resource:publicCloudProject:{demo['project_id']}",
                "name": demo["project_id"],
                "displayName": demo["project_name"],
                "type": "publicCloudProject",
                "owner": demo["nic"],
            },
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"webstorage:{demo['webstorage_service']}")),
                "urn": f"urn:v1:eu:resource:cdnWebstorage:{demo['webstorage_service']}",
                "name": demo["webstorage_service"],
                "displayName": demo["webstorage_service"],
                "type": "cdnWebstorage",
                "owner": demo["nic"],
            },
        ]

    def _policies(self) -> list[dict[str, Any]]:
        demo = self.state.demo["ovh"]
        return [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"policy:{demo['nic']}")),
                "name": "sandbox-full-access",
                "description": "Seeded by the sandbox: the demo account may do everything on its resources",
                "identities": [f"urn:v1:eu:identity:account:{demo['nic']}"],
                "resources": [{"urn": resource["urn"]} for resource in self._resources()],
                "permissions": {"allow": [{"action": "*"}]},
                "createdAt": iso_datetime(self.state.now() - 86400 * 30),
                "readOnly": False,
                "owner": demo["nic"],
            }
        ]

    def list_policies(self, call: Call) -> list[dict[str, Any]]:
        return self._policies()

    def get_policy(self, call: Call) -> dict[str, Any]:
        for policy in self._policies():
            if policy["id"] == call.params["policyId"]:
                return policy
        raise ApiError(object_not_found("policyId", call.params["policyId"]))

    def list_resources(self, call: Call) -> list[dict[str, Any]]:
        return self._resources()
